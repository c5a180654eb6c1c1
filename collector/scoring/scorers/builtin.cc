// RegisterBuiltinScorers(): the factories of every built-in rubric kind but the LLM judge,
// which lives in collector/judge/ and registers itself.
#include <mutex>

#include "collector/scoring/scorer.h"
#include "collector/scoring/scorers/answer_relevance_scorer.h"
#include "collector/scoring/scorers/bleu_scorer.h"
#include "collector/scoring/scorers/composite_scorer.h"
#include "collector/scoring/scorers/cost_scorer.h"
#include "collector/scoring/scorers/exact_match_scorer.h"
#include "collector/scoring/scorers/groundedness_scorer.h"
#include "collector/scoring/scorers/json_scorer.h"
#include "collector/scoring/scorers/latency_scorer.h"
#include "collector/scoring/scorers/length_scorer.h"
#include "collector/scoring/scorers/pii_leak_scorer.h"
#include "collector/scoring/scorers/refusal_scorer.h"
#include "collector/scoring/scorers/regex_scorer.h"
#include "collector/scoring/scorers/rouge_l_scorer.h"
#include "collector/scoring/scorers/token_f1_scorer.h"
#include "collector/scoring/scorers/tokens_scorer.h"
#include "collector/scoring/scorers/toxicity_scorer.h"

namespace llmtap::collector {

void RegisterBuiltinScorers() {
  static std::once_flag once;
  std::call_once(once, [] {
    RegisterScorer(v1::RUBRIC_KIND_ROUGE_L, &RougeLScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_BLEU, &BleuScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_TOKEN_F1, &TokenF1Scorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_EXACT_MATCH, &ExactMatchScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_GROUNDEDNESS, &GroundednessScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_ANSWER_RELEVANCE, &AnswerRelevanceScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_REGEX, &RegexScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_JSON, &JsonScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_LENGTH, &LengthScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_REFUSAL, &RefusalScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_PII_LEAK, &PiiLeakScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_TOXICITY, &ToxicityScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_LATENCY, &LatencyScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_TOKENS, &TokensScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_COST, &CostScorer::Create);
    RegisterScorer(v1::RUBRIC_KIND_COMPOSITE, &CompositeScorer::Create);
  });
}

}  // namespace llmtap::collector
