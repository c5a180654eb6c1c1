// bench_scorers: Google Benchmark timings of the C++ text metrics over a corpus.
//
//   bench_scorers [--corpus=FILE] [benchmark flags]
//
// FILE is JSONL as written by tests/parity/make_corpus.py (default: $LLMTAP_CORPUS, else a
// small built-in sample). One benchmark iteration scores every pair of the corpus once;
// items/s counts pairs. tests/parity/speed.py compares these timings with the Python
// reference packages.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collector/scoring/text/bleu.h"
#include "collector/scoring/text/rouge.h"
#include "collector/scoring/text/token_f1.h"
#include "tests/parity/jsonl_corpus.h"

namespace {

namespace text = ::llmtap::collector::text;
using ::llmtap::parity::CorpusPair;

std::vector<CorpusPair>& Corpus() {
  static std::vector<CorpusPair> corpus;
  return corpus;
}

std::vector<CorpusPair> BuiltInSample() {
  return {
      {"0", "The cat sat on the mat.", "A cat was sitting on the mat."},
      {"1", "Paris is the capital of France.", "The capital of France is Paris."},
      {"2", "He's running quickly towards the generously-sized houses!",
       "He ran quickly to the generous houses."},
      {"3", "", "Nothing here"},
      {"4", "Le café coûte 3,50 € &amp; c'est très bon.", "Le café coûte 3.50 euros."},
  };
}

template <typename Fn>
void ScoreCorpus(benchmark::State& state, Fn fn) {
  const std::vector<CorpusPair>& corpus = Corpus();
  for (auto _ : state) {
    double sum = 0;
    for (const CorpusPair& pair : corpus) sum += fn(pair);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * corpus.size()));
}

void BM_RougeL(benchmark::State& state) {
  ScoreCorpus(state, [](const CorpusPair& p) {
    return text::RougeLF1(p.reference, p.prediction, false);
  });
}
BENCHMARK(BM_RougeL)->Unit(benchmark::kMillisecond);

void BM_RougeLStem(benchmark::State& state) {
  ScoreCorpus(state, [](const CorpusPair& p) {
    return text::RougeLF1(p.reference, p.prediction, true);
  });
}
BENCHMARK(BM_RougeLStem)->Unit(benchmark::kMillisecond);

void BM_SentenceBleu(benchmark::State& state) {
  std::vector<std::string> refs(1);
  ScoreCorpus(state, [&refs](const CorpusPair& p) {
    refs[0] = p.reference;
    return text::SentenceBleu(p.prediction, refs);
  });
}
BENCHMARK(BM_SentenceBleu)->Unit(benchmark::kMillisecond);

void BM_TokenF1(benchmark::State& state) {
  ScoreCorpus(state, [](const CorpusPair& p) { return text::TokenF1(p.prediction, p.reference); });
}
BENCHMARK(BM_TokenF1)->Unit(benchmark::kMillisecond);

void BM_ExactMatch(benchmark::State& state) {
  ScoreCorpus(state, [](const CorpusPair& p) {
    return text::ExactMatch(p.prediction, p.reference) ? 1.0 : 0.0;
  });
}
BENCHMARK(BM_ExactMatch)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::string path;
  if (const char* env = std::getenv("LLMTAP_CORPUS")) path = env;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--corpus=", 9) == 0) {
      path = argv[i] + 9;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (path.empty()) {
    Corpus() = BuiltInSample();
  } else {
    std::string error;
    if (!llmtap::parity::ReadCorpusFile(path, &Corpus(), &error)) {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
      return 1;
    }
  }
  benchmark::AddCustomContext("corpus_pairs", std::to_string(Corpus().size()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
