#include "collector/fleet/edge_forwarder.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/store/keys.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector::fleet {
namespace {

// Samples produced and not yet reported, at most (librdkafka holds them in memory).
constexpr size_t kMaxInFlight = 50000;
// Forward entries read per scan.
constexpr size_t kScanBatch = 2000;
constexpr absl::Duration kStatsEvery = absl::Seconds(1);

std::string KeySuffix(bool with_host) {
  if (!with_host) return "";
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return Cat(std::string_view("\0", 1), host);
}

}  // namespace

EdgeForwarder::EdgeForwarder(const FleetSettings& settings, Store* store, Metrics* metrics)
    : settings_(settings),
      key_suffix_(KeySuffix(settings.key_by_app_and_host)),
      store_(store),
      forwarded_(metrics->AddCounter("llmtap_fleet_edge_forwarded_total",
                                     "Samples Kafka acknowledged (delivery reports).")),
      failed_(metrics->AddCounter(
          "llmtap_fleet_edge_delivery_failures_total",
          "Delivery reports with an error; the sample stays queued and is sent again.")),
      expired_(metrics->AddCounter(
          "llmtap_fleet_edge_expired_total",
          "Queued samples gone from the local store (retention) before they were forwarded.")),
      stats_forwarded_(metrics->AddCounter("llmtap_fleet_edge_client_stats_forwarded_total",
                                           "SDK counter updates sent to Kafka.")) {
  metrics->AddGauge("llmtap_fleet_edge_backlog",
                    "Samples stored locally and waiting for Kafka's delivery report (on disk).",
                    [store] { return static_cast<double>(store->forward_depth()); });
}

absl::StatusOr<std::unique_ptr<EdgeForwarder>> EdgeForwarder::Create(
    const FleetSettings& settings, Store* store, Metrics* metrics) {
  std::unique_ptr<EdgeForwarder> f(new EdgeForwarder(settings, store, metrics));
  if (absl::Status s = f->NewProducer(); !s.ok()) return s;
  return f;
}

absl::Status EdgeForwarder::NewProducer() {
  auto conf = MakeConf(settings_, ClientId("edge"),
                       {{"enable.idempotence", "true"},
                        {"acks", "all"},
                        // Kept until delivered: the broker may be down for long.
                        {"message.timeout.ms", "0"},
                        {"linger.ms", "5"},
                        {"batch.num.messages", "10000"},
                        {"compression.type", "lz4"},
                        // Java clients' partitioner: an app maps to the same partition from
                        // any client (the store's split by app relies on it).
                        {"partitioner", "murmur2_random"},
                        {"queue.buffering.max.messages", std::to_string(kMaxInFlight + 10000)}});
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(this), error) !=
          RdKafka::Conf::CONF_OK ||
      (*conf)->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), error) !=
          RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  producer_.reset(RdKafka::Producer::create(conf->get(), error));
  if (!producer_) return absl::InvalidArgumentError(Cat("kafka producer: ", error));
  return absl::OkStatus();
}

EdgeForwarder::~EdgeForwarder() { Stop(absl::ZeroDuration()); }

void EdgeForwarder::Start() { thread_ = std::thread([this] { Run(); }); }

void EdgeForwarder::Stop(absl::Duration grace) {
  if (!stop_.HasBeenNotified()) {
    grace_ = grace;
    stop_.Notify();
  }
  if (thread_.joinable()) thread_.join();
}

void EdgeForwarder::dr_cb(RdKafka::Message& message) {
  auto* key = static_cast<std::string*>(message.msg_opaque());
  if (key == nullptr) {  // SDK counters: the next change resends them anyway.
    if (message.err() == RdKafka::ERR_NO_ERROR) stats_forwarded_->Add();
    return;
  }
  if (message.err() == RdKafka::ERR_NO_ERROR) {
    delivered_.push_back(*key);  // Stays in flight until its entry is removed.
    forwarded_->Add();
  } else {
    failed_->Add();
    failed_since_scan_ = true;
    in_flight_.erase(*key);
    spdlog::warn("fleet edge: delivery failed, will resend: {}", message.errstr());
  }
  delete key;
}

void EdgeForwarder::RemoveDelivered() {
  if (delivered_.empty()) return;
  if (absl::Status s = store_->DeleteForward(delivered_); !s.ok()) {
    spdlog::error("fleet edge: removing delivered entries, will retry: {}", s.ToString());
    return;
  }
  for (const std::string& k : delivered_) in_flight_.erase(k);
  delivered_.clear();
}

