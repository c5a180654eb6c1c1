#include "kafka_broker.h"

#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#ifndef LLMTAP_KAFKA_BROKER_SH
#error "LLMTAP_KAFKA_BROKER_SH must name tests/fleet/kafka/broker.sh"
#endif

namespace llmtap::testing {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// True when a metadata request to `bootstrap` lists broker 1.
bool Answers(const std::string& bootstrap) {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) return false;
  const struct rd_kafka_metadata* md = nullptr;
  bool up = false;
  if (rd_kafka_metadata(rk, 0, nullptr, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < md->broker_cnt; ++i) up = up || md->brokers[i].id == 1;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_destroy(rk);
  return up;
}

}  // namespace

KafkaBroker::KafkaBroker() {
  char tmpl[] = "/tmp/llmtap-kafka-XXXXXX";
  dir_ = mkdtemp(tmpl);
}

KafkaBroker::~KafkaBroker() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string KafkaBroker::log() const {
  std::ifstream in(dir_ + "/broker.out");
  std::stringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

bool KafkaBroker::Start() {
  if (pid_ > 0) return true;
  if (port_ == 0) {
    port_ = FreePort();
    do controller_port_ = FreePort(); while (controller_port_ == port_);
  }
  std::vector<std::string> args = {"/bin/bash", LLMTAP_KAFKA_BROKER_SH, "run", dir_,
                                    std::to_string(port_), std::to_string(controller_port_)};
  const std::string out = dir_ + "/broker.out";
  std::fflush(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    freopen(out.c_str(), "a", stdout);
    freopen(out.c_str(), "a", stderr);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // The script execs java, which keeps this.
    execv(argv[0], argv.data());
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
  while (std::chrono::steady_clock::now() < deadline) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    if (Answers(bootstrap())) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

void KafkaBroker::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 600; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace llmtap::testing
