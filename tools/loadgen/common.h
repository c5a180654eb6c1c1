// What the load and benchmark tools share: texts that compress about as well as real text,
// and the process's CPU time.
#ifndef LLMTAP_TOOLS_LOADGEN_COMMON_H_
#define LLMTAP_TOOLS_LOADGEN_COMMON_H_

#include <sys/resource.h>

#include <random>
#include <string>
#include <vector>

namespace llmtap::tools {

// `count` texts of about `bytes` bytes each, of words drawn from a fixed vocabulary.
inline std::vector<std::string> TextPool(int count, int bytes) {
  std::mt19937_64 rng(42);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 4000; ++i) {
    std::string w;
    const int len = 2 + static_cast<int>(rng() % 9);
    for (int c = 0; c < len; ++c) w += static_cast<char>('a' + rng() % 26);
    vocabulary.push_back(std::move(w));
  }
  std::vector<std::string> pool;
  for (int i = 0; i < count; ++i) {
    std::string text;
    while (static_cast<int>(text.size()) < bytes) {
      // Zipf-like: low word indices are much more frequent, as in language.
      const double u = std::uniform_real_distribution<double>(0, 1)(rng);
      text += vocabulary[static_cast<size_t>(vocabulary.size() * u * u * u)];
      text += rng() % 12 ? " " : ". ";
    }
    text.resize(bytes);
    pool.push_back(std::move(text));
  }
  return pool;
}

// The texts of the samples the tools make: a third of each is one of a few prompts (apps send
// the same templates over and over), the rest one of many responses. Responses must not come
// back within a compressor's window: with 256 of them, ZSTD compressed a stream of samples
// (RocksDB's compressed WAL) 15 times where text like this without repeats compresses 3-4
// times, at half the CPU per byte.
struct SampleTexts {
  explicit SampleTexts(int sample_bytes)
      : prompts(TextPool(64, sample_bytes / 3)),
        responses(TextPool(16384, sample_bytes - sample_bytes / 3)) {}
  std::vector<std::string> prompts;
  std::vector<std::string> responses;
};

// User + system CPU time of this process so far, in seconds.
inline double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace llmtap::tools

#endif  // LLMTAP_TOOLS_LOADGEN_COMMON_H_
