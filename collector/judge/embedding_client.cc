#include "collector/judge/embedding_client.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>

#include "absl/cleanup/cleanup.h"
#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

using nlohmann::json;

constexpr size_t kQuoteBytes = 300;

absl::Status FieldError(const v1::EmbeddingEndpoint& e, std::string_view field,
                        std::string_view why) {
  return absl::InvalidArgumentError(Cat("embeddings '", e.name(), "': ", field, ": ", why));
}

absl::Status Validate(const v1::EmbeddingEndpoint& e) {
  if (e.name().empty()) return FieldError(e, "name", "must be set");
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
  if (e.usd_per_million_input_tokens() < 0) {
    return FieldError(e, "usd_per_million_input_tokens", "must be >= 0");
  }
  if (e.max_usd_per_hour() > 0 && e.usd_per_million_input_tokens() == 0) {
    return FieldError(e, "max_usd_per_hour",
                      "a spend cap needs usd_per_million_input_tokens, or it never trips");
  }
  return absl::OkStatus();
}

std::string EmbeddingsUrl(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/embeddings";
}

absl::Duration Backoff(uint32_t attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return EmbeddingClient::kBaseBackoff * (1 << std::min<uint32_t>(attempt - 1, 16)) *
         jitter(rng);
}

std::chrono::milliseconds ToChronoMs(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

absl::Mutex registry_mu(absl::kConstInit);
std::map<std::string, std::weak_ptr<EmbeddingClient>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<EmbeddingClient>>();
  return *registry;
}

}  // namespace

EmbeddingClient::EmbeddingClient(const v1::EmbeddingEndpoint& endpoint,
                                 std::unique_ptr<internal::HttpClient> http)
    : endpoint_(endpoint),
      url_(EmbeddingsUrl(endpoint.base_url())),
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
      spend_(endpoint.max_usd_per_hour()) {}

absl::StatusOr<std::unique_ptr<EmbeddingClient>> EmbeddingClient::Create(
    const v1::EmbeddingEndpoint& endpoint, std::unique_ptr<internal::HttpClient> http) {
  if (absl::Status s = Validate(endpoint); !s.ok()) return s;
  return std::unique_ptr<EmbeddingClient>(new EmbeddingClient(endpoint, std::move(http)));
}

absl::StatusOr<std::shared_ptr<EmbeddingClient>> EmbeddingClient::Shared(
    const v1::EmbeddingEndpoint& endpoint) {
  const std::string key = endpoint.SerializeAsString();
  absl::MutexLock lock(&registry_mu);
  std::erase_if(Registry(), [](const auto& entry) { return entry.second.expired(); });
  if (std::shared_ptr<EmbeddingClient> client = Registry()[key].lock()) return client;
  auto created = Create(endpoint, internal::NewCurlHttpClient());
  if (!created.ok()) return created.status();
  std::shared_ptr<EmbeddingClient> client = std::move(*created);
  Registry()[key] = client;
  return client;
}

absl::StatusOr<EmbeddingReply> EmbeddingClient::Embed(const std::vector<std::string>& texts,
                                                      absl::Time deadline) {
  if (texts.empty() || texts.size() > kMaxInputs) {
    return absl::InvalidArgumentError(Cat("embeddings '", endpoint_.name(), "': 1 to ",
                                          kMaxInputs, " texts per call, got ", texts.size()));
  }
  {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithDeadline(absl::Condition(this, &EmbeddingClient::SlotFree), deadline)) {
      return absl::DeadlineExceededError(
          Cat("embeddings '", endpoint_.name(), "': no free slot (max_concurrency ",
              max_in_flight_, ") before the deadline"));
    }
    ++in_flight_;
  }
  absl::Cleanup release = [this] {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  };
  if (absl::Status s = spend_.Admit(absl::Now()); !s.ok()) return s;
  if (absl::Status s = breaker_.Admit(absl::Now()); !s.ok()) return s;
  const json body = {{"model", endpoint_.model()}, {"input", texts}, {"encoding_format", "float"}};
  absl::StatusOr<EmbeddingReply> reply = CallWithRetries(
      body.dump(-1, ' ', false, json::error_handler_t::replace), texts.size(), deadline);
  if (reply.ok()) {
    breaker_.RecordSuccess();
    spend_.Add(absl::Now(), reply->cost_usd);
  } else {
    breaker_.RecordFailure(absl::Now());
  }
  return reply;
}

