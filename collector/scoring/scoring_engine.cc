#include "collector/scoring/scoring_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/scoring/sampler.h"
#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

constexpr size_t kClaimBatch = 32;
// Samples a worker scores before committing their results in one write...
constexpr size_t kCommitBatch = 16;
// ...unless scoring them takes longer than this.
constexpr absl::Duration kCommitAfter = absl::Milliseconds(50);

std::string SkipSeries(std::string_view rubric, std::string_view reason) {
  return Cat("s:", rubric, ":", reason);
}

bool Applies(const v1::Rubric& r, const v1::Sample& s) {
  if (r.requires_contexts() && s.contexts_size() == 0) return false;
  if (r.requires_reference() && s.reference().empty()) return false;
  if (!r.apps().empty() &&
      std::find(r.apps().begin(), r.apps().end(), s.app()) == r.apps().end()) {
    return false;
  }
  return true;
}

}  // namespace

ScoringEngine::ScoringEngine(Store* store, const RubricRegistry* rubrics, TailHub* tail,
                             Metrics* metrics, const v1::ScoringConfig& config)
    : store_(store),
      rubrics_(rubrics),
      tail_(tail),
      config_(config),
      workers_(config.has_workers() ? std::max(1u, config.workers()) : 2),
      overload_depth_(config.has_overload_queue_depth() ? config.overload_queue_depth() : 100000),
      scored_(metrics->AddCounter("llmtap_scoring_scored_total", "Scores computed.")),
      errors_(metrics->AddCounter("llmtap_scoring_errors_total", "Scoring attempts that failed.")),
      skipped_(metrics->AddCounter("llmtap_scoring_skipped_total",
                                   "Scores skipped on purpose (overload, spend cap, circuit).")),
      sampled_out_(metrics->AddCounter("llmtap_scoring_sampled_out_total",
                                       "Sample x rubric pairs left out by the rubric's rate.")) {
  metrics->AddGauge("llmtap_scoring_queue_depth", "Samples waiting to be scored.",
                    [store] { return store ? static_cast<double>(store->queue_depth()) : 0.0; });
}

ScoringEngine::~ScoringEngine() { Stop(); }

void ScoringEngine::Start() {
  for (uint32_t i = 0; i < workers_; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

void ScoringEngine::Notify() {
  absl::MutexLock lock(&mu_);
  cv_.SignalAll();
}

void ScoringEngine::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::vector<ScoringEngine::Work> ScoringEngine::Claim() {
  // REQUIRES mu_ held by the caller (WorkerLoop); the store scan is short and bounded.
  // Every entry at or before the cursor is claimed or already removed (new entries always sort
  // after it), so scans start there: the removed entries before it, whose tombstones a scan
  // from the head would have to step over one by one, are never read again. Only a failed
  // commit, which leaves its entries behind the cursor, sends the scan back to the head.
  if (rescan_) {
    cursor_.clear();
    rescan_ = false;
  }
  std::vector<Work> found;
  store_
      ->ScanQueue(kClaimBatch * 4, cursor_,
                  [&](std::string_view key, store::QueueEntry&& entry) {
                    if (found.size() >= kClaimBatch || claimed_.count(std::string(key))) return;
                    found.push_back(Work{std::string(key), std::move(entry)});
                  })
      .IgnoreError();
  if (!found.empty()) cursor_ = found.back().key;
  for (const auto& w : found) claimed_.insert(w.key);
  return found;
}

void ScoringEngine::WorkerLoop() {
  while (true) {
    std::vector<Work> batch;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_ && ready_.empty()) {
        for (auto& w : Claim()) ready_.push_back(std::move(w));
        if (ready_.empty()) cv_.WaitWithTimeout(&mu_, absl::Milliseconds(200));
      }
      if (stopping_) return;
      while (!ready_.empty() && batch.size() < kCommitBatch) {
        batch.push_back(std::move(ready_.front()));
        ready_.pop_front();
      }
    }
    // Scores commit together (one write, rollups added up per key), as soon as the batch is
    // done or has taken kCommitAfter, so slow scorers (judges) do not hold results back.
    std::vector<v1::Sample> samples(batch.size());
    std::vector<ScoreWrite> writes(batch.size());
    bool failed = false;
    size_t first = 0;
    absl::Time started = absl::Now();
    for (size_t i = 0; i < batch.size(); ++i) {
      Process(batch[i], &samples[i], &writes[i]);
      if (i + 1 == batch.size() || absl::Now() - started > kCommitAfter) {
        if (!Commit(std::span(writes).subspan(first, i + 1 - first))) failed = true;
        first = i + 1;
        started = absl::Now();
      }
    }
    absl::MutexLock lock(&mu_);
    for (const Work& w : batch) claimed_.erase(w.key);
    if (failed) rescan_ = true;  // The failed entries are behind the cursor now.
  }
}

