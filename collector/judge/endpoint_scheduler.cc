#include "collector/judge/endpoint_scheduler.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {
namespace {

// How much of an unexpected answer an error message quotes.
constexpr size_t kQuoteBytes = 300;

absl::Status FieldError(const v1::JudgeEndpoint& e, std::string_view field,
                        std::string_view why) {
  return absl::InvalidArgumentError(Cat("judges '", e.name(), "': ", field, ": ", why));
}

std::string TrimmedBase(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

// 500 ms, 1 s, 2 s, ... for attempts 1, 2, 3, ..., times a random factor in [0.5, 1.5).
absl::Duration Backoff(uint32_t attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return EndpointScheduler::kBaseBackoff * (1 << std::min<uint32_t>(attempt - 1, 16)) *
         jitter(rng);
}

std::chrono::milliseconds ToChronoMs(absl::Duration d) {
  return std::chrono::milliseconds(std::max<int64_t>(1, absl::ToInt64Milliseconds(d)));
}

// Schedulers by endpoint configuration, alive while some caller holds them.
absl::Mutex registry_mu(absl::kConstInit);
std::map<std::string, std::weak_ptr<EndpointScheduler>>& Registry() {
  static auto* registry = new std::map<std::string, std::weak_ptr<EndpointScheduler>>();
  return *registry;
}

}  // namespace

struct EndpointScheduler::Pending {
  Call call;
  Done done;
  uint32_t attempt = 1;
};

absl::Status EndpointScheduler::Validate(const v1::JudgeEndpoint& e) {
  const std::string& url = e.base_url();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return FieldError(e, "base_url", Cat("want http(s)://host[:port]/v1, got '", url, "'"));
  }
  if (e.model().empty()) return FieldError(e, "model", "must be set");
  if (!e.api_key_env().empty()) {
    const char* key = std::getenv(e.api_key_env().c_str());
    if (key == nullptr || *key == '\0') {
      return FieldError(e, "api_key_env",
                        Cat("environment variable ", e.api_key_env(), " is not set"));
    }
  }
  if (e.has_max_concurrency() && e.max_concurrency() == 0) {
    return FieldError(e, "max_concurrency", "must be >= 1");
  }
  if (e.has_max_attempts() && e.max_attempts() == 0) {
    return FieldError(e, "max_attempts", "must be >= 1");
  }
  if (e.has_timeout_ms() && e.timeout_ms() == 0) return FieldError(e, "timeout_ms", "must be >= 1");
  if (e.has_circuit_failures() && e.circuit_failures() == 0) {
    return FieldError(e, "circuit_failures", "must be >= 1");
  }
  if (e.max_usd_per_hour() < 0) return FieldError(e, "max_usd_per_hour", "must be >= 0");
  if (e.usd_per_million_input_tokens() < 0 || e.usd_per_million_output_tokens() < 0) {
    return FieldError(e, "usd_per_million_input_tokens", "prices must be >= 0");
  }
  if (e.max_usd_per_hour() > 0 && e.usd_per_million_input_tokens() == 0 &&
      e.usd_per_million_output_tokens() == 0) {
    return FieldError(e, "max_usd_per_hour",
                      "a spend cap needs usd_per_million_input_tokens or "
                      "usd_per_million_output_tokens, or it never trips");
  }
  return absl::OkStatus();
}

EndpointScheduler::EndpointScheduler(const v1::JudgeEndpoint& endpoint,
                                     std::unique_ptr<AsyncHttpClient> http)
    : endpoint_(endpoint),
      base_url_(TrimmedBase(endpoint.base_url())),
      api_key_(endpoint.api_key_env().empty() ? ""
                                              : std::getenv(endpoint.api_key_env().c_str())),
      max_in_flight_(endpoint.has_max_concurrency() ? endpoint.max_concurrency()
                                                    : kDefaultMaxConcurrency),
      max_attempts_(endpoint.has_max_attempts() ? endpoint.max_attempts() : kDefaultMaxAttempts),
      timeout_(absl::Milliseconds(endpoint.has_timeout_ms() ? endpoint.timeout_ms()
                                                            : kDefaultTimeoutMs)),
      http_(std::move(http)),
      breaker_(endpoint.has_circuit_failures() ? endpoint.circuit_failures()
                                               : kDefaultCircuitFailures,
               absl::Seconds(endpoint.has_circuit_open_s() ? endpoint.circuit_open_s()
                                                           : kDefaultCircuitOpenS)),
      spend_(endpoint.max_usd_per_hour()) {}

