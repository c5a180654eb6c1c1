#include "collector/scoring/scoring_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/judge/endpoint_scheduler.h"
#include "collector/scoring/sampler.h"
#include "collector/scoring/score_builder.h"
#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

// Entries taken per claim of the waiting stage.
constexpr size_t kClaimBatch = 32;
// Samples a worker scores before committing their results in one write.
constexpr size_t kCommitBatch = 16;
// How long an idle worker sleeps when nothing wakes it (a safety net: work is signalled).
constexpr absl::Duration kIdleWait = absl::Seconds(1);
// How often shedding reconsiders each app's rate.
constexpr absl::Duration kRatePeriod = absl::Seconds(1);

int StageIndex(char stage) { return stage == keys::kQueueWaiting ? 0 : 1; }

bool Applies(const v1::Rubric& r, const v1::Sample& s) {
  if (r.requires_contexts() && s.contexts_size() == 0) return false;
  if (r.requires_reference() && s.reference().empty()) return false;
  if (!r.apps().empty() &&
      std::find(r.apps().begin(), r.apps().end(), s.app()) == r.apps().end()) {
    return false;
  }
  return true;
}

uint32_t DefaultAsyncSamples(const v1::CollectorConfig& config) {
  uint64_t slots = 0;
  for (const v1::JudgeEndpoint& e : config.judges()) {
    slots += e.has_max_concurrency() ? e.max_concurrency()
                                     : EndpointScheduler::kDefaultMaxConcurrency;
  }
  return static_cast<uint32_t>(std::max<uint64_t>(16, 2 * slots));
}

// A Prometheus label value.
std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

struct ScoringEngine::Inbox {
  absl::Mutex mu;
  absl::CondVar cv;
  bool closed ABSL_GUARDED_BY(mu) = false;
  std::deque<std::shared_ptr<Judging>> finished ABSL_GUARDED_BY(mu);
};

// A sample whose asynchronous scores are out.
struct ScoringEngine::Judging {
  Work work;
  v1::Sample sample;
  // Copies, not the scorers: the calls' callbacks hold the job, and must not hold a scorer
  // (and through it an endpoint scheduler, which must not be destroyed on its own thread).
  std::vector<v1::Rubric> async;
  std::vector<std::string> deferred;  // Composites, scored last (with the snapshot then).
  std::vector<std::string> removed;             // Pending rubrics no longer in force.
  std::vector<v1::Score> scores;                // Per async rubric, as they arrive.
  int outstanding = 0;                          // Guarded by the inbox mutex.
};

