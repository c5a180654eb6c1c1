// Shared pieces of the fuzz targets (tests/fuzz/README.md).
//
// A target defines LLVMFuzzerTestOneInput. Built with clang and LLMTAP_FUZZ it links libFuzzer;
// otherwise it links replay_main.cc, which feeds it every file of the folders named on its
// command line (the seed corpus, as a CTest regression test).
#ifndef LLMTAP_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define LLMTAP_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace llmtap::fuzz {

// Reports a broken invariant (one the sanitizers cannot see) and aborts, which libFuzzer
// records as a crash with its input.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what.c_str());
  std::abort();
}

// A folder under $TMPDIR (or /tmp), removed at exit. For targets that need a real store.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "llmtap-fuzz.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp " + tmpl);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace llmtap::fuzz

#endif  // LLMTAP_TESTS_FUZZ_FUZZ_SUPPORT_H_
