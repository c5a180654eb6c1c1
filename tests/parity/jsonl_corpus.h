// Reading the parity corpus: JSON Lines of {"id": ..., "prediction": "...", "reference": "..."}
// objects, as written by make_corpus.py. A small, strict JSON reader for exactly that
// shape, so the parity helper and the benchmark need no JSON library.
//
// Thread-safety: pure functions.
#ifndef LLMTAP_TESTS_PARITY_JSONL_CORPUS_H_
#define LLMTAP_TESTS_PARITY_JSONL_CORPUS_H_

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace llmtap::parity {

struct CorpusPair {
  std::string id;  // The id's JSON text as written (a number or a quoted string).
  std::string prediction;
  std::string reference;
};

// Parses one JSON object. Keys other than id/prediction/reference are skipped; missing
// prediction or reference read as "". Returns false and sets `*error` on malformed JSON.
bool ParseCorpusLine(std::string_view line, CorpusPair* pair, std::string* error);

// Reads every non-blank line of `in`. On failure returns false with `*error` naming the line.
bool ReadCorpus(std::istream& in, std::vector<CorpusPair>* pairs, std::string* error);

// Reads `path`, or stdin if `path` is "-". See ReadCorpus.
bool ReadCorpusFile(const std::string& path, std::vector<CorpusPair>* pairs,
                    std::string* error);

}  // namespace llmtap::parity

#endif  // LLMTAP_TESTS_PARITY_JSONL_CORPUS_H_