absl::StatusOr<std::unique_ptr<EndpointScheduler>> EndpointScheduler::Create(
    const v1::JudgeEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http) {
  if (absl::Status s = Validate(endpoint); !s.ok()) return s;
  return std::unique_ptr<EndpointScheduler>(new EndpointScheduler(endpoint, std::move(http)));
}

absl::StatusOr<std::shared_ptr<EndpointScheduler>> EndpointScheduler::Shared(
    const v1::JudgeEndpoint& endpoint) {
  const std::string key = endpoint.SerializeAsString();
  absl::MutexLock lock(&registry_mu);
  std::erase_if(Registry(), [](const auto& entry) { return entry.second.expired(); });
  if (std::shared_ptr<EndpointScheduler> s = Registry()[key].lock()) return s;
  auto created = Create(endpoint, NewCurlMultiHttpClient());
  if (!created.ok()) return created.status();
  std::shared_ptr<EndpointScheduler> s = std::move(*created);
  Registry()[key] = s;
  return s;
}

std::vector<std::shared_ptr<EndpointScheduler>> EndpointScheduler::Live() {
  std::vector<std::shared_ptr<EndpointScheduler>> out;
  absl::MutexLock lock(&registry_mu);
  for (const auto& [key, weak] : Registry()) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

EndpointScheduler::~EndpointScheduler() {
  {
    absl::MutexLock lock(&mu_);
    shutting_down_ = true;
  }
  // Completes the transfers in flight with CANCELLED (through OnAnswer) and drops the timers.
  http_.reset();
  std::vector<std::shared_ptr<Pending>> left;
  {
    absl::MutexLock lock(&mu_);
    left.assign(queue_.begin(), queue_.end());
    left.insert(left.end(), retrying_.begin(), retrying_.end());
    queue_.clear();
    retrying_.clear();
  }
  for (const auto& p : left) p->done(absl::CancelledError("endpoint scheduler shutting down"));
}

uint32_t EndpointScheduler::in_flight() const {
  absl::MutexLock lock(&mu_);
  return in_flight_;
}

size_t EndpointScheduler::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void EndpointScheduler::AddSpend(double usd) { spend_.Add(absl::Now(), usd); }

double EndpointScheduler::Cost(int64_t input_tokens, int64_t output_tokens) const {
  return (static_cast<double>(input_tokens) * endpoint_.usd_per_million_input_tokens() +
          static_cast<double>(output_tokens) * endpoint_.usd_per_million_output_tokens()) /
         1e6;
}

void EndpointScheduler::ReportUnusableAnswer() { breaker_.RecordFailure(absl::Now()); }

void EndpointScheduler::Submit(Call call, Done done) {
  auto p = std::make_shared<Pending>();
  p->call = std::move(call);
  p->done = std::move(done);
  bool waits = false;
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      p.reset();
    } else {
      waits = in_flight_ >= max_in_flight_ || !queue_.empty();
      queue_.push_back(p);
    }
  }
  if (p == nullptr) {
    done(absl::CancelledError("endpoint scheduler shutting down"));
    return;
  }
  if (waits && p->call.deadline != absl::InfiniteFuture()) {
    // Fails the call at its deadline if it is still waiting for a slot then.
    http_->RunAt(p->call.deadline, [this, weak = std::weak_ptr<Pending>(p)] {
      std::shared_ptr<Pending> expired = weak.lock();
      if (expired == nullptr) return;
      {
        absl::MutexLock lock(&mu_);
        auto it = std::find(queue_.begin(), queue_.end(), expired);
        if (it == queue_.end()) return;  // Started meanwhile.
        queue_.erase(it);
      }
      expired->done(absl::DeadlineExceededError(
          Cat("judges '", endpoint_.name(), "': no free slot (max_concurrency ", max_in_flight_,
              ") before the deadline")));
    });
  }
  Pump();
}

