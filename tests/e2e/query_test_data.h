// Known data for the query service's end-to-end tests, and the fixture that loads it: a real
// llmtapd holding kSamples known samples, scored by deterministic built-in rubrics. Shared by
// query_test.cc (reads) and query_validation_test.cc (bad requests, Tail).
#ifndef LLMTAP_TESTS_E2E_QUERY_TEST_DATA_H_
#define LLMTAP_TESTS_E2E_QUERY_TEST_DATA_H_

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "collector_process.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::querytest {

using testing::CollectorProcess;
using namespace std::chrono_literals;

inline constexpr int64_t kNanos = 1'000'000'000;
// A UTC midnight (19675 * 86400 s): day, hour and minute rollups all align to it.
inline constexpr int64_t kDay0 = 1'699'920'000;
inline constexpr int64_t kHour = 3600;
// Samples 0..199 are app "qa" (four hours of 50), 200..239 app "other" (hour 0).
inline constexpr int kSamples = 240;
inline constexpr int kQa = 200;

// Deterministic rubrics: speed = (1000 - latency) / 1000, brevity = response <= 10 chars,
// says_nothing = response contains "nothing".
inline constexpr char kConfig[] = R"pb(
  rubrics { name: "speed" kind: RUBRIC_KIND_LATENCY bound { good: 0 bad: 1000 } }
  rubrics { name: "brevity" kind: RUBRIC_KIND_LENGTH length { max_chars: 10 } }
  rubrics { name: "says_nothing" kind: RUBRIC_KIND_REGEX regex { must: "nothing" } }
)pb";

// Everything the test knows about sample i.
struct Known {
  int i;
  std::string app, model, variant, session, tenant, response;
  int64_t start_ns;
  double latency, cost;
  int64_t input_tokens, output_tokens;
  bool error;
  double speed, brevity, says_nothing;

  double Score(const std::string& rubric) const {
    return rubric == "speed" ? speed : rubric == "brevity" ? brevity : says_nothing;
  }
};

inline Known Make(int i) {
  Known k;
  k.i = i;
  k.app = i < kQa ? "qa" : "other";
  const int hour = (i % kQa) / 50;
  k.start_ns = (kDay0 + hour * kHour + (i % 50) * 60) * kNanos + i * 1000;
  k.model = i % 2 ? "m-big" : "m-small";
  k.variant = i % 3 == 0 ? "shadow" : "production";
  k.session = "s" + std::to_string(i % 5);
  k.tenant = "t" + std::to_string(i % 4);
  k.latency = 100 + 3 * i + (k.variant == "shadow" ? 150 : 0);
  const bool short_answer = i % 4 == 0 || (k.variant == "shadow" && i % 5 == 1);
  k.response = short_answer ? "ok short" : "nope, nothing here";
  k.input_tokens = 100 + i;
  k.output_tokens = 10 + i % 5;
  k.error = i % 7 == 0;
  k.cost = 0.0001 * (1 + i % 3);
  k.speed = (1000 - k.latency) / 1000;
  k.brevity = short_answer ? 1 : 0;
  k.says_nothing = short_answer ? 0 : 1;
  return k;
}

inline std::string Id(int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "0192a0b0c0d0e0f1%016x", i);
  return buf;
}

inline v1::Sample ToProto(const Known& k, int id) {
  v1::Sample s;
  s.set_id(Id(id));
  s.set_app(k.app);
  s.set_model(k.model);
  s.set_variant(k.variant);
  s.set_session_id(k.session);
  (*s.mutable_metadata())["tenant"] = k.tenant;
  s.set_prompt("question " + std::to_string(k.i));
  s.set_response(k.response);
  s.set_start_time_unix_nano(k.start_ns);
  s.set_latency_ms(k.latency);
  s.set_input_tokens(k.input_tokens);
  s.set_output_tokens(k.output_tokens);
  s.set_cost_usd(k.cost);
  s.set_status(k.error ? v1::CALL_STATUS_ERROR : v1::CALL_STATUS_OK);
  if (k.error) s.set_error("HTTP 500");
  return s;
}

