"""The OpenAI-compatible gateway (llmtapd --proxy_addr), with the official openai package and
curl, against the real local model and a scripted server (errors, streams, a client that
leaves mid-stream)."""

from __future__ import annotations

import http.client
import json
import pathlib
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import openai
import pytest

import otel_support
from otel_support import model_server  # noqa: F401 (fixture)

KEY = "sk-test-9f8e7d6c5b4a3921"  # The caller's upstream key: must never be stored or logged.

CONFIG = """
rubrics {{ name: "concise" kind: RUBRIC_KIND_LENGTH length {{ max_words: 60 }} }}
gateway {{
  upstreams {{ name: "scripted" base_url: "{scripted}" models: "fail-*" models: "stream-*" models: "scripted" }}
  upstreams {{ name: "dead" base_url: "http://127.0.0.1:{dead_port}/v1" models: "dead-model" timeout_ms: 2000 }}
  upstreams {{ name: "model" base_url: "{model}" }}
}}
"""


@pytest.fixture(scope="module")
def scripted():
    s = otel_support.start_scripted()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def gw(scripted, model_server):
    import socket

    with socket.socket() as s:  # A port with nothing listening.
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    d = otel_support.start_daemon(
        CONFIG.format(scripted=scripted.base_url, model=model_server.base_url, dead_port=dead_port),
        proxy=True,
    )
    yield d
    otel_support.remove(d)


@pytest.fixture
def app() -> str:
    return f"gw-{uuid.uuid4().hex[:10]}"


def client_for(gw, app: str, **headers) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"http://{gw.proxy}/v1", api_key=KEY, max_retries=0,
        default_headers={"x-llmtap-app": app, **headers},
    )


def test_chat_through_the_gateway_to_the_real_model_is_recorded_and_scored(gw, app, model_server):
    client = client_for(gw, app, **{"x-llmtap-meta-tenant": "acme", "x-llmtap-session": "s-9"})
    answer = client.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "Say hello in one word."}],
        max_tokens=8, temperature=0,
    )
    direct = openai.OpenAI(base_url=model_server.base_url, api_key="x", max_retries=0)
    same = direct.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "Say hello in one word."}],
        max_tokens=8, temperature=0,
    )
    assert answer.choices[0].message.content == same.choices[0].message.content
    got = gw.wait_samples(app, 1)
    assert len(got) == 1, gw.log()
    s = got[0]["sample"]
    assert s["prompt"] == "Say hello in one word."
    assert s["response"] == answer.choices[0].message.content
    assert s["model"] == answer.model
    assert int(s["inputTokens"]) == answer.usage.prompt_tokens
    assert int(s["outputTokens"]) == answer.usage.completion_tokens
    assert s["sessionId"] == "s-9"
    assert s["metadata"]["tenant"] == "acme"
    assert s["metadata"]["gateway.upstream"] == "model"
    assert s["latencyMs"] > 0
    assert s.get("status", "CALL_STATUS_OK") == "CALL_STATUS_OK"
    deadline = time.monotonic() + 20
    while not got[0].get("scores") and time.monotonic() < deadline:
        time.sleep(0.1)
        got = gw.samples(app, with_scores=True)
    assert got[0]["scores"][0]["rubric"] == "concise"


def test_stream_from_the_real_model_is_passed_on_and_recorded_with_ttft(gw, app):
    client = client_for(gw, app)
    stream = client.chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": "Count to five."}],
        max_tokens=16, temperature=0, stream=True,
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text
    s = gw.wait_samples(app, 1)[0]["sample"]
    assert s["response"] == text
    assert s["metadata"]["gateway.stream"] == "true"
    assert 0 < s["timeToFirstTokenMs"] <= s["latencyMs"]


def test_upstream_error_reaches_the_caller_unchanged_and_is_recorded(gw, app, scripted):
    client = client_for(gw, app)
    with pytest.raises(openai.RateLimitError) as e:
        client.chat.completions.create(model="fail-429", messages=[{"role": "user", "content": "x"}])
    assert e.value.status_code == 429
    assert e.value.response.json() == otel_support.ERROR_429
    assert e.value.response.headers["x-request-id"] == "req-429"
    # curl sees the same bytes.
    out = subprocess.run(
        ["curl", "-s", "-w", "\n%{http_code}", f"http://{gw.proxy}/v1/chat/completions",
         "-H", "Content-Type: application/json", "-H", f"Authorization: Bearer {KEY}",
         "-H", f"x-llmtap-app: {app}",
         "-d", json.dumps({"model": "fail-429", "messages": [{"role": "user", "content": "y"}]})],
        capture_output=True, text=True, check=True).stdout
    body, code = out.rsplit("\n", 1)
    assert code == "429" and json.loads(body) == otel_support.ERROR_429
    got = gw.wait_samples(app, 2)
    assert len(got) == 2
    for g in got:
        assert g["sample"]["status"] == "CALL_STATUS_ERROR"
        assert g["sample"]["error"] == "upstream HTTP 429: Rate limit reached for test"


