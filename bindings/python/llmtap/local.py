"""LocalCollector: an llmtapd started by this process, on a data folder of its own.

    with LocalCollector(".llmtap", config="llmtapd.textproto") as collector:
        client = llmtap.Client(collector.address)

``llmtap eval`` and friends use it when no ``--collector`` is given, so one command works on
a laptop or a CI runner with nothing running; the data folder keeps runs between invocations.
It listens on free loopback ports, and dies with this process (Linux) or on ``stop()``.

The llmtapd binary is, in order: the ``llmtapd`` argument, ``$LLMTAP_LLMTAPD``, ``llmtapd`` on
``PATH``, or ``../bin/llmtapd`` beside the package folder when it runs from a build tree
(``build/python/llmtap`` -> ``build/bin/llmtapd``).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
from types import TracebackType
from typing import List, Optional, Type, Union

PathLike = Union[str, "os.PathLike[str]"]


class CollectorStartError(RuntimeError):
    """llmtapd could not be found or did not start; the message includes its log's end."""


def find_llmtapd(explicit: Optional[PathLike] = None) -> pathlib.Path:
    """The llmtapd binary (see the module docs). Raises CollectorStartError when none is found."""
    candidates: List[Optional[str]] = [
        os.fspath(explicit) if explicit else None,
        os.environ.get("LLMTAP_LLMTAPD"),
        shutil.which("llmtapd"),
        str(pathlib.Path(__file__).resolve().parents[2] / "bin" / "llmtapd"),
    ]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return pathlib.Path(c)
    raise CollectorStartError(
        "llmtapd not found: build it (`make demo` or `ninja -C build llmtapd`) and put it on "
        "PATH, or set LLMTAP_LLMTAPD to its path, or pass --collector HOST:PORT")


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class LocalCollector:
    """An llmtapd child process. ``address`` (host:port of its gRPC API) and ``http_address``
    are set once :meth:`start` returns."""

    def __init__(self, data_dir: PathLike = ".llmtap", *, config: Optional[PathLike] = None,
                 llmtapd: Optional[PathLike] = None, start_timeout_s: float = 30.0) -> None:
        self.data_dir = pathlib.Path(data_dir)
        self.config = pathlib.Path(config) if config else None
        self.llmtapd = llmtapd
        self.start_timeout_s = start_timeout_s
        self.address = ""
        self.http_address = ""
        self._proc: Optional["subprocess.Popen[bytes]"] = None
        self.log_path = self.data_dir / "llmtapd.log"

    def start(self) -> "LocalCollector":
        binary = find_llmtapd(self.llmtapd)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ready = self.data_dir / f"ready.{os.getpid()}.json"
        ready.unlink(missing_ok=True)
        args = [str(binary), f"--data_dir={self.data_dir / 'db'}", "--grpc_addr=127.0.0.1:0",
                "--http_addr=127.0.0.1:0", f"--ready_file={ready}"]
        if self.config:
            if not self.config.is_file():
                raise CollectorStartError(f"config {self.config}: no such file")
            args.append(f"--config={self.config}")
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL,
                                          preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self.start_timeout_s
        try:
            while not ready.exists():
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise CollectorStartError(
                        f"llmtapd did not start (data {self.data_dir}; is another llmtap "
                        f"using it?). End of {self.log_path}:\n{self._log_tail()}")
                time.sleep(0.02)
            ports = json.loads(ready.read_text())
        finally:
            ready.unlink(missing_ok=True)
        self.address = f"127.0.0.1:{ports['grpc_port']}"
        self.http_address = f"127.0.0.1:{ports['http_port']}"
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stops llmtapd (SIGTERM, then SIGKILL after timeout_s). Idempotent."""
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> "LocalCollector":
        return self.start()

    def __exit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.stop()
