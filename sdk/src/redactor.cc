#include "redactor.h"

#include <re2/re2.h>

#include <string_view>

namespace llmtap::internal {

struct Redactor::Rule {
  std::unique_ptr<re2::RE2> pattern;
  std::string replacement;
  bool luhn = false;  // Replace only digit runs that pass the Luhn check.
};

namespace {

bool PassesLuhn(std::string_view s) {
  int sum = 0, digits = 0;
  bool twice = false;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    if (*it < '0' || *it > '9') continue;
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
    ++digits;
  }
  return digits >= 13 && digits <= 19 && sum % 10 == 0;
}

// Built-in patterns. Word boundaries keep them from firing inside longer tokens.
constexpr std::string_view kEmail = R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})";
constexpr std::string_view kCard = R"(\b\d(?:[ \-]?\d){12,18}\b)";
constexpr std::string_view kIpv4 =
    R"(\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b)";
constexpr std::string_view kIpv6 =
    R"((?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?|::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4}\b)";
constexpr std::string_view kPhone =
    R"((?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,4}\)[ .\-]?|\b\d{2,4}[ .\-])\d{3,4}[ .\-]?\d{3,4}\b)";

}  // namespace

Status Redactor::Create(const RedactionOptions& options, std::unique_ptr<Redactor>* out) {
  std::unique_ptr<Redactor> r(new Redactor());
  auto add = [&](std::string_view pattern, std::string replacement, bool luhn) -> Status {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>(pattern, opts);
    if (!re->ok()) {
      return Status(StatusCode::kInvalidArgument,
                    "redaction pattern '" + std::string(pattern) + "': " + re->error());
    }
    r->rules_.push_back(std::unique_ptr<Rule>(new Rule{std::move(re), std::move(replacement), luhn}));
    return Status::Ok();
  };
  Status s;
  // Order matters: emails first (they may hold digits), cards before phones (both are digits).
  if (options.emails && !(s = add(kEmail, "[EMAIL]", false)).ok()) return s;
  if (options.card_numbers && !(s = add(kCard, "[CARD]", true)).ok()) return s;
  if (options.ip_addresses && !(s = add(kIpv4, "[IP]", false)).ok()) return s;
  if (options.ip_addresses && !(s = add(kIpv6, "[IP]", false)).ok()) return s;
  if (options.phone_numbers && !(s = add(kPhone, "[PHONE]", false)).ok()) return s;
  for (const auto& p : options.custom_patterns) {
    if (!(s = add(p, "[REDACTED]", false)).ok()) return s;
  }
  *out = std::move(r);
  return Status::Ok();
}

Redactor::~Redactor() = default;

int Redactor::Redact(std::string* text) const {
  int replaced = 0;
  for (const auto& rule : rules_) {
    if (!rule->luhn) {
      replaced += re2::RE2::GlobalReplace(text, *rule->pattern, rule->replacement);
      continue;
    }
    // GlobalReplace cannot test each match, so walk the matches by hand.
    std::string out;
    re2::StringPiece match;
    bool changed = false;
    size_t pos = 0;
    re2::StringPiece input(*text);
    while (pos <= text->size() &&
           rule->pattern->Match(input, pos, text->size(), re2::RE2::UNANCHORED, &match, 1)) {
      const size_t start = match.data() - text->data();
      out.append(*text, pos, start - pos);
      if (PassesLuhn(std::string_view(match.data(), match.size()))) {
        out.append(rule->replacement);
        ++replaced;
        changed = true;
      } else {
        out.append(match.data(), match.size());
      }
      pos = start + match.size();
      if (match.empty()) {
        if (pos < text->size()) out.push_back((*text)[pos]);
        ++pos;
      }
    }
    if (changed) {
      if (pos < text->size()) out.append(*text, pos, std::string::npos);
      *text = std::move(out);
    }
  }
  return replaced;
}

}  // namespace llmtap::internal
