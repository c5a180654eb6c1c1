"""llmtap import FILE: JSONL or CSV rows into samples (the module is import_ because
`import` is a Python keyword)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List

from .. import Client, DeadlineExceededError, Error
from ..progress import progress_bar
from ..records import RowError, derive_id, file_format, open_text, read_rows, to_sample
from ._common import (EXIT_OK, EXIT_USAGE, CliError, UsageError, add_connection_options,
                      collector, print_json, recorder)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "import", help="load samples from JSONL or CSV",
        description="Records each row of FILE (the format of `llmtap export`) as a sample. "
                    "Ids are kept, or derived from the row's content when absent, so importing "
                    "twice stores each sample once. Bad rows are reported with their line and "
                    "field and not imported; the others are. A row's scores are not imported: "
                    "the collector scores the samples with its own rubrics. Exit status 2 when "
                    "some rows were bad.")
    p.add_argument("file", metavar="FILE", help="JSONL or CSV file, - for stdin")
    p.add_argument("--format", choices=["jsonl", "csv"], help="default: from the file name")
    p.add_argument("--app", help="app for rows that name none (default: the row's, else "
                                 "'imported')")
    p.add_argument("--dry-run", action="store_true", help="check the rows, send nothing")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    add_connection_options(p, local=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    good: List[Dict[str, Any]] = []
    bad: List[RowError] = []
    try:
        with open_text(args.file, "r") as stream:
            for line, raw, error in read_rows(stream, file_format(args.file, args.format)):
                if error is not None or raw is None:
                    bad.append(error or RowError(line, "", "unreadable"))
                    continue
                sample, errors = to_sample(raw, line)
                if errors:
                    bad.extend(errors)
                    continue
                if not sample["app"]:
                    sample["app"] = args.app or "imported"
                if not sample["id"]:
                    sample["id"] = derive_id(sample)
                good.append(sample)
    except OSError as e:
        raise UsageError(f"{args.file}: {e.strerror}") from None
    for row_error in bad:
        print(f"{args.file}:{row_error}", file=sys.stderr)
    imported = 0
    if good and not args.dry_run:
        with collector(args) as address:
            client = recorder(args, address, linger=0.01, max_buffer_bytes=256 << 20)
            try:
                with progress_bar("importing", len(good)) as advance:
                    for sample in good:
                        client.record(**sample)
                        advance(1)
                client.flush(120)
                stats = client.stats()
            except DeadlineExceededError as e:
                raise CliError(f"the collector did not ack every row: {e.message}") from None
            finally:
                try:
                    client.shutdown(5)
                except Error:
                    pass
            lost = stats["dropped"] + stats["rejected"]
            if lost:
                raise CliError(f"{lost} rows were dropped or rejected by the collector")
            imported = len(good)
    bad_lines = sorted({e.line for e in bad})
    outcome = {"imported": imported, "valid": len(good), "bad_rows": len(bad_lines),
               "bad_lines": bad_lines, "errors": [str(e) for e in bad]}
    if args.json:
        print_json(outcome)
    verb = "would import" if args.dry_run else "imported"
    print(f"llmtap import: {verb} {len(good)} rows"
          + (f"; {len(bad_lines)} bad rows not imported (lines "
             f"{', '.join(map(str, bad_lines[:20]))}{', ...' if len(bad_lines) > 20 else ''})"
             if bad_lines else ""), file=sys.stderr)
    return EXIT_USAGE if bad else EXIT_OK
