"""llmtap alerts: fired and resolved alert events (and the rules with --rules)."""

from __future__ import annotations

import argparse
from typing import Any

from ..filters import parse_time
from ._common import (EXIT_OK, UsageError, add_connection_options, collector, fmt_time,
                      print_json, print_table, query_client, rpc_errors)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("alerts", help="alert events, newest first",
                       description="Fired and resolved alerts, newest first; --rules lists "
                                   "the alert rules instead.")
    p.add_argument("--rule", default="", help="only this rule's events")
    p.add_argument("--since", help="e.g. 24h, 2026-01-31")
    p.add_argument("--limit", type=int, default=50, help="1-1000 (default 50)")
    p.add_argument("--rules", action="store_true", help="list the rules")
    p.add_argument("--json", action="store_true")
    add_connection_options(p, local=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        since = parse_time(args.since) if args.since else None
    except ValueError as e:
        raise UsageError(str(e)) from None
    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        if args.rules:
            rules = query.list_alert_rules()
            if args.json:
                print_json(rules)
            else:
                print_table(f"{len(rules)} alert rules", ["name", "definition"],
                            [[r.get("name", ""), _brief(r)] for r in rules])
            return EXIT_OK
        events = query.list_alerts(rule=args.rule, limit=args.limit, since=since)
    if args.json:
        print_json(events)
        return EXIT_OK
    print_table(f"{len(events)} alert events", ["time", "rule", "group", "level", "value", "n",
                                                "message"], [
        [fmt_time(e["time_unix_nano"]), e["rule"], e["group"],
         f"{e['previous_level'].replace('ALERT_LEVEL_', '').lower()} -> "
         f"{e['level'].replace('ALERT_LEVEL_', '').lower()}", f"{e['value']:.4g}", e["count"],
         e["message"]] for e in events])
    return EXIT_OK


def _brief(rule: Any) -> str:
    import json

    return json.dumps({k: v for k, v in rule.items() if v not in (None, "", 0, [], {}, False)
                       and k != "name"}, separators=(",", ":"))[:150]
