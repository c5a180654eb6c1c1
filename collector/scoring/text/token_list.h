// TokenList: a reusable list of string tokens stored back to back in one buffer, so that
// tokenizing a text costs no allocation per token once the buffers have grown.
//
// Example:
//   TokenList tokens;
//   tokens.Add("hello");
//   tokens.Add("world");
//   tokens[1] == "world";
//
// Offsets are 32-bit: REQUIRES fewer than 4 GiB of token bytes per list.
//
// Thread-safety: none; one owner at a time. Views returned by operator[] stay valid until
// the next call that adds bytes (Add, Append, BeginWrite) or Clear.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_LIST_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_LIST_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace llmtap::collector::text {

class TokenList {
 public:
  TokenList() = default;
  TokenList(const TokenList&) = delete;
  TokenList& operator=(const TokenList&) = delete;

  // Removes all tokens, keeping the buffers' capacity.
  void Clear() {
    used_ = 0;
    ends_.clear();
  }

  void Add(std::string_view token) {
    Append(token);
    ends_.push_back(static_cast<uint32_t>(used_));
  }

  // Appends to the token being built; FinishToken() ends it. Building a token this way and
  // then calling Add() is not allowed.
  void Append(char c) {
    if (used_ == capacity_) Grow(1);
    chars_[used_++] = c;
  }
  void Append(std::string_view bytes) {
    if (capacity_ - used_ < bytes.size()) Grow(bytes.size());
    if (!bytes.empty()) std::memcpy(chars_.get() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
  }

  // Ends the token being built, if it has any bytes; an empty one is dropped.
  void FinishToken() {
    if (used_ != LastEnd()) ends_.push_back(static_cast<uint32_t>(used_));
  }

  // Direct writing, for tokenizers: BeginWrite makes room for `max_bytes` more bytes and
  // returns where to write them; EndTokenAt(p) ends the token being written at p (dropping
  // it if empty); FinishWrite(p) ends the writing at p, leaving any unended bytes as the
  // token being built. No other call may come between BeginWrite and FinishWrite, and
  // BeginWrite invalidates views from operator[].
  char* BeginWrite(size_t max_bytes) {
    if (capacity_ - used_ < max_bytes) Grow(max_bytes);
    return chars_.get() + used_;
  }
  void EndTokenAt(const char* end) {
    const uint32_t offset = static_cast<uint32_t>(end - chars_.get());
    if (offset != LastEnd()) ends_.push_back(offset);
  }
  void FinishWrite(const char* end) { used_ = static_cast<size_t>(end - chars_.get()); }
  // Between BeginWrite and FinishWrite: ends tokens at begin + offsets[k] for k < count, with
  // `begin` what BeginWrite returned. For tokenizers that collect the ends themselves.
  // REQUIRES: the offsets increase, and each token has bytes.
  void EndTokensAt(const char* begin, const uint32_t* offsets, size_t count) {
    const uint32_t base = static_cast<uint32_t>(begin - chars_.get());
    ends_.reserve(ends_.size() + count);
    for (size_t k = 0; k < count; ++k) ends_.push_back(base + offsets[k]);
  }

  size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }

  // REQUIRES: i < size().
  std::string_view operator[](size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(chars_.get() + begin, ends_[i] - begin);
  }

  // A copy of the tokens, for tests and callers that want owning strings.
  std::vector<std::string> ToVector() const {
    std::vector<std::string> out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i) out.emplace_back((*this)[i]);
    return out;
  }

 private:
  uint32_t LastEnd() const { return ends_.empty() ? 0 : ends_.back(); }

  void Grow(size_t more) {
    size_t capacity = capacity_ < 64 ? 64 : capacity_ * 2;
    while (capacity - used_ < more) capacity *= 2;
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (used_ > 0) std::memcpy(grown.get(), chars_.get(), used_);
    chars_ = std::move(grown);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> chars_;  // Bytes [0, used_) are in use; not zero-initialized.
  size_t capacity_ = 0;
  size_t used_ = 0;
  std::vector<uint32_t> ends_;  // ends_[i] is one past the last byte of token i.
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_LIST_H_
