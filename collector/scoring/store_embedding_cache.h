// StoreEmbeddingCache: the EmbeddingCache in the collector's RocksDB meta column family,
// keyed by model and the SHA-256 of the text (keys::EmbeddingKey), the vector stored as
// little-endian float32. Entries are never dropped: one per distinct (model, text) that a
// rubric chose to cache, 1.5 KB for a 384-dimension model.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_SCORING_STORE_EMBEDDING_CACHE_H_
#define LLMTAP_COLLECTOR_SCORING_STORE_EMBEDDING_CACHE_H_

#include "collector/scoring/embedding_cache.h"
#include "collector/store/store.h"

namespace llmtap::collector {

class StoreEmbeddingCache final : public EmbeddingCache {
 public:
  // `store` must outlive the cache.
  explicit StoreEmbeddingCache(Store* store) : store_(store) {}

  std::optional<std::vector<float>> Get(std::string_view model,
                                        std::string_view text) const override;
  void Put(std::string_view model, std::string_view text,
           const std::vector<float>& vector) override;

 private:
  Store* const store_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_STORE_EMBEDDING_CACHE_H_
