// What every fleet role shares: the resolved fleet settings, librdkafka client configuration,
// topic creation, and consumer lag read from librdkafka's statistics.
//
// Thread safety: FleetSettings is immutable once resolved; ConsumerLag is thread-safe.
#ifndef LLMTAP_COLLECTOR_FLEET_KAFKA_COMMON_H_
#define LLMTAP_COLLECTOR_FLEET_KAFKA_COMMON_H_

#include <librdkafka/rdkafkacpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/common/metrics.h"
#include "llmtap/v1/fleet.pb.h"

namespace llmtap::collector::fleet {

// FleetConfig with every default filled in (see proto/llmtap/v1/fleet.proto).
struct FleetSettings {
  bool edge = false, scorer = false, store = false;
  std::string brokers;
  std::string samples_topic, scores_topic;
  bool create_topics = true;
  uint32_t partitions = 12;
  uint32_t replication_factor = 1;
  uint32_t retention_hours = 168;
  std::string scorer_group, store_group;
  uint64_t edge_max_backlog = 5000000;
  std::string scorer_id;
  uint32_t transaction_timeout_ms = 10000;
  std::map<std::string, std::string> kafka_properties;
  bool key_by_app_and_host = false;

  bool any() const { return edge || scorer || store; }
};

// Fills in the defaults; INVALID_ARGUMENT naming the field when the config is unusable (a
// role without brokers, say). `data_dir` seeds the default scorer_id.
absl::StatusOr<FleetSettings> ResolveFleetSettings(const v1::FleetConfig& config,
                                                   const std::string& data_dir);

// A librdkafka configuration with the brokers, `client.id`, the given properties and then
// the user's kafka_properties. INVALID_ARGUMENT naming a property librdkafka refuses.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const FleetSettings& settings, const std::string& client_id,
    const std::map<std::string, std::string>& properties);

// Waits (up to `wait`) until the cluster answers, then creates the samples and scores topics
// when missing, with settings.partitions, replication_factor, retention and
// min.insync.replicas. Topics that exist are left as they are. UNAVAILABLE when the cluster
// did not answer in time.
absl::Status EnsureTopics(const FleetSettings& settings, absl::Duration wait);

// Consumer lag per partition, read from librdkafka's statistics (statistics.interval.ms)
// of each consumer that registers here, exported as the gauge family
//   llmtap_fleet_consumer_lag{group, member, topic, partition}
// (messages between the partition's end, as read_committed sees it, and the member's
// committed offset) and in Total().
class ConsumerLag {
 public:
  explicit ConsumerLag(Metrics* metrics);
  // Called with a librdkafka statistics document of `member` (a client.id) in `group`.
  void Update(const std::string& group, const std::string& member, const std::string& json);
  // Messages not yet consumed by `group` over all partitions (the latest report of each).
  int64_t Total(const std::string& group) const;

 private:
  struct Row {
    std::string member;
    int64_t lag;
    absl::Time at;
  };
  mutable absl::Mutex mu_;
  // group -> topic '\0' partition -> latest report.
  std::map<std::string, std::map<std::string, Row>> lag_ ABSL_GUARDED_BY(mu_);
};

// librdkafka's event callback that feeds ConsumerLag and logs client errors.
class LagEventCb : public RdKafka::EventCb {
 public:
  LagEventCb(ConsumerLag* lag, std::string group, std::string member)
      : lag_(lag), group_(std::move(group)), member_(std::move(member)) {}
  void event_cb(RdKafka::Event& event) override;

 private:
  ConsumerLag* const lag_;
  const std::string group_, member_;
};

// "<role>-<host>-<pid>": a client.id that tells processes apart in lag and broker logs.
std::string ClientId(const std::string& role);

}  // namespace llmtap::collector::fleet

#endif  // LLMTAP_COLLECTOR_FLEET_KAFKA_COMMON_H_
