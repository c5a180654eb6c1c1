"""The stubs are complete: mypy --strict passes on the examples and on the package (whose
calls into llmtap._core are checked against _core.pyi)."""

import os
import pathlib
import subprocess
import sys

import pytest

import llmtap

REPO = pathlib.Path(__file__).resolve().parents[2]


def mypy(args, env, cwd):
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", *args], env=env,
                            capture_output=True, text=True, timeout=300, cwd=cwd)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_on_the_examples_and_the_package(tmp_path):
    pytest.importorskip("mypy")
    package_root = pathlib.Path(llmtap.__file__).resolve().parents[1]
    env = dict(os.environ)
    cache = f"--cache-dir={tmp_path / 'cache'}"
    if package_root.name == "site-packages":
        # Installed: the examples against its py.typed package, then the package itself.
        mypy([cache, str(REPO / "examples" / "python")], env, tmp_path)
        mypy([cache, "-p", "llmtap"], env, tmp_path)
    else:
        env["MYPYPATH"] = str(package_root)
        mypy([cache, str(REPO / "examples" / "python"), str(package_root / "llmtap")], env,
             tmp_path)
