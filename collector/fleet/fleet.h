// Fleet: starts the fleet roles of this llmtapd (fleet.roles in the config; README, "Fleet
// mode") beside the parts every llmtapd has. Holds no logic of its own.
//
//   auto fleet = Fleet::Start(settings, parts);  // after the committer exists
//   ...
//   (*fleet)->Stop(absl::Seconds(2));            // before the committer and store stop
//
// Thread safety: Start and Stop from one thread.
#ifndef LLMTAP_COLLECTOR_FLEET_FLEET_H_
#define LLMTAP_COLLECTOR_FLEET_FLEET_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/common/metrics.h"
#include "collector/fleet/kafka_common.h"
#include "collector/ingest/ingest_gate.h"
#include "collector/scoring/rubric_registry.h"
#include "llmtap/v1/config.pb.h"
#include "collector/scoring/tail_hub.h"
#include "collector/store/store.h"

namespace llmtap::collector::fleet {

class EdgeForwarder;
class FleetScorer;
class FleetStore;
class SampleScorer;

// What the roles use; everything must outlive the Fleet.
struct FleetParts {
  Store* store = nullptr;
  IngestGate* gate = nullptr;
  const RubricRegistry* rubrics = nullptr;
  v1::ScoringConfig scoring;
  TailHub* tail = nullptr;
  Metrics* metrics = nullptr;
  uint32_t scorer_workers = 2;
};

class Fleet {
 public:
  // Creates the topics when asked to (waiting up to 10 s for the cluster; a cluster that does
  // not answer is logged, not fatal: an edge buffers, the consumers retry), then starts each
  // role in `settings`. Errors: INVALID_ARGUMENT for a Kafka property librdkafka refuses.
  static absl::StatusOr<std::unique_ptr<Fleet>> Start(const FleetSettings& settings,
                                                      const FleetParts& parts);
  ~Fleet();
  // Stops the roles (the edge waits up to `grace` for deliveries in flight). Idempotent.
  void Stop(absl::Duration grace);

 private:
  Fleet() = default;
  std::unique_ptr<ConsumerLag> lag_;
  std::unique_ptr<SampleScorer> sample_scorer_;
  std::unique_ptr<EdgeForwarder> edge_;
  std::unique_ptr<FleetScorer> scorer_;
  std::unique_ptr<FleetStore> store_;
};

}  // namespace llmtap::collector::fleet

#endif  // LLMTAP_COLLECTOR_FLEET_FLEET_H_