absl::StatusOr<EmbeddingReply> EmbeddingClient::CallWithRetries(const std::string& body,
                                                                size_t count,
                                                                absl::Time deadline) {
  const std::string name = Cat("embeddings '", endpoint_.name(), "': ");
  for (uint32_t attempt = 1;; ++attempt) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(Cat(name, "deadline passed before attempt ", attempt));
    }
    internal::HttpRequest request;
    request.method = "POST";
    request.url = url_;
    request.headers = {{"Content-Type", "application/json"}};
    if (!api_key_.empty()) request.headers.emplace_back("Authorization", "Bearer " + api_key_);
    request.body = body;
    request.timeout = ToChronoMs(std::min(timeout_, left));
    request.connect_timeout = std::min(request.timeout, std::chrono::milliseconds(10000));

    absl::StatusOr<internal::HttpResponse> response = http_->Send(request);
    std::string failure;
    bool retryable = false;
    std::optional<std::chrono::milliseconds> retry_after;
    if (!response.ok()) {
      failure = std::string(response.status().message());
      retryable = response.status().code() == absl::StatusCode::kUnavailable ||
                  response.status().code() == absl::StatusCode::kDeadlineExceeded;
    } else if (response->status / 100 == 2) {
      return ParseReply(response->body, count);
    } else {
      failure = Cat("HTTP ", response->status, ": ", Excerpt(response->body, kQuoteBytes));
      const int code = response->status;
      retryable = code == 408 || code == 429 || code >= 500;
      retry_after = response->RetryAfter();
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          Cat(name, "deadline passed in attempt ", attempt, ": ", failure));
    }
    if (!retryable || attempt >= max_attempts_) {
      return absl::InternalError(
          Cat(name, failure, " (attempt ", attempt, " of ", max_attempts_, ")"));
    }
    const absl::Duration wait = retry_after ? absl::FromChrono(*retry_after) : Backoff(attempt);
    if (absl::Now() + wait >= deadline) {
      return absl::DeadlineExceededError(
          Cat(name, failure, "; the retry ", retry_after ? "(Retry-After) " : "", "in ",
              absl::FormatDuration(wait), " would pass the deadline (attempt ", attempt, " of ",
              max_attempts_, ")"));
    }
    absl::SleepFor(wait);
  }
}

absl::StatusOr<EmbeddingReply> EmbeddingClient::ParseReply(const std::string& body,
                                                           size_t count) const {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string_view why) {
    return absl::InternalError(Cat("embeddings '", endpoint_.name(),
                                   "': not an embeddings list (", why,
                                   "): ", Excerpt(body, kQuoteBytes)));
  };
  if (!parsed.is_object()) return bad("not a JSON object");
  const auto data = parsed.find("data");
  if (data == parsed.end() || !data->is_array() || data->size() != count) {
    return bad(Cat("want ", count, " entries in data"));
  }
  EmbeddingReply reply;
  reply.vectors.resize(count);
  size_t dim = 0;
  for (size_t i = 0; i < count; ++i) {
    const json& item = (*data)[i];
    if (!item.is_object()) return bad("an entry is not an object");
    size_t index = i;
    if (auto it = item.find("index"); it != item.end() && it->is_number_unsigned()) {
      index = it->get<size_t>();
    }
    const auto vec = item.find("embedding");
    if (index >= count || !reply.vectors[index].empty() || vec == item.end() ||
        !vec->is_array() || vec->empty()) {
      return bad("an entry has a bad index or no embedding array");
    }
    if (dim == 0) dim = vec->size();
    if (vec->size() != dim) return bad("vectors of different dimensions");
    std::vector<float>& out = reply.vectors[index];
    out.reserve(dim);
    for (const json& x : *vec) {
      if (!x.is_number()) return bad("a component is not a number");
      out.push_back(x.get<float>());
    }
  }
  if (auto usage = parsed.find("usage"); usage != parsed.end() && usage->is_object()) {
    const json& tokens = usage->value("prompt_tokens", json(0));
    if (tokens.is_number_integer()) reply.input_tokens = tokens.get<int64_t>();
  }
  reply.cost_usd =
      static_cast<double>(reply.input_tokens) * endpoint_.usd_per_million_input_tokens() / 1e6;
  return reply;
}

}  // namespace llmtap::collector
