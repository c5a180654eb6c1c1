#include "collector/fleet/fleet_scorer.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "llmtap/v1/fleet.pb.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector::fleet {
namespace {

// Samples scored per transaction, at most...
constexpr size_t kMaxBatch = 256;
// ...and how long a batch is gathered.
constexpr absl::Duration kGather = absl::Milliseconds(100);
constexpr int kTxnTimeoutMs = 60000;

// The fields of a sample that its scores' rollups and the store need.
v1::Sample Header(const v1::Sample& s) {
  v1::Sample h;
  h.set_id(s.id());
  h.set_app(s.app());
  h.set_model(s.model());
  h.set_variant(s.variant().empty() ? "production" : s.variant());
  h.set_start_time_unix_nano(s.start_time_unix_nano());
  return h;
}

std::string Describe(RdKafka::Error* e) {
  std::string s = e ? e->str() : "";
  delete e;
  return s;
}

}  // namespace

FleetScorer::FleetScorer(const FleetSettings& settings, const SampleScorer* scorer,
                         ConsumerLag* lag, Metrics* metrics, uint32_t workers)
    : settings_(settings),
      scorer_(scorer),
      workers_(std::max(1u, workers)),
      client_id_(ClientId("scorer")),
      scored_samples_(metrics->AddCounter(
          "llmtap_fleet_scorer_samples_total",
          "Samples whose scores a committed transaction sent to the scores topic.")),
      transactions_(metrics->AddCounter("llmtap_fleet_scorer_transactions_total",
                                        "Kafka transactions committed.")),
      aborted_(metrics->AddCounter(
          "llmtap_fleet_scorer_aborted_batches_total",
          "Batches given up (aborted or dropped at a rebalance) and read again.")),
      rebalances_(metrics->AddCounter("llmtap_fleet_scorer_assignments_total",
                                      "Partition assignments received from the group.")),
      events_(lag, settings.scorer_group, client_id_) {}

FleetScorer::~FleetScorer() { Stop(); }

void FleetScorer::Start() { thread_ = std::thread([this] { Run(); }); }

void FleetScorer::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void FleetScorer::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                               std::vector<RdKafka::TopicPartition*>& partitions) {
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    rebalances_->Add();
    spdlog::info("fleet scorer {}: assigned {} partitions", client_id_, partitions.size());
    consumer->assign(partitions);
  } else {
    // No transaction is open while consume() runs; what was gathered is read again by
    // whoever gets these partitions, from the committed offsets.
    if (!batch_.empty()) aborted_->Add();
    batch_.clear();
    consumer->unassign();
  }
}

absl::Status FleetScorer::Connect() {
  auto pconf = MakeConf(settings_, client_id_ + "-p",
                        {{"transactional.id", settings_.scorer_id},
                         {"transaction.timeout.ms", std::to_string(settings_.transaction_timeout_ms)},
                         {"enable.idempotence", "true"},
                         {"acks", "all"},
                         {"linger.ms", "5"},
                         {"compression.type", "lz4"},
                         {"partitioner", "murmur2_random"}});
  if (!pconf.ok()) return pconf.status();
  std::string error;
  if ((*pconf)->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), error) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  producer_.reset(RdKafka::Producer::create(pconf->get(), error));
  if (!producer_) return absl::InvalidArgumentError(Cat("kafka producer: ", error));
  // Fences an earlier life of this scorer id and aborts what it left open.
  if (RdKafka::Error* e = producer_->init_transactions(30000)) {
    producer_.reset();
    return absl::UnavailableError(Cat("init_transactions: ", Describe(e)));
  }
  auto cconf = MakeConf(settings_, client_id_,
                        {{"group.id", settings_.scorer_group},
                         {"enable.auto.commit", "false"},
                         {"isolation.level", "read_committed"},
                         {"auto.offset.reset", "earliest"},
                         {"session.timeout.ms", "6000"},
                         {"heartbeat.interval.ms", "1000"},
                         {"statistics.interval.ms", "1000"},
                         {"enable.partition.eof", "false"}});
  if (!cconf.ok()) return cconf.status();
  if ((*cconf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), error) !=
          RdKafka::Conf::CONF_OK ||
      (*cconf)->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), error) !=
          RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(cconf->get(), error));
  if (!consumer_) return absl::InvalidArgumentError(Cat("kafka consumer: ", error));
  if (auto err = consumer_->subscribe({settings_.samples_topic}); err != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(Cat("subscribe: ", RdKafka::err2str(err)));
  }
  spdlog::info("fleet scorer {} ({}): joined group {}", client_id_, settings_.scorer_id,
               settings_.scorer_group);
  return absl::OkStatus();
}

void FleetScorer::Disconnect() {
  batch_.clear();
  if (consumer_) consumer_->close();
  consumer_.reset();
  producer_.reset();  // An open transaction is aborted by the next init_transactions.
}

