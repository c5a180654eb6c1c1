// EmbeddingCache: where embedding scorers keep the vectors of texts that recur (references,
// contexts, prompts of a golden set), so that each is embedded once per model. The collector's
// is in RocksDB (StoreEmbeddingCache, key layout in store/keys.h); scorers see only this
// interface.
//
// Thread-safe: implementations are called from several scoring workers at once.
#ifndef LLMTAP_COLLECTOR_SCORING_EMBEDDING_CACHE_H_
#define LLMTAP_COLLECTOR_SCORING_EMBEDDING_CACHE_H_

#include <optional>
#include <string_view>
#include <vector>

namespace llmtap::collector {

class EmbeddingCache {
 public:
  virtual ~EmbeddingCache() = default;
  // The vector stored for (model, text), or nullopt (never stored, or unreadable).
  virtual std::optional<std::vector<float>> Get(std::string_view model,
                                                std::string_view text) const = 0;
  // Stores it; a failure is not the caller's problem (the text is embedded again next time).
  virtual void Put(std::string_view model, std::string_view text,
                   const std::vector<float>& vector) = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_EMBEDDING_CACHE_H_