absl::StatusOr<internal::HttpResponse> EndpointScheduler::Send(Call call) {
  absl::Notification finished;
  absl::StatusOr<internal::HttpResponse> out;
  Submit(std::move(call), [&](absl::StatusOr<internal::HttpResponse> r) {
    out = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

void EndpointScheduler::Pump() {
  while (true) {
    std::shared_ptr<Pending> p;
    {
      absl::MutexLock lock(&mu_);
      if (shutting_down_ || queue_.empty() || in_flight_ >= max_in_flight_) return;
      p = std::move(queue_.front());
      queue_.pop_front();
      ++in_flight_;
    }
    absl::Status refused;
    if (Begin(p, &refused)) continue;
    {
      absl::MutexLock lock(&mu_);
      --in_flight_;
    }
    p->done(std::move(refused));
  }
}

bool EndpointScheduler::Begin(const std::shared_ptr<Pending>& p, absl::Status* error) {
  const absl::Time now = absl::Now();
  if (now >= p->call.deadline) {
    *error = absl::DeadlineExceededError(
        Cat("judges '", endpoint_.name(), "': deadline passed while waiting for a free slot ",
            "(max_concurrency ", max_in_flight_, ")"));
    return false;
  }
  // The spend cap first: the breaker's Admit may make this call its half-open probe, which
  // must then report.
  if (absl::Status s = spend_.Admit(now); !s.ok()) {
    *error = std::move(s);
    return false;
  }
  if (absl::Status s = breaker_.Admit(now); !s.ok()) {
    *error = std::move(s);
    return false;
  }
  Attempt(p);
  return true;
}

void EndpointScheduler::Attempt(const std::shared_ptr<Pending>& p) {
  const absl::Duration left = p->call.deadline - absl::Now();
  if (left <= absl::ZeroDuration()) {
    breaker_.RecordFailure(absl::Now());
    Finish(p, absl::DeadlineExceededError(Cat("judges '", endpoint_.name(),
                                              "': deadline passed before attempt ", p->attempt)));
    return;
  }
  internal::HttpRequest request;
  request.method = "POST";
  request.url = base_url_ + p->call.path;
  request.headers = {{"Content-Type", "application/json"}};
  if (!api_key_.empty()) request.headers.emplace_back("Authorization", "Bearer " + api_key_);
  request.body = p->call.body();
  request.timeout = ToChronoMs(std::min(timeout_, left));
  request.connect_timeout = std::min(request.timeout, std::chrono::milliseconds(10000));
  http_->Start(std::move(request), [this, p](absl::StatusOr<internal::HttpResponse> r) {
    OnAnswer(p, std::move(r));
  });
}

void EndpointScheduler::OnAnswer(const std::shared_ptr<Pending>& p,
                                 absl::StatusOr<internal::HttpResponse> response) {
  const std::string name = Cat("judges '", endpoint_.name(), "': ");
  std::string failure;
  bool retryable = false;
  std::optional<std::chrono::milliseconds> retry_after;
  if (!response.ok()) {
    if (absl::IsCancelled(response.status())) {
      Finish(p, response.status());
      return;
    }
    failure = std::string(response.status().message());
    retryable = absl::IsUnavailable(response.status()) ||
                absl::IsDeadlineExceeded(response.status());
  } else if (response->status / 100 == 2) {
    breaker_.RecordSuccess();
    Finish(p, std::move(response));
    return;
  } else if (p->call.rejected && p->call.rejected(*response)) {
    Attempt(p);  // Sent again at once, no attempt spent.
    return;
  } else {
    failure = Cat("HTTP ", response->status, ": ", Excerpt(response->body, kQuoteBytes));
    const int code = response->status;
    retryable = code == 408 || code == 429 || code >= 500;
    retry_after = response->RetryAfter();
  }
  const absl::Time now = absl::Now();
  absl::Status error;
  absl::Duration wait;
  if (now >= p->call.deadline) {
    error = absl::DeadlineExceededError(
        Cat(name, "deadline passed in attempt ", p->attempt, ": ", failure));
  } else if (!retryable || p->attempt >= max_attempts_) {
    error = absl::InternalError(
        Cat(name, failure, " (attempt ", p->attempt, " of ", max_attempts_, ")"));
  } else {
    wait = retry_after ? absl::FromChrono(*retry_after) : Backoff(p->attempt);
    if (now + wait >= p->call.deadline) {
      error = absl::DeadlineExceededError(
          Cat(name, failure, "; the retry ", retry_after ? "(Retry-After) " : "", "in ",
              absl::FormatDuration(wait), " would pass the deadline (attempt ", p->attempt,
              " of ", max_attempts_, ")"));
    }
  }
  if (!error.ok()) {
    breaker_.RecordFailure(now);
    Finish(p, std::move(error));
    return;
  }
  ++p->attempt;
  {
    absl::MutexLock lock(&mu_);
    retrying_.insert(p);
  }
  http_->RunAt(now + wait, [this, p] {
    {
      absl::MutexLock lock(&mu_);
      retrying_.erase(p);
    }
    Attempt(p);
  });
}

void EndpointScheduler::Finish(const std::shared_ptr<Pending>& p,
                               absl::StatusOr<internal::HttpResponse> r) {
  {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }
  // The outcome first, so that what the caller records of it (its spend) counts for the
  // calls started next.
  Done done = std::move(p->done);
  done(std::move(r));
  Pump();
}

}  // namespace llmtap::collector
