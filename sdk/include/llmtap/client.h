// Client: records LLM calls and delivers them to llmtapd in the background.
//
//   llmtap::ClientOptions options;
//   options.app = "support-bot";
//   std::unique_ptr<llmtap::Client> client;
//   if (auto s = llmtap::Client::Create(options, &client); !s.ok()) { ... }
//   client->Record(std::move(sample));            // returns at once
//   client->Shutdown(std::chrono::seconds(5));     // delivers what it can, then stops
//
// Thread safety: every method may be called from any thread at any time.
// Delivery: a sample leaves the client's buffer only when the collector has acknowledged that
// it is durable. Failed sends are retried with the same sample id (the collector stores each id
// once), reconnecting with exponential backoff and jitter. Nothing is lost silently: every
// sample ends up acked, dropped (budget full), rejected (invalid), sampled out, or still
// waiting, and Stats() counts each.
#ifndef LLMTAP_CLIENT_H_
#define LLMTAP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>

#include "llmtap/options.h"
#include "llmtap/sample.h"
#include "llmtap/status.h"

namespace llmtap {

// Cumulative counters since the client was created.
struct ClientStats {
  uint64_t recorded = 0;     // Samples passed to Record().
  uint64_t sampled_out = 0;  // Not kept by head sampling.
  uint64_t dropped = 0;      // Dropped because the buffer budget was full.
  uint64_t sent = 0;         // Samples written to the stream (each attempt counts).
  uint64_t acked = 0;        // Acknowledged as durable by the collector.
  uint64_t retried = 0;      // Samples sent again after a failure.
  uint64_t rejected = 0;     // Refused by the collector as invalid (not retried).
  uint64_t pending = 0;      // Waiting or in flight right now.
  uint64_t pending_bytes = 0;
  uint64_t reconnects = 0;   // Streams opened after the first.
};

class Client {
 public:
  // Validates `options` and starts the background sender. Does not wait for the collector:
  // a client made while the collector is down buffers and connects later.
  static Status Create(const ClientOptions& options, std::unique_ptr<Client>* client);

  Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  // Shuts down with a zero deadline: whatever is not yet acked is abandoned (and counted as
  // pending in the last Stats()).
  virtual ~Client() = default;

  // Takes the sample and returns at once: never blocks on the network, never throws. Fills an
  // empty start time now, and an empty id (from the start time) and app before sending.
  // After Shutdown, samples are counted as dropped.
  virtual void Record(Sample sample) = 0;

  // Waits until everything recorded before the call is acked, or the timeout passes.
  // Returns Ok, or DeadlineExceeded with how many samples were still pending.
  virtual Status Flush(std::chrono::milliseconds timeout) = 0;

  // Flushes for at most `timeout`, then stops the background threads. Never takes longer
  // than `timeout` plus a few milliseconds, even with the collector gone. Idempotent.
  virtual Status Shutdown(std::chrono::milliseconds timeout) = 0;

  virtual ClientStats Stats() const = 0;
};

}  // namespace llmtap

#endif  // LLMTAP_CLIENT_H_
