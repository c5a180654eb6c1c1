#include "collector/scoring/store_embedding_cache.h"

#include <cstring>

#include "collector/store/keys.h"

namespace llmtap::collector {

std::optional<std::vector<float>> StoreEmbeddingCache::Get(std::string_view model,
                                                           std::string_view text) const {
  absl::StatusOr<std::string> value = store_->GetMeta(keys::EmbeddingKey(model, text));
  if (!value.ok() || value->empty() || value->size() % sizeof(float) != 0) return std::nullopt;
  std::vector<float> out(value->size() / sizeof(float));
  std::memcpy(out.data(), value->data(), value->size());  // x86-64: little-endian as stored.
  return out;
}

void StoreEmbeddingCache::Put(std::string_view model, std::string_view text,
                              const std::vector<float>& vector) {
  std::string value(reinterpret_cast<const char*>(vector.data()), vector.size() * sizeof(float));
  store_->PutMeta(keys::EmbeddingKey(model, text), value).IgnoreError();
}

}  // namespace llmtap::collector
