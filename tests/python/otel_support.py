"""Helpers of the OpenTelemetry and gateway tests: a real llmtapd started with a config of their
own, a real local model server, a scripted OpenAI-compatible server, and an OTLP/HTTP logs sink.
All listen on 127.0.0.1 and free ports, and stop with the test session."""

from __future__ import annotations

import http.server
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field

REPO = pathlib.Path(__file__).resolve().parents[2]


def llmtapd_path() -> pathlib.Path:
    bin_dir = os.environ.get("LLMTAP_BIN_DIR")
    return pathlib.Path(bin_dir) / "llmtapd" if bin_dir else REPO / "build" / "bin" / "llmtapd"


@dataclass
class Daemon:
    grpc: str
    http: str
    proxy: str
    tmp: pathlib.Path
    proc: subprocess.Popen
    admin_key: str = ""

    def log(self) -> str:
        return (self.tmp / "llmtapd.log").read_text(errors="replace")

    def post(self, method: str, body: dict) -> dict:
        req = urllib.request.Request(
            f"http://{self.http}/api/v1/{method}", data=json.dumps(body).encode(), method="POST"
        )
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def samples(self, app: str, with_scores: bool = False) -> list[dict]:
        got = self.post(
            "ListSamples", {"filter": {"app": app}, "page_size": 100, "with_scores": with_scores}
        )
        return got.get("samples", [])

    def wait_samples(self, app: str, n: int, timeout: float = 20, with_scores: bool = False):
        deadline = time.monotonic() + timeout
        while True:
            got = self.samples(app, with_scores)
            if len(got) >= n or time.monotonic() > deadline:
                return got
            time.sleep(0.1)

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://{self.http}/metrics", timeout=10) as r:
            return r.read().decode()

    def metric(self, name: str) -> float:
        for line in self.metrics().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise KeyError(name)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def start_daemon(config_text: str, proxy: bool = False, env: dict | None = None,
                 admin_key: bool = False) -> Daemon:
    """With admin_key, the data folder gets an admin key first, so every call needs a key."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="llmtap-otel-"))
    (tmp / "config.textproto").write_text(config_text)
    key = ""
    if admin_key:
        key = subprocess.run(
            [str(llmtapd_path()), f"--data_dir={tmp / 'data'}", "--new_admin_key",
             f"--config={tmp / 'config.textproto'}"],
            capture_output=True, text=True, check=True).stdout.strip()
    ready = tmp / "ready.json"
    args = [
        str(llmtapd_path()),
        f"--config={tmp / 'config.textproto'}",
        f"--data_dir={tmp / 'data'}",
        "--grpc_addr=127.0.0.1:0",
        "--http_addr=127.0.0.1:0",
        f"--ready_file={ready}",
    ]
    if proxy:
        args.append("--proxy_addr=127.0.0.1:0")
    with open(tmp / "llmtapd.log", "wb") as log:
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    deadline = time.monotonic() + 30
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"llmtapd did not start:\n{(tmp / 'llmtapd.log').read_text()}")
        time.sleep(0.05)
    ports = json.loads(ready.read_text())
    return Daemon(
        grpc=f"127.0.0.1:{ports['grpc_port']}",
        http=f"127.0.0.1:{ports['http_port']}",
        proxy=f"127.0.0.1:{ports.get('proxy_port', 0)}",
        tmp=tmp,
        proc=proc,
        admin_key=key,
    )


def remove(d: Daemon) -> None:
    d.stop()
    shutil.rmtree(d.tmp, ignore_errors=True)


def model_python() -> str:
    """A Python with the model server (xllamacpp) installed: this one, or, when the tests run in
    the package's venv (scripts/test_python_package.sh), the one setup_model.sh installed it for."""
    for python in filter(None, [sys.executable, getattr(sys, "_base_executable", ""),
                                shutil.which("python3")]):
        check = subprocess.run([python, "-c", "import importlib.util as u, sys; "
                                "sys.exit(u.find_spec('xllamacpp') is None)"])
        if check.returncode == 0:
            return str(python)
    return sys.executable


class ModelServer:
    """tests/judge/serve_model.py: SmolLM2-135M over the OpenAI protocol (llama.cpp)."""

    def __init__(self) -> None:
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix="llmtap-model-"))
        ready = self.tmp / "ready"
        self.proc = subprocess.Popen(
            [model_python(), str(REPO / "tests/judge/serve_model.py"), "--ready-file", str(ready),
             "--max-seconds", "900"],
            stdout=open(self.tmp / "log", "wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while not ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("model server did not start: " + (self.tmp / "log").read_text())
            time.sleep(0.1)
        self.base_url = ready.read_text().strip()  # http://127.0.0.1:PORT/v1

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class Scripted:
    """An OpenAI-compatible server whose answers the test scripts by model name:
    "fail-429" answers 429 with an OpenAI error body; "stream-slow" streams 20 pieces 50 ms
    apart; anything else answers (or streams, with "stream": true) "scripted answer"."""

    server: http.server.ThreadingHTTPServer
    seen_auth: list = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


ERROR_429 = {"error": {"message": "Rate limit reached for test", "type": "requests", "code": "rate_limit"}}


def start_scripted() -> Scripted:
    seen: list = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            body = json.dumps({"object": "list", "data": [{"id": "scripted", "object": "model"}]}).encode()
            self._send(200, body)

        def _send(self, status, body, headers=()):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            seen.append(self.headers.get("Authorization"))
            req = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            model = req.get("model", "")
            if model == "fail-429":
                return self._send(429, json.dumps(ERROR_429).encode(), [("x-request-id", "req-429")])
            if not req.get("stream"):
                body = {
                    "id": "cmpl-1", "object": "chat.completion", "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": "scripted answer"},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
                }
                return self._send(200, json.dumps(body).encode())
            pieces = 20 if model == "stream-slow" else 3
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for i in range(pieces):
                    chunk = {"id": "c", "object": "chat.completion.chunk", "model": model,
                             "choices": [{"index": 0, "delta": {"content": f"p{i} "}, "finish_reason": None}]}
                    self._chunk(f"data: {json.dumps(chunk)}\n\n")
                    if model == "stream-slow":
                        time.sleep(0.05)
                self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _chunk(self, text):
            data = text.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    server = _Quiet(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Scripted(server=server, seen_auth=seen)


@dataclass
class LogsSink:
    """An OTLP/HTTP logs endpoint: keeps every ExportLogsServiceRequest it is sent. The first
    `fail_first` requests are answered 503, to exercise the exporter's retries."""

    server: http.server.ThreadingHTTPServer
    requests: list
    fail_first: list

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/logs"

    def records(self) -> list:
        out = []
        for req in list(self.requests):
            for rl in req.resource_logs:
                for sl in rl.scope_logs:
                    for r in sl.log_records:
                        out.append((rl, r))
        return out

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_logs_sink(fail_first: int = 0) -> LogsSink:
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    got: list = []
    fails = [fail_first]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if fails[0] > 0:
                fails[0] -= 1
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            req = ExportLogsServiceRequest()
            req.ParseFromString(body)
            got.append(req)
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = _Quiet(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return LogsSink(server=server, requests=got, fail_first=fails)


import atexit  # noqa: E402

import pytest  # noqa: E402

_model: ModelServer | None = None


@pytest.fixture(scope="session")
def model_server() -> ModelServer:
    """One local model server for the whole run, started by the first test that needs it
    (modules that import this fixture share it), stopped at exit."""
    global _model
    if _model is None:
        _model = ModelServer()
        atexit.register(_model.stop)
    return _model
