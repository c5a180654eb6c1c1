// llmtap-demo: fills a collector with the example history `make demo` shows, through the SDK
// (the normal ingest path), then stages an incident so that an alert fires and resolves, and
// can keep a trickle of live calls going for the Live view.
//
//   llmtap-demo --collector=127.0.0.1:7317 --history_days=7 --incident
//   llmtap-demo --collector=127.0.0.1:7317 --history_days=0 --live_minutes=30   # background
//
// The history (about 7 days, ending 10 minutes ago): apps support-bot, search-summarizer and
// sql-helper; models gpt-4o-mini, gpt-4o and llama-3.1-8b; production and shadow variants
// (support-bot's shadow calls share a pair_id with their production call); prompt versions v1
// then v2 (4 days ago). Within it:
//   - gpt-4o-mini regresses 40 hours ago (metadata model_revision changes): more wrong answers
//     and refusals;
//   - search-summarizer's gpt-4o has a latency spike with timeouts 62 to 59 hours ago.
// The incident (--incident): a burst of sql-helper errors now fires the config's
// sql_helper_errors rule; healthy calls after it resolve it. The tool waits for both events.
// The random generator is seeded, so every run tells the same story.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "llmtap/client.h"
#include "llmtap/v1/query.grpc.pb.h"
#include "tools/demo/demo_data.h"

ABSL_FLAG(std::string, collector, "127.0.0.1:7317", "llmtapd gRPC address");
ABSL_FLAG(int, history_days, 7, "days of history to backfill (0: none)");
ABSL_FLAG(int, calls_per_hour, 60, "calls per app per hour at the daily peak");
ABSL_FLAG(bool, incident, false, "stage the alert incident after the history");
ABSL_FLAG(std::string, alert_rule, "sql_helper_errors", "the rule the incident fires");
ABSL_FLAG(int, live_minutes, 0, "then send a call every ~2 s for this many minutes");

namespace {

using Clock = std::chrono::system_clock;
using llmtap::demo::CallSpec;
using llmtap::demo::Outcome;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr auto kRegression = hours(40);  // gpt-4o-mini's new revision, before now.
constexpr auto kPromptV2 = hours(96);
constexpr auto kSpikeStart = hours(62);
constexpr auto kSpikeEnd = hours(59);

struct Mix {
  double right, wrong, refusal, personal, error;
};

Outcome Draw(const Mix& m, std::mt19937_64& rng) {
  const double x = std::uniform_real_distribution<double>(0, 1)(rng);
  double acc = m.right;
  if (x < acc) return Outcome::kRight;
  if (x < (acc += m.wrong)) return Outcome::kWrong;
  if (x < (acc += m.refusal)) return Outcome::kRefusal;
  if (x < (acc += m.personal)) return Outcome::kPersonalData;
  return Outcome::kError;
}

// How a model answers at time t (its quality, which is where the regression shows).
Mix MixOf(const std::string& model, bool regressed) {
  if (model == "gpt-4o-mini") {
    return regressed ? Mix{0.58, 0.27, 0.10, 0.03, 0.02} : Mix{0.86, 0.07, 0.03, 0.02, 0.02};
  }
  if (model == "llama-3.1-8b") return {0.74, 0.17, 0.04, 0.03, 0.02};
  return {0.90, 0.06, 0.01, 0.01, 0.02};  // gpt-4o
}

class Demo {
 public:
  Demo(llmtap::Client* client, Clock::time_point now) : client_(client), now_(now) {}

  // One app's calls for the hour starting at `hour`, grouped into sessions.
  void Hour(const std::string& app, Clock::time_point hour, int calls) {
    for (int i = 0; i < calls;) {
      const int session_len = std::uniform_int_distribution<int>(1, 4)(rng_);
      const std::string session = SessionId(app);
      auto t = hour + seconds(std::uniform_int_distribution<int>(0, 3500)(rng_));
      int question = std::uniform_int_distribution<int>(0, 99)(rng_);
      for (int k = 0; k < session_len && i < calls; ++k, ++i) {
        Call(app, t, session, question++);
        t += seconds(std::uniform_int_distribution<int>(20, 90)(rng_));
      }
    }
  }

