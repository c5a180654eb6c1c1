// CollectorProcess: a real llmtapd for end-to-end tests, on free loopback ports with a
// temporary data folder. The one shared fixture of the C++ end-to-end tests.
//
//   CollectorProcess collector;                 // temp dir, no config
//   ASSERT_TRUE(collector.Start());
//   std::string addr = collector.grpc_address();  // "127.0.0.1:NNNNN"
//   collector.Kill();                            // SIGKILL
//   ASSERT_TRUE(collector.Start());              // same folder, same ports
//
// The daemon is killed when the object is destroyed, and the data folder removed; if its log
// holds an ASan, LSan or UBSan report by then, the destructor prints it and aborts the test.
#ifndef LLMTAP_TESTS_SUPPORT_COLLECTOR_PROCESS_H_
#define LLMTAP_TESTS_SUPPORT_COLLECTOR_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace llmtap::testing {

class CollectorProcess {
 public:
  // `config_text` (textproto), when not empty, is written to a file passed as --config.
  explicit CollectorProcess(std::string config_text = "");
  ~CollectorProcess();

  // Starts llmtapd and waits (up to 20 s) until it serves. The first start picks free ports;
  // later starts reuse them, so clients can reconnect. False on failure (see log()).
  bool Start(std::vector<std::string> extra_flags = {});
  // SIGTERM and wait for exit (graceful).
  void Stop();
  // SIGKILL and reap: no shutdown code runs.
  void Kill();
  bool running() const { return pid_ > 0; }

  std::string grpc_address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  std::string http_address() const { return "127.0.0.1:" + std::to_string(http_port_); }
  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_port_; }
  const std::string& data_dir() const { return data_dir_; }
  // The daemon's output so far.
  std::string log() const;

  // Path of a binary in build/bin (next to this test binary).
  static std::string BinPath(const std::string& name);

 private:
  std::string dir_;
  std::string data_dir_;
  std::string config_path_;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int http_port_ = 0;
};

}  // namespace llmtap::testing

#endif  // LLMTAP_TESTS_SUPPORT_COLLECTOR_PROCESS_H_