ScoringEngine::ScoringEngine(Store* store, const RubricRegistry* rubrics, TailHub* tail,
                             Metrics* metrics, const v1::CollectorConfig& config)
    : store_(store),
      rubrics_(rubrics),
      tail_(tail),
      config_(config.scoring()),
      workers_(config_.has_workers() ? std::max(1u, config_.workers()) : kDefaultWorkers),
      overload_depth_(config_.has_overload_queue_depth() ? config_.overload_queue_depth()
                                                         : kDefaultOverloadDepth),
      max_app_backlog_(config_.has_max_app_backlog() ? config_.max_app_backlog()
                                                     : kDefaultMaxAppBacklog),
      max_backlog_age_(absl::Seconds(config_.has_max_backlog_age_s()
                                         ? config_.max_backlog_age_s()
                                         : kDefaultMaxBacklogAgeS)),
      max_async_samples_(config_.has_max_async_samples()
                             ? std::max(1u, config_.max_async_samples())
                             : DefaultAsyncSamples(config)),
      scored_(metrics->AddCounter("llmtap_scoring_scored_total", "Scores computed.")),
      errors_(metrics->AddCounter("llmtap_scoring_errors_total", "Scoring attempts that failed.")),
      skipped_(metrics->AddCounter("llmtap_scoring_skipped_total",
                                   "Scores skipped on purpose (overload, spend cap, circuit).")),
      sampled_out_(metrics->AddCounter("llmtap_scoring_sampled_out_total",
                                       "Sample x rubric pairs left out by the rubric's rate.")),
      shed_(metrics->AddCounter("llmtap_scoring_shed_total",
                                "Sample x rubric pairs left out by an app's lowered rate.")),
      wakeups_(metrics->AddCounter("llmtap_scoring_wakeups_total",
                                   "Idle scoring workers woken by new samples.")),
      inbox_(std::make_shared<Inbox>()) {
  metrics->AddGauge("llmtap_scoring_queue_depth", "Samples waiting to be scored.",
                    [store] { return static_cast<double>(store->queue_depth()); });
  metrics->AddFamily(
      "llmtap_scoring_backlog", "Queued samples per app and stage (waiting, judging).",
      Metrics::Type::kGauge, [this] {
        Metrics::Series out;
        for (const auto& [app, s] : Status()) {
          out.emplace_back(Cat("app=\"", Label(app), "\",stage=\"waiting\""), s.waiting);
          out.emplace_back(Cat("app=\"", Label(app), "\",stage=\"judging\""), s.judging);
        }
        return out;
      });
  metrics->AddFamily("llmtap_scoring_oldest_unscored_age_seconds",
                     "Age of the oldest sample of the app not fully scored.",
                     Metrics::Type::kGauge, [this] {
                       Metrics::Series out;
                       for (const auto& [app, s] : Status()) {
                         out.emplace_back(Cat("app=\"", Label(app), "\""), s.oldest_age_s);
                       }
                       return out;
                     });
  metrics->AddFamily("llmtap_scoring_effective_sample_rate",
                     "Factor on every rubric's rate for the app (below 1 while shedding).",
                     Metrics::Type::kGauge, [this] {
                       Metrics::Series out;
                       for (const auto& [app, s] : Status()) {
                         out.emplace_back(Cat("app=\"", Label(app), "\""), s.effective_rate);
                       }
                       return out;
                     });
  metrics->AddFamily("llmtap_scoring_not_scored_total",
                     "Sample x rubric pairs not scored since start, by app, rubric and reason.",
                     Metrics::Type::kCounter, [this] {
                       Metrics::Series out;
                       absl::MutexLock lock(&counts_mu_);
                       for (const auto& [k, n] : not_scored_) {
                         const auto& [app, rubric, reason] = k;
                         out.emplace_back(Cat("app=\"", Label(app), "\",rubric=\"",
                                              Label(rubric), "\",reason=\"", Label(reason),
                                              "\""),
                                          static_cast<double>(n));
                       }
                       return out;
                     });
  metrics->AddFamily("llmtap_judge_in_flight", "Calls in flight per judge endpoint.",
                     Metrics::Type::kGauge, [] {
                       Metrics::Series out;
                       for (const auto& s : EndpointScheduler::Live()) {
                         out.emplace_back(Cat("endpoint=\"", Label(s->endpoint().name()), "\""),
                                          s->in_flight());
                       }
                       return out;
                     });
  metrics->AddFamily("llmtap_judge_queued", "Calls waiting for a slot per judge endpoint.",
                     Metrics::Type::kGauge, [] {
                       Metrics::Series out;
                       for (const auto& s : EndpointScheduler::Live()) {
                         out.emplace_back(Cat("endpoint=\"", Label(s->endpoint().name()), "\""),
                                          static_cast<double>(s->queued()));
                       }
                       return out;
                     });
  store_->SetQueueListener([this] { Notify(); });
}

ScoringEngine::~ScoringEngine() { Stop(); }