  // A call of `app` at t, with its shadow call when the app has one.
  void Call(const std::string& app, Clock::time_point t, const std::string& session,
            int question, const Mix* force = nullptr) {
    CallSpec spec;
    spec.app = app;
    spec.start = t;
    spec.session_id = session;
    spec.question = question;
    spec.prompt_version = now_ - t > kPromptV2 ? "v1" : "v2";
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    spec.model = app == "search-summarizer" ? "gpt-4o"
                 : app == "sql-helper"      ? (u < 0.65 ? "gpt-4o-mini" : "gpt-4o")
                                            : "gpt-4o-mini";
    const bool spike = app == "search-summarizer" && now_ - t <= kSpikeStart &&
                       now_ - t >= kSpikeEnd;
    if (spike) spec.latency_factor = 4.5;
    Mix mix = force ? *force : MixOf(spec.model, now_ - t < kRegression);
    if (spike) mix = {0.80, 0.05, 0.0, 0.0, 0.15};
    spec.outcome = Draw(mix, rng_);
    const bool shadowed = app == "support-bot" && u < 0.25 && force == nullptr;
    if (shadowed) spec.pair_id = "pair-" + std::to_string(++pairs_);
    Record(spec);
    if (shadowed) {
      CallSpec shadow = spec;
      shadow.model = "llama-3.1-8b";
      shadow.variant = "shadow";
      shadow.latency_factor = 1.0;
      shadow.outcome = Draw(MixOf(shadow.model, false), rng_);
      Record(shadow);
    }
  }

  std::string SessionId(const std::string& app) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3s-%06llx", app.c_str(),
                  static_cast<unsigned long long>(rng_() & 0xffffff));
    return buf;
  }

  int recorded() const { return recorded_; }
  std::mt19937_64& rng() { return rng_; }

 private:
  void Record(const CallSpec& spec) {
    llmtap::Sample s = llmtap::demo::DemoCall(spec, rng_);
    const bool mini = spec.model == "gpt-4o-mini";
    const std::string tenants[] = {"acme", "acme", "globex", "initech"};
    s.metadata["tenant"] = tenants[rng_() % 4];
    s.metadata["region"] = rng_() % 3 == 0 ? "us" : "eu";
    if (mini) {
      s.metadata["model_revision"] = now_ - spec.start < kRegression ? "2025-12-01" : "2024-07-18";
    }
    client_->Record(std::move(s));
    ++recorded_;
  }

  llmtap::Client* const client_;
  const Clock::time_point now_;
  std::mt19937_64 rng_{20261207};
  int recorded_ = 0;
  int pairs_ = 0;
};

const char* kApps[] = {"support-bot", "search-summarizer", "sql-helper"};

bool FlushOrSay(llmtap::Client* client) {
  const llmtap::Status s = client->Flush(std::chrono::seconds(60));
  if (!s.ok()) std::fprintf(stderr, "flush: %s\n", s.ToString().c_str());
  return s.ok();
}

