#include "collector/judge/verdict_parser.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include "collector/common/strings.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

using nlohmann::json;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A leading decimal number of `s` ("4", " 0.75 ", "4/5" -> 4), or nullopt.
std::optional<double> LeadingNumber(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end == s.data() || !std::isfinite(value)) return std::nullopt;
  return value;
}

const json* FindKey(const json& object, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (EqualsIgnoreCase(it.key(), name)) return &it.value();
    }
  }
  return nullptr;
}

std::optional<double> ScoreOf(const json& object) {
  const json* score = FindKey(object, {"score", "rating"});
  if (score == nullptr) return std::nullopt;
  if (score->is_number()) return score->get<double>();
  if (score->is_string()) return LeadingNumber(score->get_ref<const std::string&>());
  return std::nullopt;
}

std::string ReasoningOf(const json& object) {
  const json* reasoning = FindKey(object, {"reasoning", "reason", "explanation"});
  if (reasoning == nullptr) return "";
  if (reasoning->is_string()) return reasoning->get<std::string>();
  return reasoning->dump();
}

std::optional<json> ParseObject(std::string_view text) {
  json parsed = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return std::nullopt;
  return parsed;
}

// Bodies of ``` fences, in order (the language tag after the opening fence is dropped).
std::vector<std::string_view> FenceBodies(std::string_view text) {
  std::vector<std::string_view> bodies;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("```", pos);
    if (open == std::string_view::npos) break;
    size_t body = text.find('\n', open + 3);
    if (body == std::string_view::npos) break;
    const size_t close = text.find("```", body);
    if (close == std::string_view::npos) {
      bodies.push_back(text.substr(body + 1));
      break;
    }
    bodies.push_back(text.substr(body + 1, close - body - 1));
    pos = close + 3;
  }
  return bodies;
}

// Balanced {...} spans of `text` (braces inside JSON strings ignored), outermost first.
std::vector<std::string_view> BraceSpans(std::string_view text) {
  std::vector<std::string_view> spans;
  for (size_t start = text.find('{'); start != std::string_view::npos;
       start = text.find('{', start + 1)) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (size_t i = start; i < text.size(); ++i) {
      const char c = text[i];
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
        continue;
      }
      if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}' && --depth == 0) {
        spans.push_back(text.substr(start, i - start + 1));
        break;
      }
    }
  }
  return spans;
}

// `"score": <number or "number">` anywhere in the text (an answer cut off mid-JSON).
std::optional<double> LooseScore(std::string_view text) {
  size_t pos = 0;
  while (true) {
    pos = text.find("\"score\"", pos);
    if (pos == std::string_view::npos) return std::nullopt;
    size_t i = pos + 7;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i < text.size() && text[i] == ':') {
      ++i;
      while (i < text.size() &&
             (std::isspace(static_cast<unsigned char>(text[i])) || text[i] == '"')) {
        ++i;
      }
      if (std::optional<double> v = LeadingNumber(text.substr(i))) return v;
    }
    pos += 7;
  }
}

// The partial "reasoning" string of a cut-off answer, unescaped loosely.
std::string LooseReasoning(std::string_view text) {
  const size_t key = text.find("\"reasoning\"");
  if (key == std::string_view::npos) return "";
  const size_t open = text.find('"', text.find(':', key + 11));
  if (open == std::string_view::npos) return "";
  std::string out;
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out.push_back(text[++i] == 'n' ? '\n' : text[i]);
    } else if (text[i] == '"') {
      break;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

absl::Status Unparseable(std::string_view why) {
  return absl::InvalidArgumentError(Cat("unparseable verdict: ", why));
}

}  // namespace

absl::StatusOr<double> NormaliseScore(double score, v1::JudgeParams::Scale scale) {
  if (!std::isfinite(score)) return absl::InvalidArgumentError("score is not a finite number");
  if (scale == v1::JudgeParams::SCALE_UNSPECIFIED) {
    scale = score <= 1   ? v1::JudgeParams::SCALE_0_1
            : score <= 5 ? v1::JudgeParams::SCALE_1_5
                         : v1::JudgeParams::SCALE_0_10;
  }
  double low = 0, high = 1;
  switch (scale) {
    case v1::JudgeParams::SCALE_1_5:
      low = 1, high = 5;
      break;
    case v1::JudgeParams::SCALE_0_10:
      low = 0, high = 10;
      break;
    default:
      break;
  }
  if (score < low || score > high) {
    return absl::InvalidArgumentError(Cat("score ", score, " is outside the ", low, "-", high,
                                          " scale"));
  }
  return (score - low) / (high - low);
}

absl::StatusOr<Verdict> ParseVerdict(std::string_view text, v1::JudgeParams::Scale scale) {
  std::optional<json> found;
  auto consider = [&](std::string_view candidate) {
    if (found) return;
    std::optional<json> object = ParseObject(Trim(candidate));
    if (object && ScoreOf(*object)) found = std::move(object);
  };
  consider(text);
  for (std::string_view body : FenceBodies(text)) {
    consider(body);
    for (std::string_view span : BraceSpans(body)) consider(span);
  }
  for (std::string_view span : BraceSpans(text)) consider(span);

  Verdict verdict;
  if (found) {
    verdict.raw_score = *ScoreOf(*found);
    verdict.reasoning = ReasoningOf(*found);
  } else if (std::optional<double> loose = LooseScore(text)) {
    verdict.raw_score = *loose;
    verdict.reasoning = LooseReasoning(text);
  } else {
    return Unparseable(Trim(text).empty() ? "empty answer" : "no JSON object with a score");
  }
  absl::StatusOr<double> value = NormaliseScore(verdict.raw_score, scale);
  if (!value.ok()) return Unparseable(std::string(value.status().message()));
  verdict.value = *value;
  return verdict;
}

}  // namespace llmtap::collector
