#include "collector/judge/json_answer.h"

namespace llmtap::collector {

absl::StatusOr<nlohmann::json> ParseJsonAnswer(std::string_view text) {
  nlohmann::json whole = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (whole.is_object()) return whole;
  const size_t open = text.find('{');
  const size_t close = text.rfind('}');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    nlohmann::json inner = nlohmann::json::parse(text.substr(open, close - open + 1), nullptr,
                                                 /*allow_exceptions=*/false);
    if (inner.is_object()) return inner;
  }
  return absl::InvalidArgumentError("no JSON object in the answer");
}

}  // namespace llmtap::collector
