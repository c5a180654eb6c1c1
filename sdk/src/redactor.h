// Redactor: removes personal data from text before a sample leaves the process.
#ifndef LLMTAP_SDK_SRC_REDACTOR_H_
#define LLMTAP_SDK_SRC_REDACTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "llmtap/options.h"
#include "llmtap/status.h"

namespace re2 {
class RE2;
}

namespace llmtap::internal {

// Thread-safe after construction (RE2 objects are immutable and safe to share).
class Redactor {
 public:
  // InvalidArgument when a custom pattern does not compile, naming it.
  static Status Create(const RedactionOptions& options, std::unique_ptr<Redactor>* out);
  ~Redactor();

  // Replaces every match in `text`: emails with [EMAIL], card numbers that pass the Luhn check
  // with [CARD], phone numbers with [PHONE], IP addresses with [IP], custom patterns with
  // [REDACTED]. Returns the number of replacements.
  int Redact(std::string* text) const;

 private:
  Redactor() = default;
  struct Rule;
  std::vector<std::unique_ptr<Rule>> rules_;
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_REDACTOR_H_
