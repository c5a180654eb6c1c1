// llmtap quickstart: record LLM calls from C++ and deliver them to llmtapd.
//
//   quickstart [collector_address] [samples]
//
// Sends `samples` (default 200) example calls from two apps, two models and a shadow variant,
// waits until the collector has acknowledged them, and prints what happened.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "llmtap/client.h"

namespace {

// A stand-in for your LLM call: a canned answer and a plausible latency.
struct Answer {
  std::string text;
  double latency_ms;
  int input_tokens, output_tokens;
  bool ok;
};

Answer FakeLlm(const std::string& model, const std::string& question, int i) {
  const bool big = model == "gpt-4o";
  Answer a;
  a.ok = i % 23 != 0;
  a.text = a.ok ? "The capital of France is Paris." : "";
  if (i % 7 == 0) a.text = "I'm sorry, but I can't help with that.";
  a.latency_ms = (big ? 900 : 350) + (i * 37) % 400;
  a.input_tokens = 40 + static_cast<int>(question.size() / 4);
  a.output_tokens = a.ok ? 12 + i % 30 : 0;
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  llmtap::ClientOptions options;
  if (auto s = llmtap::ClientOptions::FromEnv(&options); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 2;
  }
  if (argc > 1) options.collector_address = argv[1];
  const int samples = argc > 2 ? std::atoi(argv[2]) : 200;

  std::unique_ptr<llmtap::Client> client;
  if (auto s = llmtap::Client::Create(options, &client); !s.ok()) {
    std::fprintf(stderr, "cannot create client: %s\n", s.ToString().c_str());
    return 1;
  }

  const char* apps[] = {"support-bot", "search-summarizer"};
  const char* models[] = {"gpt-4o-mini", "gpt-4o"};
  for (int i = 0; i < samples; ++i) {
    llmtap::Sample s;
    s.app = apps[i % 2];
    s.model = models[(i / 2) % 2];
    s.variant = i % 10 == 9 ? "shadow" : "production";
    s.session_id = "session-" + std::to_string(i % 25);
    s.prompt_version = "v2";
    s.prompt = "Question " + std::to_string(i) + ": what is the capital of France?";
    s.contexts = {"Paris is the capital and largest city of France."};
    s.reference = "Paris is the capital of France.";
    s.metadata = {{"tenant", i % 3 ? "acme" : "globex"}, {"region", i % 2 ? "eu" : "us"}};
    // Spread the calls over the last hour so the dashboard has a history to show.
    s.start_time = std::chrono::system_clock::now() - std::chrono::seconds(3600 - i * 3600 / samples);

    const Answer a = FakeLlm(s.model, s.prompt, i);
    s.response = a.text;
    s.latency_ms = a.latency_ms;
    s.time_to_first_token_ms = a.latency_ms / 4;
    s.input_tokens = a.input_tokens;
    s.output_tokens = a.output_tokens;
    s.ok = a.ok;
    if (!a.ok) s.error = "HTTP 503: model overloaded";
    client->Record(std::move(s));  // Returns at once; delivery happens in the background.
  }

  const llmtap::Status flushed = client->Flush(std::chrono::seconds(10));
  const llmtap::ClientStats stats = client->Stats();
  std::printf("recorded=%llu acked=%llu dropped=%llu pending=%llu%s\n",
              static_cast<unsigned long long>(stats.recorded),
              static_cast<unsigned long long>(stats.acked),
              static_cast<unsigned long long>(stats.dropped),
              static_cast<unsigned long long>(stats.pending),
              flushed.ok() ? "" : ("  (" + flushed.ToString() + ")").c_str());
  client->Shutdown(std::chrono::seconds(2));
  return flushed.ok() ? 0 : 1;
}
