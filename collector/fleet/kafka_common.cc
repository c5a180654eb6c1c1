#include "collector/fleet/kafka_common.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <functional>

#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector::fleet {

absl::StatusOr<FleetSettings> ResolveFleetSettings(const v1::FleetConfig& config,
                                                   const std::string& data_dir) {
  FleetSettings s;
  for (int role : config.roles()) {
    switch (role) {
      case v1::FleetConfig::ROLE_EDGE: s.edge = true; break;
      case v1::FleetConfig::ROLE_SCORER: s.scorer = true; break;
      case v1::FleetConfig::ROLE_STORE: s.store = true; break;
      default: return absl::InvalidArgumentError(Cat("fleet.roles: unknown role ", role));
    }
  }
  if (!s.any()) return s;
  s.brokers = config.brokers();
  if (s.brokers.empty()) return absl::InvalidArgumentError("fleet.brokers: required with a role");
  s.samples_topic = config.samples_topic().empty() ? "llmtap.samples" : config.samples_topic();
  s.scores_topic = config.scores_topic().empty() ? "llmtap.scores" : config.scores_topic();
  if (s.samples_topic == s.scores_topic) {
    return absl::InvalidArgumentError("fleet.scores_topic: must differ from samples_topic");
  }
  if (config.has_create_topics()) s.create_topics = config.create_topics();
  if (config.has_partitions()) s.partitions = config.partitions();
  if (config.has_replication_factor()) s.replication_factor = config.replication_factor();
  if (config.has_retention_hours()) s.retention_hours = config.retention_hours();
  if (s.partitions == 0 || s.replication_factor == 0) {
    return absl::InvalidArgumentError("fleet.partitions, fleet.replication_factor: at least 1");
  }
  s.scorer_group = config.scorer_group().empty() ? "llmtap-scorers" : config.scorer_group();
  s.store_group = config.store_group().empty() ? "llmtap-store" : config.store_group();
  if (config.has_edge_max_backlog()) s.edge_max_backlog = config.edge_max_backlog();
  if (s.edge_max_backlog == 0) {
    return absl::InvalidArgumentError("fleet.edge_max_backlog: at least 1");
  }
  s.scorer_id = config.scorer_id();
  if (s.scorer_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    s.scorer_id = Cat("llmtap-scorer-", host, "-", std::hash<std::string>{}(data_dir) % 1000000007);
  }
  if (config.has_transaction_timeout_ms()) s.transaction_timeout_ms = config.transaction_timeout_ms();
  for (const auto& [k, v] : config.kafka_properties()) s.kafka_properties[k] = v;
  s.key_by_app_and_host = config.key_by_app_and_host();
  return s;
}

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const FleetSettings& settings, const std::string& client_id,
    const std::map<std::string, std::string>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (conf->set(k, v, error) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(Cat("kafka property ", k, ": ", error));
    }
    return absl::OkStatus();
  };
  if (auto s = set("bootstrap.servers", settings.brokers); !s.ok()) return s;
  if (auto s = set("client.id", client_id); !s.ok()) return s;
  for (const auto& [k, v] : properties) {
    if (auto s = set(k, v); !s.ok()) return s;
  }
  for (const auto& [k, v] : settings.kafka_properties) {
    if (auto s = set(k, v); !s.ok()) return s;
  }
  return conf;
}

