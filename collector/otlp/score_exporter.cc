#include "collector/otlp/score_exporter.h"

#include <spdlog/spdlog.h>

#include <random>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace llmtap::collector::otlp {
namespace {

namespace logs = opentelemetry::proto::logs::v1;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

constexpr std::string_view kOther = "_other";

void Attr(logs::LogRecord* r, std::string_view key, std::string_view value) {
  auto* kv = r->add_attributes();
  kv->set_key(std::string(key));
  kv->mutable_value()->set_string_value(std::string(value));
}

std::string Label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string HexBytes(const google::protobuf::Map<std::string, std::string>& meta,
                     const std::string& key, size_t bytes) {
  auto it = meta.find(key);
  if (it == meta.end() || it->second.size() != 2 * bytes) return "";
  for (char c : it->second) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
  }
  return absl::HexStringToBytes(it->second);
}

}  // namespace

logs::LogRecord ScoreExporter::EventFor(const v1::TailResponse& scored) {
  const v1::Score& score = scored.score();
  const v1::Sample& sample = scored.sample();
  logs::LogRecord r;
  r.set_event_name("gen_ai.evaluation.result");
  r.set_time_unix_nano(static_cast<uint64_t>(score.scored_unix_nano()));
  r.set_observed_time_unix_nano(static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
  r.set_severity_number(logs::SEVERITY_NUMBER_INFO);
  Attr(&r, "gen_ai.evaluation.name", score.rubric());
  auto* value = r.add_attributes();
  value->set_key("gen_ai.evaluation.score.value");
  value->mutable_value()->set_double_value(score.value());
  Attr(&r, "gen_ai.evaluation.score.label", score.passed() ? "pass" : "fail");
  if (!score.reasoning().empty()) Attr(&r, "gen_ai.evaluation.explanation", score.reasoning());
  if (!sample.model().empty()) Attr(&r, "gen_ai.response.model", sample.model());
  Attr(&r, "llmtap.sample_id", score.sample_id());
  Attr(&r, "llmtap.rubric_version", Cat(score.rubric_version()));
  if (!sample.variant().empty()) Attr(&r, "llmtap.variant", sample.variant());
  r.set_trace_id(HexBytes(sample.metadata(), "otel.trace_id", 16));
  r.set_span_id(HexBytes(sample.metadata(), "otel.span_id", 8));
  return r;
}

ScoreExporter::ScoreExporter(const v1::OtlpConfig& config, TailHub* tail, Metrics* metrics,
                             std::unique_ptr<internal::HttpClient> http)
    : export_(config.score_export()),
      max_queue_(export_.has_max_queue() ? std::max<uint32_t>(1, export_.max_queue()) : 10000),
      max_batch_(export_.has_max_batch() ? std::max<uint32_t>(1, export_.max_batch()) : 512),
      max_series_(config.has_score_histogram_max_series() ? config.score_histogram_max_series()
                                                          : 1000),
      max_attempts_(export_.has_max_attempts() ? std::max<int>(1, export_.max_attempts()) : 5),
      tail_(tail),
      http_(std::move(http)),
      sent_(metrics->AddCounter("llmtap_score_export_sent_total",
                                "gen_ai.evaluation.result events accepted by the OTLP endpoint.")),
      dropped_(metrics->AddCounter(
          "llmtap_score_export_dropped_total",
          "Scores not exported: queue full, lost by the live tail, or refused after retries.")),
      retries_(metrics->AddCounter("llmtap_score_export_retries_total",
                                   "OTLP export requests sent again after a failure.")) {
  metrics->AddText([this] { return RenderHistograms(); });
  metrics->AddGauge("llmtap_score_export_queued", "Score events waiting to be exported.", [this] {
    absl::MutexLock lock(&mu_);
    return static_cast<double>(queue_.size());
  });
  sub_ = tail_->Subscribe();
  follow_ = std::thread([this] { Follow(); });
  if (!export_.endpoint().empty()) send_ = std::thread([this] { Send(); });
}

ScoreExporter::~ScoreExporter() { Stop(absl::Seconds(2)); }

void ScoreExporter::Stop(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (stop_requested_) return;
    stop_requested_ = stopping_ = true;
    deadline_ = absl::Now() + grace;
  }
  tail_->Unsubscribe(sub_);
  if (follow_.joinable()) follow_.join();
  if (send_.joinable()) send_.join();
}

void ScoreExporter::Observe(const v1::TailResponse& event) {
  const v1::Score& score = event.score();
  if (score.state() != v1::SCORE_STATE_SCORED && score.state() != v1::SCORE_STATE_UNSPECIFIED) {
    return;
  }
  const v1::Sample& s = event.sample();
  const std::string nul(1, '\0');
  std::string key = Cat(score.rubric(), nul, s.app(), nul, s.model(), nul, s.variant());
  absl::MutexLock lock(&series_mu_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    if (series_.size() >= max_series_) {
      key = Cat(score.rubric(), nul, kOther, nul, kOther, nul, kOther);
      it = series_.find(key);
    }
    if (it == series_.end()) {
      it = series_
               .emplace(key, std::make_unique<Histogram>(std::vector<double>{
                                 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}))
               .first;
    }
  }
  it->second->Observe(score.value());
}