void ScoringEngine::Start() {
  for (uint32_t i = 0; i < workers_; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

void ScoringEngine::Notify() {
  notify_seq_.fetch_add(1);
  if (idle_workers_.load() == 0) return;
  absl::MutexLock lock(&inbox_->mu);
  inbox_->cv.Signal();
}

void ScoringEngine::Stop() {
  {
    absl::MutexLock lock(&inbox_->mu);
    stopping_ = true;
    inbox_->closed = true;  // Verdicts arriving from now on are dropped; entries stay queued.
    inbox_->cv.SignalAll();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::vector<ScoringEngine::Work> ScoringEngine::Claim(char stage, size_t limit) {
  // REQUIRES inbox_->mu held by the caller (WorkerLoop); the store scans are short and bounded.
  // Every entry of a (stage, app) at or before its cursor is claimed or already removed (later
  // entries always sort after it), so scans start there: the removed entries before it, whose
  // tombstones a scan from the head would step over one by one, are never read again. Only a
  // failed commit, which leaves its entries behind the cursors, sends the scans to the heads.
  const int si = StageIndex(stage);
  if (rescan_) {
    for (auto& [app, q] : apps_) q.cursor[0].clear(), q.cursor[1].clear();
    rescan_ = false;
  }
  std::vector<std::string> apps;
  for (const QueueBacklog& b : store_->QueueBacklogs()) {
    if ((stage == keys::kQueueWaiting ? b.waiting : b.judging) > 0) apps.push_back(b.app);
  }
  std::vector<Work> found;
  if (apps.empty()) return found;
  // Deficit round robin, one unit per sample: from the app after the one the last claim
  // ended on, each app in turn gets up to a quantum; turns go on until the claim is full or a
  // whole round finds nothing.
  size_t start = std::upper_bound(apps.begin(), apps.end(), round_robin_next_[si]) - apps.begin();
  bool progress = true;
  while (found.size() < limit && progress) {
    progress = false;
    for (size_t k = 0; k < apps.size() && found.size() < limit; ++k) {
      const std::string& app = apps[(start + k) % apps.size()];
      AppQueue& q = apps_[app];
      // One app alone takes the whole claim in one scan.
      const size_t quantum =
          apps.size() == 1 ? limit - found.size()
                           : std::min(keys::kQueueQuantum, limit - found.size());
      size_t taken = 0;
      store_
          ->ScanQueue(stage, app, quantum * 4, q.cursor[si],
                      [&](std::string_view key, store::QueueEntry&& entry) {
                        if (taken >= quantum || claimed_.count(std::string(key))) return;
                        const int64_t received =
                            stage == keys::kQueueWaiting
                                ? keys::ParseQueueKey(key)->time_unix_nano
                                : entry.received_unix_nano();
                        claimed_.emplace(std::string(key), received);
                        found.push_back(Work{std::string(key), app, std::move(entry),
                                             q.rate_factor});
                        ++taken;
                      })
          .IgnoreError();
      if (taken > 0) {
        q.cursor[si] = found.back().key;
        round_robin_next_[si] = app;
        progress = true;
      }
    }
    start = std::upper_bound(apps.begin(), apps.end(), round_robin_next_[si]) - apps.begin();
  }
  return found;
}

void ScoringEngine::Release(std::span<const Work> batch, bool failed) {
  absl::MutexLock lock(&inbox_->mu);
  for (const Work& w : batch) claimed_.erase(w.key);
  if (failed) rescan_ = true;  // The failed entries are behind the cursors now.
}

void ScoringEngine::WorkerLoop() {
  while (true) {
    std::vector<Work> judge_batch, batch;
    std::vector<std::shared_ptr<Judging>> finished;
    {
      absl::MutexLock lock(&inbox_->mu);
      while (true) {
        if (stopping_) return;
        const uint64_t seq = notify_seq_.load();
        if (absl::Now() - rates_adjusted_ >= kRatePeriod) {
          rates_adjusted_ = absl::Now();
          inbox_->mu.Unlock();
          AdjustRates();
          inbox_->mu.Lock();
        }
        // Finished verdicts first (they free judge slots), then new judge calls while slots
        // are free, then the waiting samples.
        while (!inbox_->finished.empty() && finished.size() < kCommitBatch * 4) {
          finished.push_back(std::move(inbox_->finished.front()));
          inbox_->finished.pop_front();
        }
        if (async_samples_ < max_async_samples_) {
          judge_batch = Claim(keys::kQueueJudging, max_async_samples_ - async_samples_);
          async_samples_ += judge_batch.size();
        }
        batch = Claim(keys::kQueueWaiting, kClaimBatch);
        if (!finished.empty() || !judge_batch.empty() || !batch.empty()) break;
        // Nothing to do: sleep until signalled, unless new samples came meanwhile.
        idle_workers_.fetch_add(1);
        if (notify_seq_.load() == seq && inbox_->finished.empty()) {
          inbox_->cv.WaitWithTimeout(&inbox_->mu, kIdleWait);
          wakeups_->Add();
        }
        idle_workers_.fetch_sub(1);
      }
    }
    if (!finished.empty()) FinishJudging(std::move(finished));
    if (!judge_batch.empty()) StartJudging(std::move(judge_batch));
    if (!batch.empty()) ScoreBatch(std::move(batch));
  }
}

void ScoringEngine::ScoreBatch(std::vector<Work> batch) {
  std::vector<v1::Sample> samples(batch.size());
  std::vector<ScoreWrite> writes(batch.size());
  bool failed = false;
  size_t first = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    Process(batch[i], &samples[i], &writes[i]);
    if (i + 1 == batch.size() || i + 1 - first == kCommitBatch) {
      if (!Commit(std::span(writes).subspan(first, i + 1 - first))) failed = true;
      first = i + 1;
    }
  }
  bool judging = false;
  for (const ScoreWrite& w : writes) judging |= !w.pending_rubrics.empty();
  Release(batch, failed);
  if (judging) Notify();  // New judge entries: a worker may start their calls.
}

bool ScoringEngine::Commit(std::span<const ScoreWrite> writes) {
  if (writes.empty()) return true;
  if (absl::Status s = store_->CommitScores(writes); !s.ok()) {
    // The queue entries stay, so these samples are scored again.
    spdlog::error("scoring: commit failed, will retry: {}", s.ToString());
    return false;
  }
  if (!tail_->has_subscribers()) return true;
  for (const ScoreWrite& write : writes) {
    for (const auto& score : write.scores) {
      v1::TailResponse event;
      *event.mutable_score() = score;
      *event.mutable_sample() = *write.sample;
      tail_->Publish(event);
    }
  }
  return true;
}

uint64_t ScoringEngine::SeenBefore(const v1::Sample& sample,
                                   std::vector<std::pair<std::string, std::string>>* meta) {
  const std::string key = Cat("seen/", sample.app(), std::string_view("\0", 1), sample.model());
  absl::MutexLock lock(&inbox_->mu);
  auto it = seen_.find(key);
  if (it == seen_.end()) {
    uint64_t n = 0;
    if (auto v = store_->GetMeta(key); v.ok() && v->size() == 8) n = keys::GetBE64(*v);
    it = seen_.emplace(key, n).first;
  }
  const uint64_t before = it->second++;
  std::string value;
  keys::PutBE64(&value, it->second);
  meta->emplace_back(key, value);
  return before;
}

void ScoringEngine::CountNotScored(std::string_view app, std::string_view rubric,
                                   std::string_view reason) {
  absl::MutexLock lock(&counts_mu_);
  ++not_scored_[{std::string(app), std::string(rubric), std::string(reason)}];
}

bool ScoringEngine::Shed(const Work& work, v1::Sample* stub, ScoreWrite* write) {
  if (work.rate_factor >= 1) return false;
  const auto key = keys::ParseQueueKey(work.key);
  const auto sample_key = keys::ParseSampleKey(work.entry.sample_key());
  if (!key || !sample_key) return false;
  stub->set_id(keys::EncodeId(key->id16));
  if (Sampled(SamplePoint(stub->id()), work.rate_factor)) return false;
  // Shed unread: what is known of the sample without reading it is its id, app and start time.
  stub->set_app(std::string(sample_key->app));
  stub->set_start_time_unix_nano(sample_key->start_unix_nano);
  write->sample = stub;
  for (const CompiledRubric& c : *rubrics_->Snapshot()) {
    if (!Applies(c.rubric, *stub)) continue;
    write->rollup_values.emplace_back(SkipSeries(c.rubric.name(), "shed"), 1);
    shed_->Add();
    CountNotScored(stub->app(), c.rubric.name(), "shed");
  }
  return true;
}

void ScoringEngine::Process(const Work& work, v1::Sample* sample, ScoreWrite* out) {
  ScoreWrite& write = *out;
  write.queue_key = work.key;
  if (Shed(work, sample, &write)) return;
  absl::StatusOr<v1::Sample> stored = store_->GetSampleByKey(work.entry.sample_key());
  if (!stored.ok()) {
    // Expired or unreadable: drop the entry (no sample) so the queue does not stall on it.
    spdlog::warn("scoring: dropping queue entry: {}", stored.status().ToString());
    return;
  }
  *sample = *std::move(stored);
  write.sample = sample;
  write.received_unix_nano = sample->received_unix_nano();
  const std::shared_ptr<const RubricSnapshot> rubrics = rubrics_->Snapshot();
  const uint64_t seen = SeenBefore(*sample, &write.meta);
  const bool overloaded = store_->queue_depth() > overload_depth_;
  const double point = SamplePoint(config_.hash_key() == v1::ScoringConfig::HASH_KEY_SAMPLE_ID
                                       ? sample->id()
                                       : sample->prompt());
  std::map<std::string, double> earlier;
  std::map<std::string, double> weights;
  for (const CompiledRubric& c : *rubrics) weights[c.rubric.name()] = c.rubric.weight();

  for (const CompiledRubric& c : *rubrics) {
    const v1::Rubric& r = c.rubric;
    if (!Applies(r, *sample) || !c.scorer->AppliesTo(*sample)) continue;
    const bool in_full_window = seen < r.full_first_n();
    if (!in_full_window && !Sampled(point, r.sample_rate())) {
      write.rollup_values.emplace_back(SkipSeries(r.name(), "sampled_out"), 1);
      sampled_out_->Add();
      CountNotScored(sample->app(), r.name(), "sampled_out");
      continue;
    }
    v1::Score score;
    if (overloaded && r.priority() == v1::PRIORITY_LOW) {
      score = SkippedScore(r, *sample, "overload");
    } else if (c.scorer->is_async() ||
               (r.kind() == v1::RUBRIC_KIND_COMPOSITE && !write.pending_rubrics.empty())) {
      // Scored in the judge stage (composites come last, so every async rubric of the sample
      // is known here).
      write.pending_rubrics.push_back(r.name());
      continue;
    } else {
      ScoreContext context;
      const absl::Time started = absl::Now();
      context.deadline = started + absl::Milliseconds(r.timeout_ms());
      context.earlier = &earlier;
      context.weights = &weights;
      score = BuildScore(r, *sample, c.scorer->Score(*sample, context), started,
                         context.deadline);
      if (score.state() == v1::SCORE_STATE_SCORED) earlier[r.name()] = score.value();
    }
    const std::string reason = AccountScore(score, &write);
    if (reason.empty()) {
      scored_->Add();
    } else {
      (reason == "error" ? errors_ : skipped_)->Add();
      CountNotScored(sample->app(), r.name(), reason);
    }
    write.scores.push_back(std::move(score));
  }
}

void ScoringEngine::StartJudging(std::vector<Work> batch) {
  const std::shared_ptr<const RubricSnapshot> rubrics = rubrics_->Snapshot();
  std::vector<std::shared_ptr<Judging>> ready;  // Nothing to wait for.
  for (Work& w : batch) {
    auto job = std::make_shared<Judging>();
    job->work = std::move(w);
    absl::StatusOr<v1::Sample> stored = store_->GetSampleByKey(job->work.entry.sample_key());
    if (!stored.ok()) {
      spdlog::warn("scoring: dropping judge entry: {}", stored.status().ToString());
      ready.push_back(std::move(job));  // Committed with no sample: the entry is removed.
      continue;
    }
    job->sample = *std::move(stored);
    std::vector<const Scorer*> scorers;  // Of job->async; `rubrics` keeps them alive.
    for (const std::string& name : job->work.entry.pending_rubrics()) {
      auto it = std::find_if(rubrics->begin(), rubrics->end(),
                             [&](const CompiledRubric& c) { return c.rubric.name() == name; });
      if (it == rubrics->end() || !Applies(it->rubric, job->sample)) {
        job->removed.push_back(name);
      } else if (it->scorer->is_async()) {
        job->async.push_back(it->rubric);
        scorers.push_back(it->scorer.get());
      } else {
        job->deferred.push_back(name);
      }
    }
    job->scores.resize(job->async.size());
    {
      absl::MutexLock lock(&inbox_->mu);
      job->outstanding = static_cast<int>(job->async.size()) + 1;  // +1: until all are sent.
    }
    for (size_t i = 0; i < job->async.size(); ++i) {
      ScoreContext context;
      const absl::Time started = absl::Now();
      context.deadline = started + absl::Milliseconds(job->async[i].timeout_ms());
      // The callback may run after the engine is gone: it holds the inbox and the job.
      scorers[i]->ScoreAsync(
          job->sample, context,
          [inbox = inbox_, job, i, started, deadline = context.deadline](
              absl::StatusOr<ScoreResult> result) {
            v1::Score score =
                BuildScore(job->async[i], job->sample, std::move(result), started, deadline);
            absl::MutexLock lock(&inbox->mu);
            if (inbox->closed) return;
            job->scores[i] = std::move(score);
            if (--job->outstanding == 0) {
              inbox->finished.push_back(job);
              inbox->cv.Signal();
            }
          });
    }
    absl::MutexLock lock(&inbox_->mu);
    if (--job->outstanding == 0) {
      inbox_->finished.push_back(job);
      inbox_->cv.Signal();
    }
  }
  if (!ready.empty()) {
    absl::MutexLock lock(&inbox_->mu);
    for (auto& job : ready) inbox_->finished.push_back(std::move(job));
    inbox_->cv.Signal();
  }
}

void ScoringEngine::FinishJudging(std::vector<std::shared_ptr<Judging>> done) {
  const std::shared_ptr<const RubricSnapshot> rubrics = rubrics_->Snapshot();
  std::vector<ScoreWrite> writes(done.size());
  std::vector<Work> works;
  for (size_t k = 0; k < done.size(); ++k) {
    Judging& job = *done[k];
    ScoreWrite& write = writes[k];
    write.queue_key = job.work.key;
    works.push_back(job.work);
    if (job.sample.id().empty()) continue;  // The sample is gone: only remove the entry.
    write.sample = &job.sample;
    const std::string& app = job.sample.app();
    std::map<std::string, double> earlier;
    std::map<std::string, double> weights;
    for (const CompiledRubric& c : *rubrics) weights[c.rubric.name()] = c.rubric.weight();
    for (v1::Score& score : job.scores) {
      const std::string reason = AccountScore(score, &write);
      if (reason.empty()) {
        scored_->Add();
        earlier[score.rubric()] = score.value();
      } else {
        (reason == "error" ? errors_ : skipped_)->Add();
        CountNotScored(app, score.rubric(), reason);
      }
      write.scores.push_back(std::move(score));
    }
    for (const std::string& name : job.removed) {
      write.rollup_values.emplace_back(SkipSeries(name, "rubric_removed"), 1);
      CountNotScored(app, name, "rubric_removed");
    }
    if (!job.deferred.empty()) {
      // Composites read every score of the sample: the synchronous ones stored by stage one.
      if (auto stored = store_->GetScores(job.sample.id()); stored.ok()) {
        for (const v1::Score& s : *stored) {
          if (s.state() == v1::SCORE_STATE_SCORED) earlier.emplace(s.rubric(), s.value());
        }
      }
      for (const std::string& name : job.deferred) {
        auto found = std::find_if(rubrics->begin(), rubrics->end(),
                                  [&](const CompiledRubric& r) { return r.rubric.name() == name; });
        if (found == rubrics->end()) {
          write.rollup_values.emplace_back(SkipSeries(name, "rubric_removed"), 1);
          CountNotScored(app, name, "rubric_removed");
          continue;
        }
        const CompiledRubric* c = &*found;
        ScoreContext context;
        const absl::Time started = absl::Now();
        context.deadline = started + absl::Milliseconds(c->rubric.timeout_ms());
        context.earlier = &earlier;
        context.weights = &weights;
        v1::Score score = BuildScore(c->rubric, job.sample, c->scorer->Score(job.sample, context),
                                     started, context.deadline);
        if (score.state() == v1::SCORE_STATE_SCORED) earlier[c->rubric.name()] = score.value();
        const std::string reason = AccountScore(score, &write);
        if (reason.empty()) {
          scored_->Add();
        } else {
          (reason == "error" ? errors_ : skipped_)->Add();
          CountNotScored(app, c->rubric.name(), reason);
        }
        write.scores.push_back(std::move(score));
      }
    }
  }
  bool failed = false;
  for (size_t first = 0; first < writes.size(); first += kCommitBatch) {
    const size_t n = std::min(kCommitBatch, writes.size() - first);
    if (!Commit(std::span(writes).subspan(first, n))) failed = true;
  }
  Release(works, failed);
  absl::MutexLock lock(&inbox_->mu);
  async_samples_ -= static_cast<uint32_t>(done.size());
}

int64_t ScoringEngine::OldestReceived(const std::string& app) const {
  int64_t oldest = 0;
  auto consider = [&](int64_t t) {
    if (t > 0 && (oldest == 0 || t < oldest)) oldest = t;
  };
  std::string cursors[2];
  {
    absl::MutexLock lock(&inbox_->mu);
    for (char stage : {keys::kQueueWaiting, keys::kQueueJudging}) {
      const std::string prefix = keys::QueuePrefix(stage, app);
      for (auto it = claimed_.lower_bound(prefix);
           it != claimed_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
        consider(it->second);
      }
    }
    if (auto it = apps_.find(app); it != apps_.end()) {
      cursors[0] = it->second.cursor[0];
      cursors[1] = it->second.cursor[1];
    }
  }
  for (char stage : {keys::kQueueWaiting, keys::kQueueJudging}) {
    store_
        ->ScanQueue(stage, app, 1, cursors[StageIndex(stage)],
                    [&](std::string_view key, store::QueueEntry&& entry) {
                      consider(stage == keys::kQueueWaiting
                                   ? keys::ParseQueueKey(key)->time_unix_nano
                                   : entry.received_unix_nano());
                    })
        .IgnoreError();
  }
  return oldest;
}

std::map<std::string, ScoringEngine::AppStatus> ScoringEngine::Status() const {
  std::map<std::string, AppStatus> out;
  const int64_t now = absl::GetCurrentTimeNanos();
  for (const QueueBacklog& b : store_->QueueBacklogs()) {
    AppStatus& s = out[b.app];
    s.waiting = b.waiting;
    s.judging = b.judging;
    if (const int64_t oldest = OldestReceived(b.app); oldest > 0) {
      s.oldest_age_s = std::max(0.0, static_cast<double>(now - oldest) / 1e9);
    }
  }
  absl::MutexLock lock(&inbox_->mu);
  for (const auto& [app, q] : apps_) {
    if (q.rate_factor < 1 || out.count(app)) out[app].effective_rate = q.rate_factor;
  }
  return out;
}

void ScoringEngine::AdjustRates() {
  if (max_app_backlog_ == 0 && max_backlog_age_ == absl::ZeroDuration()) return;
  const std::map<std::string, AppStatus> status = Status();
  const double max_age_s = absl::ToDoubleSeconds(max_backlog_age_);
  absl::MutexLock lock(&inbox_->mu);
  for (auto& [app, q] : apps_) {
    AppStatus s;
    if (auto it = status.find(app); it != status.end()) s = it->second;
    const uint64_t backlog = s.waiting + s.judging;
    const bool over = (max_app_backlog_ > 0 && backlog > max_app_backlog_) ||
                      (max_age_s > 0 && s.oldest_age_s > max_age_s);
    const bool under = (max_app_backlog_ == 0 || backlog < max_app_backlog_ / 2) &&
                       (max_age_s == 0 || s.oldest_age_s < max_age_s / 2);
    const double before = q.rate_factor;
    if (over) {
      q.rate_factor = std::max(kMinRateFactor, q.rate_factor / 2);
    } else if (under) {
      q.rate_factor = std::min(1.0, q.rate_factor * 2);
    }
    if (q.rate_factor != before) {
      spdlog::info("scoring: app '{}' effective sample rate {} -> {} (backlog {}, oldest {:.1f} s)",
                   app, before, q.rate_factor, backlog, s.oldest_age_s);
    }
  }
}

void ScoringEngine::FillCompleteness(const std::function<bool(std::string_view app)>& app_matches,
                                     v1::CompletenessResponse* out) const {
  double rate = 1;
  for (const auto& [name, s] : Status()) {
    if (!app_matches(name)) continue;
    out->set_scoring_backlog(out->scoring_backlog() + s.waiting);
    out->set_judge_backlog(out->judge_backlog() + s.judging);
    out->set_oldest_unscored_age_s(std::max(out->oldest_unscored_age_s(), s.oldest_age_s));
    rate = std::min(rate, s.effective_rate);
  }
  out->set_effective_sample_rate(rate);
  for (const auto& s : EndpointScheduler::Live()) {
    (*out->mutable_judge_in_flight())[s->endpoint().name()] += s->in_flight();
    (*out->mutable_judge_queued())[s->endpoint().name()] += static_cast<uint32_t>(s->queued());
  }
}

}  // namespace llmtap::collector
