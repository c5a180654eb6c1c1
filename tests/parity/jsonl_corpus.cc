#include "tests/parity/jsonl_corpus.h"

#include <fstream>
#include <iostream>

namespace llmtap::parity {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool ParseObject(CorpusPair* pair) {
    SkipSpace();
    if (!Consume('{')) return Fail("expected '{'");
    SkipSpace();
    if (Consume('}')) return AtEnd();
    while (true) {
      std::string key;
      SkipSpace();
      if (!ParseString(&key)) return false;
      SkipSpace();
      if (!Consume(':')) return Fail("expected ':'");
      SkipSpace();
      const size_t value_start = pos_;
      if (key == "prediction" || key == "reference") {
        if (!ParseString(key == "prediction" ? &pair->prediction : &pair->reference)) {
          return false;
        }
      } else {
        std::string ignored;
        if (!SkipValue(&ignored)) return false;
        if (key == "id") pair->id = std::string(text_.substr(value_start, pos_ - value_start));
      }
      SkipSpace();
      if (Consume(',')) continue;
      if (Consume('}')) return AtEnd();
      return Fail("expected ',' or '}'");
    }
  }

  const std::string& error() const { return error_; }

 private:
  bool Fail(std::string_view what) {
    error_ = std::string(what) + " at offset " + std::to_string(pos_);
    return false;
  }

  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size() ? true : Fail("trailing characters");
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }

  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Hex4(uint32_t* value) {
    if (pos_ + 4 > text_.size()) return Fail("short \\u escape");
    *value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      *value <<= 4;
      if (c >= '0' && c <= '9') {
        *value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        *value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        *value |= c - 'A' + 10;
      } else {
        return Fail("bad \\u escape");
      }
    }
    return true;
  }

  static void AppendUtf8(uint32_t c, std::string* out) {
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (c >> 6)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (c >> 12)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (c >> 18)));
      out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }

  bool ParseString(std::string* out) {
    out->clear();
    if (!Consume('"')) return Fail("expected string");
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && text_.substr(pos_, 2) == "\\u") {
            const size_t save = pos_;
            pos_ += 2;
            uint32_t low = 0;
            if (!Hex4(&low)) return false;
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          AppendUtf8(cp, out);  // A lone surrogate is written as its 3-byte form.
          break;
        }
        default:
          return Fail("bad escape");
      }
    }
    return Fail("unterminated string");
  }

  // Skips a scalar value (string, number, true, false, null); nested values are rejected.
  bool SkipValue(std::string* scratch) {
    if (pos_ < text_.size() && text_[pos_] == '"') return ParseString(scratch);
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
           text_[pos_] != ' ' && text_[pos_] != '\t') {
      if (text_[pos_] == '{' || text_[pos_] == '[') return Fail("nested values unsupported");
      ++pos_;
    }
    return pos_ > start ? true : Fail("expected value");
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

bool ParseCorpusLine(std::string_view line, CorpusPair* pair, std::string* error) {
  *pair = CorpusPair{};
  Parser parser(line);
  if (parser.ParseObject(pair)) return true;
  *error = parser.error();
  return false;
}

bool ReadCorpus(std::istream& in, std::vector<CorpusPair>* pairs, std::string* error) {
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    CorpusPair pair;
    std::string line_error;
    if (!ParseCorpusLine(line, &pair, &line_error)) {
      *error = "line " + std::to_string(line_number) + ": " + line_error;
      return false;
    }
    pairs->push_back(std::move(pair));
  }
  return true;
}

bool ReadCorpusFile(const std::string& path, std::vector<CorpusPair>* pairs,
                    std::string* error) {
  if (path == "-") return ReadCorpus(std::cin, pairs, error);
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    *error = "cannot open " + path;
    return false;
  }
  return ReadCorpus(file, pairs, error);
}

}  // namespace llmtap::parity
