// llmtap-otlp-loadgen: OTLP/gRPC trace exports of GenAI spans of about --span_bytes each, as
// fast as the collector acks them, from --threads threads (one connection each). Each span is
// a chat call (GenAI conventions: operation, provider, models, tokens, input and output
// messages) with its own trace and span ids, so every span is a new sample. Prints
//   spans_per_s=N cpu_s_per_100k=X spans=S rejected=R errors=E bytes_per_span=B
// (X: this process's CPU per 100k spans acked). See scripts/bench_otlp.sh.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "tools/loadgen/common.h"

ABSL_FLAG(std::string, collector, "127.0.0.1:7317", "llmtapd's gRPC address.");
ABSL_FLAG(int, seconds, 30, "How long to send.");
ABSL_FLAG(int, threads, 4, "Sending threads, one connection each (one request in flight each).");
ABSL_FLAG(int, spans_per_request, 512, "Spans per ExportTraceServiceRequest.");
ABSL_FLAG(int, span_bytes, 1024, "About how big each serialized span is.");

namespace otlp = opentelemetry::proto;
using otlp::collector::trace::v1::ExportTraceServiceRequest;
using otlp::collector::trace::v1::ExportTraceServiceResponse;
using otlp::collector::trace::v1::TraceService;

namespace {

void Attr(otlp::trace::v1::Span* span, const char* key, const std::string& value) {
  auto* kv = span->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

void IntAttr(otlp::trace::v1::Span* span, const char* key, int64_t value) {
  auto* kv = span->add_attributes();
  kv->set_key(key);
  kv->mutable_value()->set_int_value(value);
}

std::string Messages(const char* role, const std::string& text) {
  return std::string(R"([{"role":")") + role + R"(","parts":[{"type":"text","content":")" + text +
         R"("}]}])";
}

std::string Bytes(uint64_t a, uint64_t b, int n) {
  std::string out(n, '\0');
  for (int i = 0; i < n; ++i) out[i] = static_cast<char>((i < 8 ? a >> (8 * i) : b >> (8 * (i - 8))));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int threads = absl::GetFlag(FLAGS_threads);
  const int per_request = absl::GetFlag(FLAGS_spans_per_request);
  // The two message texts make up most of a span; ~300 bytes go to the rest.
  const llmtap::tools::SampleTexts texts(std::max(64, absl::GetFlag(FLAGS_span_bytes) - 300));
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(absl::GetFlag(FLAGS_seconds));
  std::atomic<uint64_t> acked{0}, rejected{0}, errors{0}, bytes{0}, spans_sent{0};
  const uint64_t run = std::random_device{}();
  const double cpu0 = llmtap::tools::CpuSeconds();
  const auto start = std::chrono::steady_clock::now();

  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::ChannelArguments args;
      args.SetInt("llmtap.loadgen.channel", t);  // A connection of its own.
      args.SetMaxSendMessageSize(64 << 20);
      auto channel = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_collector),
                                               grpc::InsecureChannelCredentials(), args);
      auto stub = TraceService::NewStub(channel);
      std::mt19937_64 rng(run + t);
      ExportTraceServiceRequest request;
      auto* rs = request.add_resource_spans();
      auto* name = rs->mutable_resource()->add_attributes();
      name->set_key("service.name");
      name->mutable_value()->set_string_value("otlp-loadgen");
      auto* ss = rs->add_scope_spans();
      ss->mutable_scope()->set_name("llmtap.loadgen");
      uint64_t n = 0;
      while (std::chrono::steady_clock::now() < end) {
        ss->clear_spans();
        const uint64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
        for (int i = 0; i < per_request; ++i, ++n) {
          auto* span = ss->add_spans();
          span->set_trace_id(Bytes(run, (uint64_t(t) << 48) | n, 16));
          span->set_span_id(Bytes(rng(), 0, 8));
          span->set_name("chat gpt-4o-mini");
          span->set_kind(otlp::trace::v1::Span::SPAN_KIND_CLIENT);
          span->set_start_time_unix_nano(now - 400'000'000);
          span->set_end_time_unix_nano(now);
          Attr(span, "gen_ai.operation.name", "chat");
          Attr(span, "gen_ai.provider.name", "openai");
          Attr(span, "gen_ai.request.model", "gpt-4o-mini");
          Attr(span, "gen_ai.response.model", "gpt-4o-mini-2024-07-18");
          IntAttr(span, "gen_ai.usage.input_tokens", 120);
          IntAttr(span, "gen_ai.usage.output_tokens", 180);
          Attr(span, "gen_ai.input.messages", Messages("user", texts.prompts[rng() % texts.prompts.size()]));
          Attr(span, "gen_ai.output.messages",
               Messages("assistant", texts.responses[rng() % texts.responses.size()]));
        }
        bytes.fetch_add(request.ByteSizeLong(), std::memory_order_relaxed);
        spans_sent.fetch_add(per_request, std::memory_order_relaxed);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
        ExportTraceServiceResponse response;
        const grpc::Status s = stub->Export(&ctx, request, &response);
        if (!s.ok()) {
          errors.fetch_add(1);
          std::fprintf(stderr, "export: %s\n", s.error_message().c_str());
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          continue;
        }
        const uint64_t r = response.partial_success().rejected_spans();
        rejected.fetch_add(r);
        acked.fetch_add(per_request - r);
      }
    });
  }
  for (auto& w : workers) w.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = llmtap::tools::CpuSeconds() - cpu0;
  std::printf(
      "spans_per_s=%.0f cpu_s_per_100k=%.3f spans=%llu rejected=%llu errors=%llu "
      "bytes_per_span=%.0f\n",
      acked / seconds, acked ? cpu * 1e5 / acked : 0.0, static_cast<unsigned long long>(acked.load()),
      static_cast<unsigned long long>(rejected.load()), static_cast<unsigned long long>(errors.load()),
      spans_sent ? static_cast<double>(bytes) / spans_sent : 0.0);
  return errors > 0 || rejected > 0 ? 1 : 0;
}
