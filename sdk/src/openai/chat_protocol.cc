#include "openai/chat_protocol.h"

#include <nlohmann/json.hpp>

namespace llmtap::internal {
namespace {

using nlohmann::json;

// Error text kept from a non-JSON error body.
constexpr size_t kMaxRawErrorBytes = 512;

std::string StringOr(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void ReadUsage(const json& j, ChatResponse* response) {
  auto it = j.find("usage");
  if (it == j.end() || !it->is_object()) return;
  auto num = [&](const char* a, const char* b) -> int64_t {
    for (const char* k : {a, b}) {
      auto f = it->find(k);
      if (f != it->end() && f->is_number()) return f->get<int64_t>();
    }
    return 0;
  };
  response->input_tokens = num("prompt_tokens", "input_tokens");
  response->output_tokens = num("completion_tokens", "output_tokens");
}

}  // namespace

Status BuildChatBody(const ChatRequest& request, const std::string& model, bool stream_usage,
                     std::string* body) {
  json j;
  j["model"] = model;
  json messages = json::array();
  for (const auto& m : request.messages) {
    messages.push_back({{"role", m.role}, {"content", m.content}});
  }
  j["messages"] = std::move(messages);
  if (request.temperature) j["temperature"] = *request.temperature;
  if (request.max_tokens) j["max_tokens"] = *request.max_tokens;
  if (!request.response_format.empty()) {
    json format = json::parse(request.response_format, nullptr, /*allow_exceptions=*/false);
    if (!format.is_object()) {
      return Status(StatusCode::kInvalidArgument, "response_format is not a JSON object");
    }
    j["response_format"] = std::move(format);
  }
  if (request.stream) {
    j["stream"] = true;
    if (stream_usage) j["stream_options"] = {{"include_usage", true}};
  }
  // Replace invalid UTF-8 instead of throwing.
  *body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return Status::Ok();
}

Status ParseChatCompletion(std::string_view body, ChatResponse* response) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status(StatusCode::kInternal, "answer is not a JSON object");
  auto choices = j.find("choices");
  if (choices == j.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return Status(StatusCode::kInternal, "answer has no choices");
  }
  const json& choice = (*choices)[0];
  auto message = choice.find("message");
  if (message != choice.end() && message->is_object()) {
    response->content = StringOr(*message, "content");  // null content (tool calls) -> "".
  }
  response->finish_reason = StringOr(choice, "finish_reason");
  response->model = StringOr(j, "model");
  ReadUsage(j, response);
  return Status::Ok();
}

Status ParseStreamChunk(std::string_view data, ChatResponse* response, StreamChunk* chunk) {
  *chunk = StreamChunk{};
  json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status(StatusCode::kInternal, "stream chunk is not a JSON object");
  if (auto e = j.find("error"); e != j.end() && !e->is_null()) {
    chunk->error = ErrorMessage(data);
    return Status::Ok();
  }
  if (std::string model = StringOr(j, "model"); !model.empty()) response->model = model;
  if (auto choices = j.find("choices"); choices != j.end() && choices->is_array()) {
    for (const auto& choice : *choices) {
      if (!choice.is_object()) continue;
      if (auto delta = choice.find("delta"); delta != choice.end() && delta->is_object()) {
        chunk->delta += StringOr(*delta, "content");
      }
      if (std::string reason = StringOr(choice, "finish_reason"); !reason.empty()) {
        response->finish_reason = reason;
      }
      break;  // Only the first choice (n = 1).
    }
  }
  if (auto usage = j.find("usage"); usage != j.end() && usage->is_object()) {
    ReadUsage(j, response);
    chunk->has_usage = true;
  }
  return Status::Ok();
}

std::string ErrorMessage(std::string_view body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto e = j.find("error");
    if (e != j.end()) {
      if (e->is_string()) return e->get<std::string>();
      if (e->is_object()) {
        std::string m = StringOr(*e, "message");
        if (!m.empty()) return m;
      }
    }
    std::string m = StringOr(j, "message");
    if (!m.empty()) return m;
  }
  return std::string(body.substr(0, kMaxRawErrorBytes));
}

}  // namespace llmtap::internal
