"""The stubs are complete: mypy --strict passes on the examples and on the package (whose
calls into llmtap._core are checked against _core.pyi)."""

import os
import pathlib
import subprocess
import sys

import pytest

import llmtap

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_mypy_strict_on_the_examples_and_the_package(tmp_path):
    pytest.importorskip("mypy")
    package_root = pathlib.Path(llmtap.__file__).resolve().parents[1]
    env = dict(os.environ)
    if package_root.name != "site-packages":  # A build tree: tell mypy where it is.
        env["MYPYPATH"] = str(package_root)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={tmp_path}",
         str(REPO / "examples" / "python"), str(pathlib.Path(llmtap.__file__).parent)],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
