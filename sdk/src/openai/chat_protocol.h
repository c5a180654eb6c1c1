// The OpenAI chat completions wire format: request bodies, responses, stream chunks and error
// bodies. Pure functions over JSON text; no I/O.
#ifndef LLMTAP_SDK_SRC_OPENAI_CHAT_PROTOCOL_H_
#define LLMTAP_SDK_SRC_OPENAI_CHAT_PROTOCOL_H_

#include <string>
#include <string_view>

#include "llmtap/openai.h"
#include "llmtap/status.h"

namespace llmtap::internal {

// The JSON body for POST /chat/completions with `model` (which may differ from
// request.model for a shadow call). InvalidArgument when response_format is not a JSON object.
Status BuildChatBody(const ChatRequest& request, const std::string& model, bool stream_usage,
                     std::string* body);

// Fills content, model, finish_reason and tokens from a non-streamed answer. Internal when the
// body does not parse or has no choices.
Status ParseChatCompletion(std::string_view body, ChatResponse* response);

// What one streamed chunk ("data: {...}") carried.
struct StreamChunk {
  std::string delta;          // Text added to the answer.
  std::string error;          // Set when the chunk is an error object.
  bool has_usage = false;     // usage present (the final chunk with include_usage).
};

// Applies one chunk to `response` (model, finish_reason, tokens) and returns what it added.
// Internal when the data is not JSON.
Status ParseStreamChunk(std::string_view data, ChatResponse* response, StreamChunk* chunk);

// The human-readable error in an error body ({"error": {"message": ...}} or {"error": "..."},
// or the start of the raw text).
std::string ErrorMessage(std::string_view body);

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_OPENAI_CHAT_PROTOCOL_H_
