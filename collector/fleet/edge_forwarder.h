// EdgeForwarder: the fleet edge's way out. Sends the samples waiting in the store's forward
// queue (put there by the committer in the same write as the sample, so nothing acked is
// missed) to the samples topic, each as a v1.IngestRequest of one sample keyed by its app,
// through an idempotent producer with acks=all; removes an entry from the queue only after
// Kafka's delivery report. While Kafka is down the queue grows on disk (bounded by
// fleet.edge_max_backlog at the committer) and drains by itself when Kafka is back. The SDK
// counters stored for the Completeness query are forwarded too, when they change.
//
// A crash between a delivery and the removal of its entry sends that sample again after the
// restart: the store keeps samples once by id.
//
// Thread safety: Start() once; Stop() from any thread, once.
#ifndef LLMTAP_COLLECTOR_FLEET_EDGE_FORWARDER_H_
#define LLMTAP_COLLECTOR_FLEET_EDGE_FORWARDER_H_

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "collector/common/metrics.h"
#include "collector/fleet/kafka_common.h"
#include "collector/store/store.h"

namespace llmtap::collector::fleet {

class EdgeForwarder : public RdKafka::DeliveryReportCb {
 public:
  // `store` and `metrics` must outlive the forwarder.
  static absl::StatusOr<std::unique_ptr<EdgeForwarder>> Create(const FleetSettings& settings,
                                                               Store* store, Metrics* metrics);
  ~EdgeForwarder() override;

  void Start();
  // Waits up to `grace` for what is in flight, then stops. Entries not yet delivered stay
  // queued for the next start.
  void Stop(absl::Duration grace);

  void dr_cb(RdKafka::Message& message) override;

 private:
  EdgeForwarder(const FleetSettings& settings, Store* store, Metrics* metrics);
  absl::Status NewProducer();
  void Run();
  // Produces queued samples after the cursor, up to the in-flight bound.
  void ProduceMore();
  // Produces the SDK counters that changed since they were last sent.
  void ProduceClientStats();
  void RemoveDelivered();

  const FleetSettings settings_;
  const std::string key_suffix_;  // After the app in each message key ('\0' host, or empty).
  Store* const store_;
  Counter* const forwarded_;
  Counter* const failed_;
  Counter* const expired_;
  Counter* const stats_forwarded_;

  // Forwarder-thread state (the delivery callback runs on it, inside poll()).
  std::unique_ptr<RdKafka::Producer> producer_;
  LagEventCb events_{nullptr, "", ""};
  absl::flat_hash_set<std::string> in_flight_;  // Forward keys produced, not yet reported.
  std::vector<std::string> delivered_;
  bool failed_since_scan_ = false;
  std::string cursor_;  // Last forward key produced.
  std::map<std::string, std::string> stats_sent_;  // meta key -> value last sent.
  absl::Time stats_at_ = absl::InfinitePast();

  absl::Notification stop_;
  absl::Duration grace_ = absl::ZeroDuration();
  std::thread thread_;
};

}  // namespace llmtap::collector::fleet

#endif  // LLMTAP_COLLECTOR_FLEET_EDGE_FORWARDER_H_
