"""llmtap rubrics list | apply FILE."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, List

from ._common import (EXIT_OK, UsageError, add_connection_options, collector, print_json,
                      print_table, query_client, rpc_errors)


def add_parser(sub: Any) -> None:
    p = sub.add_parser("rubrics", help="list or apply rubrics")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    ls = verbs.add_parser("list", help="the collector's rubrics")
    ls.add_argument("--all", action="store_true", help="include disabled rubrics")
    ls.add_argument("--json", action="store_true")
    add_connection_options(ls, local=True)
    ls.set_defaults(func=run_list)
    ap = verbs.add_parser(
        "apply", help="create or update rubrics from a JSON file",
        description="FILE holds one rubric, a list of them, or {\"rubrics\": [...]}, in the "
                    "JSON form of llmtap.v1.Rubric (e.g. {\"name\": \"concise\", \"kind\": "
                    "\"RUBRIC_KIND_LENGTH\", \"length\": {\"max_words\": 60}}). Each is upserted; "
                    "a changed one gets the next version.")
    ap.add_argument("file", metavar="FILE")
    ap.add_argument("--json", action="store_true")
    add_connection_options(ap, local=True)
    ap.set_defaults(func=run_apply)


def _params(r: Dict[str, Any]) -> str:
    for key in ("text", "regex", "json", "length", "terms", "bound", "composite", "judge"):
        if r.get(key):
            return f"{key} {json.dumps(r[key], separators=(',', ':'))}"
    return ""


def run_list(args: argparse.Namespace) -> int:
    with collector(args) as address, rpc_errors():
        rubrics = query_client(args, address).list_rubrics(include_disabled=args.all)
    if args.json:
        print_json(rubrics)
        return EXIT_OK
    print_table(f"{len(rubrics)} rubrics", ["name", "v", "kind", "rate", "threshold", "weight",
                                            "enabled", "needs", "params"], [
        [r["name"], r["version"], r["kind"].replace("RUBRIC_KIND_", "").lower(),
         "1" if r.get("sample_rate") is None else f"{r['sample_rate']:g}",
         "0.5" if r.get("threshold") is None else f"{r['threshold']:g}",
         "1" if r.get("weight") is None else f"{r['weight']:g}",
         "no" if r.get("enabled") is False else "yes",
         " ".join(n for n, k in (("contexts", "requires_contexts"),
                                 ("reference", "requires_reference")) if r.get(k)),
         _params(r)] for r in rubrics])
    return EXIT_OK


def run_apply(args: argparse.Namespace) -> int:
    try:
        with open(args.file, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise UsageError(f"{args.file}: {e.strerror}") from None
    except json.JSONDecodeError as e:
        raise UsageError(f"{args.file}: not JSON: {e.msg} at line {e.lineno}") from None
    items: List[Any] = data.get("rubrics", []) if isinstance(data, dict) and "rubrics" in data \
        else data if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) and i.get("name") for i in items):
        raise UsageError(f"{args.file}: want rubric objects with a name")
    applied = []
    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        for item in items:
            stored = query.upsert_rubric(item)
            applied.append(stored)
            if not args.json:
                print(f"{stored['name']}: version {stored['version']}")
    if args.json:
        print_json(applied)
    print(f"llmtap rubrics apply: {len(applied)} rubrics", file=sys.stderr)
    return EXIT_OK
