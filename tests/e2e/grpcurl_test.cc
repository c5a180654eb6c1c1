// The real grpcurl binary against a real llmtapd: reflection lists and describes the services,
// and calls answer in JSON.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <unistd.h>

#include "collector_process.h"
#include "google/protobuf/util/json_util.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;

std::string Grpcurl() {
  if (const char* g = std::getenv("GRPCURL")) return g;
  if (const char* gopath = std::getenv("GOPATH")) return std::string(gopath) + "/bin/grpcurl";
  return std::string(std::getenv("HOME")) + "/go/bin/grpcurl";
}

// Runs grpcurl with `args`; returns its stdout and stderr, and sets *exit_code.
std::string RunGrpcurl(const std::string& args, int* exit_code) {
  const std::string command = Grpcurl() + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  *exit_code = WEXITSTATUS(pclose(pipe));
  return out;
}

TEST(Grpcurl, ListDescribeAndCall) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  const std::string target = "-plaintext " + collector.grpc_address();
  int code = 0;

  std::string out = RunGrpcurl(target + " list", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("llmtap.v1.IngestService"), std::string::npos) << out;
  EXPECT_NE(out.find("llmtap.v1.QueryService"), std::string::npos) << out;
  EXPECT_NE(out.find("grpc.health.v1.Health"), std::string::npos) << out;

  out = RunGrpcurl(target + " describe llmtap.v1.QueryService", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rpc GetSample"), std::string::npos) << out;
  out = RunGrpcurl(target + " describe llmtap.v1.Sample", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("start_time_unix_nano"), std::string::npos) << out;

  const std::string id = "0192a0b0c0d0e0f00112233445566778";
  out = RunGrpcurl("-d '{\"samples\":[{\"id\":\"" + id +
                "\",\"app\":\"demo\",\"model\":\"m\",\"start_time_unix_nano\":\"1700000000000000000\","
                "\"prompt\":\"hi\",\"response\":\"hello\",\"latency_ms\":12.5}]}' " +
                target + " llmtap.v1.IngestService/Ingest",
            &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\"accepted\": 1"), std::string::npos) << out;

  out = RunGrpcurl("-d '{\"id\":\"" + id + "\"}' " + target + " llmtap.v1.QueryService/GetSample", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\"id\": \"" + id + "\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"response\": \"hello\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"latency_ms\": 12.5"), std::string::npos) << out;

  out = RunGrpcurl(target + " grpc.health.v1.Health/Check", &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("SERVING"), std::string::npos) << out;

  out = RunGrpcurl("-d '{\"id\":\"nope\"}' " + target + " llmtap.v1.QueryService/GetSample", &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("InvalidArgument"), std::string::npos) << out;
}