inline std::vector<Known> All() {
  std::vector<Known> all;
  for (int i = 0; i < kSamples; ++i) all.push_back(Make(i));
  return all;
}

inline std::vector<Known> Where(const std::function<bool(const Known&)>& keep) {
  std::vector<Known> out;
  for (const Known& k : All()) {
    if (keep(k)) out.push_back(k);
  }
  return out;
}

// The plain statistics a Summary should hold, computed here from the values themselves.
struct Expected {
  std::vector<double> values;  // Sorted.
  double sum = 0;

  explicit Expected(std::vector<double> v) : values(std::move(v)) {
    std::sort(values.begin(), values.end());
    for (double x : values) sum += x;
  }
  double Mean() const { return sum / values.size(); }
  double StdDev() const {
    double ss = 0;
    for (double x : values) ss += (x - Mean()) * (x - Mean());
    return std::sqrt(ss / (values.size() - 1));
  }
  // The lower quantile, as the sketch defines it: the value of rank floor(q * (n - 1)).
  double Quantile(double q) const {
    return values[static_cast<size_t>(q * (values.size() - 1))];
  }
};

inline Expected Values(const std::vector<Known>& ks,
                       const std::function<double(const Known&)>& f) {
  std::vector<double> v;
  for (const Known& k : ks) v.push_back(f(k));
  return Expected(std::move(v));
}

// Count, sum, mean, min and max exactly (up to summation order); stddev to 1e-9; percentiles
// within the sketch's 1% relative error.
inline void ExpectSummary(const v1::Summary& got, const Expected& want,
                          const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(got.count(), want.values.size());
  EXPECT_NEAR(got.sum(), want.sum, 1e-9 * std::max(1.0, std::fabs(want.sum)));
  EXPECT_NEAR(got.mean(), want.Mean(), 1e-12 * std::max(1.0, std::fabs(want.Mean())));
  EXPECT_EQ(got.min(), want.values.front());
  EXPECT_EQ(got.max(), want.values.back());
  if (want.values.size() > 1) {
    EXPECT_NEAR(got.stddev(), want.StdDev(), 1e-9);
  }
  for (auto [q, p] : {std::pair{0.5, got.p50()}, {0.95, got.p95()}, {0.99, got.p99()}}) {
    const double v = want.Quantile(q);
    EXPECT_NEAR(p, v, 0.01 * std::fabs(v) + 1e-12) << "q=" << q;
  }
}

inline void ExpectNearRel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "want " << want;
}

inline v1::Filter Range(int64_t from_s, int64_t to_s, const std::string& app = "") {
  v1::Filter f;
  f.set_start_unix_nano(from_s * kNanos);
  f.set_end_unix_nano(to_s * kNanos);
  f.set_app(app);
  return f;
}

class QueryTest : public ::testing::Test {
 protected:
  // One daemon with the known data for every read-only test.
  static void SetUpTestSuite() {
    collector_ = new CollectorProcess(kConfig);
    ASSERT_TRUE(collector_->Start()) << collector_->log();
    auto channel =
        grpc::CreateChannel(collector_->grpc_address(), grpc::InsecureChannelCredentials());
    auto ingest = v1::IngestService::NewStub(channel);
    v1::IngestRequest request;
    for (int i = 0; i < kSamples; ++i) *request.add_samples() = ToProto(Make(i), i);
    grpc::ClientContext context;
    v1::IngestResponse response;
    grpc::Status status = ingest->Ingest(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.accepted(), static_cast<uint32_t>(kSamples));
    WaitScored(channel, "", kSamples);
  }
  static void TearDownTestSuite() {
    delete collector_;
    collector_ = nullptr;
  }

