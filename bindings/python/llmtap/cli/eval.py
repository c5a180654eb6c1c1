"""llmtap eval DATASET: score a golden dataset with the collector's rubrics and gate on it."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional

from .. import Client, DeadlineExceededError, Error
from ..evaluation import (EvalResult, EvalRow, assign_ids, default_run_name, fetch_rows,
                          generate, load_dataset, load_results, record_rows, summarize,
                          wait_scored, worst_rows)
from ..scorecard import junit, markdown
from ._common import (EXIT_CODES, EXIT_OK, EXIT_REGRESSION, EXIT_USAGE, CliError, UsageError,
                      add_connection_options, collector, print_json, query_client, recorder,
                      rpc_errors)

DESCRIPTION = """\
Validates every row of DATASET (JSONL or CSV: prompt, and optionally reference, contexts,
metadata, response, model, id) and stops with each bad row's line and field before sending
anything. Rows without a response are answered through --endpoint/--model. Each row is then
recorded as a sample of app --app with variant = the run's name (--run), scored by the
collector's rubrics (the same engine as production), and waited on until every rubric scored
or skipped every row. With --baseline (a run name in the collector, or a results file of an
earlier --out) the run is compared per rubric (Welch's t-test, the Compare RPC). Prints a
Markdown scorecard (mean, CI, delta, p-value, verdict per rubric, the composite, the five
worst rows) and writes JUnit XML with --junit.
"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("eval", help="score a golden dataset and gate on a regression",
                       description=DESCRIPTION, epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dataset", metavar="DATASET")
    p.add_argument("--format", choices=["jsonl", "csv"], help="default: from the file name")
    p.add_argument("--run", dest="run_name", help="name of this run (default eval-YYYYmmdd-HHMMSS)")
    p.add_argument("--app", default="eval", help="app the rows are recorded under (default "
                                                  "eval)")
    p.add_argument("--baseline", help="a run name in the collector, or a results file of "
                                      "llmtap eval --out")
    p.add_argument("--max-drop", type=float, default=0.05,
                   help="largest allowed drop of a rubric's or the composite's mean (default "
                        "0.05)")
    p.add_argument("--min-score", type=float, help="the composite's mean must reach this")
    p.add_argument("--alpha", type=float, help="significance level (default 0.05)")
    p.add_argument("--scorecard", help="write the Markdown scorecard here (default stdout)")
    p.add_argument("--junit", help="write JUnit XML here")
    p.add_argument("--out", help="write the results (rows, scores, verdicts) here as JSON; a "
                                 "later run takes it as --baseline")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of "
                                                       "the scorecard")
    p.add_argument("--wait", type=float, default=600.0,
                   help="seconds to wait for scoring (default 600)")
    g = p.add_argument_group("generation (rows without a response)")
    g.add_argument("--endpoint", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    g.add_argument("--model", help="model to ask")
    g.add_argument("--endpoint-key", default=os.environ.get("OPENAI_API_KEY", ""),
                   help="API key of the endpoint (env OPENAI_API_KEY)")
    g.add_argument("--concurrency", type=int, default=4, help="calls at a time (default 4)")
    g.add_argument("--retries", type=int, default=3, help="retries per call (default 3)")
    add_connection_options(p, local=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    rows = load_dataset_or_fail(args.dataset, args.format)
    run_name = args.run_name or default_run_name()
    missing = [r.line for r in rows if not r.sample["response"]]
    if missing and not (args.endpoint and args.model):
        raise UsageError(f"{len(missing)} rows have no response (first: line {missing[0]}): "
                         "give them one, or pass --endpoint and --model to generate them")
    baseline_file: Optional[Dict[str, Any]] = None
    if args.baseline and os.path.isfile(args.baseline):
        try:
            baseline_file = load_results(args.baseline)
        except ValueError as e:
            raise UsageError(str(e)) from None
    if args.endpoint and args.model and missing:
        try:
            failed = generate(rows, endpoint=args.endpoint, model=args.model,
                              api_key=args.endpoint_key, concurrency=args.concurrency,
                              retries=args.retries)
        except RuntimeError as e:
            raise UsageError(str(e)) from None
        if failed:
            print(f"llmtap eval: {failed} of {len(missing)} generations failed; recorded as "
                  "failed calls", file=sys.stderr)
    assign_ids(rows, args.app, run_name)

    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        rubrics = query.list_rubrics()
        if not rubrics:
            raise UsageError("the collector has no enabled rubrics: pass --config with some "
                             "(see examples/ci/llmtapd.textproto)")
        client = recorder(args, address, app=args.app, linger=0.01)
        try:
            baseline = None
            if baseline_file is not None:
                baseline = record_baseline(client, query, baseline_file, rubrics, args)
            elif args.baseline:
                baseline = {"app": args.app, "variant": args.baseline}
                if not query.completeness(baseline)["stored"]:
                    raise UsageError(f"--baseline {args.baseline}: no run of that name in app "
                                     f"{args.app} (and no such results file)")
            record_rows(client, rows, args.app, run_name)
        except (DeadlineExceededError, RuntimeError) as e:
            raise CliError(f"recording failed: {e}") from None
        finally:
            try:
                client.shutdown(5)
            except Error:
                pass
        try:
            wait_scored(query, rows, rubrics, args.app, run_name, timeout_s=args.wait)
        except TimeoutError as e:
            raise CliError(str(e)) from None
        lines = {r.sample["id"]: r.line for r in rows}
        result_rows = fetch_rows(query, args.app, run_name, lines)
        rubric_results = summarize(query, app=args.app, run=run_name, baseline=baseline,
                                   rubrics=rubrics, max_drop=args.max_drop,
                                   min_score=args.min_score, alpha=args.alpha)
    result = EvalResult(run=run_name, app=args.app,
                        baseline=(baseline_file or {}).get("run", "") or args.baseline or "",
                        max_drop=args.max_drop, min_score=args.min_score,
                        rubrics=rubric_results, rows=result_rows,
                        worst=worst_rows(result_rows, rubric_results),
                        seconds=time.monotonic() - started)
    write_outputs(result, args)
    print(f"llmtap eval: {'passed' if result.passed else 'FAILED'}: run {run_name}, "
          f"{len(rows)} rows, {len(rubric_results)} rubrics"
          + (f"; {'; '.join(result.failures)}" if result.failures else "")
          + f" ({result.seconds:.1f} s)", file=sys.stderr)
    return EXIT_OK if result.passed else EXIT_REGRESSION


def load_dataset_or_fail(path: str, fmt: Optional[str]) -> List[EvalRow]:
    try:
        rows, errors = load_dataset(path, fmt)
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror}") from None
    except ValueError as e:
        raise UsageError(str(e)) from None
    if errors:
        for row_error in errors[:50]:
            print(f"{path}:{row_error}", file=sys.stderr)
        more = f" (first 50 shown)" if len(errors) > 50 else ""
        raise UsageError(f"{len(errors)} bad rows in {path}{more}; nothing was sent")
    return rows


def record_baseline(client: Client, query: Any, data: Dict[str, Any], rubrics: Any,
                    args: argparse.Namespace) -> Dict[str, str]:
    """Records the rows of a results file as their run (ids kept, so a second time stores
    nothing new) and waits for their scores: the baseline is then a run like any other."""
    from ..records import to_sample

    run_name = str(data["run"])
    app = str(data.get("app") or args.app)
    rows = []
    for i, raw in enumerate(data.get("rows") or [], 1):
        raw = {k: v for k, v in raw.items() if k not in ("scores", "line")}
        sample, errors = to_sample(raw, i)
        if errors:
            raise UsageError(f"{args.baseline}: row {i}: {errors[0]}")
        sample["app"] = app
        sample["variant"] = run_name
        rows.append(EvalRow(i, sample))
    record_rows(client, rows, app, run_name)
    try:
        wait_scored(query, rows, rubrics, app, run_name, timeout_s=args.wait)
    except TimeoutError as e:
        raise CliError(f"baseline: {e}") from None
    return {"app": app, "variant": run_name}


def write_outputs(result: EvalResult, args: argparse.Namespace, title: str = "llmtap eval") -> None:
    card = markdown(result, title)
    if getattr(args, "out", None):
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(result.to_json(), f, ensure_ascii=False, indent=1)
    if args.junit:
        with open(args.junit, "w", encoding="utf-8") as f:
            f.write(junit(result, title))
    if args.scorecard:
        with open(args.scorecard, "w", encoding="utf-8") as f:
            f.write(card)
    if args.json:
        data = result.to_json()
        data.pop("rows")
        print_json(data)
    elif not args.scorecard:
        sys.stdout.write(card)
