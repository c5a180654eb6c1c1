// CallRecorder: turns calls that went through the gateway into Samples, off the request path.
// Record() copies the call into a bounded queue and returns; one thread parses the bodies,
// builds samples and commits them in batches through IngestEntry, under the gateway's own
// ingest key. When the queue is full the call is dropped and counted: recording never holds
// up a response.
//
// Thread safety: Record may be called from any thread. Stop() commits what is queued, waiting
// at most `grace`.
#ifndef LLMTAP_COLLECTOR_GATEWAY_CALL_RECORDER_H_
#define LLMTAP_COLLECTOR_GATEWAY_CALL_RECORDER_H_

#include <deque>
#include <map>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/common/metrics.h"
#include "collector/otlp/ingest_entry.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector::gateway {

// One call as the gateway saw it.
struct CallRecord {
  std::string endpoint;  // "chat/completions", "completions", "embeddings"
  std::string upstream;  // GatewayUpstream.name
  std::string app, session_id, variant, prompt_version;
  std::map<std::string, std::string> metadata;  // From x-llmtap-meta-<key> headers.
  std::string request_body;
  std::string response_body;  // The whole body, or the server-sent events as streamed.
  bool streamed = false;
  int http_status = 0;  // 0: no answer from the upstream.
  std::string error;    // Transport error, or the client went away; empty otherwise.
  int64_t start_unix_nano = 0;
  double latency_ms = 0, time_to_first_token_ms = 0;
};

// The sample a call gives (pure; exposed for tests). `id` is the sample id to use.
v1::Sample SampleFromCall(CallRecord call, std::string id);

class CallRecorder {
 public:
  // `entry` and `metrics` must outlive the recorder. `authorization` is what the recorder
  // presents to ingest ("Bearer <key>", or empty). Starts the thread.
  CallRecorder(const IngestEntry* entry, Metrics* metrics, std::string authorization,
               size_t max_pending);
  ~CallRecorder();

  // Never blocks for long (one mutex); drops and counts when max_pending calls wait.
  void Record(CallRecord call);
  void Stop(absl::Duration grace);

 private:
  void Run();

  const IngestEntry* const entry_;
  const std::string authorization_;
  const size_t max_pending_;
  Counter* const dropped_;
  Counter* const stored_;
  Counter* const failed_;

  absl::Mutex mu_;
  std::deque<CallRecord> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::thread thread_;
};

}  // namespace llmtap::collector::gateway

#endif  // LLMTAP_COLLECTOR_GATEWAY_CALL_RECORDER_H_
