#!/usr/bin/env bash
# Sets up the machine, builds, starts llmtapd on ./data (if it is not running yet), sends
# example traffic through the C++ quickstart, and prints where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh llmtapd quickstart _core  # _core: build/python holds a working `import llmtap`

GRPC=127.0.0.1:7317 HTTP=127.0.0.1:7318
mkdir -p data
if [[ -f data/llmtapd.pid ]] && kill -0 "$(cat data/llmtapd.pid)" 2>/dev/null; then
  echo "llmtapd already running (pid $(cat data/llmtapd.pid))"
else
  rm -f data/ready.json
  setsid nohup build/bin/llmtapd --config=examples/llmtapd.textproto --data_dir=data/db \
    --grpc_addr=$GRPC --http_addr=$HTTP --ready_file=data/ready.json \
    > data/llmtapd.log 2>&1 < /dev/null &
  echo $! > data/llmtapd.pid
  for _ in $(seq 100); do [[ -f data/ready.json ]] && break; sleep 0.1; done
  [[ -f data/ready.json ]] || { echo "llmtapd did not start:"; cat data/llmtapd.log; exit 1; }
  echo "llmtapd started (pid $(cat data/llmtapd.pid), log data/llmtapd.log)"
fi

build/bin/quickstart $GRPC 500

GRPCURL="$(go env GOPATH)/bin/grpcurl"
cat <<TXT

  Dashboard:  http://$HTTP/
  Metrics:    http://$HTTP/metrics
  Try:        $GRPCURL -plaintext $GRPC list
              $GRPCURL -plaintext -d '{"page_size": 3}' $GRPC llmtap.v1.QueryService/ListSamples
  Stop:       kill \$(cat data/llmtapd.pid)
TXT
