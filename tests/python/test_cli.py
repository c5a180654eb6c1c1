"""The llmtap command against real llmtapd processes that it starts itself (no --collector):
eval's gate (a planted regression fails naming the rubric, an unchanged rerun passes, a
results file as baseline), bad rows with line numbers, export -> import -> export."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
from typing import Dict, List

import pytest

import llmtap as llmtap_package

from conftest import REPO, _llmtapd

GOLDEN = REPO / "examples" / "ci" / "golden.jsonl"
CONFIG = REPO / "examples" / "ci" / "llmtapd.textproto"


def llmtap(*args: str, cwd: pathlib.Path, timeout: float = 180) -> subprocess.CompletedProcess:
    # The llmtap under test, wherever it comes from (a build tree or an installed wheel).
    package_root = str(pathlib.Path(llmtap_package.__file__).resolve().parents[1])
    env = dict(os.environ, LLMTAP_LLMTAPD=str(_llmtapd()),
               PYTHONPATH=os.pathsep.join([package_root, os.environ.get("PYTHONPATH", "")]))
    env.pop("LLMTAP_COLLECTOR", None)
    return subprocess.run([sys.executable, "-m", "llmtap", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def planted_regression(path: pathlib.Path) -> None:
    """The golden set with every other answer replaced by an evasive non-answer."""
    rows = [json.loads(line) for line in GOLDEN.read_text().splitlines()]
    for i, row in enumerate(rows):
        if i % 2 == 0:
            row["response"] = "I am not sure, maybe you could look that up somewhere else."
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A folder whose .llmtap/ holds the golden run "release" (and release.json its results)."""
    d = tmp_path_factory.mktemp("cli")
    r = llmtap("eval", str(GOLDEN), "--config", str(CONFIG), "--run", "release",
               "--out", "release.json", "--min-score", "0.5", cwd=d)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "llmtap eval: PASSED" in r.stdout
    assert "**quality** (composite)" in r.stdout
    return d


def test_planted_regression_exits_1_and_the_scorecard_names_the_rubric(workdir):
    planted_regression(workdir / "regressed.jsonl")
    r = llmtap("eval", "regressed.jsonl", "--config", str(CONFIG), "--baseline", "release",
               "--run", "regressed", "--junit", "junit.xml", "--scorecard", "card.md",
               cwd=workdir)
    assert r.returncode == 1, r.stderr
    card = (workdir / "card.md").read_text()
    assert "FAILED" in card
    correctness = next(line for line in card.splitlines() if line.startswith("| correctness"))
    assert "**REGRESSION**" in correctness
    assert "correctness: mean fell" in card
    assert "The 5 worst rows" in card and "look that up somewhere else" in card
    junit = (workdir / "junit.xml").read_text()
    assert 'name="correctness"' in junit and "<failure" in junit


def test_unchanged_rerun_exits_0(workdir):
    r = llmtap("eval", str(GOLDEN), "--config", str(CONFIG), "--baseline", "release",
               "--json", cwd=workdir)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["passed"] and result["baseline"] == "release"
    assert {x["rubric"] for x in result["rubrics"]} == {
        "correctness", "faithfulness", "relevance", "quality"}
    assert all(x["verdict"] == "PASS" for x in result["rubrics"])


