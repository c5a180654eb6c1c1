#include "llmtap/trace.h"

namespace llmtap {

Trace::Trace(Client* client, Sample sample)
    : client_(client),
      sample_(std::move(sample)),
      start_(std::chrono::steady_clock::now()),
      uncaught_at_start_(std::uncaught_exceptions()) {
  if (sample_.start_time.time_since_epoch().count() == 0) {
    sample_.start_time = std::chrono::system_clock::now();
  }
}

Trace::~Trace() {
  if (done_) return;
  if (std::uncaught_exceptions() > uncaught_at_start_) {
    sample_.ok = false;
    if (sample_.error.empty()) sample_.error = "exception";
  }
  End();
}

double Trace::ElapsedMs() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
      .count();
}

void Trace::MarkFirstToken() {
  if (first_token_marked_) return;
  first_token_marked_ = true;
  if (sample_.time_to_first_token_ms <= 0) sample_.time_to_first_token_ms = ElapsedMs();
}

void Trace::End() {
  if (done_) return;
  done_ = true;
  if (sample_.latency_ms <= 0) sample_.latency_ms = ElapsedMs();
  if (client_ != nullptr) client_->Record(std::move(sample_));
}

}  // namespace llmtap
