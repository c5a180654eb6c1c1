"""The shared fixture of the Python tests: one real llmtapd for the session.

llmtapd comes from $LLMTAP_BIN_DIR (CTest sets it to <build>/bin), else from build/bin in the
repository. It runs on free loopback ports with a temporary data folder, and is killed at the
end of the session.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from typing import Iterator

import pytest

import llmtap

REPO = pathlib.Path(__file__).resolve().parents[2]

# scripts/test_python_package.sh runs these tests against the wheel installed in a venv: make
# sure that is the package under test, not a build tree on the path.
if os.environ.get("LLMTAP_EXPECT_INSTALLED") == "1":
    _site = pathlib.Path(sys.prefix).resolve()
    if _site not in pathlib.Path(llmtap.__file__).resolve().parents:
        raise RuntimeError(f"llmtap imported from {llmtap.__file__}, not from {_site}")


@dataclass
class Collector:
    grpc_address: str
    http_address: str
    data_dir: pathlib.Path
    log_path: pathlib.Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _llmtapd() -> pathlib.Path:
    bin_dir = os.environ.get("LLMTAP_BIN_DIR")
    path = pathlib.Path(bin_dir) / "llmtapd" if bin_dir else REPO / "build" / "bin" / "llmtapd"
    if not path.exists():
        raise RuntimeError(f"{path} not found: build llmtapd, or set LLMTAP_BIN_DIR")
    return path


@pytest.fixture(scope="session")
def collector() -> Iterator[Collector]:
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="llmtap-pytest-"))
    ready = tmp / "ready.json"
    log_path = tmp / "llmtapd.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                str(_llmtapd()),
                f"--data_dir={tmp / 'data'}",
                "--grpc_addr=127.0.0.1:0",
                "--http_addr=127.0.0.1:0",
                f"--ready_file={ready}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llmtapd did not start:\n{log_path.read_text()}")
            time.sleep(0.05)
        ports = json.loads(ready.read_text())
        yield Collector(
            grpc_address=f"127.0.0.1:{ports['grpc_port']}",
            http_address=f"127.0.0.1:{ports['http_port']}",
            data_dir=tmp / "data",
            log_path=log_path,
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def app() -> str:
    """An app name of its own, so that each test lists back only its samples."""
    return f"pytest-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def client(collector: Collector, app: str) -> Iterator[llmtap.Client]:
    with llmtap.Client(collector.grpc_address, app=app, linger=0.005) as c:
        yield c


@pytest.fixture
def query(collector: Collector) -> llmtap.QueryClient:
    return llmtap.QueryClient(collector.grpc_address)
