// API keys end to end, against a real llmtapd: a key scoped to app A never reads or writes app
// B through any RPC of the ingest and query services or the HTTP API; a missing or bad key is
// UNAUTHENTICATED, a key out of scope or role PERMISSION_DENIED; revocation bites on the next
// call; limits answer RESOURCE_EXHAUSTED with a retry delay the SDK waits out without losing a
// sample; admin actions are audited; with no key the daemon refuses non-loopback addresses.
//
// The walk over the services is driven by their descriptors: a new RPC fails
// EveryRpcIsCoveredByTheIsolationWalk until it has a case here.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "collector_process.h"
#include "llmtap/client.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"
#include "llmtap/v1/security.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;
using namespace std::chrono_literals;

const int64_t kStart =
    std::chrono::duration_cast<std::chrono::nanoseconds>(
        (std::chrono::system_clock::now() - std::chrono::hours(1)).time_since_epoch())
        .count();

constexpr char kConfig[] = R"(
rubrics { name: "len" kind: RUBRIC_KIND_LENGTH length { min_chars: 1 max_chars: 1000 } }
alerting {
  interval_ms: 50
  rules { name: "a_errors" kind: ALERT_KIND_ERROR_RATE_ABOVE app: "A" alert_above: 0.9 }
  rules { name: "b_errors" kind: ALERT_KIND_ERROR_RATE_ABOVE app: "B" alert_above: 0.9 }
}
)";

std::string Id(int app, int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "0192a0b0c0d0e0f%01x%016x", app, i);
  return buf;
}

v1::Sample MakeSample(const std::string& app, int i) {
  v1::Sample s;
  s.set_id(Id(app == "A" ? 0xa : 0xb, i));
  s.set_app(app);
  s.set_model("m");
  s.set_variant(i % 2 ? "shadow" : "production");
  s.set_session_id("s-" + app);
  s.set_start_time_unix_nano(kStart + int64_t{i} * 1'000'000);
  s.set_prompt("prompt of " + app);
  s.set_response("response of " + app);
  s.set_latency_ms(10 + i);
  return s;
}

class Auth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    collector_ = new CollectorProcess(kConfig);
    ASSERT_TRUE(collector_->Start()) << collector_->log();
    auto channel =
        grpc::CreateChannel(collector_->grpc_address(), grpc::InsecureChannelCredentials());
    admin_ = v1::AdminService::NewStub(channel).release();
    query_ = v1::QueryService::NewStub(channel).release();
    ingest_ = v1::IngestService::NewStub(channel).release();
    // With no key yet, the (loopback) caller is admin: it makes the first key.
    admin_key_ = MakeKey("", v1::ROLE_ADMIN, {});
    read_a_ = MakeKey(admin_key_, v1::ROLE_READ, {"A"});
    ingest_a_ = MakeKey(admin_key_, v1::ROLE_INGEST, {"A"});
    admin_a_ = MakeKey(admin_key_, v1::ROLE_ADMIN, {"A"});
    for (const std::string app : {"A", "B"}) {
      v1::IngestRequest request;
      for (int i = 0; i < 20; ++i) *request.add_samples() = MakeSample(app, i);
      v1::IngestResponse response;
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + admin_key_);
      ASSERT_TRUE(ingest_->Ingest(&ctx, request, &response).ok());
    }
    // Wait until both apps' samples are scored, so every query has data of A and B.
    for (int tries = 0; tries < 200; ++tries) {
      v1::CompletenessRequest r;
      v1::CompletenessResponse c;
      grpc::ClientContext ctx;
      ctx.AddMetadata("authorization", "Bearer " + admin_key_);
      if (query_->Completeness(&ctx, r, &c).ok() && c.rubrics_size() == 1 &&
          c.rubrics(0).scored() == 40) {
        return;
      }
      std::this_thread::sleep_for(50ms);
    }
    FAIL() << "samples were not scored";
  }
  static void TearDownTestSuite() {
    delete admin_;
    delete query_;
    delete ingest_;
    delete collector_;
  }

  static std::string MakeKey(const std::string& as, v1::Role role,
                             std::vector<std::string> apps, double ingest_per_s = 0,
                             double queries_per_s = 0) {
    v1::CreateKeyRequest r;
    r.set_name("test");
    r.set_role(role);
    for (auto& a : apps) r.add_apps(a);
    r.set_ingest_samples_per_s(ingest_per_s);
    r.set_queries_per_s(queries_per_s);
    v1::CreateKeyResponse made;
    grpc::ClientContext ctx;
    if (!as.empty()) ctx.AddMetadata("authorization", "Bearer " + as);
    grpc::Status s = admin_->CreateKey(&ctx, r, &made);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return made.secret();
  }

  // Calls a unary RPC of `stub` with `key`.
  template <typename Stub, typename Req, typename Resp>
  static grpc::Status Call(Stub* stub,
                           grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                           const std::string& key, const Req& request, Resp* response) {
    grpc::ClientContext ctx;
    if (!key.empty()) ctx.AddMetadata("authorization", "Bearer " + key);
    return (stub->*method)(&ctx, request, response);
  }

  static v1::Filter AppFilter(const std::string& app) {
    v1::Filter f;
    f.set_app(app);
    return f;
  }

  static inline CollectorProcess* collector_ = nullptr;
  static inline v1::AdminService::Stub* admin_ = nullptr;
  static inline v1::QueryService::Stub* query_ = nullptr;
  static inline v1::IngestService::Stub* ingest_ = nullptr;
  static inline std::string admin_key_, read_a_, ingest_a_, admin_a_;
};