// Trend and Compare over JSON: two samples per variant, scored by a latency rubric
// (score = 1 - latency / 1000), so the means are known: production 0.9, shadow 0.7.
TEST(Grpcurl, TrendAndCompare) {
  CollectorProcess collector(
      R"pb(rubrics { name: "speed" kind: RUBRIC_KIND_LATENCY bound { good: 0 bad: 1000 } })pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  const std::string target = "-plaintext " + collector.grpc_address();
  int code = 0;
  std::string samples;
  const char* variants[] = {"production", "production", "shadow", "shadow"};
  const int latencies[] = {50, 150, 250, 350};
  for (int i = 0; i < 4; ++i) {
    samples += std::string(i ? "," : "") + "{\"id\":\"0192a0b0c0d0e0f0011223344556677" +
               std::to_string(i) +
               "\",\"app\":\"demo\",\"model\":\"m\",\"variant\":\"" + variants[i] +
               "\",\"start_time_unix_nano\":\"" + std::to_string(1700006400 + 60 * i) +
               "000000000\",\"prompt\":\"p\",\"response\":\"r\",\"latency_ms\":" +
               std::to_string(latencies[i]) + "}";
  }
  std::string out = RunGrpcurl("-d '{\"samples\":[" + samples + "]}' " + target +
                                   " llmtap.v1.IngestService/Ingest",
                               &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("\"accepted\": 4"), std::string::npos) << out;

  // Scoring is asynchronous: wait until both variants show two scores.
  const std::string trend_call = "-d '{\"filter\":{\"app\":\"demo\",\"rubric\":\"speed\","
                                 "\"start_unix_nano\":\"1700006400000000000\","
                                 "\"end_unix_nano\":\"1700010000000000000\"},"
                                 "\"group_by\":\"GROUP_BY_VARIANT\"}' " +
                                 target + " llmtap.v1.QueryService/Trend";
  v1::TrendResponse trend;
  for (int attempt = 0; attempt < 100; ++attempt) {
    out = RunGrpcurl(trend_call, &code);
    ASSERT_EQ(code, 0) << out;
    trend.Clear();
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &trend).ok()) << out;
    if (trend.series_size() == 2 && trend.series(0).total().count() == 2 &&
        trend.series(1).total().count() == 2) {
      break;
    }
    usleep(100000);
  }
  ASSERT_EQ(trend.series_size(), 2) << out;
  EXPECT_EQ(trend.series(0).group(), "production");
  EXPECT_EQ(trend.series(1).group(), "shadow");
  EXPECT_NEAR(trend.series(0).total().mean(), 0.9, 1e-12) << out;
  EXPECT_NEAR(trend.series(1).total().mean(), 0.7, 1e-12) << out;
  ASSERT_EQ(trend.series(1).points_size(), 1) << out;
  EXPECT_EQ(trend.series(1).points(0).start_unix_nano(), 1700006400000000000LL);

  out = RunGrpcurl("-d '{\"baseline\":{\"app\":\"demo\",\"variant\":\"production\"},"
                   "\"candidate\":{\"app\":\"demo\",\"variant\":\"shadow\"},"
                   "\"rubrics\":[\"speed\"]}' " +
                       target + " llmtap.v1.QueryService/Compare",
                   &code);
  ASSERT_EQ(code, 0) << out;
  v1::CompareResponse compare;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out, &compare).ok()) << out;
  ASSERT_EQ(compare.rubrics_size(), 1) << out;
  const v1::RubricComparison& c = compare.rubrics(0);
  // Each side has variance 0.005, so se = 0.1 / sqrt(2), t = -2 sqrt(2) and the
  // Welch-Satterthwaite df is exactly 2. With 2 degrees of freedom Student's t has closed
  // forms: two-sided p = 1 - |t| / sqrt(2 + t^2), and t(0.975) = 0.95 / sqrt(2 * 0.975 * 0.025).
  EXPECT_EQ(c.rubric(), "speed");
  EXPECT_NEAR(c.delta(), -0.2, 1e-12);
  EXPECT_NEAR(c.t(), -2 * std::sqrt(2.0), 1e-9);
  EXPECT_NEAR(c.df(), 2, 1e-9);
  EXPECT_NEAR(c.p_value(), 1 - std::sqrt(8.0 / 10.0), 1e-9);
  const double half = 0.95 / std::sqrt(2 * 0.975 * 0.025) * 0.1 / std::sqrt(2.0);
  EXPECT_NEAR(c.ci_low(), -0.2 - half, 1e-9);
  EXPECT_NEAR(c.ci_high(), -0.2 + half, 1e-9);
  EXPECT_EQ(c.verdict(), v1::RubricComparison::VERDICT_PASS);  // p = 0.106: not significant.
  EXPECT_TRUE(compare.passed());

  out = RunGrpcurl("-d '{\"filter\":{\"app\":\"demo\"},\"bucket_s\":90}' " + target +
                       " llmtap.v1.QueryService/Trend",
                   &code);
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("InvalidArgument"), std::string::npos) << out;
  EXPECT_NE(out.find("filter.end_unix_nano"), std::string::npos) << out;
}

}  // namespace
}  // namespace llmtap
