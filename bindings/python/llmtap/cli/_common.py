"""What the commands share: exit codes, connection and filter options, the collector to talk
to (a given one, or an llmtapd of our own on a local data folder), and table output."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import sys
from typing import Any, Dict, Iterator, List, Optional, Sequence

from .. import Client, InvalidArgumentError, QueryClient, QueryError
from ..filters import Filter, parse_filter, parse_time, unix_nanos
from ..local import CollectorStartError, LocalCollector

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_CODES = """exit status:
  0  passed (or the command did what it was asked)
  1  regression: a rubric or the composite dropped more than --max-drop, or the composite
     is under --min-score (eval, gate)
  2  bad input or usage: a bad dataset row, a bad flag, a bad file (nothing was sent)
  3  could not run: the collector or endpoint failed, scoring did not complete in time"""


class UsageError(Exception):
    """Bad input or usage: exit 2."""


class CliError(Exception):
    """The command could not run: exit 3."""


def add_connection_options(p: argparse.ArgumentParser, *, local: bool = False) -> None:
    g = p.add_argument_group("collector")
    help_collector = "llmtapd's gRPC address host:port (env LLMTAP_COLLECTOR)"
    if local:
        help_collector += "; when neither is set, an llmtapd of our own runs on --data_dir"
    else:
        help_collector += "; default 127.0.0.1:7317"
    g.add_argument("--collector", default=os.environ.get("LLMTAP_COLLECTOR"),
                   help=help_collector)
    g.add_argument("--api-key", default=os.environ.get("LLMTAP_API_KEY"),
                   help="sent as 'authorization: Bearer KEY' (env LLMTAP_API_KEY)")
    g.add_argument("--ca-file", default=os.environ.get("LLMTAP_CA_FILE"),
                   help="PEM of the CA of the collector's TLS certificate; turns TLS on "
                        "(env LLMTAP_CA_FILE)")
    g.add_argument("--server-name", default=os.environ.get("LLMTAP_SERVER_NAME"),
                   help="name the collector's certificate carries, if not the address's host")
    g.add_argument("--timeout", type=float, default=30.0, help="seconds per RPC (default 30)")
    if local:
        g.add_argument("--data_dir", "--data-dir", dest="data_dir", default=".llmtap",
                       help="data folder of our own llmtapd (default .llmtap/)")
        g.add_argument("--config", help="llmtapd config (textproto or JSON) for our own "
                                        "llmtapd: its rubrics score the rows. Kept in "
                                        "--data_dir for later commands that give none")
        g.add_argument("--llmtapd", help="the llmtapd binary (default: $LLMTAP_LLMTAPD, PATH, "
                                         "or the build tree's)")


def add_filter_options(p: argparse.ArgumentParser, *, time_range: bool = True) -> None:
    g = p.add_argument_group("filter")
    g.add_argument("--filter", default="", metavar="FILTER",
                   help="key=value pairs joined by commas: app, model, variant, run, session, "
                        "rubric, since, until, score_below, score_above, meta.KEY "
                        "(e.g. app=bot,variant=shadow,since=24h)")
    g.add_argument("--app")
    g.add_argument("--model")
    g.add_argument("--variant")
    if time_range:
        g.add_argument("--since", help="e.g. 24h, 7d, 2026-01-31, Unix seconds")
        g.add_argument("--until")


def filter_from(args: argparse.Namespace) -> Filter:
    try:
        f = parse_filter(args.filter)
        for key in ("app", "model", "variant"):
            if getattr(args, key, None):
                f[key] = getattr(args, key)
        if getattr(args, "since", None):
            f["start_unix_nano"] = unix_nanos(parse_time(args.since))
        if getattr(args, "until", None):
            f["end_unix_nano"] = unix_nanos(parse_time(args.until))
    except ValueError as e:
        raise UsageError(str(e)) from None
    return f


def query_client(args: argparse.Namespace, address: str) -> QueryClient:
    try:
        return QueryClient(address, timeout_s=args.timeout, api_key=args.api_key or "",
                           ca_file=args.ca_file or "", server_name=args.server_name or "")
    except OSError as e:
        raise UsageError(f"--ca-file: {e}") from None


def recorder(args: argparse.Namespace, address: str, **options: Any) -> Client:
    """An llmtap.Client to `address` with the command's key and TLS options."""
    try:
        return Client(address, api_key=args.api_key or "", ca_file=args.ca_file or "",
                      server_name=args.server_name or "", **options)
    except InvalidArgumentError as e:
        raise UsageError(e.message) from None


def remembered_config(data_dir: str, config: Optional[str]) -> Optional[str]:
    """The config for our own llmtapd: --config, which is also copied into the data folder, or
    else the copy an earlier invocation left there (so `llmtap stats` after `llmtap eval
    --config X` sees the same rubrics)."""
    import shutil

    folder = pathlib.Path(data_dir)
    if config:
        if not os.path.isfile(config):
            raise UsageError(f"--config {config}: no such file")
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".json" if config.endswith(".json") else ".textproto"
        for old in folder.glob("llmtapd.config.*"):
            old.unlink()
        copy = folder / f"llmtapd.config{suffix}"
        shutil.copyfile(config, copy)
        return str(copy)
    found = sorted(folder.glob("llmtapd.config.*"))
    return str(found[0]) if found else None


@contextlib.contextmanager
def collector(args: argparse.Namespace) -> Iterator[str]:
    """The collector's address: --collector, or an llmtapd of our own on --data_dir (for
    commands with local=True options), stopped on exit."""
    if args.collector or not hasattr(args, "data_dir"):
        yield args.collector or "127.0.0.1:7317"
        return
    try:
        config = remembered_config(args.data_dir, args.config)
        local = LocalCollector(args.data_dir, config=config, llmtapd=args.llmtapd).start()
    except CollectorStartError as e:
        raise CliError(str(e)) from None
    print(f"llmtap: started llmtapd on {args.data_dir} ({local.address})", file=sys.stderr)
    try:
        yield local.address
    finally:
        local.stop()


@contextlib.contextmanager
def rpc_errors() -> Iterator[None]:
    """Turns a failed RPC into CliError (INVALID_ARGUMENT into UsageError)."""
    try:
        yield
    except QueryError as e:
        if e.code == "INVALID_ARGUMENT":
            raise UsageError(e.message) from None
        raise CliError(f"{e.code}: {e.message}") from None


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def fmt_time(unix_nano: Any) -> str:
    import datetime as _dt

    n = int(unix_nano or 0)
    if not n:
        return ""
    return _dt.datetime.fromtimestamp(n / 1e9).strftime("%Y-%m-%d %H:%M:%S")


def short(text: Any, n: int = 60) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def summary_row(name: str, s: Optional[Dict[str, Any]], fmt: str = ".1f") -> List[str]:
    if not s or not int(s.get("count", 0)):
        return [name, "0", "", "", "", "", ""]
    return [name, str(s["count"])] + [format(s[k], fmt) for k in ("mean", "p50", "p95", "p99",
                                                                  "max")]
