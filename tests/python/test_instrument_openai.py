"""llmtap.instrument_openai with the real `openai` package: against a scripted local server
speaking the OpenAI protocol (answers, errors, streams with a known delay before the first
chunk), and against the real local model of the judge tests (tests/judge/serve_model.py)."""

from __future__ import annotations

import asyncio
import http.server
import shutil
import json
import pathlib
import subprocess
import sys
import threading
import time
from typing import Any, Dict, Iterator, List

import pytest

import llmtap
import otel_support

openai = pytest.importorskip("openai")

FIRST_CHUNK_DELAY_S = 0.15


class Scripted(http.server.BaseHTTPRequestHandler):
    """POST /v1/chat/completions. The model name picks the script: "fail-500" and
    "fail-429" answer that status; any request with stream=true gets SSE chunks, the first
    after FIRST_CHUNK_DELAY_S; otherwise a completion echoing the last message."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        model = body["model"]
        if model.startswith("fail-"):
            status = int(model.split("-")[1])
            self.reply(status, {"error": {"message": f"scripted {status}", "type": "server_error"}})
            return
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            time.sleep(FIRST_CHUNK_DELAY_S)
            for i, word in enumerate(["Paris", " is", " the", " capital."]):
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1,
                         "model": model + "-0613",
                         "choices": [{"index": 0, "delta": {"content": word},
                                      "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            if body.get("stream_options", {}).get("include_usage"):
                usage = {"id": "c1", "object": "chat.completion.chunk", "created": 1,
                         "model": model + "-0613", "choices": [],
                         "usage": {"prompt_tokens": 9, "completion_tokens": 4,
                                   "total_tokens": 13}}
                self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        text = "echo: " + body["messages"][-1]["content"]
        self.reply(200, {"id": "c2", "object": "chat.completion", "created": 1,
                         "model": model + "-0613",
                         "choices": [{"index": 0, "finish_reason": "stop",
                                      "message": {"role": "assistant", "content": text}}],
                         "usage": {"prompt_tokens": 11, "completion_tokens": 5,
                                   "total_tokens": 16}})

    def reply(self, status: int, payload: Dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def scripted() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def recorded(client: llmtap.Client, query: llmtap.QueryClient, app: str,
             n: int = 1) -> List[Dict[str, Any]]:
    client.flush(10)
    samples = [s["sample"] for s in query.list_samples(app=app)["samples"]]
    assert len(samples) == n, samples
    return samples


MESSAGES = [{"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Capital of France?"}]


def test_sync_call_is_recorded_and_the_result_unchanged(scripted, client, query, app):
    plain = openai.OpenAI(base_url=scripted, api_key="k", max_retries=0)
    expected = plain.chat.completions.create(model="gpt-x", messages=MESSAGES)
    oai = llmtap.instrument_openai(openai.OpenAI(base_url=scripted, api_key="k", max_retries=0),
                                   client, metadata={"team": "search"})
    assert llmtap.instrument_openai(oai, client) is oai  # Twice changes nothing.
    got = oai.chat.completions.create(model="gpt-x", messages=MESSAGES)
    assert type(got) is type(expected)
    assert got.model_dump() == expected.model_dump()
    (s,) = recorded(client, query, app)
    assert s["model"] == "gpt-x-0613"
    assert s["prompt"] == "system: Be brief.\nuser: Capital of France?"
    assert s["response"] == "echo: Capital of France?"
    assert (s["input_tokens"], s["output_tokens"]) == (11, 5)
    assert s["status"] == "CALL_STATUS_OK" and s["latency_ms"] > 0
    assert s["metadata"] == {"team": "search"}


@pytest.mark.parametrize("status,error", [(500, "InternalServerError"),
                                          (429, "RateLimitError")])
def test_errors_propagate_unchanged_and_are_recorded(scripted, client, query, app, status,
                                                     error):
    oai = llmtap.instrument_openai(openai.OpenAI(base_url=scripted, api_key="k", max_retries=0),
                                   client)
    with pytest.raises(getattr(openai, error)) as raised:
        oai.chat.completions.create(model=f"fail-{status}", messages=MESSAGES)
    assert raised.value.status_code == status
    (s,) = recorded(client, query, app)
    assert s["status"] == "CALL_STATUS_ERROR"
    assert s["error"].startswith(f"{error}: ") and f"scripted {status}" in s["error"]
    assert s["metadata"] == {"http_status": str(status)}
    assert s["model"] == f"fail-{status}"


def test_stream_is_handed_back_untouched_with_time_to_first_token(scripted, client, query, app):
    plain = openai.OpenAI(base_url=scripted, api_key="k", max_retries=0)
    expected = [c.model_dump() for c in plain.chat.completions.create(
        model="gpt-x", messages=MESSAGES, stream=True)]
    oai = llmtap.instrument_openai(openai.OpenAI(base_url=scripted, api_key="k", max_retries=0),
                                   client)
    stream = oai.chat.completions.create(model="gpt-x", messages=MESSAGES, stream=True,
                                         stream_options={"include_usage": True})
    assert isinstance(stream, openai.Stream)
    with stream:
        chunks = [c.model_dump() for c in stream]
    assert chunks[:-1] == expected and chunks[-1]["usage"]["completion_tokens"] == 4
    (s,) = recorded(client, query, app)
    assert s["response"] == "Paris is the capital."
    assert s["time_to_first_token_ms"] >= FIRST_CHUNK_DELAY_S * 1000 * 0.9
    assert s["latency_ms"] >= s["time_to_first_token_ms"]
    assert (s["input_tokens"], s["output_tokens"]) == (9, 4)


def test_async_calls_and_streams(scripted, client, query, app):
    async def main() -> None:
        oai = llmtap.instrument_openai(
            openai.AsyncOpenAI(base_url=scripted, api_key="k", max_retries=0), client)
        answer = await oai.chat.completions.create(model="gpt-a", messages=MESSAGES)
        assert answer.choices[0].message.content == "echo: Capital of France?"
        stream = await oai.chat.completions.create(model="gpt-s", messages=MESSAGES,
                                                   stream=True)
        assert isinstance(stream, openai.AsyncStream)
        words = [c.choices[0].delta.content async for c in stream]
        assert "".join(words) == "Paris is the capital."
        with pytest.raises(openai.InternalServerError):
            await oai.chat.completions.create(model="fail-500", messages=MESSAGES)

    asyncio.run(main())
    samples = {s["model"]: s for s in recorded(client, query, app, n=3)}
    assert samples["gpt-a-0613"]["response"] == "echo: Capital of France?"
    assert samples["gpt-s-0613"]["time_to_first_token_ms"] >= FIRST_CHUNK_DELAY_S * 900
    assert samples["fail-500"]["status"] == "CALL_STATUS_ERROR"


REPO = pathlib.Path(__file__).resolve().parents[2]


def _model_python() -> str:
    python = otel_support.model_python()
    check = subprocess.run([python, "-c", "import xllamacpp"], capture_output=True)
    if check.returncode != 0:
        pytest.skip("the local model is not installed (scripts/setup_model.sh)")
    return python


@pytest.fixture(scope="module")
def local_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    python = _model_python()
    ready = tmp_path_factory.mktemp("model") / "ready"
    proc = subprocess.Popen([python, str(REPO / "tests/judge/serve_model.py"),
                             "--ready-file", str(ready), "--max-seconds", "300"])
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "model did not start"
            time.sleep(0.1)
        yield ready.read_text().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_real_local_model_sync_and_stream(local_model, client, query, app):
    oai = llmtap.instrument_openai(openai.OpenAI(base_url=local_model, api_key="none"), client)
    question = [{"role": "user", "content": "What is the capital of France? One word."}]
    answer = oai.chat.completions.create(model="smollm2", messages=question, max_tokens=16,
                                         temperature=0)
    text = answer.choices[0].message.content
    stream = oai.chat.completions.create(model="smollm2", messages=question, max_tokens=16,
                                         temperature=0, stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert text and streamed
    samples = recorded(client, query, app, n=2)
    by_ttft = sorted(samples, key=lambda s: s["time_to_first_token_ms"])
    plain, streamed_sample = by_ttft
    assert plain["response"] == text and plain["output_tokens"] > 0
    assert plain["input_tokens"] > 0 and plain["time_to_first_token_ms"] == 0
    assert streamed_sample["response"] == streamed
    assert 0 < streamed_sample["time_to_first_token_ms"] <= streamed_sample["latency_ms"]
