// Bad input gets INVALID_ARGUMENT naming the field, nothing of the bad batch is stored, and
// the daemon keeps serving.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "collector_process.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;

v1::Sample GoodSample(const std::string& id) {
  v1::Sample s;
  s.set_id(id);
  s.set_app("validation");
  s.set_start_time_unix_nano(1'700'000'000'000'000'000LL);
  s.set_prompt("hello");
  s.set_response("world");
  return s;
}

class IngestValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(collector_.Start()) << collector_.log();
    channel_ = grpc::CreateChannel(collector_.grpc_address(), grpc::InsecureChannelCredentials());
    ingest_ = v1::IngestService::NewStub(channel_);
    query_ = v1::QueryService::NewStub(channel_);
  }

  grpc::Status Ingest(const v1::IngestRequest& request, v1::IngestResponse* response = nullptr) {
    grpc::ClientContext context;
    v1::IngestResponse unused;
    return ingest_->Ingest(&context, request, response ? response : &unused);
  }

  // Sends one bad sample and expects INVALID_ARGUMENT whose message names `field`.
  void ExpectRejected(v1::Sample sample, const std::string& field) {
    v1::IngestRequest request;
    *request.add_samples() = GoodSample("0192a0b0c0d0e0f00112233445566701");
    *request.add_samples() = std::move(sample);
    grpc::Status status = Ingest(request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_NE(status.error_message().find("samples[1]." + field), std::string::npos)
        << "message: " << status.error_message();
    ExpectServingAndNothingStored();
  }

  void ExpectServingAndNothingStored() {
    grpc::ClientContext context;
    v1::ListSamplesRequest request;
    v1::ListSamplesResponse response;
    ASSERT_TRUE(query_->ListSamples(&context, request, &response).ok());
    EXPECT_EQ(response.samples_size(), 0) << "a rejected batch must store nothing";
  }

  CollectorProcess collector_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
};

TEST_F(IngestValidation, MissingRequiredFieldsAreNamed) {
  v1::Sample s = GoodSample("0192a0b0c0d0e0f00112233445566702");
  s.clear_id();
  ExpectRejected(s, "id");
  s = GoodSample("0192a0b0c0d0e0f00112233445566702");
  s.clear_app();
  ExpectRejected(s, "app");
  s = GoodSample("0192a0b0c0d0e0f00112233445566702");
  s.clear_start_time_unix_nano();
  ExpectRejected(s, "start_time_unix_nano");
  s = GoodSample("not-a-hex-id");
  ExpectRejected(s, "id");
}

TEST_F(IngestValidation, OversizeFieldsAreNamed) {
  v1::Sample s = GoodSample("0192a0b0c0d0e0f00112233445566703");
  s.set_prompt(std::string(v1::LIMIT_TEXT_BYTES + 1, 'x'));
  ExpectRejected(s, "prompt");
  s = GoodSample("0192a0b0c0d0e0f00112233445566703");
  s.set_model(std::string(v1::LIMIT_NAME_BYTES + 1, 'm'));
  ExpectRejected(s, "model");
  s = GoodSample("0192a0b0c0d0e0f00112233445566703");
  for (int i = 0; i <= v1::LIMIT_CONTEXTS; ++i) s.add_contexts("c");
  ExpectRejected(s, "contexts");
}

TEST_F(IngestValidation, BadNumbersAreNamed) {
  v1::Sample s = GoodSample("0192a0b0c0d0e0f00112233445566704");
  s.set_latency_ms(-1);
  ExpectRejected(s, "latency_ms");
  s = GoodSample("0192a0b0c0d0e0f00112233445566704");
  s.set_output_tokens(-5);
  ExpectRejected(s, "output_tokens");
}

TEST_F(IngestValidation, InvalidUtf8IsNamed) {
  // protobuf refuses to parse such a message, so the collector diagnoses the raw bytes.
  v1::Sample s = GoodSample("0192a0b0c0d0e0f00112233445566705");
  s.set_response(std::string("ok \xC3\x28 not utf-8"));
  ExpectRejected(s, "response");
  s = GoodSample("0192a0b0c0d0e0f00112233445566705");
  (*s.mutable_metadata())["k"] = std::string("\xFF\xFE");
  ExpectRejected(s, "metadata");
}

TEST_F(IngestValidation, StreamRejectsBadBatchAndKeepsServing) {
  grpc::ClientContext context;
  auto stream = ingest_->Stream(&context);
  v1::IngestRequest bad;
  bad.set_batch_id(7);
  v1::Sample s = GoodSample("0192a0b0c0d0e0f00112233445566706");
  s.clear_app();
  *bad.add_samples() = s;
  ASSERT_TRUE(stream->Write(bad));
  v1::IngestResponse ack;
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.batch_id(), 7u);
  EXPECT_EQ(ack.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_NE(ack.error().find("samples[0].app"), std::string::npos) << ack.error();

  v1::IngestRequest good;
  good.set_batch_id(8);
  *good.add_samples() = GoodSample("0192a0b0c0d0e0f00112233445566707");
  ASSERT_TRUE(stream->Write(good));
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.batch_id(), 8u);
  EXPECT_EQ(ack.code(), 0);
  EXPECT_EQ(ack.accepted(), 1u);
  // Sending the same sample again is acknowledged as a duplicate and not stored twice.
  good.set_batch_id(9);
  ASSERT_TRUE(stream->Write(good));
  ASSERT_TRUE(stream->Read(&ack));
  EXPECT_EQ(ack.accepted(), 0u);
  EXPECT_EQ(ack.duplicates(), 1u);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());

  grpc::ClientContext list_context;
  v1::ListSamplesRequest list;
  v1::ListSamplesResponse listed;
  ASSERT_TRUE(query_->ListSamples(&list_context, list, &listed).ok());
  ASSERT_EQ(listed.samples_size(), 1);
}

TEST_F(IngestValidation, QueryArgumentsAreValidated) {
  {
    grpc::ClientContext context;
    v1::GetSampleRequest request;
    request.set_id("xyz");
    v1::GetSampleResponse response;
    auto status = query_->GetSample(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("id"), std::string::npos);
  }
  {
    grpc::ClientContext context;
    v1::GetSampleRequest request;
    request.set_id("0192a0b0c0d0e0f00112233445566799");
    v1::GetSampleResponse response;
    EXPECT_EQ(query_->GetSample(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    grpc::ClientContext context;
    v1::ListSamplesRequest request;
    request.set_page_size(5000);
    v1::ListSamplesResponse response;
    auto status = query_->ListSamples(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("page_size"), std::string::npos);
  }
  {
    grpc::ClientContext context;
    v1::ListSamplesRequest request;
    request.set_page_token("garbage");
    v1::ListSamplesResponse response;
    EXPECT_EQ(query_->ListSamples(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext context;
    v1::ListSamplesRequest request;
    request.mutable_filter()->set_start_unix_nano(10);
    request.mutable_filter()->set_end_unix_nano(5);
    v1::ListSamplesResponse response;
    auto status = query_->ListSamples(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("filter.end_unix_nano"), std::string::npos);
  }
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace llmtap
