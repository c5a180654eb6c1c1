#include "collector/judge/judge_client.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
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

std::string RequestBody(const v1::JudgeEndpoint& endpoint, const JudgeRequest& request,
                        v1::JudgeEndpoint::ResponseFormat format) {
  ordered_json body = {
      {"model", request.model.empty() ? endpoint.model() : request.model},
      {"messages",
       {{{"role", "system"}, {"content", request.system}},
        {{"role", "user"}, {"content", request.user}}}},
      {"temperature",
       endpoint.has_temperature() ? endpoint.temperature() : JudgeClient::kDefaultTemperature},
      {"seed", endpoint.has_seed() ? endpoint.seed() : JudgeClient::kDefaultSeed},
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

absl::StatusOr<JudgeReply> ParseReply(const EndpointScheduler& scheduler, const std::string& body) {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](std::string_view why) {
    return absl::InternalError(Cat("judge '", scheduler.endpoint().name(),
                                   "': not a chat completion (",
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
  reply.cost_usd = scheduler.Cost(reply.input_tokens, reply.output_tokens);
  return reply;
}

}  // namespace

JudgeClient::JudgeClient(std::shared_ptr<EndpointScheduler> scheduler)
    : scheduler_(std::move(scheduler)),
      format_(std::make_shared<std::atomic<int>>(
          scheduler_->endpoint().response_format() ==
                  v1::JudgeEndpoint::RESPONSE_FORMAT_UNSPECIFIED
              ? v1::JudgeEndpoint::RESPONSE_FORMAT_JSON_SCHEMA
              : scheduler_->endpoint().response_format())) {}

absl::StatusOr<std::unique_ptr<JudgeClient>> JudgeClient::Create(
    const v1::JudgeEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http) {
  auto scheduler = EndpointScheduler::Create(endpoint, std::move(http));
  if (!scheduler.ok()) return scheduler.status();
  return std::unique_ptr<JudgeClient>(
      new JudgeClient(std::shared_ptr<EndpointScheduler>(std::move(*scheduler))));
}

absl::StatusOr<std::shared_ptr<JudgeClient>> JudgeClient::Shared(
    const v1::JudgeEndpoint& endpoint) {
  // Clients by endpoint configuration, alive while some rubric uses them.
  static absl::Mutex registry_mu(absl::kConstInit);
  static auto* registry = new std::map<std::string, std::weak_ptr<JudgeClient>>();
  const std::string key = endpoint.SerializeAsString();
  absl::MutexLock lock(&registry_mu);
  std::erase_if(*registry, [](const auto& entry) { return entry.second.expired(); });
  if (std::shared_ptr<JudgeClient> client = (*registry)[key].lock()) return client;
  auto scheduler = EndpointScheduler::Shared(endpoint);
  if (!scheduler.ok()) return scheduler.status();
  std::shared_ptr<JudgeClient> client(new JudgeClient(std::move(*scheduler)));
  (*registry)[key] = client;
  return client;
}

void JudgeClient::Submit(const JudgeRequest& request, absl::Time deadline, Done done) {
  // The format this call asks for; weakened (here and for later calls) when the endpoint
  // rejects it with HTTP 400 naming response_format.
  auto format = std::make_shared<std::atomic<int>>(format_->load());
  EndpointScheduler::Call call;
  call.path = "/chat/completions";
  call.deadline = deadline;
  // The closures may run after this client is gone (the scheduler is shared): they hold what
  // they use.
  EndpointScheduler* const scheduler = scheduler_.get();
  call.body = [scheduler, request, format] {
    return RequestBody(scheduler->endpoint(), request,
                       static_cast<v1::JudgeEndpoint::ResponseFormat>(format->load()));
  };
  call.rejected = [scheduler, format, shared_format = format_](
                      const internal::HttpResponse& response) {
    const auto current = static_cast<v1::JudgeEndpoint::ResponseFormat>(format->load());
    if (response.status != 400 || current == v1::JudgeEndpoint::RESPONSE_FORMAT_NONE ||
        response.body.find("response_format") == std::string::npos) {
      return false;
    }
    const v1::JudgeEndpoint::ResponseFormat weaker = Weaker(current);
    spdlog::warn("judge '{}': endpoint rejected response_format {}; trying {}",
                 scheduler->endpoint().name(),
                 v1::JudgeEndpoint::ResponseFormat_Name(current),
                 v1::JudgeEndpoint::ResponseFormat_Name(weaker));
    format->store(weaker);
    int shared = shared_format->load();
    while (shared < weaker && !shared_format->compare_exchange_weak(shared, weaker)) {
    }
    return true;
  };
  // A 2xx answer comes from the scheduler's event thread, so the scheduler is alive then.
  scheduler_->Submit(std::move(call), [scheduler, done = std::move(done)](
                                          absl::StatusOr<internal::HttpResponse> response) {
    if (!response.ok()) {
      done(response.status());
      return;
    }
    absl::StatusOr<JudgeReply> reply = ParseReply(*scheduler, response->body);
    if (reply.ok()) {
      scheduler->AddSpend(reply->cost_usd);
    } else {
      scheduler->ReportUnusableAnswer();
    }
    done(std::move(reply));
  });
}

absl::StatusOr<JudgeReply> JudgeClient::Complete(const JudgeRequest& request,
                                                 absl::Time deadline) {
  absl::Notification finished;
  absl::StatusOr<JudgeReply> out;
  Submit(request, deadline, [&](absl::StatusOr<JudgeReply> reply) {
    out = std::move(reply);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

}  // namespace llmtap::collector
