// HttpClient: the seam between code that calls HTTP APIs (the SDK's OpenAI client, the
// collector's LLM judge) and the network. One request in, one response out; a streaming body
// callback for Server-Sent Events.
//
//   std::unique_ptr<HttpClient> http = NewCurlHttpClient();
//   HttpRequest request;
//   request.url = "http://127.0.0.1:8000/v1/chat/completions";
//   request.headers = {{"Content-Type", "application/json"}};
//   request.body = R"({"model": "m", "messages": []})";
//   absl::StatusOr<HttpResponse> response = http->Send(request);
//
// Thread safety: Send() may be called from many threads at once.
#ifndef LLMTAP_SDK_SRC_HTTP_HTTP_CLIENT_H_
#define LLMTAP_SDK_SRC_HTTP_HTTP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace llmtap::internal {

struct HttpRequest {
  // Default: "POST" when body is not empty, else "GET".
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Limit on the whole exchange, body included. Default: 60 s.
  std::chrono::milliseconds timeout{60000};
  // Limit on making the connection. Default: 10 s.
  std::chrono::milliseconds connect_timeout{10000};
  // When set, each piece of a 2xx response body is passed here as it arrives instead of being
  // kept in HttpResponse::body. Returning false aborts the transfer (Send returns Cancelled).
  // Runs on the thread that called Send().
  std::function<bool(std::string_view)> on_body;
  // When not null and it becomes true, the transfer stops soon after (Cancelled): curl checks
  // it many times a second while data flows and at least once a second when idle. Must
  // outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  int status = 0;
  // In arrival order; names as the server sent them.
  std::vector<std::pair<std::string, std::string>> headers;
  // The body, unless a 2xx body went to HttpRequest::on_body.
  std::string body;

  // The first header called `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
  // Retry-After as a wait from now (delta-seconds or an HTTP date), or nullopt when absent
  // or malformed. Never negative.
  std::optional<std::chrono::milliseconds> RetryAfter() const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `request` and returns the response, whatever its HTTP status. Errors: Unavailable
  // (cannot connect, connection broken), DeadlineExceeded (timeout), Cancelled (on_body
  // returned false or *cancel became true), InvalidArgument (malformed URL).
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// An HttpClient over libcurl. Connections are kept alive and reused between calls.
std::unique_ptr<HttpClient> NewCurlHttpClient();

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_HTTP_HTTP_CLIENT_H_
