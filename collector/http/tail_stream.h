// TailStream: GET /api/v1/tail on the HTTP port, the Tail RPC as server-sent events for the
// dashboard's Live view. Query parameters make the filter: app, model, variant, sessionId,
// promptVersion, rubric, scoreBelow, scoreAbove (the names of the Filter's JSON mapping; the
// time range does not apply, as in Tail). Each event is one "data: <TailResponse JSON>" message;
// a comment line every kKeepAlive keeps proxies from closing an idle stream; an "event: lost"
// message says how many events a slow client missed.
//
//   TailStream tail(&hub);
//   server.Get("/api/v1/tail", [&](const auto& req, auto& res) { tail.Handle(filter, res); });
//   ...
//   tail.Stop();  // before the HTTP server stops: open streams end within kPoll
//
// Each open stream holds one HTTP worker thread, so at most kMaxStreams are open at once; past
// that a request is refused with RESOURCE_EXHAUSTED.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_HTTP_TAIL_STREAM_H_
#define LLMTAP_COLLECTOR_HTTP_TAIL_STREAM_H_

#include <atomic>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/scoring/tail_hub.h"
#include "llmtap/v1/query.pb.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace llmtap::collector {

class TailStream {
 public:
  static constexpr int kMaxStreams = 4;
  static constexpr absl::Duration kPoll = absl::Milliseconds(250);
  static constexpr absl::Duration kKeepAlive = absl::Seconds(15);

  // `hub` must outlive this object and every stream it serves.
  explicit TailStream(TailHub* hub) : hub_(hub) {}

  // The filter of a tail request's query parameters; INVALID_ARGUMENT naming the parameter.
  static absl::StatusOr<v1::Filter> FilterOf(const httplib::Request& req);

  // Starts streaming the events matching `filter` into `res`, or returns the error to send
  // (RESOURCE_EXHAUSTED when kMaxStreams are open, UNAVAILABLE once stopped).
  absl::Status Handle(const v1::Filter& filter, httplib::Response& res);

  // Ends every open stream (each within kPoll) and refuses new ones. Idempotent.
  void Stop() { stopped_ = true; }

 private:
  TailHub* const hub_;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<std::atomic<int>> open_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_HTTP_TAIL_STREAM_H_