void EdgeForwarder::ProduceMore() {
  if (failed_since_scan_) {  // Failed entries are behind the cursor: scan from the head.
    cursor_.clear();
    failed_since_scan_ = false;
  }
  if (in_flight_.size() >= kMaxInFlight) return;
  std::vector<std::pair<std::string, std::string>> entries;
  store_
      ->ScanForward(kScanBatch, cursor_,
                    [&](std::string_view key, std::string_view sample_key) {
                      entries.emplace_back(key, sample_key);
                    })
      .IgnoreError();
  std::vector<std::string> gone;
  for (auto& [key, sample_key] : entries) {
    if (in_flight_.size() >= kMaxInFlight) break;
    if (in_flight_.contains(key)) {
      cursor_ = key;
      continue;
    }
    absl::StatusOr<v1::Sample> sample = store_->GetSampleByKey(sample_key);
    if (!sample.ok()) {
      if (absl::IsNotFound(sample.status())) {
        expired_->Add();
        gone.push_back(key);
        cursor_ = key;
        continue;
      }
      spdlog::error("fleet edge: reading a queued sample: {}", sample.status().ToString());
      break;
    }
    v1::IngestRequest request;
    *request.add_samples() = *std::move(sample);
    const std::string value = request.SerializeAsString();
    const std::string message_key = Cat(request.samples(0).app(), key_suffix_);
    auto* opaque = new std::string(key);
    const RdKafka::ErrorCode err = producer_->produce(
        settings_.samples_topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), message_key.data(), message_key.size(),
        0, opaque);
    if (err != RdKafka::ERR_NO_ERROR) {
      delete opaque;
      if (err != RdKafka::ERR__QUEUE_FULL) {
        spdlog::warn("fleet edge: produce: {}", RdKafka::err2str(err));
      }
      break;  // Resume from the cursor after the next poll.
    }
    in_flight_.insert(key);
    cursor_ = key;
  }
  if (!gone.empty()) store_->DeleteForward(gone).IgnoreError();
}

void EdgeForwarder::ProduceClientStats() {
  stats_at_ = absl::Now();
  std::vector<std::pair<std::string, std::string>> changed;
  store_
      ->ScanMeta(keys::kClientPrefix,
                 [&](std::string_view key, std::string_view value) {
                   auto it = stats_sent_.find(std::string(key));
                   if (it != stats_sent_.end() && it->second == value) return;
                   changed.emplace_back(key, value);
                 })
      .IgnoreError();
  for (auto& [key, value] : changed) {
    v1::IngestRequest request;
    if (!request.mutable_client_stats()->ParseFromString(value)) continue;
    const std::string out = request.SerializeAsString();
    const std::string message_key = Cat(request.client_stats().app(), key_suffix_);
    if (producer_->produce(settings_.samples_topic, RdKafka::Topic::PARTITION_UA,
                           RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(out.data()),
                           out.size(), message_key.data(), message_key.size(), 0,
                           nullptr) == RdKafka::ERR_NO_ERROR) {
      stats_sent_[key] = value;
    }
  }
}

void EdgeForwarder::Run() {
  while (!stop_.HasBeenNotified()) {
    producer_->poll(in_flight_.empty() ? 0 : 5);
    RemoveDelivered();
    std::string fatal;
    if (producer_->fatal_error(fatal) != RdKafka::ERR_NO_ERROR) {
      // The idempotent producer cannot go on (e.g. its sequence broke): start a new one and
      // send everything still queued again; duplicates are dropped by id at the store.
      spdlog::error("fleet edge: producer failed ({}), starting a new one", fatal);
      producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
      producer_->poll(0);
      RemoveDelivered();
      producer_.reset();
      in_flight_.clear();
      delivered_.clear();
      cursor_.clear();
      while (!stop_.HasBeenNotified() && !NewProducer().ok()) {
        stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
      }
      if (!producer_) return;
      continue;
    }
    const size_t before = in_flight_.size();
    ProduceMore();
    if (absl::Now() - stats_at_ >= kStatsEvery) ProduceClientStats();
    if (in_flight_.size() == before) {
      // Nothing new: wait for reports (or new samples) a little.
      if (in_flight_.empty()) {
        stop_.WaitForNotificationWithTimeout(absl::Milliseconds(20));
      } else {
        producer_->poll(20);
        RemoveDelivered();
      }
    }
  }
  const absl::Time deadline = absl::Now() + grace_;
  while (!in_flight_.empty() && absl::Now() < deadline) {
    producer_->poll(10);
    RemoveDelivered();
  }
  // Whatever is still in flight stays queued on disk: sent again at the next start.
  producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
  producer_->poll(0);
  RemoveDelivered();
}

}  // namespace llmtap::collector::fleet
