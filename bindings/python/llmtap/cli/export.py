"""llmtap export: samples with their scores, under any filter, to JSONL or CSV."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..progress import progress_bar
from ..records import RowWriter, file_format, open_text, sample_row
from ._common import (EXIT_OK, UsageError, add_connection_options, add_filter_options,
                      collector, filter_from, query_client, rpc_errors)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export", help="write samples and their scores as JSONL or CSV",
        description="Streams the samples matching a filter, newest first, page by page, with "
                    "their scores ({rubric: value}, scored ones), to a file or stdout. "
                    "`llmtap import` reads the same format back.")
    add_filter_options(p)
    p.add_argument("--out", default="-", help="file to write (default stdout)")
    p.add_argument("--format", choices=["jsonl", "csv"], help="default: from --out's name, "
                                                              "else jsonl")
    p.add_argument("--no-scores", action="store_true", help="leave scores out")
    p.add_argument("--page-size", type=int, default=500, help="samples per RPC (1-1000)")
    add_connection_options(p, local=True)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.page_size <= 1000:
        raise UsageError("--page-size must be in 1..1000")
    flt = filter_from(args)
    fmt = file_format(args.out, args.format)
    count = 0
    with collector(args) as address, rpc_errors():
        query = query_client(args, address)
        total = None
        if "rubric" not in flt and "score_below" not in flt and "score_above" not in flt:
            total = int(query.stats(flt)["samples"])
        out = open_text(args.out, "w")
        try:
            writer = RowWriter(out, fmt, with_scores=not args.no_scores)
            with progress_bar("exporting", total) as advance:
                for page in query.iter_pages(flt, page_size=args.page_size,
                                             with_scores=not args.no_scores):
                    for item in page:
                        writer.write(sample_row(item, with_scores=not args.no_scores))
                    count += len(page)
                    advance(len(page))
        finally:
            if out is not sys.stdout:
                out.close()
            else:
                out.flush()
    print(f"llmtap export: {count} samples", file=sys.stderr)
    return EXIT_OK
