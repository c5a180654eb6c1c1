// The example calls behind `make demo`: three apps with their questions, contexts, reference
// answers, and the kinds of answer a model gives (right, wrong, a refusal, one that leaks
// personal data). DemoCall() turns a moment and a few choices into one llmtap::Sample.
//
// Thread-compatible: pure functions of their arguments and the caller's random generator.
#ifndef LLMTAP_TOOLS_DEMO_DEMO_DATA_H_
#define LLMTAP_TOOLS_DEMO_DEMO_DATA_H_

#include <chrono>
#include <random>
#include <string>

#include "llmtap/sample.h"

namespace llmtap::demo {

// How the model behaved on one call.
enum class Outcome { kRight, kWrong, kRefusal, kPersonalData, kError };

struct CallSpec {
  std::string app;
  std::string model;
  std::string variant = "production";
  std::string prompt_version = "v2";
  std::string session_id;
  std::string pair_id;
  std::chrono::system_clock::time_point start;
  Outcome outcome = Outcome::kRight;
  // Multiplies the model's usual latency (a spike is > 1).
  double latency_factor = 1.0;
  // Which of the app's questions (taken modulo their number).
  int question = 0;
};

// The sample of `spec`: prompt, contexts, reference and an answer of the spec's outcome, with
// a plausible latency, first-token time and token counts for the model.
Sample DemoCall(const CallSpec& spec, std::mt19937_64& rng);

// The number of questions an app has (for CallSpec::question).
int QuestionCount(const std::string& app);

}  // namespace llmtap::demo

#endif  // LLMTAP_TOOLS_DEMO_DEMO_DATA_H_
