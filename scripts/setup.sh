#!/usr/bin/env bash
# Installs everything a fresh Debian bookworm machine lacks to build, test and demo llmtap.
# Idempotent: a second run checks each piece and installs nothing.
#
#   scripts/setup.sh            # apt packages, grpcurl, Python and npm packages
#   LLMTAP_SETUP_MODEL=1 ...    # also the small offline judge model (for the real-model test)
#   LLMTAP_SETUP_FUZZ=1 ...     # also clang and libFuzzer (for scripts/fuzz.sh)
# The release build of RocksDB is not made here: only the benchmarks gain from it, and they
# build it when they first need it (scripts/build.sh --release-rocksdb).
set -euo pipefail
cd "$(dirname "$0")/.."

GRPCURL_VERSION=v1.9.1
APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl patch xz-utils
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev libspdlog-dev libcurl4-openssl-dev libre2-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev pybind11-dev libcpp-httplib-dev libjemalloc-dev
  chromium maven unzip libsimdjson-dev librdkafka-dev openjdk-17-jre-headless
)
# Fuzzing (scripts/fuzz.sh, `make fuzz`) needs clang and its libFuzzer runtime; the demo and
# the tests do not.
if [[ ${LLMTAP_SETUP_FUZZ:-0} == 1 ]]; then APT_PACKAGES+=(clang libclang-rt-14-dev); fi
PIP_PACKAGES=(pytest==8.3.3 rouge-score==0.1.2 sacrebleu==2.4.3 scipy==1.17.1)
# The Python package: its wheel build, the CLI's tables, the OpenAI instrumentation and its
# tests, the recording benchmark's OpenTelemetry side, and the stub check.
PIP_PACKAGES+=(scikit-build-core==1.1.2 rich==15.0.0 openai==3.63.0 opentelemetry-sdk==1.45.2
  opentelemetry-exporter-otlp-proto-http==1.45.2 mypy==2.4.1)

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
step() { printf '\033[1m== %s\033[0m\n' "$*"; }

step "apt packages"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all present"
fi

step "grpcurl $GRPCURL_VERSION"
GOBIN_DIR="$(go env GOPATH)/bin"
if [[ -x $GOBIN_DIR/grpcurl ]] && "$GOBIN_DIR/grpcurl" -version 2>&1 | grep -q "${GRPCURL_VERSION#v}"; then
  echo "present: $GOBIN_DIR/grpcurl"
else
  GOFLAGS=-mod=mod go install "github.com/fullstorydev/grpcurl/cmd/grpcurl@$GRPCURL_VERSION"
fi

step "OTLP .proto files"
scripts/fetch_otlp_protos.sh

step "Kafka broker jars (fleet tests)"
# Through mvn into ~/.m2 (tests/fleet/kafka/pom.xml); a second run only checks the cached class path.
tests/fleet/kafka/broker.sh classpath >/dev/null && echo "present"

step "python packages"
if python3 -c "import pytest, rouge_score, sacrebleu, scipy, scikit_build_core, rich, openai, mypy" 2>/dev/null \
   && python3 -m pip freeze 2>/dev/null | grep -qxF "${PIP_PACKAGES[0]}"; then
  echo "all present"
else
  python3 -m pip install -q --disable-pip-version-check "${PIP_PACKAGES[@]}"
fi

step "python packages (OpenTelemetry and gateway tests)"
OTEL_PIP_PACKAGES=(opentelemetry-sdk==1.45.2 opentelemetry-exporter-otlp-proto-grpc==1.45.2
                   opentelemetry-exporter-otlp-proto-http==1.45.2 openai==3.63.0
                   openinference-instrumentation-openai==0.1.66)
if python3 -c "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.grpc, openai, \
openinference.instrumentation.openai" 2>/dev/null \
   && python3 -m pip freeze 2>/dev/null | grep -qxF "${OTEL_PIP_PACKAGES[0]}"; then
  echo "all present"
else
  python3 -m pip install -q --disable-pip-version-check "${OTEL_PIP_PACKAGES[@]}"
fi

step "npm packages (dashboard, browser tests)"
if [[ -f web/package-lock.json && -d web/node_modules ]] && (cd web && npm ls --depth=0 >/dev/null 2>&1); then
  echo "all present"
elif [[ -f web/package.json ]]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error)
fi

if [[ ${LLMTAP_SETUP_MODEL:-0} == 1 ]]; then
  step "offline judge model"
  scripts/setup_model.sh
fi
step "setup done"
