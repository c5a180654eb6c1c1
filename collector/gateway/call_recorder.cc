#include "collector/gateway/call_recorder.h"

#include <random>

#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/ingest/validator.h"
#include <spdlog/spdlog.h>
#include "collector/otlp/span_mapping.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector::gateway {
namespace {

using Json = nlohmann::json;
constexpr size_t kBatch = 512;
constexpr absl::Duration kLinger = absl::Milliseconds(5);

// Cuts `s` to at most `limit` bytes without splitting a UTF-8 sequence.
void Trim(std::string* s, size_t limit) {
  if (s->size() <= limit) return;
  size_t n = limit;
  while (n > 0 && (static_cast<unsigned char>((*s)[n]) & 0xC0) == 0x80) --n;
  s->resize(n);
}

std::string StringOf(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void ReadUsage(const Json& body, v1::Sample* s) {
  auto usage = body.find("usage");
  if (usage == body.end() || !usage->is_object()) return;
  for (const auto& [key, field] : {std::pair{"prompt_tokens", &v1::Sample::set_input_tokens},
                                   std::pair{"completion_tokens", &v1::Sample::set_output_tokens}}) {
    auto it = usage->find(key);
    if (it != usage->end() && it->is_number_integer() && it->get<int64_t>() >= 0) {
      (s->*field)(it->get<int64_t>());
    }
  }
}

// Text of a streamed answer: the content deltas (chat) or text pieces (completions) of the
// first choice, in order; model and usage from the chunks that carry them.
std::string StreamedText(std::string_view events, v1::Sample* s) {
  std::string text;
  size_t at = 0;
  while (at < events.size()) {
    size_t end = events.find('\n', at);
    if (end == std::string_view::npos) end = events.size();
    std::string_view line = events.substr(at, end - at);
    at = end + 1;
    if (line.rfind("data:", 0) != 0) continue;
    line.remove_prefix(5);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line == "[DONE]") break;
    Json chunk = Json::parse(line, nullptr, false);
    if (!chunk.is_object()) continue;
    if (std::string m = StringOf(chunk, "model"); !m.empty()) s->set_model(m);
    ReadUsage(chunk, s);
    auto choices = chunk.find("choices");
    if (choices == chunk.end() || !choices->is_array()) continue;
    for (const Json& c : *choices) {
      if (c.value("index", 0) != 0) continue;
      if (auto d = c.find("delta"); d != c.end() && d->is_object()) text += StringOf(*d, "content");
      text += StringOf(c, "text");
    }
  }
  return text;
}

// "HTTP 429: <error.message>" (or the start of the body when it is not OpenAI's error shape).
std::string UpstreamError(int status, const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  std::string why;
  if (j.is_object()) {
    if (auto e = j.find("error"); e != j.end()) {
      why = e->is_object() ? StringOf(*e, "message") : (e->is_string() ? e->get<std::string>() : "");
    }
  }
  if (why.empty()) why = body.substr(0, 512);
  return Cat("upstream HTTP ", status, why.empty() ? "" : ": ", why);
}

}  // namespace

v1::Sample SampleFromCall(CallRecord call, std::string id) {
  v1::Sample s;
  s.set_id(std::move(id));
  s.set_app(std::move(call.app));
  s.set_session_id(std::move(call.session_id));
  s.set_variant(std::move(call.variant));
  s.set_prompt_version(std::move(call.prompt_version));
  s.set_start_time_unix_nano(call.start_unix_nano);
  s.set_latency_ms(call.latency_ms);
  s.set_time_to_first_token_ms(call.time_to_first_token_ms);
  for (auto& [k, v] : call.metadata) (*s.mutable_metadata())[k] = std::move(v);
  auto* meta = s.mutable_metadata();
  (*meta)["gateway.endpoint"] = call.endpoint;
  (*meta)["gateway.upstream"] = call.upstream;
  if (call.streamed) (*meta)["gateway.stream"] = "true";

  Json request = Json::parse(call.request_body, nullptr, false);
  if (request.is_object()) {
    s.set_model(StringOf(request, "model"));
    if (call.endpoint == "embeddings") {
      auto in = request.find("input");
      if (in != request.end()) s.set_prompt(in->is_string() ? in->get<std::string>() : in->dump());
    } else {
      s.set_prompt(otlp::RenderMessages(call.request_body));
    }
  }
  const bool answered = call.http_status >= 200 && call.http_status < 300;
  if (answered && call.streamed) {
    s.set_response(StreamedText(call.response_body, &s));
  } else if (answered) {
    Json body = Json::parse(call.response_body, nullptr, false);
    if (body.is_object()) {
      if (std::string m = StringOf(body, "model"); !m.empty()) s.set_model(m);
      ReadUsage(body, &s);
      if (call.endpoint != "embeddings") s.set_response(otlp::RenderMessages(call.response_body));
    }
  }
  if (!call.error.empty()) {
    s.set_status(v1::CALL_STATUS_ERROR);
    s.set_error(std::move(call.error));
  } else if (!answered) {
    s.set_status(v1::CALL_STATUS_ERROR);
    s.set_error(UpstreamError(call.http_status, call.response_body));
  } else {
    s.set_status(v1::CALL_STATUS_OK);
  }
  Trim(s.mutable_prompt(), v1::LIMIT_TEXT_BYTES);
  Trim(s.mutable_response(), v1::LIMIT_TEXT_BYTES);
  Trim(s.mutable_error(), v1::LIMIT_ERROR_BYTES);
  Trim(s.mutable_model(), v1::LIMIT_NAME_BYTES);
  return s;
}