bool ScoringEngine::Commit(std::span<const ScoreWrite> writes) {
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
  absl::MutexLock lock(&mu_);
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

void ScoringEngine::Process(const Work& work, v1::Sample* sample, ScoreWrite* out) {
  ScoreWrite& write = *out;
  write.queue_key = work.key;
  absl::StatusOr<v1::Sample> stored = store_->GetSampleByKey(work.entry.sample_key());
  if (!stored.ok()) {
    // Expired or unreadable: drop the entry (no sample) so the queue does not stall on it.
    spdlog::warn("scoring: dropping queue entry: {}", stored.status().ToString());
    return;
  }
  *sample = *std::move(stored);
  write.sample = sample;
  const uint64_t seen = SeenBefore(*sample, &write.meta);
  ScoreSample(*sample, seen, store_->queue_depth() > overload_depth_, &write);
}

void ScoringEngine::ScoreSample(const v1::Sample& in, uint64_t seen, bool overloaded,
                                ScoreWrite* out) {
  ScoreWrite& write = *out;
  const v1::Sample* const sample = &in;
  const std::shared_ptr<const RubricSnapshot> rubrics = rubrics_->Snapshot();
  const double point = SamplePoint(config_.hash_key() == v1::ScoringConfig::HASH_KEY_SAMPLE_ID
                                       ? sample->id()
                                       : sample->prompt());
  std::map<std::string, double> earlier;
  std::map<std::string, double> weights;
  for (const CompiledRubric& c : *rubrics) weights[c.rubric.name()] = c.rubric.weight();

  for (const CompiledRubric& c : *rubrics) {
    const v1::Rubric& r = c.rubric;
    if (!Applies(r, *sample)) continue;
    const bool in_full_window = seen < r.full_first_n();
    if (!in_full_window && !Sampled(point, r.sample_rate())) {
      write.rollup_values.emplace_back(SkipSeries(r.name(), "sampled_out"), 1);
      sampled_out_->Add();
      continue;
    }
    v1::Score score;
    score.set_sample_id(sample->id());
    score.set_rubric(r.name());
    score.set_rubric_version(r.version());
    const absl::Time started = absl::Now();
    if (overloaded && r.priority() == v1::PRIORITY_LOW) {
      score.set_state(v1::SCORE_STATE_SKIPPED);
      score.set_error("overload");
    } else {
      ScoreContext context;
      context.deadline = started + absl::Milliseconds(r.timeout_ms());
      context.earlier = &earlier;
      context.weights = &weights;
      absl::StatusOr<ScoreResult> result = c.scorer->Score(*sample, context);
      if (result.ok() && absl::Now() > context.deadline) {
        result = absl::DeadlineExceededError(Cat("timeout after ", r.timeout_ms(), " ms"));
      }
      if (result.ok() && !result->error.empty()) {
        score.set_state(v1::SCORE_STATE_ERROR);
        score.set_error(std::move(result->error));
        score.set_raw_output(std::move(result->raw_output));
        score.set_input_tokens(result->input_tokens);
        score.set_output_tokens(result->output_tokens);
        score.set_cost_usd(result->cost_usd);
      } else if (result.ok()) {
        const double value = std::clamp(result->value, 0.0, 1.0);
        score.set_state(v1::SCORE_STATE_SCORED);
        score.set_value(value);
        score.set_passed(value >= r.threshold());
        score.set_reasoning(std::move(result->reasoning));
        score.set_raw_output(std::move(result->raw_output));
        score.set_input_tokens(result->input_tokens);
        score.set_output_tokens(result->output_tokens);
        score.set_cost_usd(result->cost_usd);
        earlier[r.name()] = value;
      } else if (result.status().code() == absl::StatusCode::kUnavailable ||
                 result.status().code() == absl::StatusCode::kResourceExhausted) {
        score.set_state(v1::SCORE_STATE_SKIPPED);
        score.set_error(std::string(result.status().message()));
      } else {
        score.set_state(v1::SCORE_STATE_ERROR);
        score.set_error(std::string(result.status().message()));
      }
    }
    score.set_duration_ms(absl::ToDoubleMilliseconds(absl::Now() - started));
    score.set_scored_unix_nano(absl::GetCurrentTimeNanos());
    switch (score.state()) {
      case v1::SCORE_STATE_SCORED:
        write.rollup_values.emplace_back(RubricSeries(r.name()), score.value());
        scored_->Add();
        break;
      case v1::SCORE_STATE_SKIPPED: {
        // The reason before any detail, e.g. "spend_cap: ..." -> "spend_cap".
        std::string reason = score.error().substr(0, score.error().find(':'));
        write.rollup_values.emplace_back(SkipSeries(r.name(), reason), 1);
        skipped_->Add();
        break;
      }
      default:
        write.rollup_values.emplace_back(SkipSeries(r.name(), "error"), 1);
        errors_->Add();
    }
    write.scores.push_back(std::move(score));
  }
}

}  // namespace llmtap::collector
