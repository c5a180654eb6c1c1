#!/usr/bin/env bash
# Sets up the machine, builds, starts llmtapd on ./data (if it is not running yet), loads the
# example history through the SDK (tools/demo/demo_traffic.cc: 7 days, 3 apps, 3 models,
# production and shadow, a regression, a latency spike, an alert that fires and resolves),
# keeps a trickle of live calls going for 30 minutes, and prints where to look.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh llmtapd llmtap-demo _core  # _core: build/python holds a working `import llmtap`

GRPC=${LLMTAP_DEMO_GRPC:-127.0.0.1:7317} HTTP=${LLMTAP_DEMO_HTTP:-127.0.0.1:7318}
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

# The history once per data folder; a second `make demo` only restarts the live calls.
if [[ ! -f data/db/demo-history-loaded ]]; then
  echo "loading 7 days of example history through the SDK..."
  build/bin/llmtap-demo --collector=$GRPC --history_days=7 --incident
  touch data/db/demo-history-loaded
fi
if [[ -f data/live.pid ]] && kill -0 "$(cat data/live.pid)" 2>/dev/null; then
  kill "$(cat data/live.pid)"
fi
setsid nohup build/bin/llmtap-demo --collector=$GRPC --history_days=0 --live_minutes=30 \
  > data/live.log 2>&1 < /dev/null &
echo $! > data/live.pid

GRPCURL="$(go env GOPATH)/bin/grpcurl"
cat <<TXT

  Dashboard:  http://$HTTP/                       (overview of the last 24 h)
              http://$HTTP/?view=overview&range=7d&group=model
              http://$HTTP/?view=compare&range=7d  (shadow llama-3.1-8b against production)
              http://$HTTP/?view=alerts            (sql_helper_errors fired and resolved)
  Live calls: every ~2 s for 30 minutes (pid $(cat data/live.pid)); see ?view=live
  Metrics:    http://$HTTP/metrics
  Try:        $GRPCURL -plaintext $GRPC list
              $GRPCURL -plaintext -d '{"page_size": 3}' $GRPC llmtap.v1.QueryService/ListSamples
  Stop:       kill \$(cat data/llmtapd.pid) \$(cat data/live.pid)
TXT
