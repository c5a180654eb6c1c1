#include "collector/judge/prompt_template.h"

#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

constexpr std::string_view kNone = "(none)";

}  // namespace

absl::StatusOr<PromptTemplate> PromptTemplate::Parse(std::string_view text) {
  PromptTemplate t;
  Piece piece;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      piece.literal.push_back('{');
      ++i;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      piece.literal.push_back('}');
      ++i;
    } else if (c == '}') {
      return absl::InvalidArgumentError(
          Cat("lone '}' at offset ", i, " (write '}}' for a literal brace)"));
    } else if (c == '{') {
      const size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        return absl::InvalidArgumentError(
            Cat("unclosed '{' at offset ", i, " (write '{{' for a literal brace)"));
      }
      const std::string_view name = text.substr(i + 1, close - i - 1);
      if (name == "prompt") {
        piece.var = Var::kPrompt;
      } else if (name == "response") {
        piece.var = Var::kResponse;
      } else if (name == "contexts") {
        piece.var = Var::kContexts;
      } else if (name == "reference") {
        piece.var = Var::kReference;
      } else {
        return absl::InvalidArgumentError(
            Cat("unknown variable {", name, "} at offset ", i,
                " (known: {prompt}, {response}, {contexts}, {reference}; write {{ and }} for "
                "literal braces)"));
      }
      t.pieces_.push_back(std::move(piece));
      piece = Piece();
      i = close;
    } else {
      piece.literal.push_back(c);
    }
  }
  if (!piece.literal.empty()) t.pieces_.push_back(std::move(piece));
  return t;
}

std::string PromptTemplate::Render(const v1::Sample& sample) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    out += piece.literal;
    switch (piece.var) {
      case Var::kNone:
        break;
      case Var::kPrompt:
        out += sample.prompt().empty() ? kNone : std::string_view(sample.prompt());
        break;
      case Var::kResponse:
        out += sample.response().empty() ? kNone : std::string_view(sample.response());
        break;
      case Var::kReference:
        out += sample.reference().empty() ? kNone : std::string_view(sample.reference());
        break;
      case Var::kContexts:
        if (sample.contexts().empty()) out += kNone;
        for (int i = 0; i < sample.contexts_size(); ++i) {
          out += Cat(i == 0 ? "" : "\n", "[", i + 1, "] ", sample.contexts(i));
        }
        break;
    }
  }
  return out;
}

}  // namespace llmtap::collector
