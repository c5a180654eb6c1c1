// Fuzz target: the LLM judge's verdict parser. The first byte picks the scale, the rest is
// the judge's answer. A verdict it accepts must be a finite value in [0, 1]; one it refuses
// must be INVALID_ARGUMENT.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "collector/common/strings.h"
#include "collector/judge/verdict_parser.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace llmtap;
  if (size == 0) return 0;
  const auto scale = static_cast<v1::JudgeParams::Scale>(data[0] % 4);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto verdict = collector::ParseVerdict(text, scale);
  if (!verdict.ok()) {
    if (verdict.status().code() != absl::StatusCode::kInvalidArgument) {
      fuzz::Fail(collector::Cat("want INVALID_ARGUMENT, got ", verdict.status().ToString()));
    }
    return 0;
  }
  if (!(verdict->value >= 0 && verdict->value <= 1) || !std::isfinite(verdict->raw_score)) {
    fuzz::Fail(collector::Cat("verdict value ", verdict->value, " from score ",
                              verdict->raw_score));
  }
  return 0;
}
