// Sample: one LLM call as the application saw it. A plain struct; fill what you know.
//
//   llmtap::Sample s;
//   s.model = "gpt-4o-mini";
//   s.prompt = prompt;
//   s.response = answer;
//   s.latency_ms = 412.5;
//   client->Record(std::move(s));
#ifndef LLMTAP_SAMPLE_H_
#define LLMTAP_SAMPLE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace llmtap {

struct Sample {
  // 32 lowercase hex characters, time-ordered. Record() fills it when empty; set it yourself
  // only to correlate with your own logs (use NewSampleId()).
  std::string id;
  // Defaults to ClientOptions::app when empty.
  std::string app;
  std::string session_id;
  std::string model;
  std::string prompt_version;
  // "production" (the default when empty), "shadow", "A", "B", ...
  std::string variant;
  // Shared by a shadow call and its production call.
  std::string pair_id;
  std::string prompt;
  std::string response;
  // Retrieved context chunks (RAG), if any.
  std::vector<std::string> contexts;
  // A golden answer, if known.
  std::string reference;
  // When the call started. Record() uses the current time when it is left at the epoch.
  std::chrono::system_clock::time_point start_time{};
  double latency_ms = 0;
  // 0 when the call was not streamed.
  double time_to_first_token_ms = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  // False for a failed call; `error` says why.
  bool ok = true;
  std::string error;
  std::map<std::string, std::string> metadata;
  // Cost in US dollars if you know it; 0 lets the collector price the tokens.
  double cost_usd = 0;
};

// A new time-ordered 128-bit id as 32 lowercase hex characters (48 bits of Unix milliseconds,
// 80 random bits). Thread-safe and cheap (no locks, no system calls after the first per thread).
std::string NewSampleId();

}  // namespace llmtap

#endif  // LLMTAP_SAMPLE_H_
