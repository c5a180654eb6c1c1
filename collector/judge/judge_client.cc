#include "collector/judge/judge_client.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>

#include "absl/cleanup/cleanup.h"
#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace llmtap::collector {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// How much of an unexpected answer an error message quotes.
constexpr size_t kQuoteBytes = 300;

absl::Status FieldError(const v1::JudgeEndpoint& e, std::string_view field,
                        std::string_view why) {
  return absl::InvalidArgumentError(Cat("judges '", e.name(), "': ", field, ": ", why));
}

absl::Status Validate(const v1::JudgeEndpoint& e) {
  const std::string& url = e.base_url();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return FieldError(e, "base_url", Cat("want http(s)://host[:port]/v1, got '", url, "'"));
  }
  if (e.model().empty()) return FieldError(e, "model", "must be set");
  if (!e.api_key_env().empty()) {
    const char* key = std::getenv(e.api_key_env().c_str());
    if (key == nullptr || *key == '\0') {
      return FieldError(e, "api_key_env",
                        Cat("environment variable ", e.api_key_env(), " is not set"));
    }
  }
  if (e.has_max_concurrency() && e.max_concurrency() == 0) {
    return FieldError(e, "max_concurrency", "must be >= 1");
  }
  if (e.has_max_attempts() && e.max_attempts() == 0) {
    return FieldError(e, "max_attempts", "must be >= 1");
  }
  if (e.has_timeout_ms() && e.timeout_ms() == 0) return FieldError(e, "timeout_ms", "must be >= 1");
  if (e.has_circuit_failures() && e.circuit_failures() == 0) {
    return FieldError(e, "circuit_failures", "must be >= 1");
  }
  if (e.max_usd_per_hour() < 0) return FieldError(e, "max_usd_per_hour", "must be >= 0");
  if (e.usd_per_million_input_tokens() < 0 || e.usd_per_million_output_tokens() < 0) {
    return FieldError(e, "usd_per_million_input_tokens", "prices must be >= 0");
  }
  if (e.max_usd_per_hour() > 0 && e.usd_per_million_input_tokens() == 0 &&
      e.usd_per_million_output_tokens() == 0) {
    return FieldError(e, "max_usd_per_hour",
                      "a spend cap needs usd_per_million_input_tokens or "
                      "usd_per_million_output_tokens, or it never trips");
  }
  return absl::OkStatus();
}

std::string ChatUrl(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/chat/completions";
}

v1::JudgeEndpoint::ResponseFormat Weaker(v1::JudgeEndpoint::ResponseFormat f) {
  return f == v1::JudgeEndpoint::RESPONSE_FORMAT_JSON_SCHEMA
             ? v1::JudgeEndpoint::RESPONSE_FORMAT_JSON_OBJECT
             : v1::JudgeEndpoint::RESPONSE_FORMAT_NONE;
}

// The verdict's JSON schema. "score" comes first (an ordered_json keeps it there), so that an
// answer cut off by max_tokens still carries it; its bounds follow the rubric's scale.
ordered_json VerdictSchema(v1::JudgeParams::Scale scale) {
  ordered_json score = {{"type", "number"}, {"minimum", 0}, {"maximum", 10}};
  if (scale == v1::JudgeParams::SCALE_0_1) {
    score = {{"type", "number"}, {"minimum", 0}, {"maximum", 1}};
  } else if (scale == v1::JudgeParams::SCALE_1_5) {
    score = {{"type", "integer"}, {"minimum", 1}, {"maximum", 5}};
  } else if (scale == v1::JudgeParams::SCALE_0_10) {
    score = {{"type", "integer"}, {"minimum", 0}, {"maximum", 10}};
  }
  return {{"type", "object"},
          {"properties", {{"score", score}, {"reasoning", {{"type", "string"}}}}},
          {"required", {"score", "reasoning"}},
          {"additionalProperties", false}};
}

// 500 ms, 1 s, 2 s, ... for attempts 1, 2, 3, ..., times a random factor in [0.5, 1.5).
absl::Duration Backoff(uint32_t attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return JudgeClient::kBaseBackoff * (1 << std::min<uint32_t>(attempt - 1, 16)) * jitter(rng);
}

std::chrono::milliseconds ToChronoMs(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

// Clients by endpoint configuration, alive while some rubric uses them.
absl::Mutex registry_mu(absl::kConstInit);
std::map<std::string, std::weak_ptr<JudgeClient>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<JudgeClient>>();
  return *registry;
}

}  // namespace

