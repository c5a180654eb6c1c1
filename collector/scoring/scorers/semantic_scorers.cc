// RegisterSemanticScorers(): the kinds of semantic_scorers (embedding similarity, claim-level
// faithfulness, pairwise), declared in embedding_similarity_scorer.h.
#include <mutex>

#include "collector/scoring/scorers/embedding_similarity_scorer.h"
#include "collector/scoring/scorers/faithfulness_claims_scorer.h"
#include "collector/scoring/scorers/pairwise_scorer.h"

namespace llmtap::collector {

void RegisterSemanticScorers() {
  static std::once_flag once;
  std::call_once(once, [] {
    RegisterScorer(v1::RUBRIC_KIND_EMBEDDING_SIMILARITY, &EmbeddingSimilarityScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS, &FaithfulnessClaimsScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_PAIRWISE, &PairwiseScorer::Create);
  });
}

}  // namespace llmtap::collector
