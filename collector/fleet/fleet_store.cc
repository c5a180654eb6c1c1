#include "collector/fleet/fleet_store.h"

#include <spdlog/spdlog.h>

#include <map>

#include "absl/synchronization/blocking_counter.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/ingest/validator.h"
#include "llmtap/v1/fleet.pb.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector::fleet {
namespace {

constexpr size_t kMaxBatch = 5000;
constexpr absl::Duration kGather = absl::Milliseconds(50);
// Samples per batch handed to the committer.
constexpr int kCommitterBatch = 500;

}  // namespace

FleetStore::FleetStore(const FleetSettings& settings, IngestGate* gate, Store* store,
                       TailHub* tail, ConsumerLag* lag, Metrics* metrics)
    : settings_(settings),
      gate_(gate),
      store_(store),
      tail_(tail),
      client_id_(ClientId("store")),
      samples_(metrics->AddCounter("llmtap_fleet_store_samples_total",
                                   "Samples read from the samples topic.")),
      scored_(metrics->AddCounter("llmtap_fleet_store_scored_samples_total",
                                  "Samples whose scores were stored from the scores topic.")),
      duplicates_(metrics->AddCounter(
          "llmtap_fleet_store_duplicate_scores_total",
          "Scores messages of a sample whose scores were already stored (not counted again).")),
      invalid_(metrics->AddCounter("llmtap_fleet_store_invalid_messages_total",
                                   "Messages refused (unreadable or invalid), skipped.")),
      events_(lag, settings.store_group, client_id_) {}

FleetStore::~FleetStore() { Stop(); }

void FleetStore::Start() { thread_ = std::thread([this] { Run(); }); }

void FleetStore::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void FleetStore::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                              std::vector<RdKafka::TopicPartition*>& partitions) {
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    spdlog::info("fleet store {}: assigned {} partitions", client_id_, partitions.size());
    consumer->assign(partitions);
  } else {
    batch_.clear();  // Read again by the new owner; storing it twice would do no harm either.
    consumer->unassign();
  }
}

absl::Status FleetStore::Connect() {
  auto conf = MakeConf(settings_, client_id_,
                       {{"group.id", settings_.store_group},
                        {"enable.auto.commit", "false"},
                        {"isolation.level", "read_committed"},
                        {"auto.offset.reset", "earliest"},
                        {"session.timeout.ms", "6000"},
                        {"heartbeat.interval.ms", "1000"},
                        {"statistics.interval.ms", "1000"},
                        {"enable.partition.eof", "false"}});
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(this), error) !=
          RdKafka::Conf::CONF_OK ||
      (*conf)->set("event_cb", static_cast<RdKafka::EventCb*>(&events_), error) !=
          RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  consumer_.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer_) return absl::InvalidArgumentError(Cat("kafka consumer: ", error));
  if (auto err = consumer_->subscribe({settings_.samples_topic, settings_.scores_topic});
      err != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(Cat("subscribe: ", RdKafka::err2str(err)));
  }
  return absl::OkStatus();
}

void FleetStore::Disconnect() {
  batch_.clear();
  if (consumer_) consumer_->close();
  consumer_.reset();
}

void FleetStore::Run() {
  while (!stop_.HasBeenNotified()) {
    if (!consumer_) {
      if (absl::Status s = Connect(); !s.ok()) {
        spdlog::warn("fleet store: {}; retrying", s.ToString());
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
        spdlog::warn("fleet store: consume: {}", m->errstr());
      }
    }
    if (batch_.empty() || stop_.HasBeenNotified()) continue;
    absl::Status s = StoreBatch();
    if (s.ok()) {
      std::map<std::pair<std::string, int32_t>, int64_t> next;
      for (const auto& m : batch_) {
        auto& n = next[{m->topic_name(), m->partition()}];
        n = std::max(n, m->offset() + 1);
      }
      std::vector<RdKafka::TopicPartition*> offsets;
      for (const auto& [tp, n] : next) {
        offsets.push_back(RdKafka::TopicPartition::create(tp.first, tp.second, n));
      }
      // Asynchronous: a commit that fails or is lost in a crash only means this batch is
      // read (and recognised as stored) again.
      if (auto err = consumer_->commitAsync(offsets); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("fleet store: offset commit: {}", RdKafka::err2str(err));
      }
      RdKafka::TopicPartition::destroy(offsets);
      batch_.clear();
    } else {
      spdlog::warn("fleet store: batch not stored, will read it again: {}", s.ToString());
      Disconnect();  // Rewinds to the committed offsets.
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
    }
  }
  Disconnect();
}

