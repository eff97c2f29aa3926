"""`spasm-teach`: the command line for instructors.

Each subcommand is a thin shell over library functions: it parses arguments, calls the library,
prints, and turns a known error into one clear line on stderr and exit code 2 (bad input) or 1 (a
run that failed). Heavy modules are imported inside the handlers so that `--help` and `facts` start
fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from spasm_lib import __version__


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def _facts(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts, table_name

    try:
        name = table_name(args.table)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    frame = load_facts().frame(name)
    if args.columns:
        unknown = [c for c in args.columns if c not in frame.columns]
        if unknown:
            raise UsageError(
                f"unknown column {', '.join(unknown)} for {args.table}; expected: {', '.join(frame.columns)}"
            )
        frame = frame[args.columns]
    if args.format == "csv":
        sys.stdout.write(frame.to_csv(index=False))
    else:
        with _pandas_display(args.width):
            print(frame.to_string(index=False))
    return 0


def _pandas_display(width: int):
    import pandas

    return pandas.option_context("display.max_colwidth", width, "display.width", 200)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spasm-teach",
        description="Teaching notebooks and offline handouts about back spasms (educational, not medical advice).",
    )
    parser.add_argument("--version", action="version", version=f"spasm-teach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    facts = sub.add_parser("facts", help="print one table of the teaching data")
    facts.add_argument("table", help="a table name, e.g. risk-factors, cases, evidence-checks")
    facts.add_argument("--columns", nargs="+", metavar="COLUMN", help="only these columns")
    facts.add_argument("--format", choices=("table", "csv"), default="table")
    facts.add_argument("--width", type=int, default=60, help="longest text shown per cell (table format)")
    facts.set_defaults(handler=_facts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from spasm_lib.facts import DataError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, DataError) as exc:
        print(f"spasm-teach {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
