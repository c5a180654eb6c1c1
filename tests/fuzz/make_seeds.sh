#!/usr/bin/env bash
# Writes the hand-made seed inputs of corpus/<target>/seed-*. Inputs the fuzzers found
# (crash-*, finding-*) are kept beside them and not touched here. Run from anywhere:
#   tests/fuzz/make_seeds.sh
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
for t in ingest config verdict http_api tokenizer_13a rouge_tokenizer rollup; do
  mkdir -p "corpus/$t"
  rm -f "corpus/$t"/seed-*
done

# ingest: IngestRequest messages, encoded by protoc from text.
ingest() {  # ingest <name> <textproto>
  protoc -I "$root/proto" --encode=llmtap.v1.IngestRequest llmtap/v1/ingest.proto \
    <<<"$2" >"corpus/ingest/seed-$1"
}
ingest one 'batch_id: 1 samples { id: "0190a1b2c3d47000800000000000000a" app: "chat" model: "gpt-4o" variant: "production" prompt: "What is 2+2?" response: "4" start_time_unix_nano: 1767225600000000000 latency_ms: 120 input_tokens: 12 output_tokens: 1 }'
ingest full 'batch_id: 2 samples { id: "0190a1b2c3d47000800000000000000b" app: "rag" session_id: "s1" model: "llama" prompt_version: "v2" variant: "shadow" pair_id: "p1" prompt: "q" response: "a" contexts: "c1" contexts: "c2" reference: "a" start_time_unix_nano: 1767225600000000001 latency_ms: 1.5 time_to_first_token_ms: 0.5 input_tokens: 3 output_tokens: 4 status: CALL_STATUS_ERROR error: "timeout" metadata { key: "tier" value: "free" } cost_usd: 0.001 } client_stats { client_id: "c" app: "rag" recorded: 5 sent: 4 dropped: 1 }'
ingest two 'batch_id: 3 samples { id: "0190a1b2c3d47000800000000000000c" app: "a" start_time_unix_nano: 1 } samples { id: "0190a1b2c3d47000800000000000000c" app: "a" start_time_unix_nano: 1 }'
ingest bad-id 'samples { id: "XYZ" app: "a" start_time_unix_nano: 1 }'
ingest bad-number 'samples { id: "0190a1b2c3d47000800000000000000d" app: "a" start_time_unix_nano: 1 latency_ms: -1 }'
ingest empty ''
# Invalid UTF-8 in a string field: protobuf refuses it, DiagnoseUnparseable names the field.
printf '\x12\x05\x12\x03\xff\xfe\xfd' >corpus/ingest/seed-bad-utf8
printf '\x12\x80' >corpus/ingest/seed-truncated

# config: first byte even = textproto, odd = JSON.
{ printf '\x00'; cat "$root/examples/llmtapd.textproto"; } >corpus/config/seed-demo
{ printf '\x00'; cat "$root/collector/judge/default_rubrics.textproto"; } >corpus/config/seed-judge
printf '\x01{"storage": {"syncWal": true, "retentionDays": 7}, "rubrics": [{"name": "r", "kind": "RUBRIC_KIND_REGEX"}]}' >corpus/config/seed-json
printf '\x00storage { bogus: 1 }' >corpus/config/seed-unknown-field
printf '\x01{"storage": ' >corpus/config/seed-json-cut

# verdict: first byte = scale (0 unspecified, 1 0-1, 2 1-5, 3 0-10), then the judge's answer.
printf '\x02{"score": 4, "reasoning": "mostly right"}' >corpus/verdict/seed-plain
printf '\x01Here you go:\n```json\n{"Score": "0.8", "reason": "ok"}\n```\n' >corpus/verdict/seed-fence
printf '\x03I think {"note": {"x": "}"}, "rating": 7, "explanation": {"a": 1}} overall.' >corpus/verdict/seed-prose
printf '\x02{"reasoning": "cut off because \\"max_tokens\\" hit", "score": 3' >corpus/verdict/seed-cut
printf '\x00{"score": 11}' >corpus/verdict/seed-out-of-scale
printf '\x00' >corpus/verdict/seed-empty

