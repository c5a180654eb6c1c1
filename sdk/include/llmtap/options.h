// ClientOptions: how an llmtap::Client connects, batches, samples and redacts.
//
// Every field can also come from the environment through ClientOptions::FromEnv(), which
// starts from the defaults below and applies any LLMTAP_* variable that is set.
#ifndef LLMTAP_OPTIONS_H_
#define LLMTAP_OPTIONS_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "llmtap/status.h"

namespace llmtap {

struct RedactionOptions {
  // Built-in redactors. Each replaces a match with a tag such as "[EMAIL]".
  // Default: false (redaction is opt-in).
  bool emails = false;
  bool phone_numbers = false;
  // Card numbers of 13-19 digits (spaces or dashes allowed) that pass the Luhn check.
  bool card_numbers = false;
  // IPv4 and IPv6 addresses.
  bool ip_addresses = false;
  // RE2 patterns; each match becomes "[REDACTED]". An invalid pattern makes Client::Create
  // fail. Default: none.
  std::vector<std::string> custom_patterns;

  bool any() const {
    return emails || phone_numbers || card_numbers || ip_addresses || !custom_patterns.empty();
  }
};

struct ClientOptions {
  // host:port of llmtapd. Env: LLMTAP_COLLECTOR. Default: "127.0.0.1:7317".
  std::string collector_address = "127.0.0.1:7317";
  // Used for samples that name no app. Env: LLMTAP_APP. Default: "default".
  std::string app = "default";
  // API key sent with every call as "authorization: Bearer <key>" (a key with ROLE_INGEST for
  // this client's apps). Empty: none, for a collector with no keys. Env: LLMTAP_API_KEY.
  std::string api_key;
  // TLS: with `tls` (or a CA file) the channel is encrypted and the collector's certificate
  // checked against `tls_ca_file` (PEM; empty: the system's roots). `tls_server_name`
  // overrides the name checked (default: the address's host). `tls_cert_file` and
  // `tls_key_file` give a client certificate for collectors that require one.
  // Env: LLMTAP_TLS=1, LLMTAP_CA_FILE, LLMTAP_SERVER_NAME, LLMTAP_CLIENT_CERT, LLMTAP_CLIENT_KEY.
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_server_name;
  std::string tls_cert_file;
  std::string tls_key_file;


  // Memory budget for samples waiting or in flight. When full, the oldest waiting samples are
  // dropped and counted in ClientStats::dropped. Threads record into a shared queue, and a
  // thread that keeps running into others there moves to a queue of its own (one of 8); making
  // room drops the shared queue's oldest samples first, then the caller's own queue's, then
  // the other queues'. Beyond the budget, each queue keeps up to 1024 empty sample nodes for
  // reuse (about 0.5 MB, fewer for a small budget) and up to 16 bytes per sample the budget
  // holds for its ring (an own queue only as far as it has been used). Env:
  // LLMTAP_BUFFER_BYTES.
  // Default: 64 MiB.
  size_t max_buffer_bytes = 64u << 20;
  // A batch closes at this many samples, this many bytes, or after `linger`, whichever comes
  // first. Env: LLMTAP_BATCH_SAMPLES, LLMTAP_BATCH_BYTES, LLMTAP_LINGER_MS.
  // Defaults: 512 samples, 1 MiB, 50 ms.
  size_t max_batch_samples = 512;
  size_t max_batch_bytes = 1u << 20;
  std::chrono::milliseconds linger{50};
  // Batches sent and not yet acknowledged. Default: 8.
  size_t max_inflight_batches = 8;

  // Share of samples kept, in [0, 1]; the rest are counted in ClientStats::sampled_out.
  // Env: LLMTAP_SAMPLE_RATE. Default: 1.
  double sample_rate = 1.0;
  // Env: LLMTAP_REDACT=emails,phones,cards,ips and LLMTAP_REDACT_PATTERNS (patterns joined by
  // a newline).
  RedactionOptions redaction;

  // Reconnect backoff: starts at initial, doubles up to max, with +-50% jitter. A retry
  // while the collector is down costs next to nothing (it only looks at the channel, which
  // keeps its own connection backoff of at most 1 s), so the cap is low: batches flow again
  // within about a second of the collector's return. Defaults: 100 ms and 1 s.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{1000};
  // How often the client's counters are sent to the collector. Default: 5 s.
  std::chrono::milliseconds stats_interval{5000};

  // The defaults, overridden by LLMTAP_* environment variables. A malformed variable is an
  // InvalidArgument naming it.
  static Status FromEnv(ClientOptions* options);
};

}  // namespace llmtap

#endif  // LLMTAP_OPTIONS_H_
