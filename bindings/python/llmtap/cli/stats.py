"""llmtap stats: latency, time to first token, tokens, cost and errors under a filter."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import (EXIT_OK, add_connection_options, add_filter_options, collector,
                      filter_from, print_json, print_table, query_client, rpc_errors,
                      summary_row)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("stats", help="latency, tokens, cost and error rate",
                       description="Summaries over the samples matching a filter.")
    add_filter_options(p)
    p.add_argument("--json", action="store_true")
    add_connection_options(p, local=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    flt = filter_from(args)
    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        stats = query.stats(flt)
        completeness = None
        if not any(k in flt for k in ("session_id", "metadata", "score_below", "score_above")):
            completeness = query.completeness(flt)
    if args.json:
        print_json({"stats": stats, "completeness": completeness})
        return EXIT_OK
    print(f"{stats['samples']} samples, {stats['errors']} errors "
          f"({100 * stats['error_rate']:.2f}%)")
    print_table("", ["metric", "n", "mean", "p50", "p95", "p99", "max"], [
        summary_row("latency ms", stats["latency_ms"]),
        summary_row("ttft ms", stats["ttft_ms"]),
        summary_row("input tokens", stats["input_tokens"]),
        summary_row("output tokens", stats["output_tokens"]),
        summary_row("cost usd", stats["cost_usd"], ".5f")])
    if completeness and completeness["rubrics"]:
        print_table("scoring", ["rubric", "scored", "errors", "sampled out", "skipped"], [
            [r["rubric"], r["scored"], r["errors"], r["sampled_out"],
             ", ".join(f"{k} {v}" for k, v in sorted(r["skipped"].items()))]
            for r in completeness["rubrics"]])
    return EXIT_OK
