// The query service end to end: a real llmtapd holding known samples, scored by deterministic
// built-in rubrics, answers every query RPC with exactly the expected counts and means,
// percentiles within the sketch's 1% bound, Welch's t-test p-values equal to SciPy's, and
// INVALID_ARGUMENT naming the field for bad requests.
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

namespace llmtap {
namespace {

using testing::CollectorProcess;
using namespace std::chrono_literals;

constexpr int64_t kNanos = 1'000'000'000;
// A UTC midnight (19675 * 86400 s): day, hour and minute rollups all align to it.
constexpr int64_t kDay0 = 1'699'920'000;
constexpr int64_t kHour = 3600;
// Samples 0..199 are app "qa" (four hours of 50), 200..239 app "other" (hour 0).
constexpr int kSamples = 240;
constexpr int kQa = 200;

// Deterministic rubrics: speed = (1000 - latency) / 1000, brevity = response <= 10 chars,
// says_nothing = response contains "nothing".
constexpr char kConfig[] = R"pb(
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

Known Make(int i) {
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

std::string Id(int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "0192a0b0c0d0e0f1%016x", i);
  return buf;
}

v1::Sample ToProto(const Known& k, int id) {
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

std::vector<Known> All() {
  std::vector<Known> all;
  for (int i = 0; i < kSamples; ++i) all.push_back(Make(i));
  return all;
}

std::vector<Known> Where(const std::function<bool(const Known&)>& keep) {
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

Expected Values(const std::vector<Known>& ks, const std::function<double(const Known&)>& f) {
  std::vector<double> v;
  for (const Known& k : ks) v.push_back(f(k));
  return Expected(std::move(v));
}

// Count, sum, mean, min and max exactly (up to summation order); stddev to 1e-9; percentiles
// within the sketch's 1% relative error.
void ExpectSummary(const v1::Summary& got, const Expected& want, const std::string& what) {
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

void ExpectNearRel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, rel * std::fabs(want)) << "want " << want;
}

v1::Filter Range(int64_t from_s, int64_t to_s, const std::string& app = "") {
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

  static CollectorProcess* collector_;
  std::unique_ptr<v1::QueryService::Stub> query_;
};

CollectorProcess* QueryTest::collector_ = nullptr;

TEST_F(QueryTest, GetSampleReturnsTheSampleWithEveryScoreAndItsReasoning) {
  for (int i : {0, 1, 73, 239}) {
    const Known k = Make(i);
    v1::GetSampleRequest r;
    r.set_id(Id(i));
    v1::GetSampleResponse got = Call(&v1::QueryService::Stub::GetSample, r);
    EXPECT_EQ(got.sample().id(), Id(i));
    EXPECT_EQ(got.sample().latency_ms(), k.latency);
    EXPECT_EQ(got.sample().metadata().at("tenant"), k.tenant);
    ASSERT_EQ(got.scores_size(), 3);
    for (const v1::Score& s : got.scores()) {
      SCOPED_TRACE(s.rubric());
      EXPECT_EQ(s.sample_id(), Id(i));
      EXPECT_EQ(s.state(), v1::SCORE_STATE_SCORED);
      EXPECT_NEAR(s.value(), k.Score(s.rubric()), 1e-15);
      EXPECT_EQ(s.passed(), s.value() >= 0.5);
      EXPECT_FALSE(s.reasoning().empty());
      EXPECT_EQ(s.rubric_version(), 1u);
      // Built-in metrics have no judge, hence no raw output; the field is carried through.
      EXPECT_TRUE(s.raw_output().empty());
    }
  }
}

TEST_F(QueryTest, StatsFromRollupsAndFromScansAreExact) {
  // Rollups: app, model, time range.
  ExpectStats(Range(kDay0, kDay0 + 4 * kHour, "qa"), Where([](const Known& k) {
                return k.app == "qa";
              }));
  v1::Filter f;
  f.set_model("m-big");
  ExpectStats(f, Where([](const Known& k) { return k.model == "m-big"; }));
  ExpectStats(Range(kDay0 + kHour, kDay0 + 3 * kHour, "qa"), Where([](const Known& k) {
                return k.app == "qa" && k.i >= 50 && k.i < 150;
              }));
  // Scans: session, metadata, rubric score threshold.
  f = Range(kDay0, kDay0 + 4 * kHour, "qa");
  f.set_session_id("s2");
  ExpectStats(f, Where([](const Known& k) { return k.app == "qa" && k.session == "s2"; }));
  f = v1::Filter();
  (*f.mutable_metadata())["tenant"] = "t3";
  f.set_variant("shadow");
  ExpectStats(f, Where([](const Known& k) { return k.tenant == "t3" && k.variant == "shadow"; }));
  f = v1::Filter();
  f.set_rubric("speed");
  f.set_score_below(0.5);
  ExpectStats(f, Where([](const Known& k) { return k.speed < 0.5; }));
}

TEST_F(QueryTest, ListSamplesAppliesEveryFilterNewestFirstAcrossPages) {
  v1::Filter f;
  f.set_app("qa");
  f.set_session_id("s1");
  (*f.mutable_metadata())["tenant"] = "t1";
  int pages = 0;
  std::vector<std::string> want;
  for (int i = kQa - 1; i >= 0; --i) {
    if (i % 5 == 1 && i % 4 == 1) want.push_back(Id(i));
  }
  // Sample start times grow with i, so newest first is i descending.
  EXPECT_EQ(ListIds(f, 3, &pages), want);
  EXPECT_EQ(pages, 4);

  f = v1::Filter();
  f.set_rubric("speed");
  f.set_score_above(0.8);
  want.clear();
  for (int i = kSamples - 1; i >= 0; --i) {
    if (Make(i).speed > 0.8) want.push_back(Id(i));
  }
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(ListIds(f, 7, &pages), want);

  f = Range(kDay0 + kHour, kDay0 + 2 * kHour);
  f.set_model("m-small");
  f.set_variant("shadow");
  want.clear();
  for (int i = 99; i >= 50; --i) {
    if (i % 2 == 0 && i % 3 == 0) want.push_back(Id(i));
  }
  EXPECT_EQ(ListIds(f, 1000, &pages), want);
  EXPECT_EQ(pages, 1);

  v1::ListSamplesRequest r;
  r.mutable_filter()->set_app("other");
  r.set_page_size(2);
  r.set_with_scores(true);
  v1::ListSamplesResponse page = Call(&v1::QueryService::Stub::ListSamples, r);
  ASSERT_EQ(page.samples_size(), 2);
  EXPECT_EQ(page.samples(0).sample().id(), Id(239));
  EXPECT_EQ(page.samples(0).scores_size(), 3);
  EXPECT_FALSE(page.next_page_token().empty());
}

TEST_F(QueryTest, TrendHourlyByRubricReadsExactRollups) {
  v1::TrendRequest r;
  *r.mutable_filter() = Range(kDay0, kDay0 + 4 * kHour, "qa");
  r.set_bucket_s(3600);
  r.set_group_by(v1::GROUP_BY_RUBRIC);
  v1::TrendResponse t = Trend(r);
  ASSERT_EQ(t.series_size(), 3);
  const char* names[] = {"brevity", "says_nothing", "speed"};
  for (int g = 0; g < 3; ++g) {
    const v1::TrendSeries& series = t.series(g);
    const std::string rubric = names[g];
    ASSERT_EQ(series.group(), rubric);
    ASSERT_EQ(series.points_size(), 4);
    for (int h = 0; h < 4; ++h) {
      const v1::TrendPoint& p = series.points(h);
      EXPECT_EQ(p.start_unix_nano(), (kDay0 + h * kHour) * kNanos);
      const Expected want = Values(Where([h](const Known& k) {
                                     return k.app == "qa" && k.i / 50 == h;
                                   }),
                                   [&](const Known& k) { return k.Score(rubric); });
      ExpectSummary(p.summary(), want, rubric + " hour " + std::to_string(h));
      // 95% CI of the mean: t(0.975, 49) = 2.0095752371292392 (scipy.stats.t.ppf).
      const double half = 2.0095752371292392 * want.StdDev() / std::sqrt(50.0);
      EXPECT_NEAR(p.summary().mean_ci_low(), want.Mean() - half, 1e-9);
      EXPECT_NEAR(p.summary().mean_ci_high(), want.Mean() + half, 1e-9);
    }
    const Expected total = Values(Where([](const Known& k) { return k.app == "qa"; }),
                                  [&](const Known& k) { return k.Score(rubric); });
    ExpectSummary(series.total(), total, rubric + " total");
    // t(0.975, 199) = 1.9719565442517533.
    EXPECT_NEAR(series.total().mean_ci_high(),
                total.Mean() + 1.9719565442517533 * total.StdDev() / std::sqrt(200.0), 1e-9);
  }
}

TEST_F(QueryTest, TrendOfAMetricGroupedByModelVariantAndApp) {
  v1::TrendRequest r;
  *r.mutable_filter() = Range(kDay0, kDay0 + 4 * kHour, "qa");
  r.set_metric(v1::METRIC_LATENCY_MS);
  r.set_bucket_s(7200);
  r.set_group_by(v1::GROUP_BY_MODEL);
  v1::TrendResponse t = Trend(r);
  ASSERT_EQ(t.series_size(), 2);
  for (int g = 0; g < 2; ++g) {
    const std::string model = g == 0 ? "m-big" : "m-small";
    EXPECT_EQ(t.series(g).group(), model);
    ASSERT_EQ(t.series(g).points_size(), 2);
    for (int b = 0; b < 2; ++b) {
      ExpectSummary(t.series(g).points(b).summary(),
                    Values(Where([&](const Known& k) {
                             return k.app == "qa" && k.model == model && k.i / 100 == b;
                           }),
                           [](const Known& k) { return k.latency; }),
                    model);
    }
  }

  r.set_metric(v1::METRIC_ERROR);
  r.set_group_by(v1::GROUP_BY_APP);
  r.set_bucket_s(86400);
  r.mutable_filter()->set_app("");
  r.mutable_filter()->set_end_unix_nano((kDay0 + 86400) * kNanos);
  t = Trend(r);
  ASSERT_EQ(t.series_size(), 2);
  EXPECT_EQ(t.series(0).group(), "other");
  EXPECT_EQ(t.series(1).group(), "qa");
  ExpectSummary(t.series(1).total(),
                Values(Where([](const Known& k) { return k.app == "qa"; }),
                       [](const Known& k) { return k.error ? 1.0 : 0.0; }),
                "errors");

  r = v1::TrendRequest();
  *r.mutable_filter() = Range(kDay0, kDay0 + 4 * kHour, "qa");
  r.mutable_filter()->set_rubric("speed");
  r.set_group_by(v1::GROUP_BY_VARIANT);
  t = Trend(r);  // Default bucket: one hour.
  ASSERT_EQ(t.series_size(), 2);
  EXPECT_EQ(t.series(0).group(), "production");
  EXPECT_EQ(t.series(0).points_size(), 4);
  ExpectSummary(t.series(1).total(),
                Values(Where([](const Known& k) { return k.app == "qa" && k.variant == "shadow"; }),
                       [](const Known& k) { return k.speed; }),
                "shadow speed");
}

TEST_F(QueryTest, TrendGroupedByMetadataOrFilteredBySessionScansExactly) {
  v1::TrendRequest r;
  *r.mutable_filter() = Range(kDay0, kDay0 + 4 * kHour);
  r.mutable_filter()->set_rubric("speed");
  r.set_bucket_s(4 * 3600);
  r.set_group_by(v1::GROUP_BY_METADATA);
  r.set_group_key("tenant");
  v1::TrendResponse t = Trend(r);
  ASSERT_EQ(t.series_size(), 4);
  for (int g = 0; g < 4; ++g) {
    const std::string tenant = "t" + std::to_string(g);
    EXPECT_EQ(t.series(g).group(), tenant);
    ASSERT_EQ(t.series(g).points_size(), 1);
    ExpectSummary(t.series(g).points(0).summary(),
                  Values(Where([&](const Known& k) { return k.tenant == tenant; }),
                         [](const Known& k) { return k.speed; }),
                  tenant);
  }

  r = v1::TrendRequest();
  *r.mutable_filter() = Range(kDay0, kDay0 + 4 * kHour, "qa");
  r.mutable_filter()->set_session_id("s4");
  r.set_metric(v1::METRIC_OUTPUT_TOKENS);
  t = Trend(r);
  ASSERT_EQ(t.series_size(), 1);
  EXPECT_EQ(t.series(0).group(), "");
  EXPECT_EQ(t.series(0).points_size(), 4);
  ExpectSummary(t.series(0).total(),
                Values(Where([](const Known& k) {
                         return k.app == "qa" && k.session == "s4" && !k.error;
                       }),
                       [](const Known& k) { return double(k.output_tokens); }),
                "s4 output tokens");
}

// Reference values: scipy.stats.ttest_ind(candidate, baseline, equal_var=False) and its
// confidence_interval(0.95), on the same data generated in Python (SciPy 1.17.1).
struct Reference {
  const char* rubric;
  size_t n_base, n_cand;
  double mean_base, mean_cand, t, df, p, ci_low, ci_high;
};

void ExpectComparison(const v1::RubricComparison& got, const Reference& want) {
  SCOPED_TRACE(want.rubric);
  EXPECT_EQ(got.rubric(), want.rubric);
  EXPECT_EQ(got.baseline().count(), want.n_base);
  EXPECT_EQ(got.candidate().count(), want.n_cand);
  EXPECT_NEAR(got.baseline().mean(), want.mean_base, 1e-12);
  EXPECT_NEAR(got.candidate().mean(), want.mean_cand, 1e-12);
  EXPECT_NEAR(got.delta(), want.mean_cand - want.mean_base, 1e-12);
  ExpectNearRel(got.t(), want.t, 1e-9);
  ExpectNearRel(got.df(), want.df, 1e-9);
  ExpectNearRel(got.p_value(), want.p, 1e-8);
  ExpectNearRel(got.ci_low(), want.ci_low, 1e-8);
  ExpectNearRel(got.ci_high(), want.ci_high, 1e-8);
}

TEST_F(QueryTest, CompareFromRollupsMatchesScipyWelch) {
  v1::CompareRequest r;
  *r.mutable_baseline() = Range(kDay0, kDay0 + 4 * kHour, "qa");
  r.mutable_baseline()->set_variant("production");
  *r.mutable_candidate() = Range(kDay0, kDay0 + 4 * kHour, "qa");
  r.mutable_candidate()->set_variant("shadow");
  v1::CompareResponse c = Compare(r);  // Every rubric, sorted; max_drop 0.02, alpha 0.05.
  ASSERT_EQ(c.rubrics_size(), 3);
  ExpectComparison(c.rubrics(0), {"brevity", 133, 67, 0.24812030075187969, 0.40298507462686567,
                                  2.1774001326441406, 118.21382238090867, 0.03143749917258625,
                                  0.014023105282684328, 0.2957064424672876});
  ExpectComparison(c.rubrics(1),
                   {"says_nothing", 133, 67, 0.7518796992481203, 0.5970149253731343,
                    -2.1774001326441406, 118.21382238090865, 0.03143749917258625,
                    -0.2957064424672876, -0.014023105282684328});
  ExpectComparison(c.rubrics(2), {"speed", 133, 67, 0.6007443609022557, 0.453,
                                  -5.644489320286617, 131.13554343006945, 9.792949637710043e-08,
                                  -0.1995242042060224, -0.09596451759848895});
  EXPECT_EQ(c.rubrics(0).verdict(), v1::RubricComparison::VERDICT_PASS);  // Went up.
  EXPECT_EQ(c.rubrics(1).verdict(), v1::RubricComparison::VERDICT_REGRESSION);
  EXPECT_EQ(c.rubrics(2).verdict(), v1::RubricComparison::VERDICT_REGRESSION);
  EXPECT_FALSE(c.passed());

  // At alpha 0.01 the says_nothing drop (p = 0.031) is not significant; speed's still is.
  r.set_alpha(0.01);
  r.add_rubrics("says_nothing");
  r.add_rubrics("speed");
  c = Compare(r);
  ASSERT_EQ(c.rubrics_size(), 2);
  EXPECT_EQ(c.rubrics(0).verdict(), v1::RubricComparison::VERDICT_PASS);
  EXPECT_EQ(c.rubrics(1).verdict(), v1::RubricComparison::VERDICT_REGRESSION);
  EXPECT_FALSE(c.passed());

  // A drop of 0.147 is allowed with max_drop 0.2.
  r.set_max_drop(0.2);
  c = Compare(r);
  EXPECT_EQ(c.rubrics(1).verdict(), v1::RubricComparison::VERDICT_PASS);
  EXPECT_TRUE(c.passed());

  // One sample on a side is not enough.
  r.clear_rubrics();
  r.add_rubrics("speed");
  r.add_rubrics("no_such_rubric");
  *r.mutable_candidate() = Range(kDay0, kDay0 + 60, "qa");  // Sample 0 only.
  c = Compare(r);
  ASSERT_EQ(c.rubrics_size(), 2);
  EXPECT_EQ(c.rubrics(0).candidate().count(), 1u);
  EXPECT_EQ(c.rubrics(0).verdict(), v1::RubricComparison::VERDICT_INSUFFICIENT_DATA);
  EXPECT_EQ(c.rubrics(1).baseline().count(), 0u);
  EXPECT_EQ(c.rubrics(1).verdict(), v1::RubricComparison::VERDICT_INSUFFICIENT_DATA);
  EXPECT_TRUE(c.passed());
}

TEST_F(QueryTest, CompareByMetadataScansScoresAndMatchesScipyWelch) {
  v1::CompareRequest r;
  r.mutable_baseline()->set_app("qa");
  (*r.mutable_baseline()->mutable_metadata())["tenant"] = "t0";
  r.mutable_candidate()->set_app("qa");
  (*r.mutable_candidate()->mutable_metadata())["tenant"] = "t2";
  r.add_rubrics("speed");
  r.add_rubrics("brevity");
  v1::CompareResponse c = Compare(r);
  ASSERT_EQ(c.rubrics_size(), 2);
  ExpectComparison(c.rubrics(0), {"speed", 50, 50, 0.555, 0.549, -0.15866123701946117,
                                  97.97010885105898, 0.8742623802718642, -0.08104574120112112,
                                  0.06904574120112111});
  EXPECT_EQ(c.rubrics(0).verdict(), v1::RubricComparison::VERDICT_PASS);
  // The baseline is all 1 (no variance): df = n2 - 1 = 49 (Welch–Satterthwaite).
  ExpectComparison(c.rubrics(1), {"brevity", 50, 50, 1.0, 0.08, -23.73815494093844, 49.0,
                                  1.5765206364803187e-28, -0.9978834421950156,
                                  -0.8421165578049845});
  EXPECT_EQ(c.rubrics(1).verdict(), v1::RubricComparison::VERDICT_REGRESSION);

  // A population given by a score threshold: same numbers as listing it by hand.
  r = v1::CompareRequest();
  r.mutable_baseline()->set_rubric("speed");
  r.mutable_baseline()->set_score_above(0.5);
  r.mutable_candidate()->set_rubric("speed");
  r.mutable_candidate()->set_score_below(0.5);
  r.add_rubrics("brevity");
  c = Compare(r);
  ASSERT_EQ(c.rubrics_size(), 1);
  const auto above = Where([](const Known& k) { return k.speed > 0.5; });
  const auto below = Where([](const Known& k) { return k.speed < 0.5; });
  EXPECT_EQ(c.rubrics(0).baseline().count(), above.size());
  EXPECT_EQ(c.rubrics(0).candidate().count(), below.size());
  EXPECT_NEAR(c.rubrics(0).baseline().mean(),
              Values(above, [](const Known& k) { return k.brevity; }).Mean(), 1e-12);
}

TEST_F(QueryTest, HttpJsonServesTrendAndCompare) {
  httplib::Client http("127.0.0.1", collector_->http_port());
  auto res = http.Post("/api/v1/Trend",
                       R"({"filter":{"app":"qa","start_unix_nano":")" +
                           std::to_string(kDay0 * kNanos) + R"(","end_unix_nano":")" +
                           std::to_string((kDay0 + 4 * kHour) * kNanos) +
                           R"("},"group_by":"GROUP_BY_RUBRIC"})",
                       "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::TrendResponse trend;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(res->body, &trend).ok()) << res->body;
  ASSERT_EQ(trend.series_size(), 3);
  EXPECT_EQ(trend.series(2).group(), "speed");
  EXPECT_EQ(trend.series(2).total().count(), 200u);

