// llmtap_http: the curl HttpClient against a local server (status, headers, streaming body,
// cancel, timeouts) and Retry-After parsing. The collector's judge relies on the same target.
#include "sdk/src/http/http_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "sdk/src/http/testing/fake_http_client.h"
#include "sdk_test_util.h"

namespace llmtap::internal {
namespace {

using namespace std::chrono_literals;

class CurlHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_header("X-Seen", req.get_header_value("X-Test"));
      res.set_content(req.body, "text/plain");
    });
    server_.server().Get("/chunks", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        for (int i = 0; i < 5; ++i) {
          std::string piece = "piece" + std::to_string(i) + ";";
          if (!sink.write(piece.data(), piece.size())) return false;
          std::this_thread::sleep_for(20ms);
        }
        sink.done();
        return true;
      });
    });
    server_.server().Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1s);
      res.set_content("late", "text/plain");
    });
    server_.server().Get("/busy", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_header("Retry-After", "3");
      res.set_content("busy", "text/plain");
    });
    server_.Start();
  }
  std::string Url(const std::string& path) { return server_.base_url(path); }

  testing::LocalHttpServer server_;
  std::unique_ptr<HttpClient> http_ = NewCurlHttpClient();
};

TEST_F(CurlHttpClientTest, PostReturnsStatusHeadersAndBody) {
  HttpRequest r;
  r.url = Url("/echo");
  r.body = "hello";
  r.headers = {{"X-Test", "yes"}};
  for (int i = 0; i < 3; ++i) {  // Reused connections behave the same.
    absl::StatusOr<HttpResponse> res = http_->Send(r);
    ASSERT_TRUE(res.ok()) << res.status();
    EXPECT_EQ(res->status, 201);
    EXPECT_EQ(res->body, "hello");
    EXPECT_EQ(res->Header("x-seen"), "yes");
    EXPECT_FALSE(res->Header("X-Absent").has_value());
  }
}

TEST_F(CurlHttpClientTest, StreamingBodyGoesToTheCallbackAndCanStopIt) {
  HttpRequest r;
  r.url = Url("/chunks");
  std::string got;
  r.on_body = [&](std::string_view d) {
    got += d;
    return true;
  };
  absl::StatusOr<HttpResponse> res = http_->Send(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(got, "piece0;piece1;piece2;piece3;piece4;");
  EXPECT_TRUE(res->body.empty());

  got.clear();
  r.on_body = [&](std::string_view d) {
    got += d;
    return false;
  };
  EXPECT_EQ(http_->Send(r).status().code(), absl::StatusCode::kCancelled);
}

TEST_F(CurlHttpClientTest, TimeoutCancelAndNoServer) {
  HttpRequest r;
  r.url = Url("/slow");
  r.timeout = 100ms;
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_->Send(r).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 600ms * testing::kSlowdown);

  std::atomic<bool> cancel{false};
  r.timeout = 10s;
  r.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(100ms);
    cancel = true;
  });
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(http_->Send(r).status().code(), absl::StatusCode::kCancelled);
  // curl checks the flag at least once a second while the connection is idle.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms + 100ms * testing::kSlowdown);
  canceller.join();

  HttpRequest nowhere;
  nowhere.url = "http://127.0.0.1:1/x";
  EXPECT_EQ(http_->Send(nowhere).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(CurlHttpClientTest, ErrorStatusKeepsBodyAndRetryAfter) {
  HttpRequest r;
  r.url = Url("/busy");
  r.on_body = [](std::string_view) { return true; };  // Not used for a non-2xx answer.
  absl::StatusOr<HttpResponse> res = http_->Send(r);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->body, "busy");
  EXPECT_EQ(res->RetryAfter(), 3000ms);
}

TEST(HttpResponse, RetryAfterForms) {
  HttpResponse r;
  EXPECT_FALSE(r.RetryAfter().has_value());
  r.headers = {{"retry-after", " 1.5 "}};
  EXPECT_EQ(r.RetryAfter(), 1500ms);
  r.headers = {{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}};  // In the past.
  EXPECT_EQ(r.RetryAfter(), 0ms);
  r.headers = {{"Retry-After", "soon"}};
  EXPECT_FALSE(r.RetryAfter().has_value());
  r.headers = {{"Retry-After", "-4"}};
  EXPECT_FALSE(r.RetryAfter().has_value());
}

TEST(FakeHttpClient, KeepsRequestsAndStreamsTheBody) {
  FakeHttpClient fake([](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse r;
    r.status = 200;
    r.body = "data: x\n\n";
    return r;
  });
  HttpRequest req;
  req.url = "http://fake/x";
  std::string got;
  req.on_body = [&](std::string_view d) {
    got += d;
    return true;
  };
  ASSERT_TRUE(fake.Send(req).ok());
  EXPECT_EQ(got, "data: x\n\n");
  EXPECT_EQ(fake.requests().size(), 1u);
}

}  // namespace
}  // namespace llmtap::internal
