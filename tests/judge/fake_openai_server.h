// FakeOpenAiServer: a scripted OpenAI-compatible chat endpoint on 127.0.0.1 and a free port,
// for judge tests. Each POST /v1/chat/completions goes to a responder the test sets; the
// server keeps every request body and counts the calls in flight.
//
//   FakeOpenAiServer server;
//   server.Script({Reply::Status(500), Reply::Chat(R"({"score": 4})")});  // Then 404s.
//   config.set_base_url(server.base_url());  // "http://127.0.0.1:NNNNN/v1"
//
// Stops in its destructor; a delayed reply is cut short by the stop.
#ifndef LLMTAP_TESTS_JUDGE_FAKE_OPENAI_SERVER_H_
#define LLMTAP_TESTS_JUDGE_FAKE_OPENAI_SERVER_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace llmtap::testing {

struct Reply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // Before answering.

  // A chat completion whose message content is `content`, with usage.
  static Reply Chat(const std::string& content, int prompt_tokens = 100,
                    int completion_tokens = 20);
  // An error status with a small JSON error body.
  static Reply Status(int status, const std::string& message = "scripted failure");
};

class FakeOpenAiServer {
 public:
  using Responder = std::function<Reply(const std::string& request_body)>;

  // `threads`: requests answered at once (each open connection holds one).
  explicit FakeOpenAiServer(int threads = 16);
  ~FakeOpenAiServer();

  // Replaces the responder. Runs on server threads, concurrently.
  void SetResponder(Responder responder);
  // Answers with `replies` in order, then with HTTP 404 "script exhausted".
  void Script(std::vector<Reply> replies);

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  int port() const { return port_; }
  // Bodies of the requests received so far, in arrival order.
  std::vector<std::string> requests() const;
  // Authorization headers received, in arrival order.
  std::vector<std::string> authorizations() const;
  // The most requests that were being answered at once.
  int max_in_flight() const;
  // Requests being answered now.
  int in_flight() const;

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  Responder responder_;
  std::vector<std::string> requests_;
  std::vector<std::string> authorizations_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

}  // namespace llmtap::testing

#endif  // LLMTAP_TESTS_JUDGE_FAKE_OPENAI_SERVER_H_
