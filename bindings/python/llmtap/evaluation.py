"""Golden-set evaluation: the Python API behind ``llmtap eval`` and ``llmtap gate``.

A run records each dataset row as a sample of app ``app`` with ``variant`` = the run's name,
so the collector scores it with the same rubrics and engine as production traffic; then it
waits until every rubric has scored (or counted as skipped) every row it applies to, and
compares the run with a baseline run through the Compare RPC.

    rows, errors = load_dataset("golden.jsonl")
    result = run_eval(address, rows, run="pr-123", baseline="release-1.4")
    print(scorecard_markdown(result))
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as _dt
import hashlib
import json
import secrets
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ._client import Client
from ._query import QueryClient
from .filters import Filter
from .progress import progress_bar
from .records import RowError, file_format, open_text, read_rows, sample_row, to_sample

DATASET_FIELDS = ("id", "prompt", "reference", "contexts", "metadata", "response", "model")
RESULTS_FORMAT = "llmtap-eval-results/1"


@dataclasses.dataclass
class EvalRow:
    """One dataset row: its line in the file and its sample (``Client.record`` arguments)."""

    line: int
    sample: Dict[str, Any]


@dataclasses.dataclass
class RubricResult:
    """One rubric of a run: the candidate's summary and, with a baseline, the comparison."""

    rubric: str
    composite: bool
    count: int
    mean: float
    ci_low: float
    ci_high: float
    baseline_mean: Optional[float] = None
    delta: Optional[float] = None
    p_value: Optional[float] = None
    verdict: str = "PASS"  # PASS, REGRESSION, BELOW_MIN, INSUFFICIENT_DATA, NO_BASELINE
    reason: str = ""


@dataclasses.dataclass
class EvalResult:
    run: str
    app: str
    baseline: str
    max_drop: float
    min_score: Optional[float]
    rubrics: List[RubricResult]
    rows: List[Dict[str, Any]]  # export rows with "line" and "scores"
    worst: List[Dict[str, Any]]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not any(r.verdict in ("REGRESSION", "BELOW_MIN") for r in self.rubrics)

    @property
    def failures(self) -> List[str]:
        return [f"{r.rubric}: {r.reason}" for r in self.rubrics
                if r.verdict in ("REGRESSION", "BELOW_MIN")]

    def to_json(self) -> Dict[str, Any]:
        return {"format": RESULTS_FORMAT, "run": self.run, "app": self.app,
                "baseline": self.baseline, "passed": self.passed, "max_drop": self.max_drop,
                "min_score": self.min_score, "seconds": round(self.seconds, 3),
                "rubrics": [dataclasses.asdict(r) for r in self.rubrics],
                "worst": self.worst, "rows": self.rows}


def default_run_name() -> str:
    # Row ids derive from the run, so two runs must never share a name: the time alone repeats
    # for runs started within the same second (a CI job running eval twice).
    return "eval-" + _dt.datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def load_dataset(path: str, fmt: Optional[str] = None) -> Tuple[List[EvalRow], List[RowError]]:
    """Reads and checks every row of a JSONL or CSV dataset (fields: prompt, and optionally
    reference, contexts, metadata, response, model, and id naming the row). Returns the rows and the errors, each
    with its line and field; use the rows only when there are no errors."""
    rows: List[EvalRow] = []
    errors: List[RowError] = []
    with open_text(path, "r") as stream:
        for line, raw, error in read_rows(stream, file_format(path, fmt)):
            if error is not None or raw is None:
                errors.append(error or RowError(line, "", "unreadable"))
                continue
            row_id = raw.pop("id", "")  # Names the row; any short string (see assign_ids).
            sample, row_errors = to_sample(raw, line, known=DATASET_FIELDS)
            if not isinstance(row_id, (str, int)) or len(str(row_id)) > 256:
                row_errors.append(RowError(line, "id", "want a string of at most 256 bytes"))
            sample["id"] = str(row_id)
            if not sample["prompt"] and not any(e.field == "prompt" for e in row_errors):
                row_errors.append(RowError(line, "prompt", "required, and empty or missing"))
            errors.extend(row_errors)
            if not row_errors:
                rows.append(EvalRow(line, sample))
    if not rows and not errors:
        errors.append(RowError(0, "", f"{path} has no rows"))
    return rows, errors


