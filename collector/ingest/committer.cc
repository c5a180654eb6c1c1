#include "collector/ingest/committer.h"

#include "absl/time/clock.h"

namespace llmtap::collector {

Committer::Committer(Store* store, Metrics* metrics, uint32_t max_group_batches, Pricer pricer,
                     EnqueuePolicy enqueue, uint64_t forward_limit)
    : store_(store),
      max_group_batches_(max_group_batches == 0 ? 1 : max_group_batches),
      pricer_(std::move(pricer)),
      enqueue_(std::move(enqueue)),
      forward_limit_(forward_limit),
      samples_stored_(metrics->AddCounter("llmtap_ingest_samples_stored_total",
                                          "Samples stored (new ids).")),
      samples_duplicate_(metrics->AddCounter("llmtap_ingest_samples_duplicate_total",
                                             "Samples acked whose id was already stored.")),
      batches_(metrics->AddCounter("llmtap_ingest_batches_total", "Batches committed.")),
      commits_(metrics->AddCounter("llmtap_ingest_commits_total",
                                   "RocksDB writes made by group commit.")),
      commit_errors_(metrics->AddCounter("llmtap_ingest_commit_errors_total",
                                         "Group commits that failed.")),
      batch_samples_(metrics->AddHistogram("llmtap_ingest_batch_samples",
                                           "Samples per batch received.",
                                           {1, 10, 100, 250, 500, 1000, 2500, 5000, 10000})),
      commit_samples_(metrics->AddHistogram(
          "llmtap_ingest_commit_samples", "Samples per group commit (one RocksDB write).",
          {1, 10, 100, 1000, 2500, 5000, 10000, 25000, 50000, 100000})),
      commit_seconds_(metrics->AddHistogram(
          "llmtap_ingest_commit_seconds", "Time of a group commit's RocksDB write.",
          {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1})) {
  metrics->AddGauge("llmtap_ingest_pending_batches", "Batches waiting for the committer.",
                    [this] { return static_cast<double>(pending()); });
  thread_ = std::thread([this] { Run(); });
}

Committer::~Committer() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void Committer::Submit(std::shared_ptr<v1::IngestRequest> request, Done done) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(request), std::move(done)});
      cv_.Signal();
      return;
    }
  }
  done(IngestOutcome{absl::UnavailableError("collector is shutting down")});
}

size_t Committer::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void Committer::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  cv_.Signal();
}

void Committer::Run() {
  std::vector<Pending> group;
  std::vector<char> is_new;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      while (queue_.empty() && !stopping_) cv_.Wait(&mu_);
      if (queue_.empty()) return;  // Stopping, and everything is committed.
      while (!queue_.empty() && group.size() < max_group_batches_) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    IngestWrite write;
    write.enqueue = enqueue_ ? enqueue_() : false;
    write.forward_limit = forward_limit_;
    for (auto& p : group) {
      for (auto& s : *p.request->mutable_samples()) {
        if (s.variant().empty()) s.set_variant("production");
        if (pricer_ && s.cost_usd() == 0) pricer_(&s);
        write.samples.push_back(&s);
      }
      if (p.request->has_client_stats()) write.client_stats.push_back(&p.request->client_stats());
    }
    const absl::Time start = absl::Now();
    const absl::Status status = store_->Ingest(write, &is_new);
    commit_seconds_->Observe(absl::ToDoubleSeconds(absl::Now() - start));
    commit_samples_->Observe(static_cast<double>(write.samples.size()));
    commits_->Add();
    if (!status.ok()) commit_errors_->Add();

    size_t at = 0;
    for (auto& p : group) {
      IngestOutcome outcome{status};
      if (status.ok()) {
        for (int i = 0; i < p.request->samples_size(); ++i, ++at) {
          (is_new[at] ? outcome.accepted : outcome.duplicates)++;
        }
        samples_stored_->Add(outcome.accepted);
        samples_duplicate_->Add(outcome.duplicates);
      }
      batches_->Add();
      batch_samples_->Observe(p.request->samples_size());
      p.done(outcome);
    }
    group.clear();
  }
}

}  // namespace llmtap::collector
