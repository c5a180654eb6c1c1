// llmtap-textmetrics: scores a JSONL corpus with the C++ text metrics, for parity tests.
//
//   llmtap-textmetrics [FILE|-]          reads {"id","prediction","reference"} lines and
//                                        prints one line per pair:
//     {"id":ID,"rougeL":F,"rougeL_stem":F,"bleu":F,"token_f1":F,"exact_match":F}  (%.17g)
//   llmtap-textmetrics --stem [FILE|-]   prints the Porter stem of each input line (a word).
//   llmtap-textmetrics --tokenize [FILE|-]
//                                        reads the same JSONL and prints, per pair,
//     {"id":ID,"tok13a":[P,R],"squad":[P,R]}  the 13a-tokenized and SQuAD-normalised texts.
//
// Exits 0 on success, 2 on bad usage, 1 on unreadable or malformed input.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "collector/scoring/text/bleu.h"
#include "collector/scoring/text/porter_stemmer.h"
#include "collector/scoring/text/rouge.h"
#include "collector/scoring/text/token_f1.h"
#include "collector/scoring/text/tokenizer_13a.h"
#include "tests/parity/jsonl_corpus.h"

namespace {

namespace text = ::llmtap::collector::text;

int Stem(const std::string& path) {
  std::ifstream file;
  if (path != "-") {
    file.open(path);
    if (!file) {
      std::fprintf(stderr, "cannot open %s\n", path.c_str());
      return 1;
    }
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string word;
  std::string out;
  while (std::getline(in, word)) {
    text::PorterStemInPlace(&word);
    out.append(word);
    out.push_back('\n');
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

// Appends `text` as a JSON string literal (UTF-8 passed through, controls escaped).
void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    const unsigned char b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (b < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof(escape), "\\u%04x", b);
      out->append(escape);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

int Tokenize(const std::string& path) {
  std::vector<llmtap::parity::CorpusPair> pairs;
  std::string error;
  if (!llmtap::parity::ReadCorpusFile(path, &pairs, &error)) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
    return 1;
  }
  std::string out;
  for (const auto& pair : pairs) {
    out.assign("{\"id\":");
    out.append(pair.id.empty() ? "null" : pair.id);
    out.append(",\"tok13a\":[");
    AppendJsonString(text::Tokenize13a(pair.prediction), &out);
    out.push_back(',');
    AppendJsonString(text::Tokenize13a(pair.reference), &out);
    out.append("],\"squad\":[");
    AppendJsonString(text::SquadNormalize(pair.prediction), &out);
    out.push_back(',');
    AppendJsonString(text::SquadNormalize(pair.reference), &out);
    out.append("]}\n");
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return 0;
}

int Score(const std::string& path) {
  std::vector<llmtap::parity::CorpusPair> pairs;
  std::string error;
  if (!llmtap::parity::ReadCorpusFile(path, &pairs, &error)) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), error.c_str());
    return 1;
  }
  for (const auto& pair : pairs) {
    const double rouge = text::RougeLF1(pair.reference, pair.prediction, false);
    const double rouge_stem = text::RougeLF1(pair.reference, pair.prediction, true);
    const double bleu = text::SentenceBleu(pair.prediction, {pair.reference});
    const double f1 = text::TokenF1(pair.prediction, pair.reference);
    const double em = text::ExactMatch(pair.prediction, pair.reference) ? 1.0 : 0.0;
    std::printf(
        "{\"id\":%s,\"rougeL\":%.17g,\"rougeL_stem\":%.17g,\"bleu\":%.17g,"
        "\"token_f1\":%.17g,\"exact_match\":%.17g}\n",
        pair.id.empty() ? "null" : pair.id.c_str(), rouge, rouge_stem, bleu, f1, em);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string mode;
  if (!args.empty() && (args[0] == "--stem" || args[0] == "--tokenize")) {
    mode = args[0];
    args.erase(args.begin());
  }
  if (args.size() > 1 || (!args.empty() && args[0].size() > 1 && args[0][0] == '-')) {
    std::fprintf(stderr, "usage: %s [--stem|--tokenize] [FILE|-]\n", argv[0]);
    return 2;
  }
  const std::string path = args.empty() ? "-" : args[0];
  if (mode == "--stem") return Stem(path);
  if (mode == "--tokenize") return Tokenize(path);
  return Score(path);
}