std::string ScoreExporter::RenderHistograms() const {
  absl::MutexLock lock(&series_mu_);
  std::string out =
      "# HELP llmtap_score Scores stored, per rubric, app, model and variant.\n"
      "# TYPE llmtap_score histogram\n";
  for (const auto& [key, h] : series_) {
    std::vector<std::string_view> parts;
    size_t at = 0;
    for (int i = 0; i < 3; ++i) {
      const size_t nul = key.find('\0', at);
      parts.push_back(std::string_view(key).substr(at, nul - at));
      at = nul + 1;
    }
    parts.push_back(std::string_view(key).substr(at));
    const std::string labels = Cat("rubric=\"", Label(parts[0]), "\",app=\"", Label(parts[1]),
                                   "\",model=\"", Label(parts[2]), "\",variant=\"",
                                   Label(parts[3]), "\"");
    for (size_t i = 0; i <= h->bounds().size(); ++i) {
      const std::string le = i < h->bounds().size() ? Cat(h->bounds()[i]) : "+Inf";
      absl::StrAppend(&out, "llmtap_score_bucket{", labels, ",le=\"", le, "\"} ",
                      h->cumulative(i), "\n");
    }
    absl::StrAppend(&out, "llmtap_score_sum{", labels, "} ", h->sum(), "\n",
                    "llmtap_score_count{", labels, "} ", h->cumulative(h->bounds().size()), "\n");
  }
  return out;
}

void ScoreExporter::Follow() {
  const bool exporting = !export_.endpoint().empty();
  v1::TailResponse event;
  while (true) {
    const bool got = sub_->Next(&event, absl::Milliseconds(200));
    if (const uint64_t lost = sub_->lost(); lost > lost_seen_) {
      if (exporting) dropped_->Add(lost - lost_seen_);
      lost_seen_ = lost;
    }
    if (!got) {
      if (sub_->closed()) break;
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      continue;
    }
    Observe(event);
    if (!exporting) continue;
    Event e{event.sample().app(), EventFor(event)};
    absl::MutexLock lock(&mu_);
    if (queue_.size() >= max_queue_) {
      queue_.pop_front();
      dropped_->Add();
    }
    queue_.push_back(std::move(e));
  }
  absl::MutexLock lock(&mu_);
  stopping_ = true;  // The sender drains what is left, then stops.
}

bool ScoreExporter::Post(const std::string& body) {
  static thread_local std::mt19937 jitter(std::random_device{}());
  absl::Duration backoff = absl::Milliseconds(200);
  for (int attempt = 1; attempt <= max_attempts_; ++attempt) {
    internal::HttpRequest request;
    request.method = "POST";
    request.url = export_.endpoint();
    request.body = body;
    request.timeout = std::chrono::milliseconds(export_.has_timeout_ms() ? export_.timeout_ms() : 5000);
    request.headers = {{"Content-Type", "application/x-protobuf"}};
    for (const auto& [k, v] : export_.headers()) request.headers.emplace_back(k, v);
    auto r = http_->Send(request);
    std::optional<std::chrono::milliseconds> retry_after;
    if (r.ok()) {
      if (r->status >= 200 && r->status < 300) return true;
      const bool retryable = r->status == 429 || r->status == 502 || r->status == 503 ||
                             r->status == 504;
      if (!retryable) {
        spdlog::warn("score export: {} answered HTTP {}, dropping the batch", export_.endpoint(),
                     r->status);
        return false;
      }
      retry_after = r->RetryAfter();
    }
    if (attempt == max_attempts_) break;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_ && absl::Now() > deadline_) break;
    }
    retries_->Add();
    absl::Duration wait = backoff * (0.5 + std::uniform_real_distribution<>(0, 1)(jitter));
    if (retry_after) wait = absl::FromChrono(*retry_after);
    absl::SleepFor(std::min(wait, absl::Seconds(30)));
    backoff *= 2;
  }
  spdlog::warn("score export: {} failed {} times, dropping the batch", export_.endpoint(),
               max_attempts_);
  return false;
}

void ScoreExporter::Send() {
  while (true) {
    std::vector<Event> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return queue_.size() >= max_batch_ || stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(1));
      if (queue_.empty()) {
        if (stopping_) return;
        continue;
      }
      if (stopping_ && absl::Now() > deadline_) {
        dropped_->Add(queue_.size());
        queue_.clear();
        return;
      }
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    ExportLogsServiceRequest request;
    absl::flat_hash_map<std::string, logs::ScopeLogs*> by_app;
    for (Event& e : batch) {
      logs::ScopeLogs*& scope = by_app[e.app];
      if (scope == nullptr) {
        auto* rl = request.add_resource_logs();
        auto* kv = rl->mutable_resource()->add_attributes();
        kv->set_key("service.name");
        kv->mutable_value()->set_string_value(e.app);
        scope = rl->add_scope_logs();
        scope->mutable_scope()->set_name("llmtap");
      }
      *scope->add_log_records() = std::move(e.record);
    }
    if (Post(request.SerializeAsString())) {
      sent_->Add(batch.size());
    } else {
      dropped_->Add(batch.size());
    }
  }
}

}  // namespace llmtap::collector::otlp
