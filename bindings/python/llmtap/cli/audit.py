"""llmtap audit: admin actions (keys made or revoked, rubrics and alert rules changed)."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import (EXIT_OK, UsageError, add_connection_options, collector, fmt_time,
                      print_json, print_table, query_client, rpc_errors)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("audit", help="admin actions, newest first",
                       description="The collector's audit log, newest first: keys made or "
                                   "revoked, rubrics and alert rules changed, and by which key. "
                                   "Needs an admin key.")
    p.add_argument("--limit", type=int, default=100, help="1-1000 (default 100)")
    p.add_argument("--json", action="store_true")
    add_connection_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 1000:
        raise UsageError("--limit must be 1..1000")
    with collector(args) as address, rpc_errors():
        events = query_client(args, address).list_audit(limit=args.limit)
    if args.json:
        print_json(events)
        return EXIT_OK
    print_table(f"{len(events)} audit events", ["time", "actor", "action", "target", "detail"],
                [[fmt_time(e["unix_nano"]), e["actor"] or "(no keys)", e["action"], e["target"],
                  e["detail"]] for e in events])
    return EXIT_OK