JudgeClient::JudgeClient(const v1::JudgeEndpoint& endpoint,
                         std::unique_ptr<internal::HttpClient> http)
    : endpoint_(endpoint),
      url_(ChatUrl(endpoint.base_url())),
      api_key_(endpoint.api_key_env().empty() ? ""
                                              : std::getenv(endpoint.api_key_env().c_str())),
      http_(std::move(http)),
      max_in_flight_(endpoint.has_max_concurrency() ? endpoint.max_concurrency()
                                                    : kDefaultMaxConcurrency),
      max_attempts_(endpoint.has_max_attempts() ? endpoint.max_attempts() : kDefaultMaxAttempts),
      timeout_(absl::Milliseconds(endpoint.has_timeout_ms() ? endpoint.timeout_ms()
                                                            : kDefaultTimeoutMs)),
      breaker_(endpoint.has_circuit_failures() ? endpoint.circuit_failures()
                                               : kDefaultCircuitFailures,
               absl::Seconds(endpoint.has_circuit_open_s() ? endpoint.circuit_open_s()
                                                           : kDefaultCircuitOpenS)),
      spend_(endpoint.max_usd_per_hour()),
      format_(endpoint.response_format() == v1::JudgeEndpoint::RESPONSE_FORMAT_UNSPECIFIED
                  ? v1::JudgeEndpoint::RESPONSE_FORMAT_JSON_SCHEMA
                  : endpoint.response_format()) {}

absl::StatusOr<std::unique_ptr<JudgeClient>> JudgeClient::Create(
    const v1::JudgeEndpoint& endpoint, std::unique_ptr<internal::HttpClient> http) {
  if (absl::Status s = Validate(endpoint); !s.ok()) return s;
  return std::unique_ptr<JudgeClient>(new JudgeClient(endpoint, std::move(http)));
}

absl::StatusOr<std::shared_ptr<JudgeClient>> JudgeClient::Shared(
    const v1::JudgeEndpoint& endpoint) {
  const std::string key = endpoint.SerializeAsString();
  absl::MutexLock lock(&registry_mu);
  std::erase_if(Registry(), [](const auto& entry) { return entry.second.expired(); });
  if (std::shared_ptr<JudgeClient> client = Registry()[key].lock()) return client;
  auto created = Create(endpoint, internal::NewCurlHttpClient());
  if (!created.ok()) return created.status();
  std::shared_ptr<JudgeClient> client = std::move(*created);
  Registry()[key] = client;
  return client;
}

absl::StatusOr<JudgeReply> JudgeClient::Complete(const JudgeRequest& request,
                                                 absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithDeadline(absl::Condition(this, &JudgeClient::SlotFree), deadline)) {
      return absl::DeadlineExceededError(
          Cat("judge '", endpoint_.name(), "': no free slot (max_concurrency ", max_in_flight_,
              ") before the deadline"));
    }
    ++in_flight_;
  }
  absl::Cleanup release = [this] {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  };
  // The spend cap first: the breaker's Admit may make this call its half-open probe, which
  // must then report.
  if (absl::Status s = spend_.Admit(absl::Now()); !s.ok()) return s;
  if (absl::Status s = breaker_.Admit(absl::Now()); !s.ok()) return s;
  absl::StatusOr<JudgeReply> reply = CallWithRetries(request, deadline);
  if (reply.ok()) {
    breaker_.RecordSuccess();
    spend_.Add(absl::Now(), reply->cost_usd);
  } else {
    breaker_.RecordFailure(absl::Now());
  }
  return reply;
}

