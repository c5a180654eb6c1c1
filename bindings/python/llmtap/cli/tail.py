"""llmtap tail: new scores as the collector stores them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._common import (EXIT_OK, add_connection_options, add_filter_options, collector,
                      filter_from, query_client, rpc_errors, short)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("tail", help="follow new scores",
                       description="Prints each new score (one line, or one JSON object per "
                                   "line with --json) until Ctrl-C, --count or --for.")
    add_filter_options(p, time_range=False)
    p.add_argument("--count", type=int, help="stop after this many scores")
    p.add_argument("--for", dest="duration", type=float, help="stop after this many seconds")
    p.add_argument("--json", action="store_true", help="JSON lines")
    add_connection_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    flt = filter_from(args)
    seen = 0
    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        items = query.tail(flt, poll_s=0.2, duration_s=args.duration)
        try:
            for item in items:
                seen += 1
                if args.json:
                    print(json.dumps(item, ensure_ascii=False), flush=True)
                else:
                    score, sample = item["score"], item["sample"] or {}
                    value = (f"{score['value']:.3f}" if score["state"] == "SCORE_STATE_SCORED"
                             else score["state"].replace("SCORE_STATE_", "").lower())
                    print(f"{sample.get('app', '')}  {sample.get('model', '')}  "
                          f"{score['rubric']}={value}  {score['sample_id']}  "
                          f"{short(sample.get('prompt'), 50)!r}", flush=True)
                if args.count is not None and seen >= args.count:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            items.close()  # type: ignore[attr-defined]
    print(f"llmtap tail: {seen} scores", file=sys.stderr)
    return EXIT_OK
