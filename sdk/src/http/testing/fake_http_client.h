// FakeHttpClient: an in-memory HttpClient for tests. Each Send() goes to a handler the test
// provides; the requests are kept for inspection.
#ifndef LLMTAP_SDK_SRC_HTTP_TESTING_FAKE_HTTP_CLIENT_H_
#define LLMTAP_SDK_SRC_HTTP_TESTING_FAKE_HTTP_CLIENT_H_

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "sdk/src/http/http_client.h"

namespace llmtap::internal {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<absl::StatusOr<HttpResponse>(const HttpRequest&)>;
  explicit FakeHttpClient(Handler handler) : handler_(std::move(handler)) {}

  // Calls the handler. A 2xx body is passed to request.on_body when set, as the real client does.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    absl::StatusOr<HttpResponse> response = handler_(request);
    if (response.ok() && request.on_body && response->status / 100 == 2) {
      if (!request.on_body(response->body)) return absl::CancelledError("on_body returned false");
      response->body.clear();
    }
    return response;
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  const Handler handler_;
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_HTTP_TESTING_FAKE_HTTP_CLIENT_H_
