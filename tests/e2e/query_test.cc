// The query service end to end: a real llmtapd holding known samples, scored by deterministic
// built-in rubrics, answers every query RPC with exactly the expected counts and means,
// percentiles within the sketch's 1% bound, Welch's t-test p-values equal to SciPy's, and
// INVALID_ARGUMENT naming the field for bad requests.
#include "query_test_data.h"

namespace llmtap::querytest {
namespace {

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


}  // namespace
}  // namespace llmtap::querytest
