// bench_judge: LLM-judge throughput of a real llmtapd against a local OpenAI-compatible
// endpoint (tests/judge/fake_openai_server) that answers every call after a fixed delay, like
// a hosted model. One judge rubric and one length rubric; N samples recorded at once.
//
//   build/bin/bench_judge
//
// Environment: LLMTAP_BENCH_JUDGE_SAMPLES (3000), LLMTAP_BENCH_JUDGE_DELAY_MS (500),
// LLMTAP_BENCH_JUDGE_CONCURRENCY (the endpoint's max_concurrency, 64),
// LLMTAP_BENCH_JUDGE_WORKERS (scoring workers, default: the collector's).
//
// Prints one line:
//   samples=N verdicts_per_s=V steady_verdicts_per_s=S endpoint_max_in_flight=M
//   endpoint_mean_in_flight=A cheap_all_scored_s=C judge_all_scored_s=J
// V is N over the time from the first ingest to the last verdict; S the rate between the 10%
// and 90% marks; M the most calls the endpoint saw at once, A their mean while judging ran;
// C and J when the length and the judge rubric had scored every sample.
// Exits 1 when a verdict is missing or an error was counted.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "collector_process.h"
#include "fake_openai_server.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

int Env(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

std::string Id(int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "0193c0d0e0f00000%016x", i);
  return buf;
}

}  // namespace

int main() {
  const int n = Env("LLMTAP_BENCH_JUDGE_SAMPLES", 3000);
  const int delay_ms = Env("LLMTAP_BENCH_JUDGE_DELAY_MS", 500);
  const int concurrency = Env("LLMTAP_BENCH_JUDGE_CONCURRENCY", 64);
  const int workers = Env("LLMTAP_BENCH_JUDGE_WORKERS", 0);

  llmtap::testing::FakeOpenAiServer server(concurrency + 32);
  server.SetResponder([delay_ms](const std::string&) {
    llmtap::testing::Reply r =
        llmtap::testing::Reply::Chat(R"({"score": 4, "reasoning": "fine"})", 120, 12);
    r.delay = std::chrono::milliseconds(delay_ms);
    return r;
  });
  std::string config = "judges { name: \"bench\" base_url: \"" + server.base_url() +
                       "\" model: \"m\" max_concurrency: " + std::to_string(concurrency) +
                       " timeout_ms: 30000 }\n"
                       "rubrics { name: \"judge\" kind: RUBRIC_KIND_LLM_JUDGE timeout_ms: 60000\n"
                       "  judge { scale: SCALE_1_5 template: \"Q: {prompt}\\nA: {response}\" } }\n"
                       "rubrics { name: \"length\" kind: RUBRIC_KIND_LENGTH length { max_words: "
                       "50 } }\n";
  if (workers > 0) config += "scoring { workers: " + std::to_string(workers) + " }\n";
  llmtap::testing::CollectorProcess collector(config);
  if (!collector.Start()) {
    std::fprintf(stderr, "llmtapd did not start:\n%s\n", collector.log().c_str());
    return 1;
  }
  auto channel = grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
  auto ingest = llmtap::v1::IngestService::NewStub(channel);
  auto query = llmtap::v1::QueryService::NewStub(channel);

  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  const auto start = Clock::now();
  for (int i = 0; i < n;) {
    llmtap::v1::IngestRequest request;
    for (int k = 0; k < 500 && i < n; ++k, ++i) {
      llmtap::v1::Sample* s = request.add_samples();
      s->set_id(Id(i));
      s->set_app("bench");
      s->set_model("m1");
      s->set_start_time_unix_nano(now_ns + i);
      s->set_prompt("question " + std::to_string(i));
      s->set_response("an answer of a few words");
    }
    grpc::ClientContext context;
    llmtap::v1::IngestResponse response;
    if (grpc::Status st = ingest->Ingest(&context, request, &response); !st.ok()) {
      std::fprintf(stderr, "ingest: %s\n", st.error_message().c_str());
      return 1;
    }
  }

  double cheap_s = 0, judge_s = 0, t10 = 0, t90 = 0;
  double in_flight_sum = 0;
  int in_flight_polls = 0;
  uint64_t judged = 0, errors = 0, cheap = 0;
  const auto give_up = start + std::chrono::seconds(60 + n * delay_ms / 1000 / 8);
  while (Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    llmtap::v1::CompletenessRequest request;
    request.mutable_filter()->set_app("bench");
    llmtap::v1::CompletenessResponse c;
    grpc::ClientContext context;
    if (!query->Completeness(&context, request, &c).ok()) continue;
    const double t = std::chrono::duration<double>(Clock::now() - start).count();
    for (const auto& r : c.rubrics()) {
      uint64_t skipped = 0;
      for (const auto& [reason, count] : r.skipped()) skipped += count;
      if (r.rubric() == "judge") {
        judged = r.scored() + r.errors() + skipped;
        errors = r.errors() + skipped;
      } else if (r.rubric() == "length") {
        cheap = r.scored();
      }
    }
    if (cheap_s == 0 && cheap >= static_cast<uint64_t>(n)) cheap_s = t;
    if (t10 == 0 && judged >= static_cast<uint64_t>(n) / 10) t10 = t;
    if (t90 == 0 && judged >= static_cast<uint64_t>(n) * 9 / 10) t90 = t;
    if (judged > 0 && judged < static_cast<uint64_t>(n)) {
      in_flight_sum += server.in_flight();
      ++in_flight_polls;
    }
    if (judged >= static_cast<uint64_t>(n)) {
      judge_s = t;
      break;
    }
  }
  const double steady = t90 > t10 ? (0.8 * n) / (t90 - t10) : 0;
  std::printf(
      "samples=%d verdicts_per_s=%.1f steady_verdicts_per_s=%.1f endpoint_max_in_flight=%d "
      "endpoint_mean_in_flight=%.1f cheap_all_scored_s=%.3f judge_all_scored_s=%.3f "
      "errors=%llu (endpoint max_concurrency %d, answers after %d ms)\n",
      n, judge_s > 0 ? n / judge_s : 0.0, steady, server.max_in_flight(),
      in_flight_polls ? in_flight_sum / in_flight_polls : 0.0, cheap_s, judge_s,
      static_cast<unsigned long long>(errors), concurrency, delay_ms);
  return judge_s > 0 && errors == 0 ? 0 : 1;
}
