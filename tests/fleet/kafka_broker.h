// KafkaBroker: a real one-node Apache Kafka (KRaft) for the fleet tests, on free loopback
// ports with a temporary log folder, run by tests/fleet/kafka/broker.sh (which fetches the
// jars through mvn the first time).
//
//   KafkaBroker broker;
//   ASSERT_TRUE(broker.Start());          // ready: a metadata request lists the broker
//   config.set_brokers(broker.bootstrap());
//   broker.Stop();                        // SIGTERM, as an operator would
//   ASSERT_TRUE(broker.Start());          // same ports, same data
//
// The broker is killed when the object is destroyed, and its folder removed.
#ifndef LLMTAP_TESTS_FLEET_KAFKA_BROKER_H_
#define LLMTAP_TESTS_FLEET_KAFKA_BROKER_H_

#include <sys/types.h>

#include <string>

namespace llmtap::testing {

class KafkaBroker {
 public:
  KafkaBroker();
  ~KafkaBroker();

  // Starts the broker and waits (up to 180 s: a JVM on a busy 2-core machine) until it
  // answers a metadata request. False on failure (see log()).
  bool Start();
  // SIGTERM and wait for the exit (controlled shutdown).
  void Stop();
  bool running() const { return pid_ > 0; }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int controller_port_ = 0;
};

}  // namespace llmtap::testing

#endif  // LLMTAP_TESTS_FLEET_KAFKA_BROKER_H_
