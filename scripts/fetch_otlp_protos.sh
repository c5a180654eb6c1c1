#!/usr/bin/env bash
# Puts the OTLP .proto files (trace, logs, common, resource and their collector services) under
# proto/opentelemetry/proto/, from the Maven Central artifact
# io.opentelemetry.proto:opentelemetry-proto, whose jar ships the .proto sources. Maven fetches
# it through its own configuration (no address here). Idempotent: does nothing when the files
# of this version are there. Run by scripts/setup.sh, and by CMake when the files are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

OTLP_PROTO_VERSION=1.5.0-alpha
dest=proto/opentelemetry
stamp=$dest/VERSION
files=(common/v1/common.proto resource/v1/resource.proto trace/v1/trace.proto logs/v1/logs.proto
       collector/trace/v1/trace_service.proto collector/logs/v1/logs_service.proto)

if [[ -f $stamp && $(cat "$stamp") == "$OTLP_PROTO_VERSION" ]]; then
  echo "OTLP protos $OTLP_PROTO_VERSION present"
  exit 0
fi
command -v mvn >/dev/null || { echo "mvn is missing (apt package maven)" >&2; exit 1; }
artifact=io.opentelemetry.proto:opentelemetry-proto:$OTLP_PROTO_VERSION
mvn -q -B dependency:get -Dartifact="$artifact" -Dtransitive=false >&2
repo=$(mvn -q -B help:evaluate -Dexpression=settings.localRepository -DforceStdout 2>/dev/null || true)
[[ -d $repo ]] || repo=$HOME/.m2/repository
jar=$repo/io/opentelemetry/proto/opentelemetry-proto/$OTLP_PROTO_VERSION/opentelemetry-proto-$OTLP_PROTO_VERSION.jar
[[ -s $jar ]] || { echo "missing $jar after mvn dependency:get" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && unzip -q "$jar" "${files[@]/#/opentelemetry/proto/}")
rm -rf "$dest/proto"
mkdir -p "$dest"
cp -r "$tmp/opentelemetry/proto" "$dest/proto"
echo "$OTLP_PROTO_VERSION" > "$stamp"
echo "OTLP protos $OTLP_PROTO_VERSION in $dest/proto"