# http_api: "<METHOD> <path>" then the body.
http() { printf '%s\n%s' "$2" "$3" >"corpus/http_api/seed-$1"; }
http get-sample 'POST /api/v1/GetSample' '{"id": "01900000000070008000000000000003"}'
http get-sample-bad 'POST /api/v1/GetSample' '{"id": "nope"}'
http list 'POST /api/v1/ListSamples' '{"filter": {"app": "chat", "metadata": {"tier": "free"}}, "pageSize": 5, "withScores": true}'
http stats 'POST /api/v1/Stats' '{"filter": {"app": "search", "startUnixNano": "1767225600000000000", "endUnixNano": "1767484800000000000"}}'
http trend 'POST /api/v1/Trend' '{"filter": {"app": "chat", "rubric": "helpful", "startUnixNano": "1767225600000000000", "endUnixNano": "1767484800000000000"}, "bucketS": 3600, "groupBy": "GROUP_BY_MODEL"}'
http compare 'POST /api/v1/Compare' '{"baseline": {"variant": "production"}, "candidate": {"variant": "shadow"}}'
http completeness 'POST /api/v1/Completeness' '{"filter": {}}'
http bad-json 'POST /api/v1/Stats' '{"filter": '
http get-list 'GET /api/v1/samples?app=chat&page_size=3&with_scores=true' ''
http get-one 'GET /api/v1/samples/01900000000070008000000000000004' ''
http metrics 'GET /metrics' ''
http agreement 'POST /api/v1/Agreement' '{"filter": {"app": "chat"}, "rubric": "concise"}'
http list-rubrics 'POST /api/v1/ListRubrics' '{}'
http upsert-rubric 'POST /api/v1/UpsertRubric' '{"rubric": {"name": "words", "kind": "RUBRIC_KIND_LENGTH", "length": {"maxWords": 5}}}'
http set-rubric 'POST /api/v1/SetRubricEnabled' '{"name": "concise", "enabled": false}'
http upsert-alert 'POST /api/v1/UpsertAlertRule' '{"rule": {"name": "slow", "kind": "ALERT_KIND_LATENCY_P95_ABOVE", "app": "chat", "alertAbove": 200, "windowS": 3600}}'
http list-alert-rules 'POST /api/v1/ListAlertRules' '{}'
http delete-alert 'POST /api/v1/DeleteAlertRule' '{"name": "slow"}'
http list-alerts 'POST /api/v1/ListAlerts' '{}'
http create-key 'POST /api/v1/CreateKey' '{"name": "reader", "role": "ROLE_READ", "apps": ["chat"], "queriesPerS": 5}'
http list-keys 'POST /api/v1/ListKeys' '{}'
http list-audit 'POST /api/v1/ListAudit' '{"limit": 10}'
http trend-huge 'POST /api/v1/Trend' '{"filter": {"startUnixNano": "1", "endUnixNano": "9223372036854775807"}, "metric": "METRIC_LATENCY_MS", "bucketS": 4294967280}'

# tokenizer_13a and rouge_tokenizer: text.
printf "Hello, world! It's 3.5-4 &amp; more.\n<skipped>-\nEnd." >corpus/tokenizer_13a/seed-punct
printf 'Caf\xc3\xa9 \xe2\x80\x94 na\xc3\xafve co\xc3\xb6perate 1,000.50 {x}~[y]' >corpus/tokenizer_13a/seed-unicode
printf 'The Kelvin-scale\xe2\x84\xaa running \xc4\xb0stanbul 2nd RUNS generously' >corpus/rouge_tokenizer/seed-stem
printf 'the cat sat on the mat the cat ate' >corpus/rouge_tokenizer/seed-plain

# rollup: pieces of <length byte><bytes>; piece 0 a key, the others RollupValue messages.
rollup_value() { protoc -I "$root/collector/store" --encode=llmtap.store.RollupValue store.proto <<<"$1"; }
piece() { local f; f=$(mktemp); cat >"$f"; printf "\\x$(printf %02x "$(stat -c %s "$f")")"; cat "$f"; rm -f "$f"; }
key=$(printf 'hchat\0r:helpful\0\0\0\0\x69\x55\xb8\x00gpt\0production' | base64 -w0)
v1=$(rollup_value 'count: 3 sum: 1.5 sum_squares: 0.9 min: 0.1 max: 0.9 bin_index: [-100, 0, 5] bin_count: [1, 1, 1]' | base64 -w0)
v2=$(rollup_value 'count: 2 sum: 200 min: 0 max: 200 zero_count: 1 bin_index: [266] bin_count: [1]' | base64 -w0)
v3=$(rollup_value 'count: 1 sum: 1e300 min: 1e300 max: 1e300 bin_index: [34870] bin_count: [1]' | base64 -w0)
{ base64 -d <<<"$key" | piece; base64 -d <<<"$v1" | piece; base64 -d <<<"$v2" | piece; base64 -d <<<"$v3" | piece; } >corpus/rollup/seed-three
{ printf 'mapp\0m:latency_ms\0\0\0\0\x69\x55\xb8\x00m\0v' | piece; base64 -d <<<"$v1" | piece; } >corpus/rollup/seed-one
printf 'x' | piece >corpus/rollup/seed-bad-key
echo "seeds written under $(pwd)/corpus"
