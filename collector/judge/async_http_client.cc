// AsyncHttpClient over libcurl's multi interface: one thread runs curl_multi_poll, starting
// the transfers handed to it, firing due timers and completing finished transfers.
#include "collector/judge/async_http_client.h"

#include <curl/curl.h>

#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

// Idle easy handles kept for reuse (each keeps nothing but options; connections live in the
// multi handle's cache).
constexpr size_t kMaxIdleHandles = 256;
// The event loop wakes at least this often even with nothing to do.
constexpr int kMaxPollMs = 1000;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  CURL* curl = nullptr;
  curl_slist* headers = nullptr;
  internal::HttpRequest request;
  internal::HttpResponse response;
  AsyncHttpClient::Done done;
};

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // A new status line (after 100 Continue or a redirect).
    return len;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  const absl::string_view name(line.data(), colon);
  const absl::string_view value(line.data() + colon + 1, line.size() - colon - 1);
  t->response.headers.emplace_back(std::string(absl::StripAsciiWhitespace(name)),
                                   std::string(absl::StripAsciiWhitespace(value)));
  return len;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->response.body.append(data, size * n);
  return size * n;
}

absl::Status ErrorFor(CURLcode code, const internal::HttpRequest& request) {
  const std::string what = Cat(request.method, " ", request.url, ": ", curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(what);
    default:
      return absl::UnavailableError(what);
  }
}

class CurlMultiHttpClient final : public AsyncHttpClient {
 public:
  CurlMultiHttpClient() {
    GlobalInit();
    multi_ = curl_multi_init();
    thread_ = std::thread([this] { Loop(); });
  }

  ~CurlMultiHttpClient() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    curl_multi_wakeup(multi_);
    thread_.join();
    // What is left: transfers in flight or never started, and timers.
    std::vector<std::unique_ptr<Transfer>> left;
    {
      absl::MutexLock lock(&mu_);
      for (auto& t : incoming_) left.push_back(std::move(t));
      incoming_.clear();
      timers_.clear();
    }
    for (auto& [curl, t] : running_) {
      curl_multi_remove_handle(multi_, curl);
      left.push_back(std::move(t));
    }
    running_.clear();
    for (auto& t : left) {
      Finish(std::move(t), absl::CancelledError("HTTP client shutting down"));
    }
    for (CURL* c : idle_) curl_easy_cleanup(c);
    curl_multi_cleanup(multi_);
  }

  void Start(internal::HttpRequest request, Done done) override {
    auto t = std::make_unique<Transfer>();
    t->request = std::move(request);
    t->done = std::move(done);
    {
      absl::MutexLock lock(&mu_);
      if (!stopping_) {
        incoming_.push_back(std::move(t));
      }
    }
    if (t) {  // Refused: the client is stopping.
      t->done(absl::CancelledError("HTTP client shutting down"));
      return;
    }
    curl_multi_wakeup(multi_);
  }

  void RunAt(absl::Time when, std::function<void()> fn) override {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      timers_.emplace(when, std::move(fn));
    }
    curl_multi_wakeup(multi_);
  }

 private:
  void Loop() {
    while (true) {
      std::vector<std::unique_ptr<Transfer>> starting;
      std::vector<std::function<void()>> due;
      absl::Time next_timer = absl::InfiniteFuture();
      {
        absl::MutexLock lock(&mu_);
        if (stopping_) return;
        starting.swap(incoming_);
        const absl::Time now = absl::Now();
        while (!timers_.empty() && timers_.begin()->first <= now) {
          due.push_back(std::move(timers_.begin()->second));
          timers_.erase(timers_.begin());
        }
        if (!timers_.empty()) next_timer = timers_.begin()->first;
      }
      for (auto& t : starting) Begin(std::move(t));
      for (auto& fn : due) fn();

      int running = 0;
      curl_multi_perform(multi_, &running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* curl = msg->easy_handle;
        const CURLcode code = msg->data.result;
        curl_multi_remove_handle(multi_, curl);
        auto it = running_.find(curl);
        if (it == running_.end()) continue;
        std::unique_ptr<Transfer> t = std::move(it->second);
        running_.erase(it);
        if (code == CURLE_OK) {
          long status = 0;
          curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
          t->response.status = static_cast<int>(status);
          Finish(std::move(t), absl::OkStatus());
        } else {
          const absl::Status error = ErrorFor(code, t->request);
          Finish(std::move(t), error);
        }
      }
      if (!due.empty() || !starting.empty()) continue;  // They may have queued more work.
      long curl_ms = -1;
      curl_multi_timeout(multi_, &curl_ms);
      int wait_ms = kMaxPollMs;
      if (curl_ms >= 0) wait_ms = std::min<long>(wait_ms, curl_ms);
      if (next_timer != absl::InfiniteFuture()) {
        const int64_t timer_ms = absl::ToInt64Milliseconds(next_timer - absl::Now()) + 1;
        wait_ms = static_cast<int>(std::clamp<int64_t>(timer_ms, 0, wait_ms));
      }
      if (wait_ms > 0) curl_multi_poll(multi_, nullptr, 0, wait_ms, nullptr);
    }
  }

  // Sets up a transfer's easy handle and adds it to the multi handle (event thread).
  void Begin(std::unique_ptr<Transfer> t) {
    CURL* curl = nullptr;
    if (!idle_.empty()) {
      curl = idle_.back();
      idle_.pop_back();
    } else {
      curl = curl_easy_init();
    }
    if (curl == nullptr) {
      Finish(std::move(t), absl::InternalError("curl_easy_init failed"));
      return;
    }
    t->curl = curl;
    internal::HttpRequest& r = t->request;
    if (r.method.empty()) r.method = r.body.empty() ? "GET" : "POST";
    for (const auto& [k, v] : r.headers) {
      t->headers = curl_slist_append(t->headers, Cat(k, ": ", v).c_str());
    }
    t->headers = curl_slist_append(t->headers, "Expect:");  // No 100-continue round trip.
    curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    if (r.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POST, 1L);
    } else if (r.method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    }
    if (!r.body.empty() || r.method == "POST") {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    }
    if (curl_multi_add_handle(multi_, curl) != CURLM_OK) {
      Finish(std::move(t), absl::InternalError("curl_multi_add_handle failed"));
      return;
    }
    running_.emplace(curl, std::move(t));
  }

  // Returns the handle for reuse and calls the callback.
  void Finish(std::unique_ptr<Transfer> t, absl::Status status) {
    if (t->curl != nullptr) {
      curl_easy_reset(t->curl);
      if (idle_.size() < kMaxIdleHandles) {
        idle_.push_back(t->curl);
      } else {
        curl_easy_cleanup(t->curl);
      }
      t->curl = nullptr;
    }
    if (t->headers != nullptr) curl_slist_free_all(t->headers);
    Done done = std::move(t->done);
    if (status.ok()) {
      done(std::move(t->response));
    } else {
      done(std::move(status));
    }
  }

  CURLM* multi_ = nullptr;
  std::thread thread_;
  // Event-thread state (and the destructor's, after the join).
  std::map<CURL*, std::unique_ptr<Transfer>> running_;
  std::vector<CURL*> idle_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::unique_ptr<Transfer>> incoming_ ABSL_GUARDED_BY(mu_);
  std::multimap<absl::Time, std::function<void()>> timers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<AsyncHttpClient> NewCurlMultiHttpClient() {
  return std::make_unique<CurlMultiHttpClient>();
}

}  // namespace llmtap::collector
