#include "collector/otlp/span_mapping.h"

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "collector/common/strings.h"
#include "simdjson.h"

namespace llmtap::collector::otlp {
namespace {

using otel::common::v1::AnyValue;
using otel::common::v1::KeyValue;

constexpr std::string_view kGenAi = "GenAI";
constexpr std::string_view kDeprecated = "GenAI (deprecated)";
constexpr std::string_view kOpenLlmetry = "GenAI (deprecated, indexed)";
constexpr std::string_view kOpenInference = "OpenInference";
constexpr std::string_view kOtel = "OpenTelemetry";
constexpr std::string_view kLlmtap = "llmtap";

// The table. Order is precedence within a target. An indexed row's role row follows it.
constexpr MappingRow kRows[] = {
    {"gen_ai.operation.name", kGenAi, Target::kOperation, Decode::kString,
     "`chat`, `text_completion`, `generate_content` make the span an LLM call; any other "
     "value (e.g. `embeddings`, `execute_tool`) makes it ignored"},
    {"openinference.span.kind", kOpenInference, Target::kSpanKind, Decode::kString,
     "`LLM` makes the span an LLM call; any other kind makes it ignored"},
    {"gen_ai.provider.name", kGenAi, Target::kProvider, Decode::kString, ""},
    {"gen_ai.system", kDeprecated, Target::kProvider, Decode::kString, ""},
    {"llm.provider", kOpenInference, Target::kProvider, Decode::kString, ""},
    {"llm.system", kOpenInference, Target::kProvider, Decode::kString, ""},
    {"gen_ai.response.model", kGenAi, Target::kModel, Decode::kString, ""},
    {"llm.model_name", kOpenInference, Target::kModel, Decode::kString, ""},
    {"gen_ai.request.model", kGenAi, Target::kRequestModel, Decode::kString,
     "when no response model is given"},
    {"gen_ai.usage.input_tokens", kGenAi, Target::kInputTokens, Decode::kInt, ""},
    {"gen_ai.usage.prompt_tokens", kDeprecated, Target::kInputTokens, Decode::kInt, ""},
    {"llm.token_count.prompt", kOpenInference, Target::kInputTokens, Decode::kInt, ""},
    {"gen_ai.usage.output_tokens", kGenAi, Target::kOutputTokens, Decode::kInt, ""},
    {"gen_ai.usage.completion_tokens", kDeprecated, Target::kOutputTokens, Decode::kInt, ""},
    {"llm.token_count.completion", kOpenInference, Target::kOutputTokens, Decode::kInt, ""},
    {"gen_ai.system_instructions", kGenAi, Target::kSystem, Decode::kParts,
     "text parts, as a first `system` message"},
    {"gen_ai.input.messages", kGenAi, Target::kPrompt, Decode::kMessages, "text parts"},
    {"gen_ai.prompt", kDeprecated, Target::kPrompt, Decode::kMessages,
     "span attribute, or attribute of a `gen_ai.content.prompt` event"},
    {"gen_ai.prompt.{i}.content", kOpenLlmetry, Target::kPrompt, Decode::kIndexed, ""},
    {"gen_ai.prompt.{i}.role", kOpenLlmetry, Target::kPrompt, Decode::kIndexedRole, ""},
    {"llm.input_messages.{i}.message.content", kOpenInference, Target::kPrompt,
     Decode::kIndexed, ""},
    {"llm.input_messages.{i}.message.role", kOpenInference, Target::kPrompt,
     Decode::kIndexedRole, ""},
    {"input.value", kOpenInference, Target::kPrompt, Decode::kMessages,
     "a request body's `messages` when it is one, else as is"},
    {"gen_ai.output.messages", kGenAi, Target::kResponse, Decode::kMessages, "text parts"},
    {"gen_ai.completion", kDeprecated, Target::kResponse, Decode::kMessages,
     "span attribute, or attribute of a `gen_ai.content.completion` event"},
    {"gen_ai.completion.{i}.content", kOpenLlmetry, Target::kResponse, Decode::kIndexed, ""},
    {"gen_ai.completion.{i}.role", kOpenLlmetry, Target::kResponse, Decode::kIndexedRole, ""},
    {"llm.output_messages.{i}.message.content", kOpenInference, Target::kResponse,
     Decode::kIndexed, ""},
    {"llm.output_messages.{i}.message.role", kOpenInference, Target::kResponse,
     Decode::kIndexedRole, ""},
    {"output.value", kOpenInference, Target::kResponse, Decode::kMessages,
     "a response body's first choice when it is one, else as is"},
    {"gen_ai.conversation.id", kGenAi, Target::kSession, Decode::kString, ""},
    {"session.id", kOpenInference, Target::kSession, Decode::kString, ""},
    {"metadata", kOpenInference, Target::kMetadataJson, Decode::kJsonObject,
     "each entry of the JSON object"},
    {"gen_ai.response.id", kGenAi, Target::kMetadataCopy, Decode::kString, ""},
    {"gen_ai.response.finish_reasons", kGenAi, Target::kMetadataCopy, Decode::kString,
     "joined with `,`"},
    {"user.id", kOpenInference, Target::kMetadataCopy, Decode::kString, ""},
    {"error.type", kOtel, Target::kErrorText, Decode::kString,
     "when the status is ERROR without a message"},
    {"exception.message", kOtel, Target::kErrorText, Decode::kString,
     "of an `exception` event, when the status is ERROR without a message"},
    {"llmtap.variant", kLlmtap, Target::kVariant, Decode::kString, ""},
    {"llmtap.prompt_version", kLlmtap, Target::kPromptVersion, Decode::kString, ""},
    {"llmtap.pair_id", kLlmtap, Target::kPairId, Decode::kString, ""},
    {"llmtap.reference", kLlmtap, Target::kReference, Decode::kString, ""},
};
constexpr int kNumRows = static_cast<int>(std::size(kRows));
constexpr int kNumTargets = static_cast<int>(Target::kErrorText) + 1;

struct SpanFieldRow {
  std::string_view source, target, note;
};
constexpr SpanFieldRow kSpanFields[] = {
    {"resource `service.name`", "app", "`unknown_service` when missing, as OpenTelemetry does"},
    {"`trace_id` + `span_id`", "id",
     "48 bits of the start time in ms, then 80 bits hashed from both ids: a span sent again "
     "is stored once"},
    {"`trace_id`, `span_id`", "metadata `otel.trace_id`, `otel.span_id`", "lowercase hex"},
    {"scope name", "metadata `otel.scope.name`", "the instrumentation library"},
    {"`start_time_unix_nano`", "start_time_unix_nano", ""},
    {"`end_time_unix_nano` - `start_time_unix_nano`", "latency_ms", ""},
    {"`status.code` ERROR", "status ERROR, error",
     "error is `status.message`, else `error.type` or `exception.message`, else `error`"},
};

const char* TargetName(Target t) {
  switch (t) {
    case Target::kOperation: return "(decides) + metadata `gen_ai.operation.name`";
    case Target::kSpanKind: return "(decides)";
    case Target::kProvider: return "metadata `gen_ai.provider.name`";
    case Target::kModel: return "model";
    case Target::kRequestModel: return "model";
    case Target::kInputTokens: return "input_tokens";
    case Target::kOutputTokens: return "output_tokens";
    case Target::kSystem: return "prompt";
    case Target::kPrompt: return "prompt";
    case Target::kResponse: return "response";
    case Target::kSession: return "session_id";
    case Target::kMetadataJson: return "metadata";
    case Target::kMetadataCopy: return "metadata (same key)";
    case Target::kVariant: return "variant";
    case Target::kPromptVersion: return "prompt_version";
    case Target::kPairId: return "pair_id";
    case Target::kReference: return "reference";
    case Target::kErrorText: return "error";
  }
  return "";
}

const absl::flat_hash_map<std::string_view, int>& RowIndex() {
  static const auto* index = [] {
    auto* m = new absl::flat_hash_map<std::string_view, int>();
    for (int i = 0; i < kNumRows; ++i) m->emplace(kRows[i].key, i);
    return m;
  }();
  return *index;
}

// "a.b.12.c" -> row of "a.b.{i}.c", index 12; -1 when the key has no such row.
int FindIndexedRow(std::string_view key, int* index) {
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9' || i == 0 || key[i - 1] != '.') continue;
    size_t j = i;
    while (j < key.size() && key[j] >= '0' && key[j] <= '9') ++j;
    if (j == key.size() || key[j] != '.' || j - i > 6) return -1;
    char buf[160];
    const std::string_view head = key.substr(0, i), tail = key.substr(j);
    if (head.size() + 3 + tail.size() > sizeof(buf)) return -1;
    std::memcpy(buf, head.data(), head.size());
    std::memcpy(buf + head.size(), "{i}", 3);
    std::memcpy(buf + head.size() + 3, tail.data(), tail.size());
    auto it = RowIndex().find(std::string_view(buf, head.size() + 3 + tail.size()));
    if (it == RowIndex().end()) return -1;
    if (!absl::SimpleAtoi(absl::string_view(key.data() + i, j - i), index)) return -1;
    return it->second;
  }
  return -1;
}

int FindRow(std::string_view key, int* index) {
  auto it = RowIndex().find(key);
  if (it != RowIndex().end()) return it->second;
  if (key.find_first_of("0123456789") == std::string_view::npos) return -1;
  return FindIndexedRow(key, index);
}

std::string ScalarText(const AnyValue& v) {
  switch (v.value_case()) {
    case AnyValue::kStringValue: return v.string_value();
    case AnyValue::kIntValue: return std::to_string(v.int_value());
    case AnyValue::kDoubleValue: return Cat(v.double_value());
    case AnyValue::kBoolValue: return v.bool_value() ? "true" : "false";
    case AnyValue::kArrayValue: {
      std::string out;
      for (const AnyValue& e : v.array_value().values()) {
        if (!out.empty()) out += ',';
        out += ScalarText(e);
      }
      return out;
    }
    default: return "";
  }
}

std::string TakeString(AnyValue* v) {
  if (v->value_case() == AnyValue::kStringValue) return std::move(*v->mutable_string_value());
  return ScalarText(*v);
}

int64_t IntOf(const AnyValue& v) {
  int64_t n = 0;
  switch (v.value_case()) {
    case AnyValue::kIntValue: return v.int_value();
    case AnyValue::kDoubleValue: return static_cast<int64_t>(v.double_value());
    case AnyValue::kStringValue:
      return absl::SimpleAtoi(absl::string_view(v.string_value().data(), v.string_value().size()),
                              &n)
                 ? n
                 : 0;
    default: return 0;
  }
}

struct Message {
  std::string role, text;
};

void AppendText(std::string* out, std::string_view text) {
  if (text.empty()) return;
  if (!out->empty()) out->push_back('\n');
  out->append(text);
}

// JSON is read with simdjson (DOM): message lists are most of a GenAI span's bytes, and
// reading them is most of the receiver's own CPU. One parser per thread.
simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

// Parses `text` in place: pads the string's buffer as simdjson needs instead of copying it.
simdjson::simdjson_result<simdjson::dom::element> ParseJson(std::string& text) {
  text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  return Parser().parse(text.data(), text.size(), /*realloc_if_needed=*/false);
}

std::string_view Str(simdjson::dom::element e) {
  std::string_view v;
  return e.get_string().get(v) == simdjson::SUCCESS ? v : std::string_view();
}

// Text of a GenAI parts list ([{"type": "text", "content": ...}]) or of an OpenAI content
// list ([{"type": "text", "text": ...}] or strings), or a string.
std::string PartsText(simdjson::dom::element parts) {
  std::string out;
  if (parts.is_string()) return std::string(Str(parts));
  simdjson::dom::array list;
  if (parts.get_array().get(list) != simdjson::SUCCESS) return out;
  for (simdjson::dom::element p : list) {
    if (p.is_string()) {
      AppendText(&out, Str(p));
      continue;
    }
    simdjson::dom::object part;
    if (p.get_object().get(part) != simdjson::SUCCESS) continue;
    simdjson::dom::element type;
    if (part["type"].get(type) == simdjson::SUCCESS && Str(type) != "text") continue;
    for (const char* k : {"content", "text"}) {
      simdjson::dom::element t;
      if (part[k].get(t) == simdjson::SUCCESS) AppendText(&out, Str(t));
    }
  }
  return out;
}

void ParseMessageList(simdjson::dom::array list, std::vector<Message>* out) {
  for (simdjson::dom::element m : list) {
    simdjson::dom::object body;
    if (m.get_object().get(body) != simdjson::SUCCESS) continue;
    simdjson::dom::object inner;
    if (body["message"].get_object().get(inner) == simdjson::SUCCESS) body = inner;  // choices
    Message msg;
    simdjson::dom::element e;
    if (body["role"].get(e) == simdjson::SUCCESS) msg.role = std::string(Str(e));
    if (body["parts"].get(e) == simdjson::SUCCESS) {
      msg.text = PartsText(e);
    } else if (body["content"].get(e) == simdjson::SUCCESS) {
      msg.text = PartsText(e);
    } else if (body["text"].get(e) == simdjson::SUCCESS) {
      msg.text = std::string(Str(e));  // Completions API choices.
    }
    if (!msg.text.empty() || !msg.role.empty()) out->push_back(std::move(msg));
  }
}

// Messages of a JSON list, of a request body's "messages", of a response body's "choices"; a
// value that is none of those is one message holding the text as it is.
void ParseMessages(std::string text, std::vector<Message>* out) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) {
    simdjson::dom::element doc;
    if (ParseJson(text).get(doc) == simdjson::SUCCESS) {
      simdjson::dom::array list;
      if (doc.get_array().get(list) == simdjson::SUCCESS) return ParseMessageList(list, out);
      simdjson::dom::object obj;
      if (doc.get_object().get(obj) == simdjson::SUCCESS) {
        for (const char* k : {"messages", "choices"}) {
          if (obj[k].get_array().get(list) != simdjson::SUCCESS) continue;
          std::vector<Message> got;
          ParseMessageList(list, &got);
          if (std::string_view(k) == "choices" && got.size() > 1) got.resize(1);
          if (!got.empty()) {
            for (auto& m : got) out->push_back(std::move(m));
            return;
          }
        }
        simdjson::dom::element prompt;
        if (obj["prompt"].get(prompt) == simdjson::SUCCESS && prompt.is_string()) {
          out->push_back(Message{"", std::string(Str(prompt))});
          return;
        }
      }
    }
  }
  out->push_back(Message{"", std::move(text)});
}