def load_results(path: str) -> Dict[str, Any]:
    """A results file written by ``llmtap eval --out``. Raises ValueError if it is not one."""
    with open(path, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: not a results file (not JSON: {e.msg})") from None
    if not isinstance(data, dict) or data.get("format") != RESULTS_FORMAT:
        raise ValueError(f"{path}: not a results file of llmtap eval --out")
    return data


def assign_ids(rows: Sequence[EvalRow], app: str, run: str) -> None:
    """Gives each row a sample id derived from (app, run, row): rerunning the same run records
    the same samples, which the collector stores once, while another run of the same dataset
    gets samples of its own. A dataset's own ``id`` names the row: it moves to
    ``metadata["row_id"]`` and takes part in the derivation (else the line does)."""
    for r in rows:
        row_id = r.sample["id"]
        if row_id:
            r.sample["metadata"] = dict(r.sample["metadata"], row_id=row_id)
        key = json.dumps([app, run, row_id or r.line, r.sample["prompt"]])
        r.sample["id"] = hashlib.sha256(key.encode()).hexdigest()[:32]


def generate(rows: Sequence[EvalRow], *, endpoint: str, model: str, api_key: str = "",
             concurrency: int = 4, retries: int = 3, timeout_s: float = 60.0,
             temperature: float = 0.0) -> int:
    """Fills the rows that have no response by calling an OpenAI-compatible chat endpoint
    (the ``openai`` package; it retries with backoff ``retries`` times), ``concurrency``
    calls at a time, with a progress bar. A row whose call still fails is kept as a failed
    call (ok False, the error text). Returns how many calls failed."""
    try:
        import openai
    except ImportError:
        raise RuntimeError("--endpoint needs the openai package: pip install openai") from None
    client = openai.OpenAI(base_url=endpoint, api_key=api_key or "unused",
                           max_retries=retries, timeout=timeout_s)
    todo = [r for r in rows if not r.sample["response"]]

    def one(r: EvalRow) -> bool:
        messages = []
        if r.sample["contexts"]:
            messages.append({"role": "system", "content": "Answer from this context:\n\n" +
                             "\n\n".join(r.sample["contexts"])})
        messages.append({"role": "user", "content": r.sample["prompt"]})
        t0 = time.perf_counter()
        r.sample["start_time_unix_nano"] = time.time_ns()
        try:
            answer = client.chat.completions.create(model=r.sample["model"] or model,
                                                    messages=messages,  # type: ignore[arg-type]
                                                    temperature=temperature)
        except Exception as e:  # noqa: BLE001 - every failure becomes the row's error
            r.sample.update(ok=False, error=f"{type(e).__name__}: {e}"[:4096],
                            latency_ms=(time.perf_counter() - t0) * 1000)
            return False
        r.sample["latency_ms"] = (time.perf_counter() - t0) * 1000
        r.sample["model"] = answer.model or r.sample["model"] or model
        r.sample["response"] = (answer.choices[0].message.content or "") if answer.choices else ""
        if answer.usage:
            r.sample["input_tokens"] = answer.usage.prompt_tokens or 0
            r.sample["output_tokens"] = answer.usage.completion_tokens or 0
        return True

    failed = 0
    with progress_bar(f"generating with {model}", len(todo)) as advance, \
            concurrent.futures.ThreadPoolExecutor(max(1, concurrency)) as pool:
        for ok in pool.map(one, todo):
            failed += 0 if ok else 1
            advance(1)
    return failed


def applies(rubric: Dict[str, Any], sample: Dict[str, Any], app: str) -> bool:
    """Whether the collector scores `sample` with `rubric` (as its scoring engine decides)."""
    if rubric.get("enabled") is False:
        return False
    if rubric.get("requires_contexts") and not sample["contexts"]:
        return False
    if rubric.get("requires_reference") and not sample["reference"]:
        return False
    apps = rubric.get("apps") or []
    return not apps or app in apps


def record_rows(client: Client, rows: Sequence[EvalRow], app: str, run: str,
                timeout_s: float = 120.0) -> None:
    """Records every row as a sample of (app, variant=run) and waits until the collector has
    acked them all. Raises RuntimeError when some were dropped or rejected."""
    before = client.stats()
    with progress_bar(f"recording {run}", len(rows)) as advance:
        for r in rows:
            client.record(**dict(r.sample, app=app, variant=run))
            advance(1)
    client.flush(timeout_s)
    after = client.stats()
    lost = {k: after[k] - before[k] for k in ("dropped", "rejected", "sampled_out")}
    if any(lost.values()):
        raise RuntimeError(f"the collector did not take every row: {lost}")


def wait_scored(query: QueryClient, rows: Sequence[EvalRow], rubrics: Sequence[Dict[str, Any]],
                app: str, run: str, timeout_s: float = 600.0,
                sleep: Callable[[float], None] = time.sleep) -> Dict[str, Any]:
    """Waits until the collector stored every row of the run and every rubric scored, errored,
    sampled out or skipped every row it applies to (the Completeness RPC). Returns the last
    Completeness answer. Raises TimeoutError naming what is still missing."""
    need = {r["name"]: sum(applies(r, row.sample, app) for row in rows) for r in rubrics}
    total = len(rows) + sum(need.values())
    deadline = time.monotonic() + timeout_s
    done = 0
    with progress_bar(f"scoring {run}", total) as advance:
        while True:
            c = query.completeness({"app": app, "variant": run})
            counted = {r["rubric"]: int(r["scored"]) + int(r["errors"]) + int(r["sampled_out"]) +
                       sum(int(v) for v in r["skipped"].values()) for r in c["rubrics"]}
            missing = {name: n - counted.get(name, 0) for name, n in need.items()
                       if counted.get(name, 0) < n}
            stored = min(int(c["stored"]), len(rows))
            now = stored + sum(min(counted.get(n, 0), k) for n, k in need.items())
            advance(now - done)
            done = now
            if stored >= len(rows) and not missing:
                return c
            if time.monotonic() > deadline:
                raise TimeoutError(f"scoring of run {run} not complete after {timeout_s:.0f} s: "
                                   f"{stored}/{len(rows)} rows stored, unscored per rubric "
                                   f"{missing}")
            sleep(0.1)


def fetch_rows(query: QueryClient, app: str, run: str,
               lines: Optional[Dict[str, int]] = None) -> List[Dict[str, Any]]:
    """The run's samples as export rows with scores, in dataset order when ``lines`` (id to
    line) is given."""
    out: List[Dict[str, Any]] = []
    for page in query.iter_pages({"app": app, "variant": run}, page_size=1000):
        for item in page:
            row = sample_row(item)
            if lines is not None:
                row["line"] = lines.get(row["id"], 0)
            out.append(row)
    out.sort(key=lambda r: (r.get("line", 0), r["start_time_unix_nano"], r["id"]))
    return out


def summarize(query: QueryClient, *, app: str, run: str, baseline: Optional[Filter],
              rubrics: Sequence[Dict[str, Any]], max_drop: float,
              min_score: Optional[float], candidate: Optional[Filter] = None,
              alpha: Optional[float] = None) -> List[RubricResult]:
    """Per rubric: the candidate's mean and CI and, with a baseline filter, the Compare RPC's
    delta, p-value and verdict (REGRESSION: a drop over max_drop, significant at alpha).
    Composites (kind COMPOSITE) are also held to ``min_score``; without composites, the
    ``overall`` line (the mean of the rubric means) is."""
    cand = candidate if candidate is not None else {"app": app, "variant": run}
    composites = {r["name"] for r in rubrics if r.get("kind") == "RUBRIC_KIND_COMPOSITE"}
    answer = query.compare(baseline if baseline is not None else cand, cand,
                           max_drop=max_drop, alpha=alpha)
    results: List[RubricResult] = []
    for c in answer["rubrics"]:
        s = c["candidate"]
        r = RubricResult(rubric=c["rubric"], composite=c["rubric"] in composites,
                         count=int(s["count"]), mean=s["mean"], ci_low=s["mean_ci_low"],
                         ci_high=s["mean_ci_high"])
        if baseline is not None:
            r.baseline_mean = c["baseline"]["mean"] if int(c["baseline"]["count"]) else None
            r.delta = c["delta"] if r.baseline_mean is not None else None
            r.p_value = c["p_value"] if r.baseline_mean is not None else None
            verdict = c["verdict"].replace("VERDICT_", "")
            r.verdict = verdict
            if verdict == "REGRESSION":
                r.reason = (f"mean fell {-c['delta']:.3f} (from {c['baseline']['mean']:.3f} to "
                            f"{s['mean']:.3f}), more than --max-drop {max_drop:g}, "
                            f"p={c['p_value']:.3g}")
        else:
            r.verdict = "NO_BASELINE"
        results.append(r)
    if not composites and results:
        mean = sum(r.mean for r in results) / len(results)
        results.append(RubricResult(rubric="overall", composite=True,
                                    count=min(r.count for r in results), mean=mean,
                                    ci_low=mean, ci_high=mean,
                                    verdict="NO_BASELINE" if baseline is None else "PASS"))
    if min_score is not None:
        for r in results:
            if r.composite and r.mean < min_score:
                r.verdict = "BELOW_MIN"
                r.reason = f"mean {r.mean:.3f} is under --min-score {min_score:g}"
    return results


def worst_rows(rows: Sequence[Dict[str, Any]], rubrics: Sequence[RubricResult],
               n: int = 5) -> List[Dict[str, Any]]:
    """The n rows with the lowest composite score (or mean score when there is no composite
    rubric), each with line, id, score, prompt, reference and response."""
    names = [r.rubric for r in rubrics if r.composite and r.rubric != "overall"]

    def score(row: Dict[str, Any]) -> Optional[float]:
        scores = row.get("scores") or {}
        for name in names:
            if name in scores:
                return float(scores[name])
        return sum(scores.values()) / len(scores) if scores else None

    scored = [(score(r), r) for r in rows]
    ranked = sorted((x for x in scored if x[0] is not None), key=lambda x: x[0])  # type: ignore
    return [{"line": r.get("line", 0), "id": r["id"], "score": s, "prompt": r["prompt"],
             "reference": r["reference"], "response": r["response"],
             "error": r.get("error", "")} for s, r in ranked[:n]]
