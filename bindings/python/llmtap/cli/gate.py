"""llmtap gate: the eval verdict over live data, e.g. shadow against production."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..evaluation import EvalResult, summarize
from ._common import (EXIT_CODES, EXIT_OK, EXIT_REGRESSION, UsageError, add_connection_options,
                      collector, query_client, rpc_errors)
from ..filters import parse_filter
from .eval import write_outputs

DESCRIPTION = """\
Compares two populations of stored samples per rubric with the Compare RPC (Welch's t-test)
and fails on a regression, with the same scorecard, JUnit XML and exit codes as eval. Both
are filters, e.g.
  llmtap gate --baseline app=bot,variant=production,since=24h \\
              --candidate app=bot,variant=shadow,since=24h
"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser("gate", help="compare two live populations and gate on a regression",
                       description=DESCRIPTION, epilog=EXIT_CODES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", required=True, metavar="FILTER")
    p.add_argument("--candidate", required=True, metavar="FILTER")
    p.add_argument("--rubric", action="append", default=[], help="compare only this rubric "
                                                                 "(repeatable)")
    p.add_argument("--max-drop", type=float, default=0.05, help="default 0.05")
    p.add_argument("--min-score", type=float, help="the composite's mean must reach this")
    p.add_argument("--alpha", type=float)
    p.add_argument("--scorecard", help="write the Markdown scorecard here (default stdout)")
    p.add_argument("--junit", help="write JUnit XML here")
    p.add_argument("--json", action="store_true")
    add_connection_options(p, local=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        baseline = parse_filter(args.baseline)
        candidate = parse_filter(args.candidate)
    except ValueError as e:
        raise UsageError(str(e)) from None
    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        rubrics = query.list_rubrics()
        if args.rubric:
            rubrics = [r for r in rubrics if r["name"] in args.rubric]
        results = summarize(query, app=candidate.get("app", ""), run="", baseline=baseline,
                            candidate=candidate, rubrics=rubrics, max_drop=args.max_drop,
                            min_score=args.min_score, alpha=args.alpha)
        if args.rubric:
            results = [r for r in results if r.rubric in args.rubric or r.rubric == "overall"]
    result = EvalResult(run=args.candidate, app=candidate.get("app", "*"),
                        baseline=args.baseline, max_drop=args.max_drop,
                        min_score=args.min_score, rubrics=results, rows=[], worst=[])
    if not results:
        raise UsageError("no rubric has scores on both sides: check the filters")
    write_outputs(result, args, title="llmtap gate")
    print(f"llmtap gate: {'passed' if result.passed else 'FAILED'}"
          + (f": {'; '.join(result.failures)}" if result.failures else ""), file=sys.stderr)
    return EXIT_OK if result.passed else EXIT_REGRESSION
