#include "fake_openai_server.h"

#include <nlohmann/json.hpp>

#include <memory>

namespace llmtap::testing {

Reply Reply::Chat(const std::string& content, int prompt_tokens, int completion_tokens) {
  nlohmann::json body = {
      {"id", "chatcmpl-test"},
      {"object", "chat.completion"},
      {"choices",
       {{{"index", 0},
         {"message", {{"role", "assistant"}, {"content", content}}},
         {"finish_reason", "stop"}}}},
      {"usage",
       {{"prompt_tokens", prompt_tokens},
        {"completion_tokens", completion_tokens},
        {"total_tokens", prompt_tokens + completion_tokens}}}};
  return Reply{200, body.dump(), {}, {}};
}

Reply Reply::Status(int status, const std::string& message) {
  nlohmann::json body = {{"error", {{"message", message}, {"code", status}}}};
  return Reply{status, body.dump(), {}, {}};
}

FakeOpenAiServer::FakeOpenAiServer(int threads) {
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
    Responder responder;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req.body);
      authorizations_.push_back(req.get_header_value("Authorization"));
      max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
      responder = responder_;
    }
    const Reply reply = responder ? responder(req.body) : Reply::Status(404, "no responder");
    {
      std::unique_lock<std::mutex> lock(mu_);
      stop_cv_.wait_for(lock, reply.delay, [this] { return stopping_; });
      --in_flight_;
    }
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name, value);
    res.set_content(reply.body, "application/json");
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeOpenAiServer::~FakeOpenAiServer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_.stop();
  thread_.join();
}

void FakeOpenAiServer::SetResponder(Responder responder) {
  std::lock_guard<std::mutex> lock(mu_);
  responder_ = std::move(responder);
}

void FakeOpenAiServer::Script(std::vector<Reply> replies) {
  auto queue = std::make_shared<std::deque<Reply>>(replies.begin(), replies.end());
  auto queue_mu = std::make_shared<std::mutex>();
  SetResponder([queue, queue_mu](const std::string&) {
    std::lock_guard<std::mutex> lock(*queue_mu);
    if (queue->empty()) return Reply::Status(404, "script exhausted");
    Reply next = std::move(queue->front());
    queue->pop_front();
    return next;
  });
}

std::vector<std::string> FakeOpenAiServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::vector<std::string> FakeOpenAiServer::authorizations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return authorizations_;
}

int FakeOpenAiServer::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

int FakeOpenAiServer::max_in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_in_flight_;
}

}  // namespace llmtap::testing
