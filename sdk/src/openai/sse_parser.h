// SseParser: splits a text/event-stream body into events, as the OpenAI streaming API sends
// them ("data: {...}" lines, a blank line ending each event, "data: [DONE]" at the end).
#ifndef LLMTAP_SDK_SRC_OPENAI_SSE_PARSER_H_
#define LLMTAP_SDK_SRC_OPENAI_SSE_PARSER_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace llmtap::internal {

// Not thread-safe. Handles lines ending in "\n", "\r\n" or "\r", comments (":..."), fields
// other than data (ignored) and events split across any number of Feed() calls.
class SseParser {
 public:
  // Called with the data of each event (several data lines joined by "\n").
  explicit SseParser(std::function<void(std::string_view data)> on_event)
      : on_event_(std::move(on_event)) {}

  void Feed(std::string_view bytes);
  // Ends the stream: dispatches an event left without its closing blank line.
  void Finish();

  // Bytes held for an unfinished line; bounded by kMaxLineBytes.
  static constexpr size_t kMaxLineBytes = 4u << 20;

 private:
  void Line(std::string_view line);
  void Dispatch();

  std::function<void(std::string_view)> on_event_;
  std::string line_;
  std::string data_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_OPENAI_SSE_PARSER_H_
