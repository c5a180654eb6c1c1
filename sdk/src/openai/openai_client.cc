// OpenAIClientImpl: Chat() over an HttpClient, recording each call; shadow calls on a
// BoundedExecutor.
#include <atomic>
#include <chrono>

#include "bounded_executor.h"
#include "llmtap/openai.h"
#include "llmtap/sample.h"
#include "openai/chat_protocol.h"
#include "openai/openai_client_internal.h"
#include "openai/sse_parser.h"
#include "sdk/src/http/http_client.h"

namespace llmtap {
namespace internal {
namespace {

double MsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 400: case 404: case 413: case 422: return StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 408: return StatusCode::kDeadlineExceeded;
    case 429: return StatusCode::kResourceExhausted;
    default: return status >= 500 ? StatusCode::kUnavailable : StatusCode::kUnknown;
  }
}

StatusCode CodeForTransport(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kDeadlineExceeded: return StatusCode::kDeadlineExceeded;
    case absl::StatusCode::kCancelled: return StatusCode::kCancelled;
    case absl::StatusCode::kInvalidArgument: return StatusCode::kInvalidArgument;
    default: return StatusCode::kUnavailable;
  }
}

// Where one call goes.
struct Endpoint {
  std::string url;  // .../chat/completions
  std::string api_key;
};

class OpenAIClientImpl final : public OpenAIClient {
 public:
  OpenAIClientImpl(OpenAIOptions options, Client* recorder, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)),
        recorder_(recorder),
        http_(std::move(http)),
        production_{ChatUrl(options_.base_url), options_.api_key},
        shadow_{ChatUrl(options_.shadow.base_url.empty() ? options_.base_url
                                                         : options_.shadow.base_url),
                options_.shadow.api_key.empty() ? options_.api_key : options_.shadow.api_key},
        shadow_on_(!options_.shadow.model.empty() && options_.shadow.fraction > 0) {
    if (shadow_on_) {
      pool_ = std::make_unique<BoundedExecutor>(options_.shadow.threads, options_.shadow.max_queue);
    }
  }

  ~OpenAIClientImpl() override {
    cancel_.store(true);
    if (pool_) shadow_dropped_ += pool_->Shutdown();
  }

  Status Chat(const ChatRequest& request, ChatResponse* response) override {
    *response = ChatResponse{};
    calls_.fetch_add(1, std::memory_order_relaxed);
    const std::string prompt = RenderMessages(request.messages);
    if (shadow_on_ && ShadowFraction(prompt) < options_.shadow.fraction) {
      response->pair_id = NewSampleId();
      StartShadow(request, prompt, response->pair_id);
    }
    const Status status = Call(request, request.model, production_, request.on_delta, response);
    if (!status.ok()) errors_.fetch_add(1, std::memory_order_relaxed);
    response->sample_id = RecordCall(request, prompt, request.model, *response, status,
                                     response->pair_id.empty() ? "" : "production",
                                     response->pair_id);
    return status;
  }

  OpenAIStats Stats() const override {
    OpenAIStats s;
    s.calls = calls_.load();
    s.errors = errors_.load();
    s.shadow_started = shadow_started_.load();
    s.shadow_completed = shadow_completed_.load();
    s.shadow_failed = shadow_failed_.load();
    s.shadow_dropped = shadow_dropped_.load();
    return s;
  }

 private:
  static std::string ChatUrl(std::string base) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/chat/completions";
  }

  void StartShadow(const ChatRequest& request, const std::string& prompt,
                   const std::string& pair_id) {
    // The copy is the only shadow work on the caller's thread. The caller's callback stays
    // with the caller.
    auto copy = std::make_shared<ChatRequest>(request);
    copy->on_delta = nullptr;
    auto task = [this, copy, prompt, pair_id] {
      ChatResponse response;
      const Status status = Call(*copy, options_.shadow.model, shadow_, nullptr, &response);
      if (status.code() == StatusCode::kCancelled && cancel_.load()) {
        shadow_dropped_.fetch_add(1);  // Cut short by shutdown; nothing to compare.
        return;
      }
      if (!status.ok()) shadow_failed_.fetch_add(1);
      RecordCall(*copy, prompt, options_.shadow.model, response, status, "shadow", pair_id);
      shadow_completed_.fetch_add(1);
    };
    if (pool_->TrySubmit(std::move(task))) {
      shadow_started_.fetch_add(1, std::memory_order_relaxed);
    } else {
      shadow_dropped_.fetch_add(1, std::memory_order_relaxed);
    }
  }

  // One HTTP exchange. Fills `response` with whatever is known, also on failure.
  Status Call(const ChatRequest& request, const std::string& model, const Endpoint& endpoint,
              const std::function<void(std::string_view)>& on_delta, ChatResponse* response) {
    if (model.empty()) return Status(StatusCode::kInvalidArgument, "model is empty");
    if (request.messages.empty()) return Status(StatusCode::kInvalidArgument, "no messages");
    HttpRequest http;
    http.method = "POST";
    http.url = endpoint.url;
    http.timeout = options_.timeout;
    http.connect_timeout = options_.connect_timeout;
    http.cancel = &cancel_;
    if (Status s = BuildChatBody(request, model, options_.stream_usage, &http.body); !s.ok()) {
      return s;
    }
    http.headers.emplace_back("Content-Type", "application/json");
    http.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
    if (!endpoint.api_key.empty()) {
      http.headers.emplace_back("Authorization", "Bearer " + endpoint.api_key);
    }
    for (const auto& h : options_.headers) http.headers.push_back(h);

    const auto start = std::chrono::steady_clock::now();
    Status stream_status;
    bool done = false;
    SseParser sse([&](std::string_view data) {
      if (done || !stream_status.ok()) return;
      if (data == "[DONE]") {
        done = true;
        return;
      }
      StreamChunk chunk;
      if (Status s = ParseStreamChunk(data, response, &chunk); !s.ok()) {
        stream_status = s;
        return;
      }
      if (!chunk.error.empty()) {
        stream_status = Status(StatusCode::kUnavailable, "stream error: " + chunk.error);
        return;
      }
      if (!chunk.delta.empty()) {
        if (response->time_to_first_token_ms == 0) {
          response->time_to_first_token_ms = std::max(MsSince(start), 1e-3);
        }
        response->content += chunk.delta;
        if (on_delta) on_delta(chunk.delta);
      }
    });
    if (request.stream) {
      http.on_body = [&](std::string_view bytes) {
        sse.Feed(bytes);
        return stream_status.ok();
      };
    }
    absl::StatusOr<HttpResponse> answer = http_->Send(http);
    if (request.stream) sse.Finish();
    response->latency_ms = MsSince(start);

    if (!answer.ok()) {
      if (!stream_status.ok()) return stream_status;
      const StatusCode code = CodeForTransport(answer.status().code());
      return Status(code, code == StatusCode::kDeadlineExceeded
                              ? "timed out after " + std::to_string(options_.timeout.count()) +
                                    " ms: " + std::string(answer.status().message())
                              : std::string(answer.status().message()));
    }
    response->http_status = answer->status;
    response->retry_after = answer->RetryAfter();
    if (answer->status < 200 || answer->status >= 300) {
      return Status(CodeForHttpStatus(answer->status),
                    "HTTP " + std::to_string(answer->status) + ": " + ErrorMessage(answer->body));
    }
    if (!request.stream) return ParseChatCompletion(answer->body, response);
    if (!stream_status.ok()) return stream_status;
    return Status::Ok();
  }

  // Records one call; returns the sample id, or "" when there is no recorder.
  std::string RecordCall(const ChatRequest& request, const std::string& prompt,
                         const std::string& model, const ChatResponse& response,
                         const Status& status, const char* variant, const std::string& pair_id) {
    if (recorder_ == nullptr) return "";
    Sample s;
    s.id = NewSampleId();
    s.session_id = request.session_id;
    s.model = response.model.empty() ? model : response.model;
    s.prompt_version = request.prompt_version;
    s.variant = variant;
    s.pair_id = pair_id;
    s.prompt = prompt;
    s.response = response.content;
    s.contexts = request.contexts;
    s.reference = request.reference;
    s.start_time = std::chrono::system_clock::now() -
                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                       std::chrono::duration<double, std::milli>(response.latency_ms));
    s.latency_ms = response.latency_ms;
    s.time_to_first_token_ms = response.time_to_first_token_ms;
    s.input_tokens = response.input_tokens;
    s.output_tokens = response.output_tokens;
    s.ok = status.ok();
    if (!status.ok()) s.error = status.message();
    s.metadata = request.metadata;
    if (!status.ok() && response.http_status != 0) {
      s.metadata["llmtap.http_status"] = std::to_string(response.http_status);
    }
    std::string id = s.id;
    recorder_->Record(std::move(s));
    return id;
  }

  // Immutable after construction.
  const OpenAIOptions options_;
  Client* const recorder_;
  const std::unique_ptr<HttpClient> http_;
  const Endpoint production_;
  const Endpoint shadow_;
  const bool shadow_on_;

  std::atomic<bool> cancel_{false};
  std::atomic<uint64_t> calls_{0}, errors_{0};
  std::atomic<uint64_t> shadow_started_{0}, shadow_completed_{0}, shadow_failed_{0},
      shadow_dropped_{0};
  // Last member: destroyed (and its threads joined) first.
  std::unique_ptr<BoundedExecutor> pool_;
};

}  // namespace

