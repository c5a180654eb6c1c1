"""The ``llmtap`` command: a thin shell over the llmtap package.

Each command is a module of this package with ``add_parser(subparsers)`` and
``run(args) -> int`` (set as the parser's ``func``); it parses its arguments, calls the package's public API and prints
(tables on stdout, progress on stderr, ``--json`` for one machine-readable document).
Parsing uses argparse (the standard library); tables and progress bars use rich.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, NoReturn, Optional

from ._common import EXIT_CODES, EXIT_ERROR, EXIT_USAGE, CliError, UsageError

# Command modules, in --help order.
COMMANDS = ["eval", "gate", "export", "import_", "stats", "tail", "rubrics", "alerts", "keys",
            "audit"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="llmtap",
        description="Golden-set evals that gate CI, import and export, and a look at what "
                    "llmtapd knows.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version="llmtap 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except UsageError as e:
        print(f"llmtap {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except CliError as e:
        print(f"llmtap {args.command}: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
