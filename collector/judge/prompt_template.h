// PromptTemplate: a judge prompt with {prompt}, {response}, {contexts} and {reference}
// variables, checked once at load and rendered per sample.
//
//   absl::StatusOr<PromptTemplate> t = PromptTemplate::Parse("Rate {{0-5}}: {response}");
//   std::string text = t->Render(sample);  // "Rate {0-5}: <the response>"
//
// `{{` and `}}` are literal braces. Any other `{name}`, an unclosed `{` or a lone `}` is an
// error at Parse. {contexts} renders as numbered lines ("[1] first\n[2] second"); an empty
// field renders as "(none)".
//
// Thread-safety: immutable after Parse; Render may be called concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_PROMPT_TEMPLATE_H_
#define LLMTAP_COLLECTOR_JUDGE_PROMPT_TEMPLATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector {

class PromptTemplate {
 public:
  // INVALID_ARGUMENT naming the offending variable or brace and its byte offset.
  static absl::StatusOr<PromptTemplate> Parse(std::string_view text);

  // The template with each variable replaced by the sample's field.
  std::string Render(const v1::Sample& sample) const;

 private:
  enum class Var { kNone, kPrompt, kResponse, kContexts, kReference };
  struct Piece {
    std::string literal;  // Emitted first.
    Var var = Var::kNone;  // Then this variable, if any.
  };
  std::vector<Piece> pieces_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_PROMPT_TEMPLATE_H_
