#!/usr/bin/env bash
# A one-node Apache Kafka broker (KRaft: broker and controller in one JVM) on loopback, from
# Maven Central jars, for the fleet tests, the fleet benchmark and trying fleet mode locally.
#
#   tests/fleet/kafka/broker.sh classpath            # fetches the jars (mvn, once); prints the class path
#   tests/fleet/kafka/broker.sh run DIR PORT CPORT   # formats DIR when new, then runs the broker
#                                                    # in the foreground (exec: its PID is this one)
#   tests/fleet/kafka/broker.sh start DIR            # the same in the background, on free ports
#                                                    # (kept in DIR/ports); prints 127.0.0.1:PORT
#   tests/fleet/kafka/broker.sh stop DIR             # SIGTERM, waits for the exit
#
# The jars are listed in pom.xml beside this script (Kafka 4.1.1, ~45 MB, in ~/.m2). The class
# path is cached in $LLMTAP_KAFKA_CP (default ~/.cache/llmtap/kafka-classpath.txt).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp_file="${LLMTAP_KAFKA_CP:-$HOME/.cache/llmtap/kafka-classpath.txt}"

classpath() {
  if [[ -s $cp_file && $cp_file -nt $here/pom.xml ]] && \
     tr ':' '\n' <"$cp_file" | while read -r jar; do [[ -f $jar ]] || exit 1; done; then
    cat "$cp_file"; return
  fi
  mkdir -p "$(dirname "$cp_file")"
  mvn -q -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file.tmp" >&2
  mv "$cp_file.tmp" "$cp_file"
  cat "$cp_file"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run() {
  local dir=$1 port=$2 cport=$3
  mkdir -p "$dir/logs"
  local cp; cp="$(classpath)"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.cleaner.dedupe.buffer.size=4194304
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
transaction.remove.expired.transaction.cleanup.interval.ms=3600000
PROPS
  cat >"$dir/log4j2.properties" <<PROPS
appender.out.type=Console
appender.out.name=out
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=out
logger.state.name=state.change.logger
logger.state.level=WARN
PROPS
  local java=(java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
              "-Dlog4j2.configurationFile=$dir/log4j2.properties" "-Dkafka.logs.dir=$dir/logs"
              -cp "$cp")
  if [[ ! -f $dir/data/meta.properties ]]; then
    "${java[@]}" kafka.tools.StorageTool format -t "llmtap-test-cluster-1" \
      -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1
  fi
  exec "${java[@]}" kafka.Kafka "$dir/server.properties"
}

case "${1:-}" in
  classpath) classpath ;;
  run) run "$2" "$3" "$4" ;;
  start)
    dir=$(realpath -m "$2"); mkdir -p "$dir"
    [[ -f $dir/ports ]] || echo "$(free_port) $(free_port)" >"$dir/ports"
    read -r port cport <"$dir/ports"
    classpath >/dev/null
    nohup "$0" run "$dir" "$port" "$cport" >"$dir/broker.out" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 600); do
      grep -q "Kafka Server started" "$dir/broker.out" 2>/dev/null && { echo "127.0.0.1:$port"; exit 0; }
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || { tail -20 "$dir/broker.out" >&2; exit 1; }
      sleep 0.1
    done
    echo "broker did not start in 60 s (see $dir/broker.out)" >&2; exit 1 ;;
  stop)
    dir=$(realpath -m "$2")
    [[ -f $dir/pid ]] || exit 0
    pid=$(cat "$dir/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$dir/pid" ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