// Waits up to `timeout` for an event of `rule` at `level`; true when one came.
bool WaitForAlert(llmtap::v1::QueryService::Stub* stub, const std::string& rule,
                  llmtap::v1::AlertLevel level, Clock::time_point since, seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext ctx;
    if (const char* key = std::getenv("LLMTAP_API_KEY"); key != nullptr && *key != '\0') {
      ctx.AddMetadata("authorization", std::string("Bearer ") + key);
    }
    llmtap::v1::ListAlertsRequest req;
    req.set_rule(rule);
    req.set_since_unix_nano(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since.time_since_epoch()).count());
    llmtap::v1::ListAlertsResponse res;
    grpc::Status s = stub->ListAlerts(&ctx, req, &res);
    if (!s.ok()) {
      std::fprintf(stderr, "ListAlerts: %s\n", s.error_message().c_str());
      return false;
    }
    for (const auto& ev : res.events()) {
      if (ev.level() == level) {
        std::printf("  alert %s: %s (value %.3f over %llu calls)\n", rule.c_str(),
                    ev.message().c_str(), ev.value(), static_cast<unsigned long long>(ev.count()));
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  llmtap::ClientOptions options;
  if (auto s = llmtap::ClientOptions::FromEnv(&options); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 2;
  }
  options.collector_address = absl::GetFlag(FLAGS_collector);
  options.max_buffer_bytes = 256u << 20;  // The whole history at once; nothing dropped.
  std::unique_ptr<llmtap::Client> client;
  if (auto s = llmtap::Client::Create(options, &client); !s.ok()) {
    std::fprintf(stderr, "cannot create client: %s\n", s.ToString().c_str());
    return 1;
  }
  const auto now = Clock::now();
  Demo demo(client.get(), now);

  const int days = absl::GetFlag(FLAGS_history_days);
  if (days > 0) {
    const int peak = absl::GetFlag(FLAGS_calls_per_hour);
    const auto end = now - minutes(10);
    for (auto hour = end - hours(24 * days); hour < end - hours(1) + minutes(1);
         hour += hours(1)) {
      const auto hour_of_day =
          std::chrono::duration_cast<hours>(hour.time_since_epoch()).count() % 24;
      // Busiest around 15:00 UTC, quietest around 03:00.
      const double f = 0.45 + 0.55 * (std::sin((hour_of_day - 9) * M_PI / 12) + 1) / 2;
      for (const char* app : kApps) {
        const double share = std::string(app) == "support-bot" ? 1.0 : 0.7;
        demo.Hour(app, hour, static_cast<int>(std::lround(peak * share * f)));
      }
    }
    if (!FlushOrSay(client.get())) return 1;
    std::printf("history: %d calls over %d days recorded and acknowledged\n", demo.recorded(),
                days);
  }

  if (absl::GetFlag(FLAGS_incident)) {
    auto channel =
        grpc::CreateChannel(absl::GetFlag(FLAGS_collector), grpc::InsecureChannelCredentials());
    auto stub = llmtap::v1::QueryService::NewStub(channel);
    const std::string rule = absl::GetFlag(FLAGS_alert_rule);
    const auto t0 = Clock::now();
    const Mix failing{0.45, 0.0, 0.0, 0.0, 0.55};
    for (int i = 0; i < 60; ++i) {
      demo.Call("sql-helper", t0 - seconds(60) + seconds(i), demo.SessionId("sql-helper"), i,
                &failing);
    }
    if (!FlushOrSay(client.get())) return 1;
    std::printf("incident: 60 sql-helper calls, half of them failing...\n");
    if (!WaitForAlert(stub.get(), rule, llmtap::v1::ALERT_LEVEL_ALERT, t0 - seconds(5),
                      seconds(90))) {
      std::fprintf(stderr, "the %s alert did not fire within 90 s\n", rule.c_str());
      return 1;
    }
    const Mix healthy{0.97, 0.03, 0.0, 0.0, 0.0};
    const auto t1 = Clock::now();
    for (int i = 0; i < 900; ++i) {
      demo.Call("sql-helper", t1 - seconds(40) + std::chrono::milliseconds(i * 40),
                demo.SessionId("sql-helper"), i, &healthy);
    }
    if (!FlushOrSay(client.get())) return 1;
    std::printf("recovery: 900 healthy sql-helper calls...\n");
    if (!WaitForAlert(stub.get(), rule, llmtap::v1::ALERT_LEVEL_OK, t0 - seconds(5),
                      seconds(90))) {
      std::fprintf(stderr, "the %s alert did not resolve within 90 s\n", rule.c_str());
      return 1;
    }
  }

  const int live = absl::GetFlag(FLAGS_live_minutes);
  if (live > 0) {
    const auto stop = std::chrono::steady_clock::now() + minutes(live);
    int i = 0;
    while (std::chrono::steady_clock::now() < stop) {
      const char* app = kApps[demo.rng()() % 3];
      demo.Call(app, Clock::now(), demo.SessionId(app), i++);
      std::this_thread::sleep_for(std::chrono::milliseconds(
          std::uniform_int_distribution<int>(800, 3200)(demo.rng())));
    }
  }
  client->Shutdown(std::chrono::seconds(5));
  return 0;
}