absl::Status FleetStore::StoreBatch() {
  std::vector<std::shared_ptr<v1::IngestRequest>> requests;
  std::vector<v1::ScoredSample> scored;
  auto current = std::make_shared<v1::IngestRequest>();
  for (const auto& m : batch_) {
    if (m->topic_name() == settings_.samples_topic) {
      v1::IngestRequest r;
      if (!r.ParseFromArray(m->payload(), static_cast<int>(m->len())) ||
          !ValidateIngestRequest(r).ok()) {
        invalid_->Add();
        continue;
      }
      if (r.has_client_stats()) {
        // The latest counters of an SDK instance: one request each, in order.
        auto stats = std::make_shared<v1::IngestRequest>();
        *stats->mutable_client_stats() = std::move(*r.mutable_client_stats());
        requests.push_back(std::move(stats));
      }
      for (v1::Sample& s : *r.mutable_samples()) {
        *current->add_samples() = std::move(s);
        samples_->Add();
        if (current->samples_size() >= kCommitterBatch) {
          requests.push_back(std::move(current));
          current = std::make_shared<v1::IngestRequest>();
        }
      }
    } else {
      v1::ScoredSample s;
      if (!s.ParseFromArray(m->payload(), static_cast<int>(m->len())) ||
          s.sample().id().size() != 32) {
        invalid_->Add();
        continue;
      }
      scored.push_back(std::move(s));
    }
  }
  if (current->samples_size() > 0) requests.push_back(std::move(current));

  absl::Status status = absl::OkStatus();
  if (!requests.empty()) {
    absl::Mutex mu;
    absl::BlockingCounter left(static_cast<int>(requests.size()));
    const Principal fleet = Principal::Internal("fleet store");
    for (auto& r : requests) {
      absl::Status refused = gate_->Submit(fleet, r, [&](const IngestOutcome& outcome) {
        if (!outcome.status.ok()) {
          absl::MutexLock lock(&mu);
          status = outcome.status;
        }
        left.DecrementCount();
      });
      if (!refused.ok()) {
        absl::MutexLock lock(&mu);
        status = refused;
        left.DecrementCount();
      }
    }
    left.Wait();
  }
  if (!status.ok()) return status;

  std::vector<ScoreWrite> writes(scored.size());
  for (size_t i = 0; i < scored.size(); ++i) {
    writes[i].sample = &scored[i].sample();
    writes[i].scores.assign(scored[i].scores().begin(), scored[i].scores().end());
    for (const auto& r : scored[i].rollups()) writes[i].rollup_values.emplace_back(r.series(), r.value());
  }
  std::vector<char> is_new;
  if (absl::Status s = store_->CommitScoresOnce(writes, &is_new); !s.ok()) return s;
  for (size_t i = 0; i < writes.size(); ++i) {
    if (!is_new[i]) {
      duplicates_->Add();
      continue;
    }
    scored_->Add();
    if (!tail_->has_subscribers()) continue;
    for (const v1::Score& score : writes[i].scores) {
      v1::TailResponse event;
      *event.mutable_score() = score;
      *event.mutable_sample() = *writes[i].sample;
      tail_->Publish(event);
    }
  }
  return absl::OkStatus();
}

}  // namespace llmtap::collector::fleet