void FleetScorer::Run() {
  while (!stop_.HasBeenNotified()) {
    if (!consumer_) {
      if (absl::Status s = Connect(); !s.ok()) {
        spdlog::warn("fleet scorer: {}; retrying", s.ToString());
        Disconnect();
        stop_.WaitForNotificationWithTimeout(absl::Seconds(1));
        continue;
      }
    }
    const absl::Time deadline = absl::Now() + kGather;
    while (batch_.size() < kMaxBatch && !stop_.HasBeenNotified()) {
      const int64_t left = absl::ToInt64Milliseconds(deadline - absl::Now());
      if (left <= 0) break;
      std::unique_ptr<RdKafka::Message> m(consumer_->consume(static_cast<int>(left)));
      if (m->err() == RdKafka::ERR_NO_ERROR) {
        batch_.push_back(std::move(m));
      } else if (m->err() != RdKafka::ERR__TIMED_OUT) {
        spdlog::warn("fleet scorer: consume: {}", m->errstr());
      }
    }
    if (batch_.empty() || stop_.HasBeenNotified()) continue;
    if (absl::Status s = ProcessBatch(batch_); !s.ok()) {
      spdlog::warn("fleet scorer: batch given up, will be read again: {}", s.ToString());
      aborted_->Add();
      Disconnect();
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
    }
    batch_.clear();
  }
  Disconnect();
}

absl::Status FleetScorer::ProcessBatch(std::vector<std::unique_ptr<RdKafka::Message>>& batch) {
  std::vector<v1::IngestRequest> requests(batch.size());
  std::vector<const v1::Sample*> samples;
  std::vector<const std::string*> message_keys;  // Of each sample's message: its scores' key.
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
  for (size_t i = 0; i < batch.size(); ++i) {
    RdKafka::Message& m = *batch[i];
    auto& next = next_offsets[{m.topic_name(), m.partition()}];
    next = std::max(next, m.offset() + 1);
    if (!requests[i].ParseFromArray(m.payload(), static_cast<int>(m.len()))) {
      spdlog::warn("fleet scorer: skipping an unreadable message at {}/{}/{}", m.topic_name(),
                   m.partition(), m.offset());
      continue;
    }
    for (const v1::Sample& s : requests[i].samples()) {
      samples.push_back(&s);
      message_keys.push_back(m.key());
    }
  }
  std::vector<uint64_t> seen(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    seen[i] = seen_[Cat(samples[i]->app(), std::string_view("\0", 1), samples[i]->model())]++;
  }
  std::vector<v1::ScoredSample> out(samples.size());
  auto score = [&](size_t first, size_t step) {
    for (size_t i = first; i < samples.size(); i += step) {
      ScoreWrite write;
      scorer_->Score(*samples[i], seen[i], &write);
      v1::ScoredSample& o = out[i];
      *o.mutable_sample() = Header(*samples[i]);
      for (v1::Score& sc : write.scores) *o.add_scores() = std::move(sc);
      for (auto& [series, value] : write.rollup_values) {
        auto* r = o.add_rollups();
        r->set_series(series);
        r->set_value(value);
      }
    }
  };
  const size_t threads = std::min<size_t>(workers_, samples.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(score, t, threads);
  score(0, std::max<size_t>(threads, 1));
  for (auto& t : pool) t.join();

  if (RdKafka::Error* e = producer_->begin_transaction()) {
    return absl::UnavailableError(Cat("begin_transaction: ", Describe(e)));
  }
  auto abort = [&](std::string what) {
    if (RdKafka::Error* e = producer_->abort_transaction(30000)) Describe(e);
    return absl::UnavailableError(what);
  };
  for (size_t i = 0; i < out.size(); ++i) {
    const std::string value = out[i].SerializeAsString();
    // The key of the sample's message: its scores land in the same partition number.
    const std::string& app = message_keys[i] ? *message_keys[i] : out[i].sample().app();
    while (true) {
      const RdKafka::ErrorCode err = producer_->produce(
          settings_.scores_topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(value.data()), value.size(), app.data(), app.size(), 0, nullptr);
      if (err == RdKafka::ERR_NO_ERROR) break;
      if (err != RdKafka::ERR__QUEUE_FULL) return abort(Cat("produce: ", RdKafka::err2str(err)));
      producer_->poll(10);
    }
  }
  std::vector<RdKafka::TopicPartition*> offsets;
  for (const auto& [tp, next] : next_offsets) {
    offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, next));
  }
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> group(consumer_->groupMetadata());
  RdKafka::Error* e = producer_->send_offsets_to_transaction(offsets, group.get(), 30000);
  RdKafka::TopicPartition::destroy(offsets);
  if (e) return abort(Cat("send_offsets_to_transaction: ", Describe(e)));
  for (int attempt = 0;; ++attempt) {
    e = producer_->commit_transaction(kTxnTimeoutMs);
    if (!e) break;
    if (e->txn_requires_abort()) return abort(Cat("commit_transaction: ", Describe(e)));
    if (!e->is_retriable() || attempt >= 5 || stop_.HasBeenNotified()) {
      return absl::UnavailableError(Cat("commit_transaction: ", Describe(e)));
    }
    spdlog::warn("fleet scorer: commit_transaction, retrying: {}", Describe(e));
  }
  transactions_->Add();
  scored_samples_->Add(out.size());
  return absl::OkStatus();
}

}  // namespace llmtap::collector::fleet