  // Waits until each of the three rubrics has scored `n` samples of `app` ("" = all).
  static void WaitScored(const std::shared_ptr<grpc::Channel>& channel, const std::string& app,
                         uint64_t n) {
    auto query = v1::QueryService::NewStub(channel);
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    v1::CompletenessResponse c;
    while (std::chrono::steady_clock::now() < deadline) {
      v1::CompletenessRequest request;
      request.mutable_filter()->set_app(app);
      grpc::ClientContext context;
      c.Clear();
      ASSERT_TRUE(query->Completeness(&context, request, &c).ok());
      int done = 0;
      for (const auto& r : c.rubrics()) done += r.scored() >= n;
      if (done == 3) return;
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "scoring did not finish: " << c.ShortDebugString();
  }

  void SetUp() override {
    ASSERT_NE(collector_, nullptr);
    query_ = v1::QueryService::NewStub(
        grpc::CreateChannel(collector_->grpc_address(), grpc::InsecureChannelCredentials()));
  }

  template <typename Req, typename Resp>
  Resp Call(grpc::Status (v1::QueryService::Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
            const Req& request) {
    grpc::ClientContext context;
    Resp response;
    grpc::Status status = (query_.get()->*rpc)(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message() << " for " << request.ShortDebugString();
    return response;
  }

  v1::StatsResponse Stats(const v1::Filter& f) {
    v1::StatsRequest r;
    *r.mutable_filter() = f;
    return Call(&v1::QueryService::Stub::Stats, r);
  }
  v1::TrendResponse Trend(const v1::TrendRequest& r) {
    return Call(&v1::QueryService::Stub::Trend, r);
  }
  v1::CompareResponse Compare(const v1::CompareRequest& r) {
    return Call(&v1::QueryService::Stub::Compare, r);
  }

  // Every sample id the filter lists, over all pages of `page_size`, in order.
  std::vector<std::string> ListIds(const v1::Filter& f, uint32_t page_size, int* pages) {
    v1::ListSamplesRequest r;
    *r.mutable_filter() = f;
    r.set_page_size(page_size);
    std::vector<std::string> ids;
    *pages = 0;
    do {
      v1::ListSamplesResponse response = Call(&v1::QueryService::Stub::ListSamples, r);
      for (const auto& s : response.samples()) ids.push_back(s.sample().id());
      r.set_page_token(response.next_page_token());
      ++*pages;
    } while (!r.page_token().empty() && *pages < 1000);
    return ids;
  }

  void ExpectStats(const v1::Filter& f, const std::vector<Known>& want) {
    SCOPED_TRACE(f.ShortDebugString());
    v1::StatsResponse s = Stats(f);
    std::vector<Known> ok;
    uint64_t errors = 0;
    for (const Known& k : want) {
      if (k.error) {
        ++errors;
      } else {
        ok.push_back(k);
      }
    }
    EXPECT_EQ(s.samples(), want.size());
    EXPECT_EQ(s.errors(), errors);
    EXPECT_NEAR(s.error_rate(), static_cast<double>(errors) / want.size(), 1e-12);
    ExpectSummary(s.latency_ms(), Values(want, [](const Known& k) { return k.latency; }),
                  "latency");
    ExpectSummary(s.input_tokens(),
                  Values(ok, [](const Known& k) { return double(k.input_tokens); }), "input");
    ExpectSummary(s.output_tokens(),
                  Values(ok, [](const Known& k) { return double(k.output_tokens); }), "output");
    ExpectSummary(s.cost_usd(), Values(ok, [](const Known& k) { return k.cost; }), "cost");
    EXPECT_EQ(s.ttft_ms().count(), 0u);
  }

  inline static CollectorProcess* collector_ = nullptr;
  std::unique_ptr<v1::QueryService::Stub> query_;
};

}  // namespace llmtap::querytest

#endif  // LLMTAP_TESTS_E2E_QUERY_TEST_DATA_H_