namespace {

// Waits until a metadata request lists at least one broker.
bool WaitForCluster(rd_kafka_t* rk, absl::Time deadline) {
  while (absl::Now() < deadline) {
    const struct rd_kafka_metadata* md = nullptr;
    if (rd_kafka_metadata(rk, 0, nullptr, &md, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const bool up = md->broker_cnt > 0;
      rd_kafka_metadata_destroy(md);
      if (up) return true;
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  return false;
}

}  // namespace

absl::Status EnsureTopics(const FleetSettings& settings, absl::Duration wait) {
  auto conf = MakeConf(settings, ClientId("admin"), {});
  if (!conf.ok()) return conf.status();
  std::string error;
  std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf->get(), error));
  if (!client) return absl::InternalError(Cat("kafka admin client: ", error));
  rd_kafka_t* rk = client->c_ptr();
  const absl::Time deadline = absl::Now() + wait;
  if (!WaitForCluster(rk, deadline)) {
    return absl::UnavailableError(Cat("fleet.brokers ", settings.brokers, ": no answer in ",
                                      absl::FormatDuration(wait)));
  }
  char err[512];
  std::vector<rd_kafka_NewTopic_t*> topics;
  const std::string retention_ms =
      std::to_string(static_cast<int64_t>(settings.retention_hours) * 3600 * 1000);
  const std::string min_isr = std::to_string(std::max<uint32_t>(1, settings.replication_factor - 1));
  for (const std::string& name : {settings.samples_topic, settings.scores_topic}) {
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(
        name.c_str(), static_cast<int>(settings.partitions),
        static_cast<int>(settings.replication_factor), err, sizeof(err));
    if (!t) {
      for (auto* x : topics) rd_kafka_NewTopic_destroy(x);
      return absl::InvalidArgumentError(Cat("topic ", name, ": ", err));
    }
    rd_kafka_NewTopic_set_config(t, "cleanup.policy", "delete");
    rd_kafka_NewTopic_set_config(t, "retention.ms", retention_ms.c_str());
    rd_kafka_NewTopic_set_config(t, "min.insync.replicas", min_isr.c_str());
    rd_kafka_NewTopic_set_config(t, "compression.type", "producer");
    topics.push_back(t);
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(options, 10000, err, sizeof(err));
  rd_kafka_CreateTopics(rk, topics.data(), topics.size(), options, queue);
  absl::Status status = absl::OkStatus();
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(absl::ToInt64Milliseconds(
                                                           std::max(deadline - absl::Now(),
                                                                    absl::Seconds(10)))));
  if (!event) {
    status = absl::UnavailableError("creating topics: no answer");
  } else if (rd_kafka_event_error(event)) {
    status = absl::UnavailableError(Cat("creating topics: ", rd_kafka_event_error_string(event)));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    for (size_t i = 0; i < n; ++i) {
      const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
      const char* name = rd_kafka_topic_result_name(results[i]);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::info("fleet: created topic {} ({} partitions, replication {}, retention {} h)",
                     name, settings.partitions, settings.replication_factor,
                     settings.retention_hours);
      } else if (e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS && status.ok()) {
        status = absl::UnavailableError(
            Cat("creating topic ", name, ": ", rd_kafka_topic_result_error_string(results[i])));
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  for (auto* t : topics) rd_kafka_NewTopic_destroy(t);
  return status;
}

ConsumerLag::ConsumerLag(Metrics* metrics) {
  metrics->AddFamily(
      "llmtap_fleet_consumer_lag",
      "Messages of a partition not yet consumed (committed) by the member that owns it.",
      Metrics::Type::kGauge, [this] {
        Metrics::Series series;
        absl::MutexLock lock(&mu_);
        const absl::Time stale = absl::Now() - absl::Seconds(30);
        for (const auto& [group, rows] : lag_) {
          for (const auto& [tp, row] : rows) {
            if (row.at < stale) continue;
            const size_t cut = tp.find('\0');
            series.emplace_back(Cat("group=\"", group, "\",member=\"", row.member,
                                    "\",topic=\"", tp.substr(0, cut), "\",partition=\"",
                                    tp.substr(cut + 1), "\""),
                                static_cast<double>(row.lag));
          }
        }
        return series;
      });
}

void ConsumerLag::Update(const std::string& group, const std::string& member,
                         const std::string& json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("topics")) return;
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  auto& rows = lag_[group];
  for (const auto& [topic, t] : doc["topics"].items()) {
    if (!t.contains("partitions")) continue;
    for (const auto& [partition, p] : t["partitions"].items()) {
      if (partition == "-1") continue;  // librdkafka's internal unassigned partition.
      const int64_t lag = p.value("consumer_lag", int64_t{-1});
      const std::string state = p.value("fetch_state", std::string());
      if (lag < 0 || state == "none" || state == "stopped") continue;
      rows[Cat(topic, std::string_view("\0", 1), partition)] = Row{member, lag, now};
    }
  }
}

int64_t ConsumerLag::Total(const std::string& group) const {
  absl::MutexLock lock(&mu_);
  int64_t total = 0;
  auto it = lag_.find(group);
  if (it == lag_.end()) return 0;
  const absl::Time stale = absl::Now() - absl::Seconds(30);
  for (const auto& [tp, row] : it->second) {
    if (row.at >= stale) total += row.lag;
  }
  return total;
}

void LagEventCb::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_STATS:
      if (lag_) lag_->Update(group_, member_, event.str());
      break;
    case RdKafka::Event::EVENT_ERROR:
      // Broker down and the like: librdkafka retries by itself; fatal errors are acted on
      // where they surface (produce, commit).
      spdlog::warn("fleet {}: kafka: {} ({})", member_, event.str(), RdKafka::err2str(event.err()));
      break;
    default:
      break;
  }
}

std::string ClientId(const std::string& role) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return Cat("llmtap-", role, "-", host, "-", getpid());
}

}  // namespace llmtap::collector::fleet