CallRecorder::CallRecorder(const IngestEntry* entry, Metrics* metrics, std::string authorization,
                           size_t max_pending)
    : entry_(entry),
      authorization_(std::move(authorization)),
      max_pending_(max_pending == 0 ? 1 : max_pending),
      dropped_(metrics->AddCounter("llmtap_gateway_records_dropped_total",
                                   "Gateway calls not recorded: the recording queue was full.")),
      stored_(metrics->AddCounter("llmtap_gateway_records_committed_total",
                                  "Gateway calls recorded and committed.")),
      failed_(metrics->AddCounter("llmtap_gateway_records_failed_total",
                                  "Gateway calls whose sample was refused or not committed.")) {
  thread_ = std::thread([this] { Run(); });
}

CallRecorder::~CallRecorder() { Stop(absl::Seconds(2)); }

void CallRecorder::Record(CallRecord call) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= max_pending_) {
    dropped_->Add();
    return;
  }
  queue_.push_back(std::move(call));
}

void CallRecorder::Stop(absl::Duration grace) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) deadline_ = absl::Now() + grace;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void CallRecorder::Run() {
  std::mt19937_64 random(std::random_device{}());
  while (true) {
    std::vector<CallRecord> calls;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !queue_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&ready));
      // Linger for more calls: one commit (and one wake-up of this thread and the committer)
      // for many calls instead of one each, which on a busy machine competes with the calls.
      auto full = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return queue_.size() >= kBatch || stopping_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&full), kLinger);
      if (queue_.empty() || (stopping_ && absl::Now() > deadline_)) {
        dropped_->Add(queue_.size());
        queue_.clear();
        return;
      }
      while (!queue_.empty() && calls.size() < kBatch) {
        calls.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    auto request = std::make_shared<v1::IngestRequest>();
    for (CallRecord& call : calls) {
      // The SDK's id layout: 48 bits of Unix milliseconds, then 80 random bits.
      char id[16];
      const uint64_t ms = static_cast<uint64_t>(call.start_unix_nano) / 1000000;
      const uint64_t r1 = random(), r2 = random();
      for (int i = 0; i < 6; ++i) id[i] = static_cast<char>(ms >> (8 * (5 - i)));
      for (int i = 0; i < 8; ++i) id[6 + i] = static_cast<char>(r1 >> (8 * i));
      id[14] = static_cast<char>(r2);
      id[15] = static_cast<char>(r2 >> 8);
      v1::Sample sample =
          SampleFromCall(std::move(call), absl::BytesToHexString(absl::string_view(id, 16)));
      if (absl::Status s = ValidateSample(sample, request->samples_size()); !s.ok()) {
        failed_->Add();
        spdlog::warn("gateway: call not recorded: {}", std::string(s.message()));
        continue;
      }
      *request->add_samples() = std::move(sample);
    }
    if (request->samples_size() == 0) continue;
    absl::Notification committed;
    entry_->Submit(authorization_, request, [&](const IngestOutcome& outcome) {
      if (outcome.status.ok()) {
        stored_->Add(outcome.accepted + outcome.duplicates);
      } else {
        failed_->Add(request->samples_size());
      }
      committed.Notify();
    });
    committed.WaitForNotification();
  }
}

}  // namespace llmtap::collector::gateway
