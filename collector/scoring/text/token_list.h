// TokenList: a reusable list of string tokens stored back to back in one buffer, so that
// tokenizing a text costs no allocation per token once the buffers have grown.
//
// Example:
//   TokenList tokens;
//   tokens.Add("hello");
//   tokens.Add("world");
//   tokens[1] == "world";
//
// Thread-safety: none; one owner at a time. Views returned by operator[] stay valid until
// the next Add or Clear.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_LIST_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_LIST_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmtap::collector::text {

class TokenList {
 public:
  // Removes all tokens, keeping the buffers' capacity.
  void Clear() {
    chars_.clear();
    ends_.clear();
  }

  void Add(std::string_view token) {
    chars_.append(token);
    ends_.push_back(static_cast<uint32_t>(chars_.size()));
  }

  // Appends `c` to the token being built; FinishToken() ends it. Building a token this way
  // and then calling Add() is not allowed.
  void Append(char c) { chars_.push_back(c); }
  void Append(std::string_view bytes) { chars_.append(bytes); }

  // Ends the token being built, if it has any bytes; an empty one is dropped.
  void FinishToken() {
    const uint32_t end = static_cast<uint32_t>(chars_.size());
    if (end != (ends_.empty() ? 0 : ends_.back())) ends_.push_back(end);
  }

  // The bytes appended since the last finished token.
  std::string_view CurrentToken() const {
    const uint32_t begin = ends_.empty() ? 0 : ends_.back();
    return std::string_view(chars_).substr(begin);
  }

  // Drops the last `n` bytes of the token being built. REQUIRES: n <= CurrentToken().size().
  void TruncateCurrent(size_t n) { chars_.resize(chars_.size() - n); }

  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }

  // REQUIRES: i < size().
  std::string_view operator[](size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(chars_).substr(begin, ends_[i] - begin);
  }

  // A copy of the tokens, for tests and callers that want owning strings.
  std::vector<std::string> ToVector() const {
    std::vector<std::string> out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i) out.emplace_back((*this)[i]);
    return out;
  }

 private:
  std::string chars_;
  std::vector<uint32_t> ends_;  // ends_[i] is one past the last byte of token i.
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_LIST_H_