Status CreateOpenAIClient(const OpenAIOptions& options, Client* recorder,
                          std::unique_ptr<HttpClient> http,
                          std::unique_ptr<OpenAIClient>* client) {
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0) {
    return Status(StatusCode::kInvalidArgument,
                  "base_url must start with http:// or https://: '" + options.base_url + "'");
  }
  if (!options.shadow.base_url.empty() && options.shadow.base_url.rfind("http://", 0) != 0 &&
      options.shadow.base_url.rfind("https://", 0) != 0) {
    return Status(StatusCode::kInvalidArgument,
                  "shadow.base_url must start with http:// or https://");
  }
  if (!(options.shadow.fraction >= 0 && options.shadow.fraction <= 1)) {
    return Status(StatusCode::kInvalidArgument, "shadow.fraction must be in [0, 1]");
  }
  if (options.timeout.count() <= 0) {
    return Status(StatusCode::kInvalidArgument, "timeout must be > 0");
  }
  *client = std::make_unique<OpenAIClientImpl>(options, recorder, std::move(http));
  return Status::Ok();
}

}  // namespace internal

Status OpenAIClient::Create(const OpenAIOptions& options, Client* recorder,
                            std::unique_ptr<OpenAIClient>* client) {
  return internal::CreateOpenAIClient(options, recorder, internal::NewCurlHttpClient(), client);
}

std::string RenderMessages(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const auto& m : messages) {
    if (!out.empty()) out.push_back('\n');
    out += m.role;
    out += ": ";
    out += m.content;
  }
  return out;
}

double ShadowFraction(std::string_view prompt) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis.
  for (unsigned char c : prompt) {
    h ^= c;
    h *= 1099511628211ull;  // FNV-1a 64 prime.
  }
  // FNV-1a alone leaves similar prompts ("question 1", "question 2") clustered; the
  // MurmurHash3 finalizer spreads them evenly.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

}  // namespace llmtap
