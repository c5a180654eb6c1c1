// The real grpcurl binary against a real llmtapd: reflection lists and describes the services,
// and calls answer in JSON.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "collector_process.h"

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

}  // namespace
}  // namespace llmtap
