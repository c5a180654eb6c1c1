// OpenAIClient: an instrumented OpenAI-compatible chat client. Each Chat() call is an HTTP
// POST to {base_url}/chat/completions (plain or streamed with Server-Sent Events) and is
// recorded to an llmtap::Client as one Sample: the messages rendered as the prompt, the answer,
// model, token usage, latency, time to first token and, for failures (HTTP 429, 500, timeouts,
// ...), an error. Works with OpenAI, Groq, vLLM, Ollama and llama.cpp servers.
//
//   llmtap::OpenAIOptions options;
//   options.base_url = "http://127.0.0.1:11434/v1";
//   options.api_key = std::getenv("OPENAI_API_KEY");
//   std::unique_ptr<llmtap::OpenAIClient> llm;
//   if (auto s = llmtap::OpenAIClient::Create(options, client.get(), &llm); !s.ok()) { ... }
//   llmtap::ChatRequest request;
//   request.model = "llama3.1";
//   request.messages = {{"system", "Be brief."}, {"user", "What is 2+2?"}};
//   llmtap::ChatResponse response;
//   llmtap::Status s = llm->Chat(request, &response);   // response.content == "4"
//
// Shadow traffic: with ShadowOptions set, a deterministic share of prompts (by a hash of the
// rendered prompt) is also sent to a candidate model on a small background pool, never on the
// caller's thread. Both calls are recorded, variants "production" and "shadow", with a shared
// pair_id. When the pool is busy the shadow call is dropped and counted.
//
// Thread safety: Chat() may be called from many threads at once.
#ifndef LLMTAP_OPENAI_H_
#define LLMTAP_OPENAI_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llmtap/client.h"
#include "llmtap/status.h"

namespace llmtap {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant", ...
  std::string content;
};

struct ChatRequest {
  // Required.
  std::string model;
  // Required: at least one message.
  std::vector<ChatMessage> messages;
  // Sent only when set.
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;
  // A JSON object sent as "response_format", e.g. R"({"type": "json_object"})". Default: none.
  // Invalid JSON makes Chat() return InvalidArgument without calling the server.
  std::string response_format;
  // Streams the answer with Server-Sent Events. Default: false.
  bool stream = false;
  // With stream: called with each piece of the answer as it arrives, on the calling thread.
  std::function<void(std::string_view)> on_delta;
  // Copied into the recorded sample.
  std::string session_id;
  std::string prompt_version;
  std::vector<std::string> contexts;
  std::string reference;
  std::map<std::string, std::string> metadata;
};

struct ChatResponse {
  std::string content;
  // The model that answered, as the server names it.
  std::string model;
  std::string finish_reason;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  // 0 when no HTTP response arrived (connection failure, timeout).
  int http_status = 0;
  // From a Retry-After header (429, 503), when one was sent.
  std::optional<std::chrono::milliseconds> retry_after;
  double latency_ms = 0;
  // 0 when not streamed.
  double time_to_first_token_ms = 0;
  // The id of the sample recorded for this call; empty when no client records.
  std::string sample_id;
  // Set when the call was also sent to the shadow model.
  std::string pair_id;
};

struct ShadowOptions {
  // The candidate model. Default: empty, which turns shadow traffic off.
  std::string model;
  // Where the candidate is served. Default: empty, meaning OpenAIOptions::base_url.
  std::string base_url;
  // Default: empty, meaning OpenAIOptions::api_key.
  std::string api_key;
  // Share of prompts, in [0, 1], also sent to the candidate. The choice is a hash of the
  // rendered prompt, so the same prompt is always routed the same way. Default: 0.
  double fraction = 0;
  // Threads running shadow calls. Default: 2.
  size_t threads = 2;
  // Shadow calls waiting for a thread; beyond it they are dropped and counted. Default: 64.
  size_t max_queue = 64;
};

struct OpenAIOptions {
  // The API root, e.g. "https://api.openai.com/v1", "http://localhost:8000/v1" (vLLM),
  // "http://localhost:11434/v1" (Ollama). Default: "https://api.openai.com/v1".
  std::string base_url = "https://api.openai.com/v1";
  // Sent as "Authorization: Bearer <key>" when not empty. Default: empty.
  std::string api_key;
  // Extra request headers, e.g. {"OpenAI-Organization", "org-..."}. Default: none.
  std::vector<std::pair<std::string, std::string>> headers;
  // Limit on a whole call, streamed body included. Default: 60 s.
  std::chrono::milliseconds timeout{60000};
  // Limit on connecting. Default: 10 s.
  std::chrono::milliseconds connect_timeout{10000};
  // Ask streamed calls for token usage ("stream_options": {"include_usage": true}). Turn off
  // for old servers that reject the field. Default: true.
  bool stream_usage = true;
  ShadowOptions shadow;
};

// Cumulative counters since the client was made.
struct OpenAIStats {
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t shadow_started = 0;    // Shadow calls handed to the pool.
  uint64_t shadow_completed = 0;  // Finished (ok or not) and recorded.
  uint64_t shadow_failed = 0;     // Finished with an error.
  uint64_t shadow_dropped = 0;    // Not run: the pool was full or shutting down.
};

class OpenAIClient {
 public:
  // `recorder` receives a sample per call (and per shadow call); it may be null (nothing is
  // recorded) and must outlive the OpenAIClient. InvalidArgument for a malformed base_url or
  // a shadow fraction outside [0, 1].
  static Status Create(const OpenAIOptions& options, Client* recorder,
                       std::unique_ptr<OpenAIClient>* client);

  OpenAIClient() = default;
  OpenAIClient(const OpenAIClient&) = delete;
  OpenAIClient& operator=(const OpenAIClient&) = delete;
  // Cancels shadow calls still queued or running (they are counted as dropped or failed) and
  // waits for the pool threads, which stop within about a second.
  virtual ~OpenAIClient() = default;

  // Sends `request` and fills `response`. Ok for an HTTP 2xx answer that parses. Otherwise:
  // InvalidArgument (bad request, HTTP 400/404/422), Unauthenticated (401),
  // PermissionDenied (403), ResourceExhausted (429), Unavailable (5xx, no connection),
  // DeadlineExceeded (timeout), Internal (an answer that does not parse); the message holds
  // the server's error text and `response` what is known (http_status, retry_after).
  // Failures are recorded too, as samples with ok = false.
  virtual Status Chat(const ChatRequest& request, ChatResponse* response) = 0;

  virtual OpenAIStats Stats() const = 0;
};

// The prompt text recorded for `messages`: "role: content" per message, joined by newlines.
std::string RenderMessages(const std::vector<ChatMessage>& messages);

// Where a prompt falls in [0, 1): FNV-1a 64 of the text, mixed by the MurmurHash3 64-bit
// finalizer, scaled; stable across processes and versions. Shadow routing sends a prompt
// when ShadowFraction(prompt) < ShadowOptions::fraction.
double ShadowFraction(std::string_view prompt);

}  // namespace llmtap

#endif  // LLMTAP_OPENAI_H_
