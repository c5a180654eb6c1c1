#include "collector/http/tail_stream.h"

#include <httplib.h>

#include <string>

#include "absl/strings/numbers.h"
#include "collector/common/strings.h"
#include "collector/query/filter.h"
#include "google/protobuf/util/json_util.h"

namespace llmtap::collector {

absl::StatusOr<v1::Filter> TailStream::FilterOf(const httplib::Request& req) {
  v1::Filter f;
  f.set_app(req.get_param_value("app"));
  f.set_model(req.get_param_value("model"));
  f.set_variant(req.get_param_value("variant"));
  f.set_session_id(req.get_param_value("sessionId"));
  f.set_prompt_version(req.get_param_value("promptVersion"));
  f.set_rubric(req.get_param_value("rubric"));
  for (const char* name : {"scoreBelow", "scoreAbove"}) {
    if (!req.has_param(name)) continue;
    double v;
    if (!absl::SimpleAtod(req.get_param_value(name), &v)) {
      return absl::InvalidArgumentError(Cat(name, ": not a number"));
    }
    if (std::string_view(name) == "scoreBelow") f.set_score_below(v);
    else f.set_score_above(v);
  }
  if (absl::Status s = ValidateFilter(f, "filter"); !s.ok()) return s;
  return f;
}

absl::Status TailStream::Handle(const v1::Filter& filter, httplib::Response& res) {
  if (stopped_) return absl::UnavailableError("collector shutting down");
  if (open_->fetch_add(1) >= kMaxStreams) {
    open_->fetch_sub(1);
    return absl::ResourceExhaustedError(
        Cat("tail: at most ", kMaxStreams, " live streams at once; close one"));
  }
  std::shared_ptr<TailHub::Subscription> sub = hub_->Subscribe();
  struct Progress {
    bool started = false;
    absl::Time last_write;
    uint64_t lost = 0;
  };
  auto progress = std::make_shared<Progress>();
  res.set_header("Cache-Control", "no-store");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, sub, filter, progress](size_t, httplib::DataSink& sink) {
        auto send = [&](const std::string& text) {
          progress->last_write = absl::Now();
          return sink.write(text.data(), text.size());
        };
        if (stopped_ || sub->closed()) {
          sink.done();
          return true;
        }
        if (!sink.is_writable()) return false;
        if (!progress->started) {
          progress->started = true;
          if (!send(": llmtap tail\n\n")) return false;  // The headers go out at once.
        }
        v1::TailResponse event;
        if (sub->Next(&event, kPoll)) {
          if (sub->lost() != progress->lost) {
            progress->lost = sub->lost();
            if (!send(Cat("event: lost\ndata: ", progress->lost, "\n\n"))) return false;
          }
          if (!TailMatches(filter, event)) return true;
          std::string json;
          (void)google::protobuf::util::MessageToJsonString(event, &json);
          return send(Cat("data: ", json, "\n\n"));
        }
        if (absl::Now() - progress->last_write >= kKeepAlive) return send(": keep-alive\n\n");
        return true;
      },
      [hub = hub_, sub, open = open_](bool) {
        hub->Unsubscribe(sub);
        open->fetch_sub(1);
      });
  return absl::OkStatus();
}

}  // namespace llmtap::collector
