// Transport: the SDK's seam between the batcher and the network. One Transport opens
// IngestService.Stream calls; tests substitute a fake or a fault-injecting wrapper.
#ifndef LLMTAP_SDK_SRC_TRANSPORT_H_
#define LLMTAP_SDK_SRC_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <string>

#include "llmtap/options.h"
#include "llmtap/status.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::internal {

// One open bidirectional stream. Write and Read may run at the same time on two threads;
// Cancel may be called from any thread and makes both return false promptly.
class IngestStream {
 public:
  virtual ~IngestStream() = default;
  // False once the stream is broken.
  virtual bool Write(const v1::IngestRequest& request) = 0;
  // Blocks for the next ack; false when the stream has ended.
  virtual bool Read(v1::IngestResponse* response) = 0;
  virtual void Cancel() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Opens a new stream; nullptr when the collector cannot be reached. Does not block for long
  // (the stream fails on its first Write or Read when the connection cannot be made).
  virtual std::unique_ptr<IngestStream> Open() = 0;
  // Waits until Open() could succeed or `deadline` passes; true in the first case. A
  // transport may need someone waiting to see its connection attempts through (a gRPC
  // channel with no call in progress notices a connection's outcome only every 5 s).
  virtual bool WaitForReady(std::chrono::system_clock::time_point deadline) = 0;
};

// A Transport over a gRPC channel to options.collector_address, with the options' API key
// and TLS settings. Fails (InvalidArgument naming the option) when a TLS file cannot be read.
Status NewGrpcTransport(const ClientOptions& options, std::unique_ptr<Transport>* transport);

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_TRANSPORT_H_