  res = http.Post("/api/v1/Compare",
                  R"({"baseline":{"app":"qa","variant":"production"},)"
                  R"("candidate":{"app":"qa","variant":"shadow"},"rubrics":["speed"]})",
                  "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  v1::CompareResponse compare;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(res->body, &compare).ok());
  ASSERT_EQ(compare.rubrics_size(), 1);
  ExpectNearRel(compare.rubrics(0).p_value(), 9.792949637710043e-08, 1e-8);
  EXPECT_FALSE(compare.passed());

  res = http.Post("/api/v1/Trend", R"({"filter":{"app":"qa"},"bucket_s":90})",
                  "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
}

TEST_F(QueryTest, InvalidRequestsAreRejectedNamingTheField) {
  struct Case {
    std::string name;
    std::function<grpc::Status(grpc::ClientContext*)> call;
    std::string field;
  };
  auto stub = query_.get();
  auto list = [stub](std::function<void(v1::ListSamplesRequest*)> edit) {
    return [stub, edit](grpc::ClientContext* c) {
      v1::ListSamplesRequest r;
      edit(&r);
      v1::ListSamplesResponse out;
      return stub->ListSamples(c, r, &out);
    };
  };
  auto trend = [stub](std::function<void(v1::TrendRequest*)> edit) {
    return [stub, edit](grpc::ClientContext* c) {
      v1::TrendRequest r;
      *r.mutable_filter() = Range(kDay0, kDay0 + 4 * kHour, "qa");
      r.mutable_filter()->set_rubric("speed");
      edit(&r);
      v1::TrendResponse out;
      return stub->Trend(c, r, &out);
    };
  };
  auto compare = [stub](std::function<void(v1::CompareRequest*)> edit) {
    return [stub, edit](grpc::ClientContext* c) {
      v1::CompareRequest r;
      edit(&r);
      v1::CompareResponse out;
      return stub->Compare(c, r, &out);
    };
  };
  const std::vector<Case> cases = {
      {"bad id",
       [stub](grpc::ClientContext* c) {
         v1::GetSampleRequest r;
         r.set_id("xyz");
         v1::GetSampleResponse out;
         return stub->GetSample(c, r, &out);
       },
       "id"},
      {"end before start",
       list([](auto* r) { *r->mutable_filter() = Range(kDay0 + 10, kDay0); }),
       "filter.end_unix_nano"},
      {"negative start", list([](auto* r) { r->mutable_filter()->set_start_unix_nano(-1); }),
       "filter.start_unix_nano"},
      {"threshold without rubric", list([](auto* r) { r->mutable_filter()->set_score_below(1); }),
       "filter.rubric"},
      {"NaN threshold",
       list([](auto* r) {
         r->mutable_filter()->set_rubric("speed");
         r->mutable_filter()->set_score_above(NAN);
       }),
       "filter.score_above"},
      {"empty score window",
       list([](auto* r) {
         r->mutable_filter()->set_rubric("speed");
         r->mutable_filter()->set_score_above(0.8);
         r->mutable_filter()->set_score_below(0.2);
       }),
       "filter.score_below"},
      {"long model", list([](auto* r) { r->mutable_filter()->set_model(std::string(300, 'm')); }),
       "filter.model"},
      {"NUL in session",
       list([](auto* r) { r->mutable_filter()->set_session_id(std::string("a\0b", 3)); }),
       "filter.session_id"},
      {"empty metadata key",
       list([](auto* r) { (*r->mutable_filter()->mutable_metadata())[""] = "x"; }),
       "filter.metadata"},
      {"page size", list([](auto* r) { r->set_page_size(5000); }), "page_size"},
      {"page token", list([](auto* r) { r->set_page_token("zz"); }), "page_token"},
      {"stats filter",
       [stub](grpc::ClientContext* c) {
         v1::StatsRequest r;
         r.mutable_filter()->set_end_unix_nano(-5);
         v1::StatsResponse out;
         return stub->Stats(c, r, &out);
       },
       "filter.end_unix_nano"},
      {"completeness by session",
       [stub](grpc::ClientContext* c) {
         v1::CompletenessRequest r;
         r.mutable_filter()->set_session_id("s1");
         v1::CompletenessResponse out;
         return stub->Completeness(c, r, &out);
       },
       "filter.session_id"},
      {"trend bucket", trend([](auto* r) { r->set_bucket_s(90); }), "bucket_s"},
      {"trend too many buckets",
       trend([](auto* r) {
         r->set_bucket_s(60);
         r->mutable_filter()->set_end_unix_nano((kDay0 + 30 * 86400) * kNanos);
       }),
       "bucket_s"},
      {"trend unbounded", trend([](auto* r) { r->mutable_filter()->clear_end_unix_nano(); }),
       "filter.end_unix_nano"},
      {"trend nothing to trend", trend([](auto* r) { r->mutable_filter()->clear_rubric(); }),
       "metric"},
      {"trend metadata without key",
       trend([](auto* r) { r->set_group_by(v1::GROUP_BY_METADATA); }), "group_key"},
      {"trend metric by rubric",
       trend([](auto* r) {
         r->set_metric(v1::METRIC_LATENCY_MS);
         r->set_group_by(v1::GROUP_BY_RUBRIC);
       }),
       "group_by"},
      {"trend unknown metric", trend([](auto* r) { r->set_metric(static_cast<v1::Metric>(99)); }),
       "metric"},
      {"compare alpha", compare([](auto* r) { r->set_alpha(1.5); }), "alpha"},
      {"compare max_drop", compare([](auto* r) { r->set_max_drop(-0.1); }), "max_drop"},
      {"compare candidate",
       compare([](auto* r) { r->mutable_candidate()->set_score_below(0.5); }),
       "candidate.rubric"},
      {"compare baseline",
       compare([](auto* r) { *r->mutable_baseline() = Range(kDay0 + 10, kDay0); }),
       "baseline.end_unix_nano"},
      {"compare empty rubric name", compare([](auto* r) { r->add_rubrics(""); }), "rubrics"},
      {"tail", [stub](grpc::ClientContext* c) {
         v1::TailRequest r;
         r.mutable_filter()->set_score_above(0.5);
         auto reader = stub->Tail(c, r);
         v1::TailResponse event;
         while (reader->Read(&event)) {
         }
         return reader->Finish();
       },
       "filter.rubric"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    grpc::Status status = c.call(&context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_EQ(status.error_message().rfind(c.field + ":", 0), 0u) << status.error_message();
  }
}

// Tail gets a collector of its own: it ingests while it listens.
TEST(QueryTail, TailSendsOnlyScoresMatchingTheFilter) {
  CollectorProcess collector(kConfig);
  ASSERT_TRUE(collector.Start()) << collector.log();
  auto channel = grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
  auto ingest = v1::IngestService::NewStub(channel);
  auto query = v1::QueryService::NewStub(channel);

  v1::TailRequest request;
  v1::Filter& f = *request.mutable_filter();
  f.set_app("qa");
  f.set_model("m-big");
  (*f.mutable_metadata())["tenant"] = "t1";
  f.set_rubric("speed");
  f.set_score_below(0.7);
  grpc::ClientContext tail_context;
  auto reader = query->Tail(&tail_context, request);
  std::mutex mu;
  std::vector<v1::TailResponse> events;
  std::thread listener([&] {
    v1::TailResponse event;
    while (reader->Read(&event)) {
      std::lock_guard<std::mutex> lock(mu);
      events.push_back(event);
    }
  });
  // Stops the stream and the listener on every way out of the test.
  struct Stopper {
    std::function<void()> stop;
    ~Stopper() { stop(); }
  } stopper{[&] {
    tail_context.TryCancel();
    if (listener.joinable()) listener.join();
  }};
  auto received = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return events.size();
  };
  auto send = [&](const v1::Sample& s) {
    v1::IngestRequest r;
    *r.add_samples() = s;
    grpc::ClientContext context;
    v1::IngestResponse response;
    ASSERT_TRUE(ingest->Ingest(&context, r, &response).ok());
  };

  // Sample 73 matches (m-big, t1, speed 0.681). Send copies until the subscription is live.
  int probes = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (received() == 0 && std::chrono::steady_clock::now() < deadline) {
    send(ToProto(Make(73), 9000 + probes++));
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_GT(received(), 0u) << "Tail never delivered";
  while (received() < static_cast<size_t>(probes) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }

  std::set<std::string> want;
  v1::IngestRequest batch;
  for (int i = 0; i < kSamples; ++i) {
    const Known k = Make(i);
    *batch.add_samples() = ToProto(k, 5000 + i);
    if (k.app == "qa" && k.model == "m-big" && k.tenant == "t1" && k.speed < 0.7) {
      want.insert(Id(5000 + i));
    }
  }
  ASSERT_FALSE(want.empty());
  grpc::ClientContext context;
  v1::IngestResponse response;
  ASSERT_TRUE(ingest->Ingest(&context, batch, &response).ok());
  while (received() < probes + want.size() && std::chrono::steady_clock::now() < deadline + 20s) {
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(500ms);  // Anything that should not come has had time to.
  stopper.stop();

  std::set<std::string> got;
  for (const auto& e : events) {
    EXPECT_EQ(e.score().rubric(), "speed");
    EXPECT_LT(e.score().value(), 0.7);
    EXPECT_EQ(e.sample().metadata().at("tenant"), "t1");
    EXPECT_EQ(e.sample().model(), "m-big");
    if (e.sample().id() < Id(9000)) {
      EXPECT_TRUE(got.insert(e.sample().id()).second);
    }
  }
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace llmtap
