// ClientOptions from LLMTAP_* environment variables, and Client::Create validation.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "llmtap/client.h"
#include "llmtap/options.h"

namespace llmtap {
namespace {

class EnvTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* v : {"LLMTAP_COLLECTOR", "LLMTAP_APP", "LLMTAP_BUFFER_BYTES",
                          "LLMTAP_BATCH_SAMPLES", "LLMTAP_BATCH_BYTES", "LLMTAP_LINGER_MS",
                          "LLMTAP_SAMPLE_RATE", "LLMTAP_REDACT", "LLMTAP_REDACT_PATTERNS",
                          "LLMTAP_API_KEY", "LLMTAP_TLS", "LLMTAP_CA_FILE",
                          "LLMTAP_SERVER_NAME"}) {
      unsetenv(v);
    }
  }
};

TEST_F(EnvTest, DefaultsWhenNothingIsSet) {
  ClientOptions o;
  ASSERT_TRUE(ClientOptions::FromEnv(&o).ok());
  EXPECT_EQ(o.collector_address, "127.0.0.1:7317");
  EXPECT_EQ(o.app, "default");
  EXPECT_EQ(o.max_buffer_bytes, 64u << 20);
  EXPECT_EQ(o.linger, std::chrono::milliseconds(50));
  EXPECT_FALSE(o.redaction.any());
}

TEST_F(EnvTest, SecurityVariablesApply) {
  setenv("LLMTAP_API_KEY", "k-1", 1);
  setenv("LLMTAP_TLS", "1", 1);
  setenv("LLMTAP_CA_FILE", "/etc/llmtap/ca.pem", 1);
  setenv("LLMTAP_SERVER_NAME", "collector.internal", 1);
  ClientOptions o;
  ASSERT_TRUE(ClientOptions::FromEnv(&o).ok());
  EXPECT_EQ(o.api_key, "k-1");
  EXPECT_TRUE(o.tls);
  EXPECT_EQ(o.tls_ca_file, "/etc/llmtap/ca.pem");
  EXPECT_EQ(o.tls_server_name, "collector.internal");
}

TEST(ClientCreate, RejectsAnUnreadableCaFile) {
  ClientOptions o;
  o.tls_ca_file = "/nonexistent/llmtap-ca.pem";
  std::unique_ptr<Client> client;
  Status s = Client::Create(o, &client);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("llmtap-ca.pem"), std::string::npos);
  EXPECT_EQ(client, nullptr);
}

TEST_F(EnvTest, EveryVariableApplies) {
  setenv("LLMTAP_COLLECTOR", "10.1.2.3:9000", 1);
  setenv("LLMTAP_APP", "bot", 1);
  setenv("LLMTAP_BUFFER_BYTES", "1048576", 1);
  setenv("LLMTAP_BATCH_SAMPLES", "100", 1);
  setenv("LLMTAP_BATCH_BYTES", "65536", 1);
  setenv("LLMTAP_LINGER_MS", "7", 1);
  setenv("LLMTAP_SAMPLE_RATE", "0.25", 1);
  setenv("LLMTAP_REDACT", "emails, cards", 1);
  setenv("LLMTAP_REDACT_PATTERNS", "sk-[a-z]+\nsecret", 1);
  ClientOptions o;
  ASSERT_TRUE(ClientOptions::FromEnv(&o).ok());
  EXPECT_EQ(o.collector_address, "10.1.2.3:9000");
  EXPECT_EQ(o.app, "bot");
  EXPECT_EQ(o.max_buffer_bytes, 1048576u);
  EXPECT_EQ(o.max_batch_samples, 100u);
  EXPECT_EQ(o.max_batch_bytes, 65536u);
  EXPECT_EQ(o.linger, std::chrono::milliseconds(7));
  EXPECT_DOUBLE_EQ(o.sample_rate, 0.25);
  EXPECT_TRUE(o.redaction.emails);
  EXPECT_TRUE(o.redaction.card_numbers);
  EXPECT_FALSE(o.redaction.phone_numbers);
  EXPECT_EQ(o.redaction.custom_patterns, (std::vector<std::string>{"sk-[a-z]+", "secret"}));
}

TEST_F(EnvTest, MalformedVariableIsInvalidArgumentNamingIt) {
  const std::pair<const char*, const char*> cases[] = {
      {"LLMTAP_BUFFER_BYTES", "lots"}, {"LLMTAP_BUFFER_BYTES", "-5"},
      {"LLMTAP_LINGER_MS", "1.5"},     {"LLMTAP_SAMPLE_RATE", "2"},
      {"LLMTAP_SAMPLE_RATE", "nan"},   {"LLMTAP_REDACT", "emails,ssn"},
  };
  for (const auto& [name, value] : cases) {
    setenv(name, value, 1);
    ClientOptions o;
    Status s = ClientOptions::FromEnv(&o);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << name << "=" << value;
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
    unsetenv(name);
  }
}

TEST(ClientCreate, RejectsInvalidOptions) {
  auto create = [](auto mutate) {
    ClientOptions o;
    mutate(o);
    std::unique_ptr<Client> c;
    return Client::Create(o, &c).code();
  };
  EXPECT_EQ(create([](ClientOptions& o) { o.collector_address = ""; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(create([](ClientOptions& o) { o.sample_rate = 1.5; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(create([](ClientOptions& o) { o.max_batch_samples = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(create([](ClientOptions& o) { o.max_batch_bytes = 0; }), StatusCode::kInvalidArgument);
  EXPECT_EQ(create([](ClientOptions& o) { o.max_inflight_batches = 0; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(create([](ClientOptions& o) { o.redaction.custom_patterns = {"("}; }),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(create([](ClientOptions& o) { o.collector_address = "127.0.0.1:1"; }), StatusCode::kOk);
}

}  // namespace
}  // namespace llmtap
