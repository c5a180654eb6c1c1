#include "collector/ingest/committer.h"

namespace llmtap::collector {

Committer::Committer(Store* store, Metrics* metrics, uint32_t max_group_batches, Pricer pricer,
                     EnqueuePolicy enqueue)
    : store_(store),
      max_group_batches_(max_group_batches == 0 ? 1 : max_group_batches),
      pricer_(std::move(pricer)),
      enqueue_(std::move(enqueue)),
      samples_stored_(metrics->AddCounter("llmtap_ingest_samples_stored_total",
                                          "Samples stored (new ids).")),
      samples_duplicate_(metrics->AddCounter("llmtap_ingest_samples_duplicate_total",
                                             "Samples acked whose id was already stored.")),
      batches_(metrics->AddCounter("llmtap_ingest_batches_total", "Batches committed.")),
      commits_(metrics->AddCounter("llmtap_ingest_commits_total",
                                   "RocksDB writes made by group commit.")),
      commit_errors_(metrics->AddCounter("llmtap_ingest_commit_errors_total",
                                         "Group commits that failed.")) {
  metrics->AddGauge("llmtap_ingest_pending_batches", "Batches waiting for the committer.",
                    [this] { return static_cast<double>(pending()); });
  thread_ = std::thread([this] { Run(); });
}

Committer::~Committer() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void Committer::Submit(std::unique_ptr<v1::IngestRequest> request, Done done) {
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
    for (auto& p : group) {
      for (auto& s : *p.request->mutable_samples()) {
        if (s.variant().empty()) s.set_variant("production");
        if (pricer_ && s.cost_usd() == 0) pricer_(&s);
        write.samples.push_back(&s);
      }
      if (p.request->has_client_stats()) write.client_stats.push_back(&p.request->client_stats());
    }
    const absl::Status status = store_->Ingest(write, &is_new);
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
      p.done(outcome);
    }
    group.clear();
  }
}

}  // namespace llmtap::collector
