"""examples/python/quickstart.py runs against a real collector."""

import os
import pathlib
import subprocess
import sys

import llmtap

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "quickstart.py"


def test_quickstart_records_and_lists_back(collector):
    package_root = str(pathlib.Path(llmtap.__file__).resolve().parents[1])
    env = dict(os.environ, LLMTAP_COLLECTOR=collector.grpc_address,
               PYTHONPATH=os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "3 samples" in result.stdout
    assert "timeout after 1.2 s" in result.stdout
    assert "What is 6 x 7?" in result.stdout