def test_unreachable_upstream_gives_502_and_an_error_sample(gw, app):
    client = client_for(gw, app)
    with pytest.raises(openai.APIStatusError) as e:
        client.chat.completions.create(model="dead-model", messages=[{"role": "user", "content": "x"}])
    assert e.value.status_code == 502
    s = gw.wait_samples(app, 1)[0]["sample"]
    assert s["status"] == "CALL_STATUS_ERROR" and "not reached" in s["error"]


def test_callers_key_goes_upstream_and_is_never_stored_or_logged(gw, app, scripted):
    client_for(gw, app).chat.completions.create(
        model="scripted", messages=[{"role": "user", "content": "hi"}])
    assert f"Bearer {KEY}" in scripted.seen_auth
    s = gw.wait_samples(app, 1)[0]["sample"]
    assert KEY not in json.dumps(s)
    assert KEY not in gw.log()
    time.sleep(0.5)
    for f in pathlib.Path(gw.tmp).rglob("*"):
        if f.is_file():
            assert KEY.encode() not in f.read_bytes(), f


def test_curl_stream_arrives_piece_by_piece(gw, app):
    conn = http.client.HTTPConnection(*gw.proxy.split(":"), timeout=10)
    body = json.dumps({"model": "stream-slow", "stream": True,
                       "messages": [{"role": "user", "content": "go"}]})
    start = time.monotonic()
    conn.request("POST", "/v1/chat/completions", body=body,
                 headers={"Content-Type": "application/json", "x-llmtap-app": app})
    resp = conn.getresponse()
    assert resp.status == 200 and resp.getheader("Content-Type").startswith("text/event-stream")
    first = resp.readline()
    first_at = time.monotonic() - start
    rest = resp.read()
    total = time.monotonic() - start
    assert first.startswith(b"data: ")
    assert first_at < total / 2  # 20 pieces 50 ms apart: the first comes long before the end.
    assert rest.rstrip().endswith(b"data: [DONE]")
    s = gw.wait_samples(app, 1)[0]["sample"]
    assert s["response"] == "".join(f"p{i} " for i in range(20))
    # And with curl -N, as a shell user would.
    out = subprocess.run(
        ["curl", "-sN", f"http://{gw.proxy}/v1/chat/completions", "-H", "Content-Type: application/json",
         "-H", f"x-llmtap-app: {app}", "-d", json.dumps({"model": "stream-x", "stream": True,
                                                        "messages": [{"role": "user", "content": "go"}]})],
        capture_output=True, text=True, check=True).stdout
    assert out.count("data: ") == 4 and "[DONE]" in out


def test_client_leaving_mid_stream_is_recorded_as_an_error(gw, app):
    before = gw.metric("llmtap_gateway_client_disconnects_total")
    conn = http.client.HTTPConnection(*gw.proxy.split(":"), timeout=10)
    conn.request("POST", "/v1/chat/completions",
                 body=json.dumps({"model": "stream-slow", "stream": True,
                                  "messages": [{"role": "user", "content": "go"}]}),
                 headers={"Content-Type": "application/json", "x-llmtap-app": app})
    resp = conn.getresponse()
    resp.readline()
    resp.readline()
    conn.sock.close()  # Leave after the first piece.
    conn.close()
    got = gw.wait_samples(app, 1, timeout=10)
    assert len(got) == 1
    s = got[0]["sample"]
    assert s["status"] == "CALL_STATUS_ERROR" and s["error"] == "client disconnected mid-stream"
    assert s["response"].startswith("p0 ")
    assert len(s["response"].split()) < 20
    assert gw.metric("llmtap_gateway_client_disconnects_total") >= before + 1


def test_models_and_embeddings_pass_through(gw, app):
    with urllib.request.urlopen(f"http://{gw.proxy}/v1/models", timeout=10) as r:
        assert json.loads(r.read())["object"] == "list"
    req = urllib.request.Request(
        f"http://{gw.proxy}/v1/embeddings", method="POST",
        data=json.dumps({"model": "scripted", "input": "embed me"}).encode(),
        headers={"Content-Type": "application/json", "x-llmtap-app": app})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
    s = gw.wait_samples(app, 1)[0]["sample"]
    assert s["prompt"] == "embed me" and s["metadata"]["gateway.endpoint"] == "embeddings"
