#include "redactor.h"

#include <re2/re2.h>

#include <arpa/inet.h>

#include <cctype>
#include <string_view>
#include <vector>

namespace llmtap::internal {

struct Redactor::Rule {
  enum class Kind {
    kPlain,  // Every match is replaced.
    kCard,   // Matches are runs of digit groups; only 13-19 digit spans passing Luhn go.
    kIpv6,   // Matches are replaced only when they parse as an IPv6 address.
  };
  std::unique_ptr<re2::RE2> pattern;
  std::string replacement;
  Kind kind = Kind::kPlain;
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

// Appends `run` (digit groups joined by single spaces or dashes) to `out`, replacing every span
// of whole groups with 13-19 digits that passes the Luhn check. Spans start and end at group
// edges, so a card followed by other numbers ("4111111111111111 42") is still found, while
// random long digit strings are not cut up. Returns the number of replacements.
int RedactCardsInRun(std::string_view run, const std::string& replacement, std::string* out) {
  struct Group {
    size_t begin, end;  // Byte offsets in run.
    int digits;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < run.size();) {
    if (run[i] < '0' || run[i] > '9') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < run.size() && run[j] >= '0' && run[j] <= '9') ++j;
    groups.push_back({i, j, static_cast<int>(j - i)});
    i = j;
  }
  int replaced = 0;
  size_t copied = 0;  // Bytes of run already in out.
  for (size_t g = 0; g < groups.size();) {
    // The shortest span of whole groups starting at g that is a card (a longer one that also
    // passes would swallow a number after the card).
    size_t best_end = g;
    int digits = 0;
    for (size_t e = g; e < groups.size() && (digits += groups[e].digits) <= 19; ++e) {
      if (digits >= 13 &&
          PassesLuhn(run.substr(groups[g].begin, groups[e].end - groups[g].begin))) {
        best_end = e + 1;
        break;
      }
    }
    if (best_end == g) {
      ++g;
      continue;
    }
    out->append(run.substr(copied, groups[g].begin - copied));
    out->append(replacement);
    copied = groups[best_end - 1].end;
    ++replaced;
    g = best_end;
  }
  out->append(run.substr(copied));
  return replaced;
}

// An IPv6 candidate counts when it parses and is not a bare "x::" or "::x" (which also match
// C++ names such as "fa::b"): it needs at least three groups, or to be a full address.
bool LooksLikeIpv6(std::string_view s) {
  std::string text(s);
  in6_addr addr;
  if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) return false;
  int groups = 0;
  bool in_group = false;
  for (char c : s) {
    const bool hex = std::isxdigit(static_cast<unsigned char>(c)) != 0;
    if (hex && !in_group) ++groups;
    in_group = hex;
  }
  return groups >= 3;
}

// Built-in patterns. Word boundaries keep them from firing inside longer tokens. All are RE2:
// linear time in the input, whatever it holds.
constexpr std::string_view kEmail =
    R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})";
// A run of at least 13 digits in groups separated by one space or dash; RedactCardsInRun
// picks the card spans inside.
constexpr std::string_view kCard = R"(\b\d(?:[ \-]?\d){12,}\b)";
constexpr std::string_view kIpv4 =
    R"(\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b)";
constexpr std::string_view kIpv6 =
    R"((?i)(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?)";
// National formats with separators ("(555) 123-4567", "555-123-4567", "+44 20 7946 0958") and
// E.164 without them ("+14155552671").
constexpr std::string_view kPhone =
    R"((?:\+\d{1,3}[ .\-]?)?(?:\(\d{2,4}\)[ .\-]?|\b\d{2,4}[ .\-])\d{3,4}[ .\-]?\d{3,4}\b|\+\d{8,15}\b)";

}  // namespace

Status Redactor::Create(const RedactionOptions& options, std::unique_ptr<Redactor>* out) {
  std::unique_ptr<Redactor> r(new Redactor());
  auto add = [&](std::string_view pattern, std::string replacement, Rule::Kind kind) -> Status {
    RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_unique<re2::RE2>(pattern, opts);
    if (!re->ok()) {
      return Status(StatusCode::kInvalidArgument,
                    "redaction pattern '" + std::string(pattern) + "': " + re->error());
    }
    r->rules_.push_back(
        std::unique_ptr<Rule>(new Rule{std::move(re), std::move(replacement), kind}));
    return Status::Ok();
  };
  using Kind = Rule::Kind;
  Status s;
  // Order matters: emails first (they may hold digits), cards before phones (both are digits),
  // IPv6 after IPv4 (an IPv4-mapped address holds both).
  if (options.emails && !(s = add(kEmail, "[EMAIL]", Kind::kPlain)).ok()) return s;
  if (options.card_numbers && !(s = add(kCard, "[CARD]", Kind::kCard)).ok()) return s;
  if (options.ip_addresses && !(s = add(kIpv6, "[IP]", Kind::kIpv6)).ok()) return s;
  if (options.ip_addresses && !(s = add(kIpv4, "[IP]", Kind::kPlain)).ok()) return s;
  if (options.phone_numbers && !(s = add(kPhone, "[PHONE]", Kind::kPlain)).ok()) return s;
  for (const auto& p : options.custom_patterns) {
    if (!(s = add(p, "[REDACTED]", Kind::kPlain)).ok()) return s;
  }
  *out = std::move(r);
  return Status::Ok();
}

Redactor::~Redactor() = default;

int Redactor::Redact(std::string* text) const {
  int replaced = 0;
  for (const auto& rule : rules_) {
    if (rule->kind == Rule::Kind::kPlain) {
      replaced += re2::RE2::GlobalReplace(text, *rule->pattern, rule->replacement);
      continue;
    }
    // GlobalReplace cannot test each match, so walk the matches by hand.
    std::string out;
    bool changed = false;
    size_t pos = 0;
    const re2::StringPiece input(*text);
    re2::StringPiece match;
    while (pos <= text->size() &&
           rule->pattern->Match(input, pos, text->size(), re2::RE2::UNANCHORED, &match, 1)) {
      const size_t start = match.data() - text->data();
      out.append(*text, pos, start - pos);
      const std::string_view m(match.data(), match.size());
      if (rule->kind == Rule::Kind::kCard) {
        const int n = RedactCardsInRun(m, rule->replacement, &out);
        replaced += n;
        changed |= n > 0;
      } else {
        // The pattern is greedy: "fe80::1:" (an address, then a colon of the prose) fails to
        // parse whole, so a trailing single colon is tried without.
        std::string_view address = m;
        if (address.size() >= 2 && address.back() == ':' && address[address.size() - 2] != ':') {
          address.remove_suffix(1);
        }
        if (LooksLikeIpv6(m)) {
          address = m;
        } else if (address.size() == m.size() || !LooksLikeIpv6(address)) {
          address = {};
        }
        if (!address.empty()) {
          out.append(rule->replacement);
          out.append(m.substr(address.size()));
          ++replaced;
          changed = true;
        } else {
          out.append(m);
        }
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