absl::StatusOr<JudgeReply> JudgeClient::CallWithRetries(const JudgeRequest& request,
                                                        absl::Time deadline) {
  auto format = static_cast<v1::JudgeEndpoint::ResponseFormat>(format_.load());
  const std::string name = Cat("judge '", endpoint_.name(), "': ");
  uint32_t attempt = 1;
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(Cat(name, "deadline passed before attempt ", attempt));
    }
    internal::HttpRequest http_request;
    http_request.method = "POST";
    http_request.url = url_;
    http_request.headers = {{"Content-Type", "application/json"}};
    if (!api_key_.empty()) http_request.headers.emplace_back("Authorization", "Bearer " + api_key_);
    http_request.body = RequestBody(request, format);
    http_request.timeout = ToChronoMs(std::min(timeout_, left));
    http_request.connect_timeout = std::min(http_request.timeout, std::chrono::milliseconds(10000));

    absl::StatusOr<internal::HttpResponse> response = http_->Send(http_request);
    std::string failure;
    bool retryable = false;
    std::optional<std::chrono::milliseconds> retry_after;
    if (!response.ok()) {
      failure = std::string(response.status().message());
      retryable = response.status().code() == absl::StatusCode::kUnavailable ||
                  response.status().code() == absl::StatusCode::kDeadlineExceeded;
    } else if (response->status / 100 == 2) {
      return ParseReply(response->body);
    } else if (response->status == 400 && format != v1::JudgeEndpoint::RESPONSE_FORMAT_NONE &&
               response->body.find("response_format") != std::string::npos) {
      // The endpoint does not take this response_format: ask again with a weaker one, without
      // spending an attempt, and remember it for later calls.
      spdlog::warn("judge '{}': endpoint rejected response_format {}; trying {}",
                   endpoint_.name(), v1::JudgeEndpoint::ResponseFormat_Name(format),
                   v1::JudgeEndpoint::ResponseFormat_Name(Weaker(format)));
      format = Weaker(format);
      int current = format_.load();
      while (current < format && !format_.compare_exchange_weak(current, format)) {
      }
      continue;
    } else {
      failure = Cat("HTTP ", response->status, ": ", Excerpt(response->body, kQuoteBytes));
      const int code = response->status;
      retryable = code == 408 || code == 429 || code >= 500;
      retry_after = response->RetryAfter();
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(Cat(name, "deadline passed in attempt ", attempt, ": ",
                                             failure));
    }
    if (!retryable || attempt >= max_attempts_) {
      return absl::InternalError(
          Cat(name, failure, " (attempt ", attempt, " of ", max_attempts_, ")"));
    }
    const absl::Duration wait =
        retry_after ? absl::FromChrono(*retry_after) : Backoff(attempt);
    if (absl::Now() + wait >= deadline) {
      return absl::DeadlineExceededError(
          Cat(name, failure, "; the retry ", retry_after ? "(Retry-After) " : "", "in ",
              absl::FormatDuration(wait), " would pass the deadline (attempt ", attempt, " of ",
              max_attempts_, ")"));
    }
    absl::SleepFor(wait);
    ++attempt;
  }
}

std::string JudgeClient::RequestBody(const JudgeRequest& request,
                                     v1::JudgeEndpoint::ResponseFormat format) const {
  ordered_json body = {
      {"model", request.model.empty() ? endpoint_.model() : request.model},
      {"messages",
       {{{"role", "system"}, {"content", request.system}},
        {{"role", "user"}, {"content", request.user}}}},
      {"temperature", endpoint_.has_temperature() ? endpoint_.temperature() : kDefaultTemperature},
      {"seed", endpoint_.has_seed() ? endpoint_.seed() : kDefaultSeed},
      {"max_tokens", request.max_tokens},
  };
  if (format == v1::JudgeEndpoint::RESPONSE_FORMAT_JSON_SCHEMA) {
    body["response_format"] = {{"type", "json_schema"},
                               {"json_schema",
                                {{"name", "verdict"},
                                 {"strict", true},
                                 {"schema", request.json_schema.empty()
                                                ? VerdictSchema(request.scale)
                                                : ordered_json::parse(request.json_schema)}}}};
  } else if (format == v1::JudgeEndpoint::RESPONSE_FORMAT_JSON_OBJECT) {
    body["response_format"] = {{"type", "json_object"}};
  }
  // Samples may hold invalid UTF-8; replace it rather than fail the call.
  return body.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

absl::StatusOr<JudgeReply> JudgeClient::ParseReply(const std::string& body) const {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string_view why) {
    return absl::InternalError(Cat("judge '", endpoint_.name(), "': not a chat completion (",
                                   why, "): ", Excerpt(body, kQuoteBytes)));
  };
  if (!parsed.is_object()) return bad("not a JSON object");
  const auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array() || choices->empty()) {
    return bad("no choices");
  }
  const json& choice = (*choices)[0];
  const auto message = choice.is_object() ? choice.find("message") : choice.end();
  if (message == choice.end() || !message->is_object()) return bad("no choices[0].message");
  const auto content = message->find("content");
  if (content == message->end() || !content->is_string()) return bad("no message content");
  JudgeReply reply;
  reply.content = content->get<std::string>();
  if (auto usage = parsed.find("usage"); usage != parsed.end() && usage->is_object()) {
    const json& prompt_tokens = usage->value("prompt_tokens", json(0));
    const json& completion_tokens = usage->value("completion_tokens", json(0));
    if (prompt_tokens.is_number_integer()) reply.input_tokens = prompt_tokens.get<int64_t>();
    if (completion_tokens.is_number_integer()) {
      reply.output_tokens = completion_tokens.get<int64_t>();
    }
  }
  reply.cost_usd = (static_cast<double>(reply.input_tokens) *
                        endpoint_.usd_per_million_input_tokens() +
                    static_cast<double>(reply.output_tokens) *
                        endpoint_.usd_per_million_output_tokens()) /
                   1e6;
  return reply;
}

}  // namespace llmtap::collector
