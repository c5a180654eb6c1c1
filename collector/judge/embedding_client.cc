#include "collector/judge/embedding_client.h"

#include <cstdlib>
#include <map>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
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

// What the scheduler's own validation does not name in embeddings terms.
absl::Status Validate(const v1::EmbeddingEndpoint& e) {
  if (e.name().empty()) return FieldError(e, "name", "must be set");
  const std::string& url = e.base_url();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return FieldError(e, "base_url", Cat("want http(s)://host[:port]/v1, got '", url, "'"));
  }
  if (e.model().empty()) return FieldError(e, "model", "must be set");
  if (e.usd_per_million_input_tokens() < 0) {
    return FieldError(e, "usd_per_million_input_tokens", "must be >= 0");
  }
  if (e.max_usd_per_hour() > 0 && e.usd_per_million_input_tokens() == 0) {
    return FieldError(e, "max_usd_per_hour",
                      "a spend cap needs usd_per_million_input_tokens, or it never trips");
  }
  absl::Status s = EndpointScheduler::Validate(EmbeddingClient::AsSchedulerEndpoint(e));
  if (!s.ok()) return absl::InvalidArgumentError(std::string(s.message()));
  return absl::OkStatus();
}

absl::StatusOr<EmbeddingReply> ParseReply(const EndpointScheduler& scheduler,
                                          const std::string& body, size_t count) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string_view why) {
    return absl::InternalError(Cat("embeddings '", scheduler.endpoint().name(),
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
  reply.cost_usd = scheduler.Cost(reply.input_tokens, 0);
  return reply;
}

}  // namespace

v1::JudgeEndpoint EmbeddingClient::AsSchedulerEndpoint(const v1::EmbeddingEndpoint& e) {
  v1::JudgeEndpoint j;
  j.set_name(e.name());
  j.set_base_url(e.base_url());
  j.set_model(e.model());
  j.set_api_key_env(e.api_key_env());
  if (e.has_max_concurrency()) j.set_max_concurrency(e.max_concurrency());
  j.set_max_usd_per_hour(e.max_usd_per_hour());
  j.set_usd_per_million_input_tokens(e.usd_per_million_input_tokens());
  if (e.has_max_attempts()) j.set_max_attempts(e.max_attempts());
  if (e.has_timeout_ms()) j.set_timeout_ms(e.timeout_ms());
  if (e.has_circuit_failures()) j.set_circuit_failures(e.circuit_failures());
  if (e.has_circuit_open_s()) j.set_circuit_open_s(e.circuit_open_s());
  return j;
}

absl::StatusOr<std::unique_ptr<EmbeddingClient>> EmbeddingClient::Create(
    const v1::EmbeddingEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http) {
  if (absl::Status s = Validate(endpoint); !s.ok()) return s;
  auto scheduler = EndpointScheduler::Create(AsSchedulerEndpoint(endpoint), std::move(http));
  if (!scheduler.ok()) return scheduler.status();
  return std::unique_ptr<EmbeddingClient>(new EmbeddingClient(
      endpoint, std::shared_ptr<EndpointScheduler>(std::move(*scheduler))));
}

absl::StatusOr<std::shared_ptr<EmbeddingClient>> EmbeddingClient::Shared(
    const v1::EmbeddingEndpoint& endpoint) {
  static absl::Mutex registry_mu(absl::kConstInit);
  static auto* registry = new std::map<std::string, std::weak_ptr<EmbeddingClient>>();
  if (absl::Status s = Validate(endpoint); !s.ok()) return s;
  const std::string key = endpoint.SerializeAsString();
  absl::MutexLock lock(&registry_mu);
  std::erase_if(*registry, [](const auto& entry) { return entry.second.expired(); });
  if (std::shared_ptr<EmbeddingClient> client = (*registry)[key].lock()) return client;
  auto scheduler = EndpointScheduler::Shared(AsSchedulerEndpoint(endpoint));
  if (!scheduler.ok()) return scheduler.status();
  std::shared_ptr<EmbeddingClient> client(new EmbeddingClient(endpoint, std::move(*scheduler)));
  (*registry)[key] = client;
  return client;
}

void EmbeddingClient::Submit(std::vector<std::string> texts, absl::Time deadline, Done done) {
  if (texts.empty() || texts.size() > kMaxInputs) {
    done(absl::InvalidArgumentError(Cat("embeddings '", endpoint_.name(), "': 1 to ",
                                        kMaxInputs, " texts per call, got ", texts.size())));
    return;
  }
  const size_t count = texts.size();
  // Built once; samples may hold invalid UTF-8, replaced rather than failing the call.
  auto body = std::make_shared<const std::string>(
      json({{"model", endpoint_.model()}, {"input", std::move(texts)},
            {"encoding_format", "float"}})
          .dump(-1, ' ', false, json::error_handler_t::replace));
  EndpointScheduler::Call call;
  call.path = "/embeddings";
  call.deadline = deadline;
  call.body = [body] { return *body; };
  EndpointScheduler* const scheduler = scheduler_.get();
  scheduler_->Submit(std::move(call), [scheduler, count, done = std::move(done)](
                                          absl::StatusOr<internal::HttpResponse> response) {
    if (!response.ok()) {
      done(response.status());
      return;
    }
    absl::StatusOr<EmbeddingReply> reply = ParseReply(*scheduler, response->body, count);
    if (reply.ok()) {
      scheduler->AddSpend(reply->cost_usd);
    } else {
      scheduler->ReportUnusableAnswer();
    }
    done(std::move(reply));
  });
}

absl::StatusOr<EmbeddingReply> EmbeddingClient::Embed(const std::vector<std::string>& texts,
                                                      absl::Time deadline) {
  absl::Notification finished;
  absl::StatusOr<EmbeddingReply> out;
  Submit(texts, deadline, [&](absl::StatusOr<EmbeddingReply> reply) {
    out = std::move(reply);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

}  // namespace llmtap::collector
