// The query service end to end, continued: bad requests get INVALID_ARGUMENT naming the
// field, and Tail streams exactly the scores its filter matches.
#include "query_test_data.h"

namespace llmtap::querytest {
namespace {

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
}  // namespace llmtap::querytest
