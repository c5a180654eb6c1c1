"""API keys made, listed and revoked over AdminService, from Python and from `llmtap keys` /
`llmtap audit`, against an llmtapd of its own that starts with no keys."""

from __future__ import annotations

import gc
import json
import os
import pathlib
import subprocess
import sys
from typing import Iterator

import pytest

import llmtap
from llmtap.local import LocalCollector

from conftest import _llmtapd


@pytest.fixture
def keyless(tmp_path: pathlib.Path) -> Iterator[str]:
    """A fresh llmtapd with no keys (the session's collector must stay keyless)."""
    with LocalCollector(tmp_path / "db", llmtapd=_llmtapd()) as collector:
        yield collector.address
        # The test's QueryClients (kept in reference cycles by caught exceptions) close their
        # channels first: llmtapd's shutdown waits ~5 s for an open connection.
        gc.collect()


def _code(call) -> str:
    with pytest.raises(llmtap.QueryError) as e:
        call()
    return str(e.value.code)


def test_keys_scope_revoke_and_audit(keyless: str) -> None:
    bootstrap = llmtap.QueryClient(keyless, api_key="")
    admin = bootstrap.create_key(role="admin", name="first admin")
    assert admin["secret"].startswith(f"llmtap_{admin['key']['id']}_")
    assert admin["key"]["role"] == "ROLE_ADMIN" and admin["key"]["created_by"] == ""
    # Keys exist now: calls without one are refused.
    assert _code(lambda: bootstrap.list_keys()) == "UNAUTHENTICATED"

    as_admin = llmtap.QueryClient(keyless, api_key=admin["secret"])
    reader = as_admin.create_key(role="read", name="reader", apps=["A"], queries_per_s=50)
    assert reader["key"]["created_by"] == admin["key"]["id"]

    keys = as_admin.list_keys()
    assert [k["id"] for k in keys] == [reader["key"]["id"], admin["key"]["id"]]
    assert keys[0]["role"] == "ROLE_READ" and keys[0]["apps"] == ["A"]
    assert keys[0]["queries_per_s"] == 50
    for k in keys:
        assert "secret" not in k and "salt" not in k and "secret_sha256" not in k
        assert admin["secret"] not in json.dumps(k) and reader["secret"] not in json.dumps(k)

    as_reader = llmtap.QueryClient(keyless, api_key=reader["secret"])
    assert as_reader.list_samples(app="A")["samples"] == []
    assert _code(lambda: as_reader.list_samples(app="B")) == "PERMISSION_DENIED"
    assert _code(lambda: as_reader.list_keys()) == "PERMISSION_DENIED"
    assert _code(lambda: as_admin.create_key(role="owner")) == "INVALID_ARGUMENT"
    assert _code(lambda: as_admin.revoke_key("0123456789abcdef")) == "NOT_FOUND"

    revoked = as_admin.revoke_key(reader["key"]["id"])
    assert revoked["id"] == reader["key"]["id"] and revoked["revoked_unix_nano"] > 0
    assert _code(lambda: as_reader.list_samples(app="A")) == "UNAUTHENTICATED"
    assert [k["id"] for k in as_admin.list_keys()] == [admin["key"]["id"]]
    assert len(as_admin.list_keys(include_revoked=True)) == 2

    events = as_admin.list_audit(limit=10)
    actions = [(e["action"], e["actor"], e["target"]) for e in events]
    assert ("RevokeKey", admin["key"]["id"], reader["key"]["id"]) in actions
    assert ("CreateKey", admin["key"]["id"], reader["key"]["id"]) in actions
    assert ("CreateKey", "", admin["key"]["id"]) in actions
    assert actions.index(("RevokeKey", admin["key"]["id"], reader["key"]["id"])) == 0
    assert len(as_admin.list_audit(limit=1)) == 1


def _cli(*args: str, api_key: str = "") -> subprocess.CompletedProcess:
    package_root = str(pathlib.Path(llmtap.__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([package_root,
                                                       os.environ.get("PYTHONPATH", "")]))
    env.pop("LLMTAP_API_KEY", None)
    extra = ["--api-key", api_key] if api_key else []
    return subprocess.run([sys.executable, "-m", "llmtap", *args, *extra], env=env,
                          capture_output=True, text=True, timeout=60)


def test_keys_cli(keyless: str) -> None:
    made = _cli("keys", "create", "--role", "admin", "--name", "ops", "--collector", keyless)
    assert made.returncode == 0, made.stderr
    key_id, secret = made.stdout.split()[1], made.stdout.splitlines()[1]
    assert secret.startswith(f"llmtap_{key_id}_")
    assert "cannot be shown again" in made.stderr

    ingest = _cli("keys", "create", "--role", "ingest", "--app", "a", "--app", "b",
                  "--ingest-rate", "100", "--json", "--collector", keyless, api_key=secret)
    assert ingest.returncode == 0, ingest.stderr
    ingest_key = json.loads(ingest.stdout)["key"]
    assert ingest_key["apps"] == ["a", "b"] and ingest_key["ingest_samples_per_s"] == 100

    table = _cli("keys", "list", "--collector", keyless, api_key=secret)
    assert table.returncode == 0, table.stderr
    assert key_id in table.stdout and ingest_key["id"] in table.stdout
    assert secret not in table.stdout and "a,b" in table.stdout

    assert _cli("keys", "create", "--role", "owner", "--collector", keyless).returncode == 2
    denied = _cli("keys", "list", "--collector", keyless)
    assert denied.returncode == 3 and "UNAUTHENTICATED" in denied.stderr
    unknown = _cli("keys", "revoke", "0123456789abcdef", "--collector", keyless, api_key=secret)
    assert unknown.returncode == 3 and "NOT_FOUND" in unknown.stderr

    revoked = _cli("keys", "revoke", ingest_key["id"], "--collector", keyless, api_key=secret)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout, revoked.stderr
    listed = _cli("keys", "list", "--all", "--json", "--collector", keyless, api_key=secret)
    by_id = {k["id"]: k for k in json.loads(listed.stdout)}
    assert by_id[ingest_key["id"]]["revoked_unix_nano"] > 0

    audit = _cli("audit", "--json", "--collector", keyless, api_key=secret)
    assert audit.returncode == 0, audit.stderr
    assert [e["action"] for e in json.loads(audit.stdout)][:3] == [
        "RevokeKey", "CreateKey", "CreateKey"]
    assert _cli("audit", "--limit", "0", "--collector", keyless).returncode == 2
    human = _cli("audit", "--collector", keyless, api_key=secret)
    assert human.returncode == 0 and "RevokeKey" in human.stdout, human.stderr