// One case per RPC: it calls the RPC with A's keys and checks that nothing of B comes back
// and that naming B is refused.
using Case = std::function<void()>;

TEST_F(Auth, EveryRpcIsCoveredByTheIsolationWalk) {
  using Q = v1::QueryService::Stub;
  std::map<std::string, Case> cases;
  auto expect_only_a = [](const v1::Sample& s) { EXPECT_EQ(s.app(), "A") << s.id(); };
  auto denied = [](const grpc::Status& s) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
    EXPECT_EQ(s.error_message().find("B\""), std::string::npos);
  };

  cases["llmtap.v1.QueryService.GetSample"] = [&] {
    v1::GetSampleRequest r;
    v1::GetSampleResponse got;
    r.set_id(Id(0xa, 3));
    ASSERT_TRUE(Call(query_, &Q::GetSample, read_a_, r, &got).ok());
    expect_only_a(got.sample());
    // B's id answers exactly as an unknown id does.
    r.set_id(Id(0xb, 3));
    grpc::Status b = Call(query_, &Q::GetSample, read_a_, r, &got);
    r.set_id(Id(0xc, 3));
    grpc::Status unknown = Call(query_, &Q::GetSample, read_a_, r, &got);
    EXPECT_EQ(b.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(b.error_message().substr(0, 19), unknown.error_message().substr(0, 19));
  };
  cases["llmtap.v1.QueryService.ListSamples"] = [&] {
    v1::ListSamplesRequest r;
    r.set_page_size(1000);
    r.set_with_scores(true);
    v1::ListSamplesResponse got;
    ASSERT_TRUE(Call(query_, &Q::ListSamples, read_a_, r, &got).ok());
    EXPECT_EQ(got.samples_size(), 20);
    for (const auto& s : got.samples()) expect_only_a(s.sample());
    *r.mutable_filter() = AppFilter("B");
    denied(Call(query_, &Q::ListSamples, read_a_, r, &got));
    r.mutable_filter()->clear_app();
    r.mutable_filter()->add_apps("B");
    denied(Call(query_, &Q::ListSamples, read_a_, r, &got));
    // A session of B, filtered by session only, finds nothing.
    r.mutable_filter()->clear_apps();
    r.mutable_filter()->set_session_id("s-B");
    ASSERT_TRUE(Call(query_, &Q::ListSamples, read_a_, r, &got).ok());
    EXPECT_EQ(got.samples_size(), 0);
  };
  cases["llmtap.v1.QueryService.Trend"] = [&] {
    v1::TrendRequest r;
    r.mutable_filter()->set_start_unix_nano(kStart - 3'600'000'000'000);
    r.mutable_filter()->set_end_unix_nano(kStart + 3'600'000'000'000);
    r.set_bucket_s(3600);
    r.set_group_by(v1::GROUP_BY_APP);
    r.set_metric(v1::METRIC_LATENCY_MS);
    v1::TrendResponse got;
    grpc::Status s = Call(query_, &Q::Trend, read_a_, r, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_GE(got.series_size(), 1);
    uint64_t n = 0;
    for (const auto& series : got.series()) {
      EXPECT_EQ(series.group(), "A");
      n += series.total().count();
    }
    EXPECT_EQ(n, 20u);
    *r.mutable_filter() = AppFilter("B");
    denied(Call(query_, &Q::Trend, read_a_, r, &got));
  };
  cases["llmtap.v1.QueryService.Stats"] = [&] {
    v1::StatsRequest r;
    v1::StatsResponse got;
    ASSERT_TRUE(Call(query_, &Q::Stats, read_a_, r, &got).ok());
    EXPECT_EQ(got.samples(), 20u);
    r.mutable_filter()->set_session_id("s-B");  // The scan path, too.
    ASSERT_TRUE(Call(query_, &Q::Stats, read_a_, r, &got).ok());
    EXPECT_EQ(got.samples(), 0u);
    *r.mutable_filter() = AppFilter("B");
    denied(Call(query_, &Q::Stats, read_a_, r, &got));
  };
  cases["llmtap.v1.QueryService.Compare"] = [&] {
    v1::CompareRequest r;
    r.mutable_baseline()->set_variant("production");
    r.mutable_candidate()->set_variant("shadow");
    v1::CompareResponse got;
    ASSERT_TRUE(Call(query_, &Q::Compare, read_a_, r, &got).ok());
    ASSERT_EQ(got.rubrics_size(), 1);
    EXPECT_EQ(got.rubrics(0).baseline().count() + got.rubrics(0).candidate().count(), 20u);
    *r.mutable_candidate() = AppFilter("B");
    denied(Call(query_, &Q::Compare, read_a_, r, &got));
  };
  cases["llmtap.v1.QueryService.Completeness"] = [&] {
    v1::CompletenessRequest r;
    v1::CompletenessResponse got;
    ASSERT_TRUE(Call(query_, &Q::Completeness, read_a_, r, &got).ok());
    ASSERT_EQ(got.rubrics_size(), 1);
    EXPECT_GE(got.stored(), 20u);  // The Tail case added one of A's.
    EXPECT_LT(got.stored(), 40u);
    EXPECT_EQ(got.rubrics(0).scored(), got.stored());
    *r.mutable_filter() = AppFilter("B");
    denied(Call(query_, &Q::Completeness, read_a_, r, &got));
  };
  cases["llmtap.v1.QueryService.Tail"] = [&] {
    // A tail with A's key over every app sees only A's new scores.
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + read_a_);
    v1::TailRequest r;
    auto reader = query_->Tail(&ctx, r);
    std::this_thread::sleep_for(200ms);
    for (const std::string app : {"B", "A"}) {
      v1::IngestRequest in;
      *in.add_samples() = MakeSample(app, 100);
      v1::IngestResponse resp;
      ASSERT_TRUE(Call(ingest_, &v1::IngestService::Stub::Ingest, admin_key_, in, &resp).ok());
    }
    v1::TailResponse event;
    ASSERT_TRUE(reader->Read(&event));
    expect_only_a(event.sample());
    ctx.TryCancel();
    reader->Finish().IgnoreError();
    grpc::ClientContext ctx_b;
    ctx_b.AddMetadata("authorization", "Bearer " + read_a_);
    *r.mutable_filter() = AppFilter("B");
    auto refused = query_->Tail(&ctx_b, r);
    while (refused->Read(&event)) ADD_FAILURE() << "B's event reached A's key";
    denied(refused->Finish());
  };
  cases["llmtap.v1.QueryService.Agreement"] = [&] {
    // Labels for B's samples given by id count for nothing under A's key.
    v1::AgreementRequest r;
    r.set_rubric("len");
    for (int i = 0; i < 20; ++i) {
      auto* label = r.add_labels();
      label->set_sample_id(Id(0xb, i));
      label->set_value("pass");
    }
    v1::AgreementResponse got;
    grpc::Status s = Call(query_, &Q::Agreement, read_a_, r, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(got.samples(), 0u);
    *r.mutable_filter() = AppFilter("B");
    denied(Call(query_, &Q::Agreement, read_a_, r, &got));
  };
  cases["llmtap.v1.QueryService.ListRubrics"] = [&] {
    // A rubric for B alone is invisible to A's key; one for every app is visible.
    v1::UpsertRubricRequest up;
    up.mutable_rubric()->set_name("b_only");
    up.mutable_rubric()->set_kind(v1::RUBRIC_KIND_LENGTH);
    up.mutable_rubric()->mutable_length()->set_max_chars(100);
    up.mutable_rubric()->add_apps("B");
    v1::Rubric stored;
    ASSERT_TRUE(Call(query_, &Q::UpsertRubric, admin_key_, up, &stored).ok());
    v1::ListRubricsRequest r;
    r.set_include_disabled(true);
    v1::ListRubricsResponse got;
    ASSERT_TRUE(Call(query_, &Q::ListRubrics, read_a_, r, &got).ok());
    std::set<std::string> names;
    for (const auto& rb : got.rubrics()) names.insert(rb.name());
    EXPECT_EQ(names, (std::set<std::string>{"len"}));
  };
  cases["llmtap.v1.QueryService.UpsertRubric"] = [&] {
    v1::UpsertRubricRequest up;
    up.mutable_rubric()->set_name("x");
    up.mutable_rubric()->set_kind(v1::RUBRIC_KIND_LENGTH);
    up.mutable_rubric()->mutable_length()->set_max_chars(100);
    v1::Rubric stored;
    // A read key may not; A's admin may not make a rubric for every app, or for B, or
    // overwrite B's.
    EXPECT_EQ(Call(query_, &Q::UpsertRubric, read_a_, up, &stored).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    denied(Call(query_, &Q::UpsertRubric, admin_a_, up, &stored));
    up.mutable_rubric()->add_apps("B");
    denied(Call(query_, &Q::UpsertRubric, admin_a_, up, &stored));
    up.mutable_rubric()->set_name("b_only");
    up.mutable_rubric()->set_apps(0, "A");
    denied(Call(query_, &Q::UpsertRubric, admin_a_, up, &stored));
    up.mutable_rubric()->set_name("a_only");
    grpc::Status s = Call(query_, &Q::UpsertRubric, admin_a_, up, &stored);
    EXPECT_TRUE(s.ok()) << s.error_message();
  };
  cases["llmtap.v1.QueryService.SetRubricEnabled"] = [&] {
    v1::SetRubricEnabledRequest r;
    r.set_name("b_only");
    r.set_enabled(false);
    v1::Rubric got;
    EXPECT_EQ(Call(query_, &Q::SetRubricEnabled, admin_a_, r, &got).error_code(),
              grpc::StatusCode::NOT_FOUND);
    r.set_name("len");  // Applies to every app: beyond A's admin.
    denied(Call(query_, &Q::SetRubricEnabled, admin_a_, r, &got));
  };
  cases["llmtap.v1.QueryService.ListAlertRules"] = [&] {
    v1::ListAlertRulesRequest r;
    v1::ListAlertRulesResponse got;
    ASSERT_TRUE(Call(query_, &Q::ListAlertRules, read_a_, r, &got).ok());
    for (const auto& rule : got.rules()) EXPECT_EQ(rule.app(), "A") << rule.name();
    EXPECT_GE(got.rules_size(), 1);
  };
  cases["llmtap.v1.QueryService.UpsertAlertRule"] = [&] {
    v1::UpsertAlertRuleRequest r;
    r.mutable_rule()->set_name("b_errors");
    r.mutable_rule()->set_kind(v1::ALERT_KIND_ERROR_RATE_ABOVE);
    r.mutable_rule()->set_app("A");
    r.mutable_rule()->set_alert_above(0.5);
    v1::AlertRule got;
    denied(Call(query_, &Q::UpsertAlertRule, admin_a_, r, &got));  // B's rule.
    r.mutable_rule()->set_name("new_b");
    r.mutable_rule()->set_app("B");
    denied(Call(query_, &Q::UpsertAlertRule, admin_a_, r, &got));
    r.mutable_rule()->set_app("A");
    EXPECT_TRUE(Call(query_, &Q::UpsertAlertRule, admin_a_, r, &got).ok());
  };
  cases["llmtap.v1.QueryService.DeleteAlertRule"] = [&] {
    v1::DeleteAlertRuleRequest r;
    r.set_name("b_errors");
    v1::DeleteAlertRuleResponse got;
    EXPECT_EQ(Call(query_, &Q::DeleteAlertRule, admin_a_, r, &got).error_code(),
              grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(Call(query_, &Q::DeleteAlertRule, read_a_, r, &got).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  };
  cases["llmtap.v1.QueryService.ListAlerts"] = [&] {
    v1::ListAlertsRequest r;
    r.set_rule("b_errors");
    v1::ListAlertsResponse got;
    ASSERT_TRUE(Call(query_, &Q::ListAlerts, read_a_, r, &got).ok());
    for (const auto& e : got.events()) EXPECT_NE(e.rule(), "b_errors");
  };
  cases["llmtap.v1.IngestService.Ingest"] = [&] {
    v1::IngestRequest in;
    *in.add_samples() = MakeSample("A", 200);
    *in.add_samples() = MakeSample("B", 200);
    v1::IngestResponse resp;
    grpc::Status s = Call(ingest_, &v1::IngestService::Stub::Ingest, ingest_a_, in, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(s.error_message().find("samples[1].app"), std::string::npos);
    // Nothing of the batch was stored, A's sample neither.
    v1::GetSampleRequest g;
    g.set_id(Id(0xa, 200));
    v1::GetSampleResponse got;
    EXPECT_EQ(Call(query_, &Q::GetSample, admin_key_, g, &got).error_code(),
              grpc::StatusCode::NOT_FOUND);
    in.mutable_samples()->RemoveLast();
    EXPECT_TRUE(Call(ingest_, &v1::IngestService::Stub::Ingest, ingest_a_, in, &resp).ok());
    // An ingest key reads nothing.
    EXPECT_EQ(Call(query_, &Q::GetSample, ingest_a_, g, &got).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  };
  cases["llmtap.v1.IngestService.Stream"] = [&] {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + ingest_a_);
    auto stream = ingest_->Stream(&ctx);
    v1::IngestRequest in;
    in.set_batch_id(7);
    *in.add_samples() = MakeSample("B", 300);
    ASSERT_TRUE(stream->Write(in));
    v1::IngestResponse resp;
    ASSERT_TRUE(stream->Read(&resp));
    EXPECT_EQ(resp.batch_id(), 7u);
    EXPECT_EQ(resp.code(), static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
    in.set_batch_id(8);
    in.mutable_samples(0)->CopyFrom(MakeSample("A", 300));
    ASSERT_TRUE(stream->Write(in));
    ASSERT_TRUE(stream->Read(&resp));
    EXPECT_EQ(resp.batch_id(), 8u);
    EXPECT_EQ(resp.code(), 0);
    EXPECT_EQ(resp.accepted(), 1u);
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  };

  for (const char* name : {"llmtap.v1.QueryService", "llmtap.v1.IngestService"}) {
    const auto* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const std::string name = service->method(i)->full_name();
      SCOPED_TRACE(name);
      auto it = cases.find(name);
      ASSERT_NE(it, cases.end()) << "no isolation case for " << name << ": add one here";
      it->second();
    }
  }
}

TEST_F(Auth, MissingOrBadKeysAreUnauthenticatedAndRolesAreEnforced) {
  v1::StatsRequest r;
  v1::StatsResponse got;
  using Q = v1::QueryService::Stub;
  EXPECT_EQ(Call(query_, &Q::Stats, "", r, &got).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(query_, &Q::Stats, "llmtap_0123456789abcdef_nope", r, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Call(query_, &Q::Stats, "garbage", r, &got).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Read keys may not make keys; A's admin may not make keys beyond A.
  v1::CreateKeyRequest k;
  k.set_role(v1::ROLE_READ);
  v1::CreateKeyResponse made;
  EXPECT_EQ(Call(admin_, &v1::AdminService::Stub::CreateKey, read_a_, k, &made).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call(admin_, &v1::AdminService::Stub::CreateKey, admin_a_, k, &made).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  k.add_apps("A");
  EXPECT_TRUE(Call(admin_, &v1::AdminService::Stub::CreateKey, admin_a_, k, &made).ok());
  // Keys are listed without their secrets or hashes.
  v1::ListKeysRequest lr;
  v1::ListKeysResponse keys;
  ASSERT_TRUE(Call(admin_, &v1::AdminService::Stub::ListKeys, admin_key_, lr, &keys).ok());
  ASSERT_GE(keys.keys_size(), 5);
  for (const auto& key : keys.keys()) {
    EXPECT_TRUE(key.salt().empty());
    EXPECT_TRUE(key.secret_sha256().empty());
  }
  // A's admin lists only keys within A.
  ASSERT_TRUE(Call(admin_, &v1::AdminService::Stub::ListKeys, admin_a_, lr, &keys).ok());
  for (const auto& key : keys.keys()) {
    ASSERT_EQ(key.apps_size(), 1);
    EXPECT_EQ(key.apps(0), "A");
  }
}

TEST_F(Auth, RevocationBitesOnTheNextCallAndOnOpenStreams) {
  const std::string key = MakeKey(admin_key_, v1::ROLE_INGEST, {"A"});
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + key);
  auto stream = ingest_->Stream(&ctx);
  v1::IngestRequest in;
  in.set_batch_id(1);
  *in.add_samples() = MakeSample("A", 400);
  v1::IngestResponse resp;
  ASSERT_TRUE(stream->Write(in));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_EQ(resp.code(), 0);

  v1::RevokeKeyRequest rr;
  rr.set_id(key.substr(7, 16));
  v1::ApiKey revoked;
  ASSERT_TRUE(Call(admin_, &v1::AdminService::Stub::RevokeKey, admin_key_, rr, &revoked).ok());
  EXPECT_NE(revoked.revoked_unix_nano(), 0);

  in.set_batch_id(2);
  *in.mutable_samples(0) = MakeSample("A", 401);
  ASSERT_TRUE(stream->Write(in));
  ASSERT_TRUE(stream->Read(&resp));
  EXPECT_EQ(resp.code(), static_cast<int>(grpc::StatusCode::UNAUTHENTICATED));
  stream->WritesDone();
  stream->Finish().IgnoreError();
  v1::IngestResponse unary;
  EXPECT_EQ(Call(ingest_, &v1::IngestService::Stub::Ingest, key, in, &unary).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // The audit log has the key's making and revocation, by the admin key.
  v1::ListAuditRequest ar;
  v1::ListAuditResponse audit;
  ASSERT_TRUE(Call(admin_, &v1::AdminService::Stub::ListAudit, admin_key_, ar, &audit).ok());
  bool made = false, gone = false;
  const std::string admin_id = admin_key_.substr(7, 16);
  for (const auto& e : audit.events()) {
    if (e.target() != rr.id()) continue;
    made |= e.action() == "CreateKey" && e.actor() == admin_id;
    gone |= e.action() == "RevokeKey" && e.actor() == admin_id;
  }
  EXPECT_TRUE(made);
  EXPECT_TRUE(gone);
}

TEST_F(Auth, HttpApiTakesBearerKeysWithTheSameScope) {
  httplib::Client http("127.0.0.1", collector_->http_port());
  auto no_key = http.Post("/api/v1/Stats", "{}", "application/json");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_TRUE(no_key->has_header("WWW-Authenticate"));
  httplib::Headers h = {{"Authorization", "Bearer " + read_a_}};
  auto stats = http.Post("/api/v1/Stats", h, "{}", "application/json");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_NE(stats->body.find("\"samples\":\"2"), std::string::npos) << stats->body;
  auto b = http.Post("/api/v1/ListSamples", h, R"({"filter": {"app": "B"}})", "application/json");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->status, 403);
  auto sample = http.Get(("/api/v1/samples/" + Id(0xb, 1)).c_str(), h);
  ASSERT_TRUE(sample);
  EXPECT_EQ(sample->status, 404);
  auto listed = http.Get("/api/v1/samples?page_size=100", h);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(listed->body.find("\"app\":\"B\""), std::string::npos);
  // Admin calls over HTTP too.
  httplib::Headers admin = {{"Authorization", "Bearer " + admin_key_}};
  auto keys = http.Post("/api/v1/ListKeys", admin, "{}", "application/json");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->status, 200);
  EXPECT_EQ(http.Post("/api/v1/ListKeys", h, "{}", "application/json")->status, 403);
}

TEST_F(Auth, QueryLimitAnswersResourceExhaustedWithARetryDelay) {
  const std::string key = MakeKey(admin_key_, v1::ROLE_READ, {"A"}, 0, /*queries_per_s=*/2);
  v1::StatsRequest r;
  v1::StatsResponse got;
  grpc::Status last;
  std::string retry_ms;
  for (int i = 0; i < 5 && last.ok(); ++i) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + key);
    last = query_->Stats(&ctx, r, &got);
    auto it = ctx.GetServerTrailingMetadata().find("retry-after-ms");
    if (it != ctx.GetServerTrailingMetadata().end()) retry_ms.assign(it->second.data(), it->second.size());
  }
  EXPECT_EQ(last.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_FALSE(retry_ms.empty());
  EXPECT_GT(std::stoi(retry_ms), 0);
  EXPECT_LE(std::stoi(retry_ms), 1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(retry_ms) + 20));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + key);
  EXPECT_TRUE(query_->Stats(&ctx, r, &got).ok());
}

TEST_F(Auth, SdkWaitsOutTheIngestLimitWithoutLosingSamples) {
  const std::string key = MakeKey(admin_key_, v1::ROLE_INGEST, {"limited"}, /*ingest=*/200);
  ClientOptions options;
  options.collector_address = collector_->grpc_address();
  options.app = "limited";
  options.api_key = key;
  options.max_batch_samples = 50;
  std::unique_ptr<Client> client;
  ASSERT_TRUE(Client::Create(options, &client).ok());
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 600; ++i) {
    Sample s;
    s.model = "m";
    s.prompt = "p";
    s.response = "r";
    client->Record(std::move(s));
  }
  ASSERT_TRUE(client->Flush(20s).ok());
  const auto took = std::chrono::steady_clock::now() - started;
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.acked, 600u) << "recorded " << stats.recorded << " dropped " << stats.dropped << " sampled_out " << stats.sampled_out << " sent " << stats.sent << " retried " << stats.retried
                               << " rejected " << stats.rejected << " reconnects "
                               << stats.reconnects << "\n" << collector_->log();
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.rejected, 0u);
  // 600 samples at 200/s with a burst of 200: about 2 s, not at once.
  EXPECT_GE(took, 1500ms);
  client->Shutdown(1s);
}

TEST(AuthDefaults, NonLoopbackAddressNeedsAKeyOrInsecure) {
  CollectorProcess collector;
  EXPECT_FALSE(collector.Start({"--grpc_addr=0.0.0.0:0"}));
  EXPECT_NE(collector.log().find("--insecure"), std::string::npos) << collector.log();
  CollectorProcess insecure;
  ASSERT_TRUE(insecure.Start({"--grpc_addr=0.0.0.0:0", "--insecure"})) << insecure.log();
  EXPECT_NE(insecure.log().find("INSECURE"), std::string::npos);
}

}  // namespace
}  // namespace llmtap
