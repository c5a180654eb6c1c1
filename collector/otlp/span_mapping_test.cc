// The OTLP span -> Sample mapping, as a table of cases: one span each, from each convention.
#include "collector/otlp/span_mapping.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include "absl/strings/escaping.h"

namespace llmtap::collector::otlp {
namespace {

using Value = std::variant<std::string, int64_t>;
using Attrs = std::vector<std::pair<std::string, Value>>;

struct Event {
  std::string name;
  Attrs attrs;
};

struct Case {
  std::string name;
  Attrs attrs;
  std::vector<Event> events = {};
  bool error = false;
  std::string status_message = "";
  // Expected; fields left empty are expected empty.
  bool llm = true;
  std::string model = "", prompt = "", response = "", session = "", error_text = "";
  int64_t input_tokens = 0, output_tokens = 0;
  std::map<std::string, std::string> metadata = {};  // Checked entries (others may exist).
  std::string variant = "", reference = "";
};

const std::string kChatIn =
    R"([{"role":"user","parts":[{"type":"text","content":"What is 2+2?"}]}])";
const std::string kChatOut =
    R"([{"role":"assistant","parts":[{"type":"text","content":"4"}],"finish_reason":"stop"}])";

const Case kCases[] = {
    {.name = "GenAiCurrentChat",
     .attrs = {{"gen_ai.operation.name", "chat"},
               {"gen_ai.provider.name", "openai"},
               {"gen_ai.request.model", "gpt-4o"},
               {"gen_ai.response.model", "gpt-4o-2024-08-06"},
               {"gen_ai.usage.input_tokens", int64_t{12}},
               {"gen_ai.usage.output_tokens", int64_t{1}},
               {"gen_ai.input.messages", kChatIn},
               {"gen_ai.output.messages", kChatOut},
               {"gen_ai.conversation.id", "conv-7"},
               {"gen_ai.response.id", "chatcmpl-1"}},
     .model = "gpt-4o-2024-08-06",
     .prompt = "What is 2+2?",
     .response = "4",
     .session = "conv-7",
     .input_tokens = 12,
     .output_tokens = 1,
     .metadata = {{"gen_ai.provider.name", "openai"},
                  {"gen_ai.operation.name", "chat"},
                  {"gen_ai.response.id", "chatcmpl-1"}}},
    {.name = "SystemInstructionsComeFirst",
     .attrs = {{"gen_ai.operation.name", "chat"},
               {"gen_ai.request.model", "m"},
               {"gen_ai.system_instructions", R"([{"type":"text","content":"Be brief."}])"},
               {"gen_ai.input.messages", kChatIn}},
     .model = "m",
     .prompt = "system: Be brief.\nuser: What is 2+2?"},
    {.name = "RequestModelWhenNoResponseModel",
     .attrs = {{"gen_ai.operation.name", "text_completion"}, {"gen_ai.request.model", "m1"}},
     .model = "m1"},
    {.name = "DeprecatedPromptCompletionAttributes",
     .attrs = {{"gen_ai.system", "openai"},
               {"gen_ai.request.model", "gpt-3.5-turbo"},
               {"gen_ai.prompt", R"([{"role":"user","content":"Hi"}])"},
               {"gen_ai.completion", R"([{"role":"assistant","content":"Hello!"}])"},
               {"gen_ai.usage.prompt_tokens", int64_t{3}},
               {"gen_ai.usage.completion_tokens", "2"}},
     .model = "gpt-3.5-turbo",
     .prompt = "Hi",
     .response = "Hello!",
     .input_tokens = 3,
     .output_tokens = 2,
     .metadata = {{"gen_ai.provider.name", "openai"}}},
    {.name = "DeprecatedPromptCompletionEvents",
     .attrs = {{"gen_ai.operation.name", "chat"}, {"gen_ai.request.model", "m"}},
     .events = {{"gen_ai.content.prompt", {{"gen_ai.prompt", "plain prompt"}}},
                {"gen_ai.content.completion", {{"gen_ai.completion", "plain answer"}}}},
     .model = "m",
     .prompt = "plain prompt",
     .response = "plain answer"},
    {.name = "OpenLlmetryIndexedMessages",
     .attrs = {{"gen_ai.system", "openai"},
               {"gen_ai.request.model", "gpt-4"},
               {"gen_ai.prompt.1.content", "Question?"},
               {"gen_ai.prompt.1.role", "user"},
               {"gen_ai.prompt.0.content", "You help."},
               {"gen_ai.prompt.0.role", "system"},
               {"gen_ai.completion.0.content", "Answer."},
               {"gen_ai.completion.0.role", "assistant"}},
     .model = "gpt-4",
     .prompt = "system: You help.\nuser: Question?",
     .response = "Answer.",
     .metadata = {{"gen_ai.provider.name", "openai"}}},
    {.name = "CurrentAttributesBeatDeprecatedOnes",
     .attrs = {{"gen_ai.operation.name", "chat"},
               {"gen_ai.prompt", "old prompt"},
               {"gen_ai.input.messages", kChatIn},
               {"gen_ai.usage.prompt_tokens", int64_t{99}},
               {"gen_ai.usage.input_tokens", int64_t{5}}},
     .prompt = "What is 2+2?",
     .input_tokens = 5},
    {.name = "OpenInferenceLlmSpan",
     .attrs = {{"openinference.span.kind", "LLM"},
               {"llm.model_name", "gpt-4o-mini"},
               {"llm.provider", "openai"},
               {"llm.token_count.prompt", int64_t{7}},
               {"llm.token_count.completion", int64_t{4}},
               {"input.value", R"({"messages":[{"role":"user","content":"ignored"}]})"},
               {"llm.input_messages.0.message.role", "user"},
               {"llm.input_messages.0.message.content", "Capital of France?"},
               {"llm.output_messages.0.message.role", "assistant"},
               {"llm.output_messages.0.message.content", "Paris."},
               {"session.id", "s-1"},
               {"metadata", R"({"tenant":"acme","tries":2})"}},
     .model = "gpt-4o-mini",
     .prompt = "Capital of France?",
     .response = "Paris.",
     .session = "s-1",
     .input_tokens = 7,
     .output_tokens = 4,
     .metadata = {{"tenant", "acme"}, {"tries", "2"}, {"gen_ai.provider.name", "openai"}}},
    {.name = "OpenInferenceValuesWithoutMessages",
     .attrs = {{"openinference.span.kind", "LLM"},
               {"input.value", R"({"model":"x","messages":[{"role":"user","content":"Hi there"}]})"},
               {"output.value",
                R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Hello"}}]})"}},
     .prompt = "Hi there",
     .response = "Hello"},
    {.name = "OpenAiContentPartsList",
     .attrs = {{"gen_ai.operation.name", "chat"},
               {"gen_ai.prompt",
                R"([{"role":"user","content":[{"type":"text","text":"Look"},{"type":"image_url"}]}])"}},
     .prompt = "Look"},
    {.name = "ErrorStatusGivesTheError",
     .attrs = {{"gen_ai.operation.name", "chat"}, {"gen_ai.request.model", "m"}},
     .error = true,
     .status_message = "rate limited",
     .model = "m",
     .error_text = "rate limited"},
    {.name = "ErrorWithoutMessageUsesErrorType",
     .attrs = {{"gen_ai.operation.name", "chat"}, {"error.type", "timeout"}},
     .error = true,
     .error_text = "timeout"},
    {.name = "ErrorFromExceptionEvent",
     .attrs = {{"gen_ai.operation.name", "chat"}},
     .events = {{"exception", {{"exception.message", "connection reset"}}}},
     .error = true,
     .error_text = "connection reset"},
    {.name = "LlmtapAttributes",
     .attrs = {{"gen_ai.operation.name", "chat"},
               {"llmtap.variant", "shadow"},
               {"llmtap.reference", "gold"}},
     .variant = "shadow",
     .reference = "gold"},
    {.name = "EmbeddingsAreIgnored",
     .attrs = {{"gen_ai.operation.name", "embeddings"}, {"gen_ai.request.model", "e"}},
     .llm = false},
    {.name = "ToolCallsAreIgnored",
     .attrs = {{"gen_ai.operation.name", "execute_tool"}},
     .llm = false},
    {.name = "OpenInferenceChainIsIgnored",
     .attrs = {{"openinference.span.kind", "CHAIN"}, {"input.value", "x"}},
     .llm = false},
    {.name = "HttpSpanIsIgnored",
     .attrs = {{"http.request.method", "GET"}, {"url.full", "http://x/"}},
     .llm = false},
};

otel::common::v1::KeyValue Kv(const std::string& key, const Value& v) {
  otel::common::v1::KeyValue kv;
  kv.set_key(key);
  if (auto* s = std::get_if<std::string>(&v)) {
    kv.mutable_value()->set_string_value(*s);
  } else {
    kv.mutable_value()->set_int_value(std::get<int64_t>(v));
  }
  return kv;
}

otel::trace::v1::Span MakeSpan(const Case& c) {
  otel::trace::v1::Span span;
  span.set_trace_id(std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16));
  span.set_span_id(std::string("\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8", 8));
  span.set_name(c.name);
  span.set_start_time_unix_nano(1'700'000'000'000'000'000ULL);
  span.set_end_time_unix_nano(1'700'000'000'250'000'000ULL);
  for (const auto& [k, v] : c.attrs) *span.add_attributes() = Kv(k, v);
  for (const Event& e : c.events) {
    auto* ev = span.add_events();
    ev->set_name(e.name);
    for (const auto& [k, v] : e.attrs) *ev->add_attributes() = Kv(k, v);
  }
  if (c.error) {
    span.mutable_status()->set_code(otel::trace::v1::Status::STATUS_CODE_ERROR);
    span.mutable_status()->set_message(c.status_message);
  }
  return span;
}

class MappingCase : public testing::TestWithParam<Case> {};

TEST_P(MappingCase, MapsAsTheTableSays) {
  const Case& c = GetParam();
  otel::resource::v1::Resource resource;
  *resource.add_attributes() = Kv("service.name", std::string("support-bot"));
  otel::common::v1::InstrumentationScope scope;
  scope.set_name("test.instrumentation");
  otel::trace::v1::Span span = MakeSpan(c);
  v1::Sample s;
  auto kind = MapSpan(resource, scope, &span, &s);
  ASSERT_TRUE(kind.ok()) << kind.status();
  if (!c.llm) {
    EXPECT_EQ(*kind, SpanKind::kNotLlm);
    EXPECT_TRUE(s.id().empty());
    return;
  }
  ASSERT_EQ(*kind, SpanKind::kLlm);
  EXPECT_EQ(s.app(), "support-bot");
  EXPECT_EQ(s.id(), SampleIdFor(std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10", 16),
                                std::string("\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8", 8),
                                1'700'000'000'000'000'000ULL));
  EXPECT_EQ(s.start_time_unix_nano(), 1'700'000'000'000'000'000LL);
  EXPECT_DOUBLE_EQ(s.latency_ms(), 250.0);
  EXPECT_EQ(s.model(), c.model);
  EXPECT_EQ(s.prompt(), c.prompt);
  EXPECT_EQ(s.response(), c.response);
  EXPECT_EQ(s.session_id(), c.session);
  EXPECT_EQ(s.input_tokens(), c.input_tokens);
  EXPECT_EQ(s.output_tokens(), c.output_tokens);
  EXPECT_EQ(s.variant(), c.variant);
  EXPECT_EQ(s.reference(), c.reference);
  EXPECT_EQ(s.status(), c.error ? v1::CALL_STATUS_ERROR : v1::CALL_STATUS_OK);
  EXPECT_EQ(s.error(), c.error_text);
  EXPECT_EQ(s.metadata().at("otel.trace_id"), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(s.metadata().at("otel.span_id"), "a1a2a3a4a5a6a7a8");
  EXPECT_EQ(s.metadata().at("otel.scope.name"), "test.instrumentation");
  for (const auto& [k, v] : c.metadata) {
    ASSERT_TRUE(s.metadata().contains(k)) << k;
    EXPECT_EQ(s.metadata().at(k), v) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, MappingCase, testing::ValuesIn(kCases),
                         [](const auto& info) { return info.param.name; });

TEST(SampleIdFor, IsDeterministicTimeOrderedAndSpreadOverSpans) {
  const std::string trace(16, '\x11'), span_a(8, '\x22'), span_b(8, '\x23');
  const uint64_t t = 1'700'000'000'123'456'789ULL;
  EXPECT_EQ(SampleIdFor(trace, span_a, t), SampleIdFor(trace, span_a, t));
  EXPECT_NE(SampleIdFor(trace, span_a, t), SampleIdFor(trace, span_b, t));
  EXPECT_NE(SampleIdFor(std::string(16, '\x12'), span_a, t), SampleIdFor(trace, span_a, t));
  const std::string id = SampleIdFor(trace, span_a, t);
  ASSERT_EQ(id.size(), 32u);
  char ms_hex[13];
  std::snprintf(ms_hex, sizeof(ms_hex), "%012llx",
                static_cast<unsigned long long>(t / 1000000));
  EXPECT_EQ(id.substr(0, 12), ms_hex);
}

TEST(MapSpan, RejectsAnLlmSpanWithBadIds) {
  otel::resource::v1::Resource resource;
  otel::common::v1::InstrumentationScope scope;
  otel::trace::v1::Span span = MakeSpan(kCases[0]);
  span.set_span_id("short");
  v1::Sample s;
  auto kind = MapSpan(resource, scope, &span, &s);
  ASSERT_FALSE(kind.ok());
  EXPECT_EQ(kind.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(kind.status().message().find("span_id"), std::string::npos);
}

TEST(MapSpan, AppIsUnknownServiceWithoutServiceName) {
  otel::resource::v1::Resource resource;
  otel::common::v1::InstrumentationScope scope;
  otel::trace::v1::Span span = MakeSpan(kCases[0]);
  v1::Sample s;
  ASSERT_TRUE(MapSpan(resource, scope, &span, &s).ok());
  EXPECT_EQ(s.app(), "unknown_service");
}

TEST(MappingMarkdown, NamesEveryRowAndIsWhatTheReadmeShows) {
  const std::string table = MappingMarkdown();
  for (const MappingRow& row : MappingRows()) {
    EXPECT_NE(table.find(std::string("`") + std::string(row.key) + "`"), std::string::npos)
        << row.key;
  }
  std::ifstream in(LLMTAP_README);
  std::stringstream readme;
  readme << in.rdbuf();
  EXPECT_NE(readme.str().find(table), std::string::npos)
      << "README.md's OTLP mapping table differs from the code: paste the output of "
         "build/bin/llmtap-otlp-mapping into it";
}

}  // namespace
}  // namespace llmtap::collector::otlp