std::string Render(std::vector<Message>& messages) {
  if (messages.size() == 1) return std::move(messages[0].text);
  std::string out;
  for (const Message& m : messages) {
    if (!out.empty()) out.push_back('\n');
    if (!m.role.empty()) out += Cat(m.role, ": ");
    out += m.text;
  }
  return out;
}

uint64_t Load64(std::string_view s, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// splitmix64's finalizer: a fixed, well-mixing 64-bit permutation.
uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// What one span's attributes offer, before precedence is applied.
class Collected {
 public:
  void Add(KeyValue* kv) {
    int index = 0;
    const int row = FindRow(kv->key(), &index);
    if (row < 0) return;
    const MappingRow& r = kRows[row];
    if (r.decode == Decode::kIndexed || r.decode == Decode::kIndexedRole) {
      if (index < 0 || index > 10000) return;
      indexed_.push_back({row, index, kv->mutable_value()});
    } else if (r.target == Target::kMetadataCopy || r.target == Target::kMetadataJson) {
      meta_.push_back({row, kv->mutable_value()});
    } else if (single_[row] == nullptr) {
      single_[row] = kv->mutable_value();
    }
    const int t = static_cast<int>(r.target);
    if (best_[t] < 0 || row < best_[t]) {
      if (r.decode != Decode::kIndexedRole) best_[t] = row;
    }
  }

  // The winning row of a target, or -1; the value for non-indexed rows.
  int Best(Target t, AnyValue** value) const {
    const int row = best_[static_cast<int>(t)];
    *value = row >= 0 ? single_[row] : nullptr;
    return row;
  }

  // Messages of indexed row `row` (roles from the row after it), ordered by index.
  std::vector<Message> IndexedMessages(int row) {
    std::vector<std::pair<int, Message>> by_index;
    auto at = [&by_index](int i) -> Message& {
      for (auto& [k, m] : by_index) {
        if (k == i) return m;
      }
      by_index.push_back({i, Message{}});
      return by_index.back().second;
    };
    for (auto& e : indexed_) {
      if (e.row == row) at(e.index).text = TakeString(e.value);
      if (e.row == row + 1 && kRows[row + 1].decode == Decode::kIndexedRole) {
        at(e.index).role = TakeString(e.value);
      }
    }
    std::sort(by_index.begin(), by_index.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Message> out;
    for (auto& [i, m] : by_index) out.push_back(std::move(m));
    return out;
  }

  struct Meta {
    int row;
    AnyValue* value;
  };
  const std::vector<Meta>& meta() const { return meta_; }

 private:
  struct Indexed {
    int row, index;
    AnyValue* value;
  };
  std::array<AnyValue*, kNumRows> single_{};
  std::array<int, kNumTargets> best_ = [] {
    std::array<int, kNumTargets> a;
    a.fill(-1);
    return a;
  }();
  std::vector<Indexed> indexed_;
  std::vector<Meta> meta_;
};

// The messages a target's winning row gives.
std::vector<Message> MessagesOf(Collected& c, Target t) {
  std::vector<Message> out;
  AnyValue* v = nullptr;
  const int row = c.Best(t, &v);
  if (row < 0) return out;
  if (kRows[row].decode == Decode::kIndexed) return c.IndexedMessages(row);
  if (v == nullptr) return out;
  if (kRows[row].decode == Decode::kParts) {
    std::string text = TakeString(v);
    simdjson::dom::element doc;
    if (ParseJson(text).get(doc) == simdjson::SUCCESS) {
      out.push_back(Message{"system", PartsText(doc)});
    } else {
      out.push_back(Message{"system", std::move(text)});
    }
    return out;
  }
  ParseMessages(TakeString(v), &out);
  return out;
}

void AddMetadata(const MappingRow& row, AnyValue* v, v1::Sample* sample) {
  auto* meta = sample->mutable_metadata();
  if (row.decode != Decode::kJsonObject) {
    (*meta)[std::string(row.key)] = TakeString(v);
    return;
  }
  if (v->value_case() == AnyValue::kKvlistValue) {
    for (const KeyValue& kv : v->kvlist_value().values()) (*meta)[kv.key()] = ScalarText(kv.value());
    return;
  }
  std::string text = TakeString(v);
  simdjson::dom::object obj;
  if (ParseJson(text).get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto field : obj) {
    (*meta)[std::string(field.key)] =
        field.value.is_string() ? std::string(Str(field.value)) : simdjson::to_string(field.value);
  }
}

}  // namespace

std::span<const MappingRow> MappingRows() { return kRows; }

std::string MappingMarkdown() {
  std::string out =
      "| OTLP span | convention | Sample field | notes |\n|---|---|---|---|\n";
  for (const SpanFieldRow& r : kSpanFields) {
    out += Cat("| ", r.source, " | ", kOtel, " | ", r.target, " | ", r.note, " |\n");
  }
  for (const MappingRow& r : kRows) {
    out += Cat("| `", r.key, "` | ", r.convention, " | ", TargetName(r.target), " | ", r.note,
               " |\n");
  }
  return out;
}

std::string SampleIdFor(std::string_view trace_id, std::string_view span_id,
                        uint64_t start_time_unix_nano) {
  const uint64_t t0 = Load64(trace_id, 0), t1 = Load64(trace_id, 8), s = Load64(span_id, 0);
  const uint64_t h1 = Mix(t0 ^ Mix(t1 ^ Mix(s)));
  const uint64_t h2 = Mix(s ^ Mix(t1 + 0x9e3779b97f4a7c15ULL) ^ Mix(t0));
  const uint64_t ms = (start_time_unix_nano / 1000000) & ((uint64_t{1} << 48) - 1);
  char id[16];
  for (int i = 0; i < 6; ++i) id[i] = static_cast<char>(ms >> (8 * (5 - i)));
  for (int i = 0; i < 8; ++i) id[6 + i] = static_cast<char>(h1 >> (8 * (7 - i)));
  id[14] = static_cast<char>(h2 >> 56);
  id[15] = static_cast<char>(h2 >> 48);
  return absl::BytesToHexString(absl::string_view(id, 16));
}

std::string RenderMessages(std::string_view json_or_text) {
  std::vector<Message> messages;
  ParseMessages(std::string(json_or_text), &messages);
  return Render(messages);
}

absl::StatusOr<SpanKind> MapSpan(const otel::resource::v1::Resource& resource,
                                 const otel::common::v1::InstrumentationScope& scope,
                                 otel::trace::v1::Span* span, v1::Sample* sample) {
  Collected c;
  for (KeyValue& kv : *span->mutable_attributes()) c.Add(&kv);
  for (auto& event : *span->mutable_events()) {
    for (KeyValue& kv : *event.mutable_attributes()) c.Add(&kv);
  }

  AnyValue* v = nullptr;
  std::string operation;
  if (c.Best(Target::kOperation, &v) >= 0) {
    operation = ScalarText(*v);
    if (operation != "chat" && operation != "text_completion" && operation != "generate_content") {
      return SpanKind::kNotLlm;
    }
  } else if (c.Best(Target::kSpanKind, &v) >= 0) {
    if (ScalarText(*v) != "LLM") return SpanKind::kNotLlm;
  } else if (c.Best(Target::kModel, &v) < 0 && c.Best(Target::kRequestModel, &v) < 0 &&
             c.Best(Target::kPrompt, &v) < 0 && c.Best(Target::kResponse, &v) < 0) {
    return SpanKind::kNotLlm;
  }

  if (span->trace_id().size() != 16) {
    return absl::InvalidArgumentError(Cat("trace_id: ", span->trace_id().size(),
                                          " bytes, want 16"));
  }
  if (span->span_id().size() != 8) {
    return absl::InvalidArgumentError(Cat("span_id: ", span->span_id().size(), " bytes, want 8"));
  }
  if (span->start_time_unix_nano() == 0 || span->start_time_unix_nano() > INT64_MAX) {
    return absl::InvalidArgumentError("start_time_unix_nano: required, > 0");
  }

  sample->set_id(SampleIdFor(span->trace_id(), span->span_id(), span->start_time_unix_nano()));
  for (const KeyValue& kv : resource.attributes()) {
    if (kv.key() == "service.name") sample->set_app(ScalarText(kv.value()));
  }
  if (sample->app().empty()) sample->set_app("unknown_service");
  sample->set_start_time_unix_nano(static_cast<int64_t>(span->start_time_unix_nano()));
  if (span->end_time_unix_nano() >= span->start_time_unix_nano()) {
    sample->set_latency_ms(
        static_cast<double>(span->end_time_unix_nano() - span->start_time_unix_nano()) / 1e6);
  }

  if (c.Best(Target::kModel, &v) >= 0 || c.Best(Target::kRequestModel, &v) >= 0) {
    sample->set_model(TakeString(v));
  }
  if (c.Best(Target::kInputTokens, &v) >= 0) sample->set_input_tokens(IntOf(*v));
  if (c.Best(Target::kOutputTokens, &v) >= 0) sample->set_output_tokens(IntOf(*v));
  {
    std::vector<Message> prompt = MessagesOf(c, Target::kSystem);
    std::vector<Message> rest = MessagesOf(c, Target::kPrompt);
    for (auto& m : rest) prompt.push_back(std::move(m));
    if (!prompt.empty()) sample->set_prompt(Render(prompt));
    std::vector<Message> response = MessagesOf(c, Target::kResponse);
    if (!response.empty()) sample->set_response(Render(response));
  }
  const std::pair<Target, std::string* (v1::Sample::*)()> strings[] = {
      {Target::kSession, &v1::Sample::mutable_session_id},
      {Target::kVariant, &v1::Sample::mutable_variant},
      {Target::kPromptVersion, &v1::Sample::mutable_prompt_version},
      {Target::kPairId, &v1::Sample::mutable_pair_id},
      {Target::kReference, &v1::Sample::mutable_reference},
  };
  for (const auto& [target, field] : strings) {
    if (c.Best(target, &v) >= 0) *(sample->*field)() = TakeString(v);
  }

  if (span->status().code() == otel::trace::v1::Status::STATUS_CODE_ERROR) {
    sample->set_status(v1::CALL_STATUS_ERROR);
    if (!span->status().message().empty()) {
      sample->set_error(span->status().message());
    } else if (c.Best(Target::kErrorText, &v) >= 0) {
      sample->set_error(TakeString(v));
    } else {
      sample->set_error("error");
    }
  } else {
    sample->set_status(v1::CALL_STATUS_OK);
  }

  auto* meta = sample->mutable_metadata();
  (*meta)["otel.trace_id"] = absl::BytesToHexString(span->trace_id());
  (*meta)["otel.span_id"] = absl::BytesToHexString(span->span_id());
  if (!scope.name().empty()) (*meta)["otel.scope.name"] = scope.name();
  if (!operation.empty()) (*meta)["gen_ai.operation.name"] = operation;
  if (c.Best(Target::kProvider, &v) >= 0) (*meta)["gen_ai.provider.name"] = TakeString(v);
  for (const auto& m : c.meta()) AddMetadata(kRows[m.row], m.value, sample);
  return SpanKind::kLlm;
}

}  // namespace llmtap::collector::otlp
