// AsyncHttpClient: HTTP requests that do not block the caller. A request is started and its
// outcome is delivered later to a callback, so one thread keeps any number of requests in
// flight (the scoring engine's judge and embedding calls).
//
//   std::unique_ptr<AsyncHttpClient> http = NewCurlMultiHttpClient();
//   http->Start(request, [](absl::StatusOr<internal::HttpResponse> r) { ... });
//   http->RunAt(absl::Now() + absl::Milliseconds(500), [] { ... });  // A timer (retries).
//
// The libcurl implementation runs one event thread over curl's multi interface; connections
// are kept alive and reused. Every callback (of Start and RunAt) runs on that thread, one at a
// time, and must not block: hand the result to another thread or start the next request.
// Callbacks may call Start and RunAt.
//
// Outcomes passed to a Start callback: the response, whatever its HTTP status; or UNAVAILABLE
// (cannot connect, connection broken), DEADLINE_EXCEEDED (request.timeout passed),
// INVALID_ARGUMENT (malformed URL), CANCELLED (the client is being destroyed).
// HttpRequest.on_body and .cancel are not supported (ignored).
//
// Thread-safe: Start and RunAt may be called from any thread. The destructor stops the thread,
// then calls the callback of every request still in flight with CANCELLED and drops the
// timers that have not fired; it must not run on the event thread.
#ifndef LLMTAP_COLLECTOR_JUDGE_ASYNC_HTTP_CLIENT_H_
#define LLMTAP_COLLECTOR_JUDGE_ASYNC_HTTP_CLIENT_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::collector {

class AsyncHttpClient {
 public:
  using Done = std::function<void(absl::StatusOr<internal::HttpResponse>)>;

  virtual ~AsyncHttpClient() = default;
  // Starts `request`; `done` is called exactly once, on the event thread.
  virtual void Start(internal::HttpRequest request, Done done) = 0;
  // Calls `fn` on the event thread at `when` (at once if it has passed).
  virtual void RunAt(absl::Time when, std::function<void()> fn) = 0;
};

// An AsyncHttpClient over libcurl's multi interface, with its own event thread.
std::unique_ptr<AsyncHttpClient> NewCurlMultiHttpClient();

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_ASYNC_HTTP_CLIENT_H_
