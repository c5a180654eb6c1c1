// Scorer: the plug-in interface of the scoring engine. A Scorer is made from one Rubric (by
// the factory registered for its kind) and scores one sample at a time.
//
//   absl::StatusOr<std::unique_ptr<Scorer>> s = CreateScorer(rubric, env);
//   absl::StatusOr<ScoreResult> r = (*s)->Score(sample, context);
//
// Concurrency: Score() is const and may be called from several worker threads at once.
// Scorers know nothing of storage: they get a sample, return a value.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/scoring/embedding_cache.h"
#include "collector/scoring/pair_finder.h"
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/rubric.pb.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector {

// What a scorer found. The engine turns it into a v1::Score (rubric, version, passed, time).
struct ScoreResult {
  double value = 0;  // In [0, 1], higher is better.
  std::string reasoning;
  std::string raw_output;  // A judge's raw answer.
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  // Set when scoring failed after spending (a judge's unparseable answer): the engine stores
  // an ERROR score with this message that keeps raw_output, the tokens and the cost.
  std::string error;
};

// Per-call context.
struct ScoreContext {
  // Scoring must finish by then; a scorer that waits (a judge) must not wait past it.
  absl::Time deadline = absl::InfiniteFuture();
  // Values of the rubrics already scored for this sample in this pass (for composites).
  const std::map<std::string, double>* earlier = nullptr;
  // Rubric weights by name (Rubric.weight), for composites; a rubric not in it weighs 1.
  const std::map<std::string, double>* weights = nullptr;
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  // OK with a value in [0, 1]; an error when the sample cannot be scored (the engine stores
  // it as a SCORE_STATE_ERROR score). UNAVAILABLE or RESOURCE_EXHAUSTED mean "skipped on
  // purpose" (spend cap, open circuit) and are stored as SCORE_STATE_SKIPPED.
  virtual absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                            const ScoreContext& context) const = 0;

  // Asynchronous scorers wait on a remote call (an LLM judge, embeddings). The engine commits
  // a sample's synchronous scores at once and scores its asynchronous rubrics through
  // ScoreAsync, committing each sample's asynchronous scores together when all have arrived
  // (see ScoringEngine).
  virtual bool is_async() const { return false; }
  using ScoreDone = std::function<void(absl::StatusOr<ScoreResult>)>;
  // Scores without blocking: `done` is called exactly once with what Score() would return,
  // on any thread (often an HTTP event thread), possibly before ScoreAsync returns; it must
  // not block. `sample` and `context` are valid only during the call: copy what is needed
  // later. Default: done(Score(sample, context)).
  virtual void ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                          ScoreDone done) const {
    done(Score(sample, context));
  }

  // False when the rubric does not apply to `sample` at all (beyond Rubric.requires_* and
  // apps): nothing is stored or counted for it, as for a rubric of another app. E.g. a
  // pairwise rubric applies only to candidate samples that have a pair_id.
  virtual bool AppliesTo(const v1::Sample&) const { return true; }
};

// Shared, read-only inputs for factories: the whole config (judges, prices).
struct ScorerEnv {
  const v1::CollectorConfig* config = nullptr;
  // Where embedding scorers cache vectors of recurring texts; null: no cache.
  EmbeddingCache* embedding_cache = nullptr;
  // Finds the other sample of a pair, for pairwise rubrics; null: they fail to load.
  const PairFinder* pairs = nullptr;
};

// Builds a Scorer for a rubric of one kind, validating its parameters (a bad regex, a missing
// parameter or an unknown template variable is INVALID_ARGUMENT naming the rubric field).
using ScorerFactory = std::function<absl::StatusOr<std::unique_ptr<Scorer>>(
    const v1::Rubric& rubric, const ScorerEnv& env)>;

// The kind -> factory table. Registration happens once, before the engine starts
// (RegisterBuiltinScorers); lookups are then read-only and thread-safe.
void RegisterScorer(v1::RubricKind kind, ScorerFactory factory);
// INVALID_ARGUMENT for a kind with no factory ("unknown kind").
absl::StatusOr<std::unique_ptr<Scorer>> CreateScorer(const v1::Rubric& rubric,
                                                     const ScorerEnv& env);

// Registers every built-in scorer (idempotent). Defined in scorers/builtin.cc.
void RegisterBuiltinScorers();

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORER_H_
