"""API keys from Python and the CLI against an llmtapd that requires them: the key goes out
as `authorization: Bearer <key>` on queries, on the SDK's ingest stream and from the CLI."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

import llmtap
from llmtap.local import LocalCollector

from conftest import _llmtapd


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("keyed")
    secret = subprocess.run([str(_llmtapd()), f"--data_dir={data / 'db'}", "--new_admin_key"],
                            capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    assert secret
    with LocalCollector(data, llmtapd=_llmtapd()) as collector:
        yield collector.address, secret


def test_queries_need_the_key(keyed):
    address, secret = keyed
    with pytest.raises(llmtap.QueryError) as e:
        llmtap.QueryClient(address, api_key="").list_samples(app="a")
    assert e.value.code == "UNAUTHENTICATED"
    with pytest.raises(llmtap.QueryError) as e:
        llmtap.QueryClient(address, api_key="wrong").list_samples(app="a")
    assert e.value.code == "UNAUTHENTICATED"
    assert llmtap.QueryClient(address, api_key=secret).list_samples(app="a")["samples"] == []


def test_recording_with_the_key_is_acked_and_without_it_is_not(keyed):
    address, secret = keyed
    with llmtap.Client(address, app="keyed", api_key=secret, linger=0.005) as c:
        c.record(prompt="with the key")
        c.flush(10)
        assert c.stats()["acked"] == 1
    without = llmtap.Client(address, app="keyed", api_key="", linger=0.005)
    without.record(prompt="without a key")
    with pytest.raises(llmtap.DeadlineExceededError):
        without.flush(1.5)
    assert without.stats()["acked"] == 0
    page = llmtap.QueryClient(address, api_key=secret).list_samples(app="keyed")
    assert [s["sample"]["prompt"] for s in page["samples"]] == ["with the key"]


def test_cli_sends_the_key(keyed, tmp_path):
    address, secret = keyed
    package_root = str(pathlib.Path(llmtap.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([package_root,
                                                       os.environ.get("PYTHONPATH", "")]))
    env.pop("LLMTAP_API_KEY", None)
    cmd = [sys.executable, "-m", "llmtap", "stats", "--collector", address, "--json"]
    denied = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert denied.returncode == 3 and "UNAUTHENTICATED" in denied.stderr
    ok = subprocess.run(cmd + ["--api-key", secret], env=env, capture_output=True, text=True,
                        timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["stats"]["samples"] >= 0
    by_env = subprocess.run(cmd, env=dict(env, LLMTAP_API_KEY=secret), capture_output=True,
                            text=True, timeout=60)
    assert by_env.returncode == 0, by_env.stderr
