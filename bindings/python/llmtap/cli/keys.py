"""llmtap keys create | list | revoke: the collector's API keys, over its AdminService."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List

from ._common import (EXIT_OK, UsageError, add_connection_options, collector, fmt_time,
                      print_json, print_table, query_client, rpc_errors)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "keys", help="create, list or revoke API keys",
        description="API keys of the collector. Every verb needs an admin key (--api-key or "
                    "LLMTAP_API_KEY), or none while the collector has no keys yet: the first "
                    "key made that way should be an admin key.")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    cr = verbs.add_parser("create", help="make a key; its secret is printed once")
    cr.add_argument("--role", required=True, choices=["ingest", "read", "admin"],
                    help="ingest: record samples; read: queries; admin: everything")
    cr.add_argument("--app", action="append", default=[], metavar="A",
                    help="limit the key to this app (repeat for more; default every app)")
    cr.add_argument("--name", default="", help="free text for people, e.g. 'ci of team search'")
    cr.add_argument("--ingest-rate", type=float, default=0.0, metavar="X",
                    help="samples per second the key may record (default: the collector's)")
    cr.add_argument("--query-rate", type=float, default=0.0, metavar="Y",
                    help="queries per second the key may make (default: the collector's)")
    cr.add_argument("--json", action="store_true")
    add_connection_options(cr)
    cr.set_defaults(func=run_create)
    ls = verbs.add_parser("list", help="keys, newest first, without their secrets")
    ls.add_argument("--all", action="store_true", help="include revoked keys")
    ls.add_argument("--json", action="store_true")
    add_connection_options(ls)
    ls.set_defaults(func=run_list)
    rv = verbs.add_parser("revoke", help="revoke a key at once")
    rv.add_argument("id", metavar="ID", help="the key's id (16 hex characters)")
    rv.add_argument("--json", action="store_true")
    add_connection_options(rv)
    rv.set_defaults(func=run_revoke)


def run_create(args: argparse.Namespace) -> int:
    for flag, rate in (("--ingest-rate", args.ingest_rate), ("--query-rate", args.query_rate)):
        if not rate >= 0 or rate == float("inf"):
            raise UsageError(f"{flag} must be a finite number >= 0")
    with collector(args) as address, rpc_errors():
        made = query_client(args, address).create_key(
            role=args.role, name=args.name, apps=args.app,
            ingest_samples_per_s=args.ingest_rate, queries_per_s=args.query_rate)
    if args.json:
        print_json(made)
    else:
        key = made["key"]
        print(f"key {key['id']} ({_role(key)}, apps: {_apps(key)})")
        print(made["secret"])
    print("llmtap keys create: this secret cannot be shown again; keep it now "
          "(send it as 'authorization: Bearer <secret>', or --api-key / LLMTAP_API_KEY)",
          file=sys.stderr)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    with collector(args) as address, rpc_errors():
        keys = query_client(args, address).list_keys(include_revoked=args.all)
    if args.json:
        print_json(keys)
        return EXIT_OK
    print_table(f"{len(keys)} keys", _COLUMNS, [_row(k) for k in keys])
    return EXIT_OK


def run_revoke(args: argparse.Namespace) -> int:
    with collector(args) as address, rpc_errors():
        key = query_client(args, address).revoke_key(args.id)
    if args.json:
        print_json(key)
    else:
        print(f"key {key['id']} revoked at {fmt_time(key['revoked_unix_nano'])}")
    return EXIT_OK


_COLUMNS = ["id", "name", "role", "apps", "ingest/s", "queries/s", "created", "by", "revoked"]


def _row(k: Dict[str, Any]) -> List[Any]:
    return [k["id"], k["name"], _role(k), _apps(k), _rate(k["ingest_samples_per_s"]),
            _rate(k["queries_per_s"]), fmt_time(k["created_unix_nano"]), k["created_by"],
            fmt_time(k["revoked_unix_nano"])]


def _role(k: Dict[str, Any]) -> str:
    return str(k["role"]).replace("ROLE_", "").lower()


def _apps(k: Dict[str, Any]) -> str:
    return ",".join(k["apps"]) or "all"


def _rate(r: float) -> str:
    return f"{r:g}" if r else "default"
