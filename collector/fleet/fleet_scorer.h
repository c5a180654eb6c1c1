// FleetScorer: the fleet scorer role. A member of the scorer consumer group on the samples
// topic; for each batch of samples it runs the rubrics (SampleScorer: the decisions and score
// building of single-node scoring, judges included) and, in one Kafka transaction,
// produces a v1.ScoredSample per sample to the scores topic and moves the group's offsets
// past the batch. A scorer that dies mid-batch leaves an open transaction that is aborted
// (at its restart, which fences it, or after fleet.transaction_timeout_ms), so its scores are
// never read (the store reads committed messages only) and its partitions resume from the
// last committed batch: every sample is scored once, as seen from the store.
//
// Scores are keyed as their sample's message was (by app), so they land in the partition of
// the scores topic numbered as the sample's: one store shard could own both (README).
//
// Partitions move between scorers as they join and leave (eager rebalancing). A batch being
// gathered when partitions are revoked is dropped before any of it is scored: the new owner
// reads it again from the committed offsets.
//
// Thread safety: Start() once; Stop() from any thread, once.
#ifndef LLMTAP_COLLECTOR_FLEET_FLEET_SCORER_H_
#define LLMTAP_COLLECTOR_FLEET_FLEET_SCORER_H_

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "collector/common/metrics.h"
#include "collector/fleet/kafka_common.h"
#include "collector/fleet/sample_scorer.h"

namespace llmtap::collector::fleet {

class FleetScorer : public RdKafka::RebalanceCb {
 public:
  // All pointers must outlive the scorer. `workers`: samples scored at once.
  FleetScorer(const FleetSettings& settings, const SampleScorer* scorer, ConsumerLag* lag,
              Metrics* metrics, uint32_t workers);
  ~FleetScorer() override;

  void Start();
  void Stop();

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;

 private:
  absl::Status Connect();
  void Disconnect();
  void Run();
  // Scores `batch` and commits the results with the offsets in one transaction. An error
  // means the clients must be rebuilt (the batch is read again from committed offsets).
  absl::Status ProcessBatch(std::vector<std::unique_ptr<RdKafka::Message>>& batch);

  const FleetSettings settings_;
  const SampleScorer* const scorer_;
  const uint32_t workers_;
  const std::string client_id_;
  Counter* const scored_samples_;
  Counter* const transactions_;
  Counter* const aborted_;
  Counter* const rebalances_;
  LagEventCb events_;

  // Scorer-thread state (the rebalance callback runs on it, inside consume()).
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::vector<std::unique_ptr<RdKafka::Message>> batch_;
  std::map<std::string, uint64_t> seen_;  // Samples per (app, model), for full_first_n.

  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace llmtap::collector::fleet

#endif  // LLMTAP_COLLECTOR_FLEET_FLEET_SCORER_H_
