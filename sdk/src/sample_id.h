// Sample ids for a given time (the public NewSampleId() uses the current time).
#ifndef LLMTAP_SDK_SRC_SAMPLE_ID_H_
#define LLMTAP_SDK_SRC_SAMPLE_ID_H_

#include <chrono>
#include <string>

namespace llmtap::internal {

// A new 128-bit id as 32 lowercase hex characters: 48 bits of `when` in Unix milliseconds, then
// 80 random bits. Thread-safe, lock-free.
std::string NewSampleIdAt(std::chrono::system_clock::time_point when);

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_SAMPLE_ID_H_
