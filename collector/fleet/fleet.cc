#include "collector/fleet/fleet.h"

#include <spdlog/spdlog.h>

#include "collector/fleet/edge_forwarder.h"
#include "collector/fleet/fleet_scorer.h"
#include "collector/fleet/fleet_store.h"
#include "collector/fleet/sample_scorer.h"

namespace llmtap::collector::fleet {

absl::StatusOr<std::unique_ptr<Fleet>> Fleet::Start(const FleetSettings& settings,
                                                    const FleetParts& parts) {
  std::unique_ptr<Fleet> fleet(new Fleet());
  if (settings.create_topics) {
    if (absl::Status s = EnsureTopics(settings, absl::Seconds(10)); !s.ok()) {
      spdlog::warn("fleet: topics not checked ({}); going on", s.ToString());
    }
  }
  fleet->lag_ = std::make_unique<ConsumerLag>(parts.metrics);
  ConsumerLag* lag = fleet->lag_.get();
  if (settings.store) {
    parts.metrics->AddGauge(
        "llmtap_fleet_store_lag",
        "Messages of the samples and scores topics not yet stored (sum over partitions).",
        [lag, group = settings.store_group] { return static_cast<double>(lag->Total(group)); });
  }
  if (settings.edge) {
    auto edge = EdgeForwarder::Create(settings, parts.store, parts.metrics);
    if (!edge.ok()) return edge.status();
    fleet->edge_ = std::move(*edge);
    fleet->edge_->Start();
  }
  if (settings.scorer) {
    fleet->sample_scorer_ =
        std::make_unique<SampleScorer>(parts.rubrics, parts.scoring, parts.metrics);
    fleet->scorer_ = std::make_unique<FleetScorer>(settings, fleet->sample_scorer_.get(), lag,
                                                   parts.metrics, parts.scorer_workers);
    fleet->scorer_->Start();
  }
  if (settings.store) {
    fleet->store_ = std::make_unique<FleetStore>(settings, parts.gate, parts.store,
                                                 parts.tail, lag, parts.metrics);
    fleet->store_->Start();
  }
  spdlog::info("fleet: roles{}{}{} on {}", settings.edge ? " edge" : "",
               settings.scorer ? " scorer" : "", settings.store ? " store" : "",
               settings.brokers);
  return fleet;
}

Fleet::~Fleet() { Stop(absl::ZeroDuration()); }

void Fleet::Stop(absl::Duration grace) {
  if (store_) store_->Stop();
  if (scorer_) scorer_->Stop();
  if (edge_) edge_->Stop(grace);
  store_.reset();
  scorer_.reset();
  sample_scorer_.reset();
  edge_.reset();
}

}  // namespace llmtap::collector::fleet
