#include "sample_convert.h"

#include <chrono>

#include "utf8.h"

namespace llmtap::internal {
namespace {

// Redacts, then fits the text into `limit` bytes of valid UTF-8. Returns true when trimmed.
bool Clean(std::string* s, size_t limit, const Redactor* redactor) {
  if (redactor != nullptr && !s->empty()) redactor->Redact(s);
  return SanitizeUtf8(s, limit);
}

}  // namespace

size_t ApproximateBytes(const Sample& s) {
  size_t n = sizeof(Sample) + s.id.size() + s.app.size() + s.session_id.size() + s.model.size() +
             s.prompt_version.size() + s.variant.size() + s.pair_id.size() + s.prompt.size() +
             s.response.size() + s.reference.size() + s.error.size();
  for (const auto& c : s.contexts) n += c.size() + sizeof(std::string);
  for (const auto& [k, v] : s.metadata) n += k.size() + v.size() + 64;
  return n;
}

void MoveToProto(Sample&& in, const Redactor* redactor, v1::Sample* out) {
  bool trimmed = false;
  auto name = [&](std::string* s) { trimmed |= SanitizeUtf8(s, v1::LIMIT_NAME_BYTES); };
  auto text = [&](std::string* s) { trimmed |= Clean(s, v1::LIMIT_TEXT_BYTES, redactor); };
  name(&in.app);
  name(&in.session_id);
  name(&in.model);
  name(&in.prompt_version);
  name(&in.variant);
  name(&in.pair_id);
  text(&in.prompt);
  text(&in.response);
  text(&in.reference);
  trimmed |= Clean(&in.error, v1::LIMIT_ERROR_BYTES, redactor);

  out->set_id(std::move(in.id));
  out->set_app(std::move(in.app));
  out->set_session_id(std::move(in.session_id));
  out->set_model(std::move(in.model));
  out->set_prompt_version(std::move(in.prompt_version));
  out->set_variant(std::move(in.variant));
  out->set_pair_id(std::move(in.pair_id));
  out->set_prompt(std::move(in.prompt));
  out->set_response(std::move(in.response));
  out->set_reference(std::move(in.reference));
  size_t context_bytes = 0;
  for (auto& c : in.contexts) {
    if (out->contexts_size() >= v1::LIMIT_CONTEXTS) {
      trimmed = true;
      break;
    }
    trimmed |= Clean(&c, v1::LIMIT_CONTEXTS_TOTAL_BYTES - context_bytes, redactor);
    context_bytes += c.size();
    out->add_contexts(std::move(c));
  }
  out->set_start_time_unix_nano(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    in.start_time.time_since_epoch())
                                    .count());
  out->set_latency_ms(in.latency_ms < 0 ? 0 : in.latency_ms);
  out->set_time_to_first_token_ms(in.time_to_first_token_ms < 0 ? 0 : in.time_to_first_token_ms);
  out->set_input_tokens(in.input_tokens < 0 ? 0 : in.input_tokens);
  out->set_output_tokens(in.output_tokens < 0 ? 0 : in.output_tokens);
  out->set_status(in.ok ? v1::CALL_STATUS_OK : v1::CALL_STATUS_ERROR);
  out->set_error(std::move(in.error));
  out->set_cost_usd(in.cost_usd < 0 ? 0 : in.cost_usd);
  auto* md = out->mutable_metadata();
  for (auto& [k, v] : in.metadata) {
    if (md->size() >= v1::LIMIT_METADATA_ENTRIES - 1) {
      trimmed = true;
      break;
    }
    std::string key = k;
    trimmed |= SanitizeUtf8(&key, v1::LIMIT_METADATA_BYTES);
    trimmed |= Clean(&v, v1::LIMIT_METADATA_BYTES, redactor);
    (*md)[std::move(key)] = std::move(v);
  }
  if (trimmed) (*md)["llmtap.trimmed"] = "true";
}

}  // namespace llmtap::internal
