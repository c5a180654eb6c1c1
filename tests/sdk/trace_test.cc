// Trace and Traced: timing, first token, fields, errors from exceptions.
#include "llmtap/trace.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

#include "sdk_test_util.h"

namespace llmtap {
namespace {

using testing::RecordingClient;
using namespace std::chrono_literals;

TEST(Trace, RecordsWhenTheScopeEndsWithMeasuredLatencyAndFirstToken) {
  RecordingClient client;
  {
    Sample s;
    s.model = "m";
    s.prompt = "p";
    Trace trace(&client, std::move(s));
    std::this_thread::sleep_for(20ms);
    trace.MarkFirstToken();
    std::this_thread::sleep_for(20ms);
    trace.MarkFirstToken();  // Ignored: only the first counts.
    trace.SetResponse("answer");
    trace.SetTokens(11, 7);
    trace.SetMetadata("k", "v");
    EXPECT_TRUE(client.samples().empty());
  }
  auto samples = client.samples();
  ASSERT_EQ(samples.size(), 1u);
  const Sample& got = samples[0];
  EXPECT_EQ(got.model, "m");
  EXPECT_EQ(got.prompt, "p");
  EXPECT_EQ(got.response, "answer");
  EXPECT_EQ(got.input_tokens, 11);
  EXPECT_EQ(got.output_tokens, 7);
  EXPECT_EQ(got.metadata.at("k"), "v");
  EXPECT_TRUE(got.ok);
  EXPECT_GE(got.time_to_first_token_ms, 19);
  EXPECT_LT(got.time_to_first_token_ms, 39);
  EXPECT_GE(got.latency_ms, 39);
  EXPECT_GT(got.start_time.time_since_epoch().count(), 0);
}

TEST(Trace, ExceptionThroughTheScopeRecordsAnError) {
  RecordingClient client;
  try {
    Trace trace(&client);
    throw std::runtime_error("boom");
  } catch (const std::exception&) {
  }
  auto samples = client.samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].ok);
  EXPECT_EQ(samples[0].error, "exception");
}

TEST(Trace, TraceMadeDuringUnwindingIsNotAnError) {
  RecordingClient client;
  struct Guard {
    RecordingClient* c;
    ~Guard() { Trace trace(c); }  // Made and ended while an exception unwinds.
  };
  try {
    Guard g{&client};
    throw 1;
  } catch (int) {
  }
  ASSERT_EQ(client.samples().size(), 1u);
  EXPECT_TRUE(client.samples()[0].ok);
}

TEST(Trace, EndRecordsOnceAndCancelRecordsNothing) {
  RecordingClient client;
  {
    Trace trace(&client);
    trace.End();
    trace.End();
  }
  { Trace(&client).Cancel(); }
  { Trace trace(nullptr); }  // No client: nothing happens.
  EXPECT_EQ(client.samples().size(), 1u);
}

TEST(Trace, ExplicitLatencyIsKept) {
  RecordingClient client;
  {
    Sample s;
    s.latency_ms = 1234;
    Trace trace(&client, std::move(s));
  }
  EXPECT_EQ(client.samples()[0].latency_ms, 1234);
}

TEST(Traced, ReturnsTheResultAndRecordsAStringAsTheResponse) {
  RecordingClient client;
  Sample s;
  s.model = "m";
  std::string out = Traced(&client, s, [] { return std::string("hello"); });
  EXPECT_EQ(out, "hello");
  int n = Traced(client, s, [](Trace& t) {
    t.SetTokens(1, 2);
    return 42;
  });
  EXPECT_EQ(n, 42);
  const char* c = Traced(&client, s, [] { return "literal"; });
  EXPECT_STREQ(c, "literal");
  Traced(&client, s, [] {});
  auto samples = client.samples();
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(samples[0].response, "hello");
  EXPECT_EQ(samples[1].response, "");
  EXPECT_EQ(samples[1].output_tokens, 2);
  EXPECT_EQ(samples[2].response, "literal");
  for (const auto& x : samples) EXPECT_EQ(x.model, "m");
}

TEST(Traced, ExceptionIsRecordedWithItsMessageAndRethrown) {
  RecordingClient client;
  EXPECT_THROW(Traced(&client, {}, []() -> std::string { throw std::runtime_error("rate limited"); }),
               std::runtime_error);
  auto samples = client.samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].ok);
  EXPECT_EQ(samples[0].error, "exception: rate limited");
}

TEST(Traced, ReferenceResultsPassThrough) {
  RecordingClient client;
  std::string stored = "kept";
  const std::string& ref = Traced(&client, {}, [&]() -> const std::string& { return stored; });
  EXPECT_EQ(&ref, &stored);
  EXPECT_EQ(client.samples()[0].response, "kept");
}

}  // namespace
}  // namespace llmtap
