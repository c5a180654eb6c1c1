// Trace and Traced: one-line instrumentation of an LLM call.
//
// A Trace is a scope: it starts the clock when made and records the sample when it ends,
// with the latency it measured itself.
//
//   {
//     llmtap::Trace trace(client.get(), {.model = "gpt-4o-mini", .prompt = prompt});
//     for (auto& piece : stream) {
//       trace.MarkFirstToken();        // the first call fixes time_to_first_token_ms
//       answer += piece;
//     }
//     trace.SetResponse(answer);
//     trace.SetTokens(in_tokens, out_tokens);
//   }                                   // recorded here; an escaping exception records an error
//
// Traced wraps any callable and returns what it returns; a string result becomes the response:
//
//   std::string answer = llmtap::Traced(client.get(), {.model = "m", .prompt = p},
//                                       [&] { return CallMyModel(p); });
//
// Thread safety: a Trace belongs to one thread at a time. The Client it records to must
// outlive it. Nothing here throws (exceptions from the wrapped callable pass through Traced).
#ifndef LLMTAP_TRACE_H_
#define LLMTAP_TRACE_H_

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "llmtap/client.h"
#include "llmtap/sample.h"

namespace llmtap {

class Trace {
 public:
  // Starts timing now. `client` may be null: then nothing is recorded. Fields already set in
  // `sample` are kept; latency_ms and time_to_first_token_ms are measured unless set (> 0).
  explicit Trace(Client* client, Sample sample = {});
  // Records the sample unless End() or Cancel() ran. When an exception is unwinding through
  // the scope, the sample is recorded as failed (ok = false; error "exception" unless set).
  ~Trace();

  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // The sample being built; set any field.
  Sample& sample() { return sample_; }

  // Marks the first streamed token. Only the first call counts.
  void MarkFirstToken();
  void SetResponse(std::string response) { sample_.response = std::move(response); }
  void SetModel(std::string model) { sample_.model = std::move(model); }
  void SetTokens(int64_t input_tokens, int64_t output_tokens) {
    sample_.input_tokens = input_tokens;
    sample_.output_tokens = output_tokens;
  }
  // Marks the call as failed.
  void SetError(std::string error) {
    sample_.ok = false;
    sample_.error = std::move(error);
  }
  void SetMetadata(std::string key, std::string value) {
    sample_.metadata[std::move(key)] = std::move(value);
  }

  // Milliseconds since the trace started.
  double ElapsedMs() const;
  // Records now; the destructor then does nothing. Later calls do nothing.
  void End();
  // Records nothing, now or later.
  void Cancel() { done_ = true; }

 private:
  Client* const client_;
  Sample sample_;
  const std::chrono::steady_clock::time_point start_;
  const int uncaught_at_start_;
  bool first_token_marked_ = false;
  bool done_ = false;
};

namespace trace_internal {
template <typename R>
constexpr bool kIsText = std::is_convertible_v<const R&, std::string_view>;
}  // namespace trace_internal

// Calls `fn` inside a Trace built from `sample` and returns its result. `fn` takes no
// arguments, or a Trace& to fill in more (tokens, first token, response). When the result
// converts to std::string_view it becomes the response (unless fn set one). An exception from
// `fn` is recorded as an error (with its what()) and rethrown.
template <typename Fn>
decltype(auto) Traced(Client* client, Sample sample, Fn&& fn) {
  Trace trace(client, std::move(sample));
  auto call = [&]() -> decltype(auto) {
    if constexpr (std::is_invocable_v<Fn&, Trace&>) {
      return std::forward<Fn>(fn)(trace);
    } else {
      return std::forward<Fn>(fn)();
    }
  };
  using Result = decltype(call());
#if defined(__cpp_exceptions)
  try {
#endif
    if constexpr (std::is_void_v<Result>) {
      call();
    } else {
      Result result = call();
      if constexpr (trace_internal::kIsText<std::remove_cvref_t<Result>>) {
        if (trace.sample().response.empty()) {
          trace.SetResponse(std::string(std::string_view(result)));
        }
      }
      return result;
    }
#if defined(__cpp_exceptions)
  } catch (const std::exception& e) {
    trace.SetError(std::string("exception: ") + e.what());
    throw;
  } catch (...) {
    trace.SetError("exception");
    throw;
  }
#endif
}

template <typename Fn>
decltype(auto) Traced(Client& client, Sample sample, Fn&& fn) {
  return Traced(&client, std::move(sample), std::forward<Fn>(fn));
}

}  // namespace llmtap

#endif  // LLMTAP_TRACE_H_
