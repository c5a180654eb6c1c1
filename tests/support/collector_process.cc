#include "collector_process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace llmtap::testing {
namespace fs = std::filesystem;

CollectorProcess::CollectorProcess(std::string config_text) {
  char tmpl[] = "/tmp/llmtap-test-XXXXXX";
  dir_ = mkdtemp(tmpl);
  data_dir_ = dir_ + "/data";
  if (!config_text.empty()) {
    config_path_ = dir_ + "/config.textproto";
    std::ofstream(config_path_) << config_text;
  }
}

CollectorProcess::~CollectorProcess() {
  Kill();
  // In a sanitizer build (scripts/build_asan.sh) the daemon's reports land in its log; one
  // fails the test even when the daemon's answers looked right.
  const std::string text = log();
  for (const char* mark : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
    if (text.find(mark) != std::string::npos) {
      std::fprintf(stderr, "llmtapd's log holds a sanitizer report:\n%s\n", text.c_str());
      std::abort();
    }
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string CollectorProcess::BinPath(const std::string& name) {
  return (fs::read_symlink("/proc/self/exe").parent_path() / name).string();
}

bool CollectorProcess::Start(std::vector<std::string> extra_flags) {
  if (pid_ > 0) return true;
  const std::string ready = dir_ + "/ready.json";
  fs::remove(ready);
  std::vector<std::string> args = {
      BinPath("llmtapd"),
      "--data_dir=" + data_dir_,
      "--grpc_addr=127.0.0.1:" + std::to_string(grpc_port_),
      "--http_addr=127.0.0.1:" + std::to_string(http_port_),
      "--ready_file=" + ready,
      "--log_level=warn",
  };
  if (!config_path_.empty()) args.push_back("--config=" + config_path_);
  for (auto& f : extra_flags) args.push_back(f);
  const std::string log_path = dir_ + "/llmtapd.log";

  std::fflush(nullptr);  // Or the child inherits (and later repeats) buffered output.
  pid_ = fork();
  if (pid_ == 0) {
    freopen(log_path.c_str(), "a", stdout);
    freopen(log_path.c_str(), "a", stderr);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Die with the test, whatever happens to it (the signal comes when the forking thread
    // ends, which is the test's main thread).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::ifstream in(ready);
    std::stringstream text;
    text << in.rdbuf();
    std::smatch m;
    const std::string s = text.str();
    if (std::regex_search(s, m, std::regex(R"("grpc_port": (\d+), "http_port": (\d+))"))) {
      grpc_port_ = std::stoi(m[1]);
      http_port_ = std::stoi(m[2]);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
  return false;
}

void CollectorProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

void CollectorProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string CollectorProcess::log() const {
  std::ifstream in(dir_ + "/llmtapd.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace llmtap::testing