def test_results_file_as_baseline_in_an_empty_collector(workdir, tmp_path):
    # A CI runner starts with nothing but the last release's results file.
    (tmp_path / "release.json").write_text((workdir / "release.json").read_text())
    planted_regression(tmp_path / "regressed.jsonl")
    ok = llmtap("eval", str(GOLDEN), "--config", str(CONFIG), "--baseline", "release.json",
                cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = llmtap("eval", "regressed.jsonl", "--config", str(CONFIG), "--baseline",
                 "release.json", "--min-score", "0.8", cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert "quality: mean" in bad.stdout


def test_bad_rows_are_reported_with_line_and_field_and_nothing_is_sent(tmp_path):
    rows = [
        '{"prompt": "fine", "response": "ok"}',
        '{"reference": "no prompt here", "response": "x"}',
        '{"prompt": "broken json",',
        '',
        '{"prompt": "p", "response": "r", "contexts": [1, 2]}',
        '{"prompt": "p", "response": "r", "metadata": "not an object"}',
        '{"prompt": "p", "response": "r", "colour": "blue"}',
    ]
    (tmp_path / "bad.jsonl").write_text("\n".join(rows) + "\n")
    r = llmtap("eval", "bad.jsonl", "--config", str(CONFIG), cwd=tmp_path)
    assert r.returncode == 2
    err = r.stderr
    assert "bad.jsonl:line 2: field 'prompt'" in err
    assert "bad.jsonl:line 3: not valid JSON" in err
    assert "bad.jsonl:line 5: field 'contexts'" in err
    assert "bad.jsonl:line 6: field 'metadata'" in err
    assert "bad.jsonl:line 7: field 'colour'" in err
    assert "line 1" not in err
    assert "nothing was sent" in err
    assert not (tmp_path / ".llmtap").exists()  # No collector was even started.

    (tmp_path / "bad.csv").write_text('prompt,response,contexts\nfine,ok,"[""c""]"\n'
                                      ',missing prompt,\n')
    r = llmtap("eval", "bad.csv", cwd=tmp_path)
    assert r.returncode == 2 and "bad.csv:line 3: field 'prompt'" in r.stderr


def export_rows(cwd: pathlib.Path, data_dir: str, fmt: str) -> str:
    r = llmtap("export", "--data_dir", data_dir, "--config", str(CONFIG), "--app", "eval",
               "--format", fmt, cwd=cwd)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_import_export_round_trip(workdir, tmp_path, fmt):
    first = export_rows(workdir, ".llmtap", fmt)
    rows = first.strip().splitlines()
    assert len(rows) >= 60 + (1 if fmt == "csv" else 0)
    (tmp_path / f"dump.{fmt}").write_text(first)
    data = str(tmp_path / "other")
    r = llmtap("import", f"dump.{fmt}", "--data_dir", data, "--config", str(CONFIG),
               cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    # Importing again changes nothing: ids are kept.
    r = llmtap("import", f"dump.{fmt}", "--data_dir", data, "--config", str(CONFIG),
               cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + 60
    while True:  # The second collector scores the imported samples in the background.
        second = export_rows(tmp_path, data, fmt)
        if second == first or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert second == first


def test_import_reports_bad_rows_and_imports_the_rest(tmp_path):
    rows = ['{"app": "imp", "prompt": "one", "response": "1"}',
            '{"app": "imp", "prompt": "two", "latency_ms": "slow"}',
            '{"app": "imp", "id": "XYZ", "prompt": "three"}',
            '{"app": "imp", "prompt": "four"}']
    (tmp_path / "in.jsonl").write_text("\n".join(rows) + "\n")
    r = llmtap("import", "in.jsonl", "--json", cwd=tmp_path)
    assert r.returncode == 2
    outcome = json.loads(r.stdout)
    assert outcome["imported"] == 2 and outcome["bad_lines"] == [2, 3]
    assert "in.jsonl:line 2: field 'latency_ms'" in r.stderr
    assert "in.jsonl:line 3: field 'id'" in r.stderr
    stats = json.loads(llmtap("stats", "--app", "imp", "--json", cwd=tmp_path).stdout)
    assert int(stats["stats"]["samples"]) == 2


def test_rubrics_list_and_apply(tmp_path):
    (tmp_path / "r.json").write_text(json.dumps(
        {"rubrics": [{"name": "short", "kind": "RUBRIC_KIND_LENGTH",
                      "length": {"max_words": 20}}]}))
    r = llmtap("rubrics", "apply", "r.json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "short: version 1" in r.stdout
    listed = json.loads(llmtap("rubrics", "list", "--json", cwd=tmp_path).stdout)
    assert [x["name"] for x in listed] == ["short"]
    table = llmtap("rubrics", "list", cwd=tmp_path).stdout
    assert "short" in table and "length" in table
    bad = llmtap("rubrics", "apply", "r.json", "--collector", "127.0.0.1:1", "--timeout", "1",
                 cwd=tmp_path)
    assert bad.returncode == 3 and "UNAVAILABLE" in bad.stderr or "DEADLINE" in bad.stderr


def test_usage_errors_exit_2(tmp_path):
    assert llmtap("eval", cwd=tmp_path).returncode == 2
    r = llmtap("gate", "--baseline", "colour=red", "--candidate", "app=x",
               "--collector", "127.0.0.1:1", cwd=tmp_path)
    assert r.returncode == 2 and "unknown key 'colour'" in r.stderr
    r = llmtap("eval", "missing.jsonl", cwd=tmp_path)
    assert r.returncode == 2 and "missing.jsonl" in r.stderr


def test_gate_over_stored_runs(workdir):
    # Needs the "regressed" run of the planted-regression test.
    r = llmtap("gate", "--baseline", "app=eval,run=release", "--candidate",
               "app=eval,run=regressed", "--config", str(CONFIG), "--json", cwd=workdir)
    assert r.returncode == 1, r.stderr
    verdicts = {x["rubric"]: x["verdict"] for x in json.loads(r.stdout)["rubrics"]}
    assert verdicts["correctness"] == "REGRESSION" and verdicts["quality"] == "REGRESSION"
    r = llmtap("gate", "--baseline", "app=eval,run=release", "--candidate",
               "app=eval,run=release", "--config", str(CONFIG), "--rubric", "quality",
               cwd=workdir)
    assert r.returncode == 0, r.stderr
    assert "| **quality** (composite)" in r.stdout and "correctness" not in r.stdout


def test_eval_generates_missing_responses_through_an_endpoint(tmp_path):
    from test_instrument_openai import Scripted
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_address[1]}/v1"
        rows = [{"prompt": f"question {i}", "reference": f"echo: question {i}"} for i in range(6)]
        (tmp_path / "q.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        r = llmtap("eval", "q.jsonl", "--config", str(CONFIG), "--endpoint", endpoint,
                   "--model", "m", "--concurrency", "3", "--out", "out.json", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        out = json.loads((tmp_path / "out.json").read_text())
        assert [x["response"] for x in out["rows"]] == [f"echo: question {i}" for i in range(6)]
        assert all(x["latency_ms"] > 0 and x["output_tokens"] == 5 for x in out["rows"])
        correctness = next(x for x in out["rubrics"] if x["rubric"] == "correctness")
        assert correctness["mean"] == 1.0
        r = llmtap("eval", "q.jsonl", "--config", str(CONFIG), "--endpoint", endpoint,
                   "--model", "fail-500", "--retries", "0", "--out", "failed.json",
                   cwd=tmp_path)
        assert "6 of 6 generations failed" in r.stderr
        failed = json.loads((tmp_path / "failed.json").read_text())["rows"]
        assert all(not x["ok"] and "InternalServerError" in x["error"] for x in failed)
    finally:
        server.shutdown()


def test_tail_prints_new_scores(tmp_path):
    from llmtap.local import LocalCollector

    with LocalCollector(tmp_path / "data", config=CONFIG, llmtapd=_llmtapd()) as c:
        env = dict(os.environ)
        proc = subprocess.Popen(
            [sys.executable, "-m", "llmtap", "tail", "--collector", c.address, "--app", "t",
             "--count", "2", "--json", "--for", "60"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(
                env, PYTHONPATH=os.pathsep.join([str(pathlib.Path(
                    llmtap_package.__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])))
        time.sleep(1.5)  # The tail is open before the sample arrives.
        with llmtap_package.Client(c.address, app="t", linger=0.005) as client:
            client.record(prompt="What is 2 + 2?", response="4", reference="4")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        lines = [json.loads(x) for x in out.splitlines()]
        assert len(lines) == 2 and all(x["sample"]["app"] == "t" for x in lines)
        r = llmtap("alerts", "--collector", c.address, "--json", cwd=tmp_path)
        assert r.returncode == 0 and json.loads(r.stdout) == []
        r = llmtap("stats", "--collector", c.address, "--app", "t", cwd=tmp_path)
        assert r.returncode == 0 and "1 samples" in r.stdout and "latency ms" in r.stdout


def test_later_commands_reuse_the_config_kept_in_the_data_folder(workdir):
    # The eval of the fixture gave --config; this gives none and sees the same rubrics.
    listed = json.loads(llmtap("rubrics", "list", "--json", cwd=workdir).stdout)
    assert {r["name"] for r in listed} == {"correctness", "faithfulness", "relevance", "quality"}
