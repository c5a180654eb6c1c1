// FleetStore: the fleet store role's way in. A member of the store consumer group on the
// samples and scores topics (reading committed messages only). Samples (and SDK counters) go
// through the same IngestGate and Committer as direct ingest, which store a sample once by id,
// as the anonymous principal: Kafka is the trust boundary (the edge admitted each sample
// under its caller's key; protect the topics with Kafka ACLs). Scores go
// to Store::CommitScoresOnce, which stores a sample's scores and rollups once. Offsets are
// committed only after both writes are durable, so a crash replays from the last commit and
// the replay stores nothing twice.
//
// Thread safety: Start() once; Stop() from any thread, once.
#ifndef LLMTAP_COLLECTOR_FLEET_FLEET_STORE_H_
#define LLMTAP_COLLECTOR_FLEET_FLEET_STORE_H_

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "collector/common/metrics.h"
#include "collector/fleet/kafka_common.h"
#include "collector/ingest/ingest_gate.h"
#include "collector/scoring/tail_hub.h"
#include "collector/store/store.h"

namespace llmtap::collector::fleet {

class FleetStore : public RdKafka::RebalanceCb {
 public:
  // All pointers must outlive the FleetStore.
  FleetStore(const FleetSettings& settings, IngestGate* gate, Store* store, TailHub* tail,
             ConsumerLag* lag, Metrics* metrics);
  ~FleetStore() override;

  void Start();
  void Stop();

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;

 private:
  absl::Status Connect();
  void Disconnect();
  void Run();
  // Stores a batch; an error means nothing of it may be committed (it is read again).
  absl::Status StoreBatch();

  const FleetSettings settings_;
  IngestGate* const gate_;
  Store* const store_;
  TailHub* const tail_;
  const std::string client_id_;
  Counter* const samples_;
  Counter* const scored_;
  Counter* const duplicates_;
  Counter* const invalid_;
  LagEventCb events_;

  // Store-thread state (the rebalance callback runs on it, inside consume()).
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::vector<std::unique_ptr<RdKafka::Message>> batch_;

  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace llmtap::collector::fleet

#endif  // LLMTAP_COLLECTOR_FLEET_FLEET_STORE_H_
