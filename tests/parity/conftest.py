"""Shared fixtures for the parity tests: the C++ helper binary and a place to report the
measured differences at the end of the run (pytest -q hides test output otherwise)."""
import os
import pathlib

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MAX_DIFFS = {}


@pytest.fixture(scope="session")
def helper_binary():
    """Path of llmtap-textmetrics: in $LLMTAP_BIN if set, else build/bin."""
    directory = pathlib.Path(os.environ.get("LLMTAP_BIN", REPO_ROOT / "build" / "bin"))
    path = directory / "llmtap-textmetrics"
    if not path.exists():
        pytest.fail(f"{path} not found; build it or set LLMTAP_BIN")
    return path


@pytest.fixture(scope="session")
def max_diffs():
    """A dict tests fill with metric -> (max abs diff, pairs compared)."""
    return MAX_DIFFS


def pytest_terminal_summary(terminalreporter):
    if not MAX_DIFFS:
        return
    terminalreporter.write_sep("-", "C++ vs Python reference: max |diff| (stems, fuzz: mismatches)")
    for metric, (diff, count) in sorted(MAX_DIFFS.items()):
        terminalreporter.write_line(f"{metric:<14} {diff:.3e}  over {count} items")
