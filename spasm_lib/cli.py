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
from pathlib import Path

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


# --------------------------------------------------------------------------- params, render, handouts, start


def _params(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts
    from spasm_lib.params import notebook_key, parameters

    key = notebook_key(args.notebook)
    facts = load_facts()
    rows = [("NAME", "TYPE", "DEFAULT", "ALLOWED VALUES", "HELP")]
    for p in parameters(key):
        allowed = p.allowed_values(facts)
        if allowed is not None:
            shown = ", ".join("''" if a == "" else a for a in allowed)
        else:
            shown = {"bool": "True, False", "int": "a whole number", "list": "any ids"}.get(p.kind, "any text")
        rows.append((p.name, p.kind, _default_text(p.default), shown, p.help))
    print(f"Parameters of {key} (set them with -p NAME VALUE or -f PARAMS.yaml):")
    print(_table(rows, _terminal_width()))
    return 0


def _default_text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    if value == "":
        return "''"
    return str(value)


def _terminal_width() -> int:
    import shutil

    return max(80, shutil.get_terminal_size((100, 24)).columns)


def _table(rows: list[tuple[str, ...]], width: int) -> str:
    """Columns side by side; the last two (allowed values, help) wrap to fit ``width``."""
    import textwrap

    fixed = [min(max(len(r[i]) for r in rows), 24) for i in range(3)]
    room = max(40, width - sum(fixed) - 2 * 4)
    longest = max(len(word) for r in rows for word in r[3].split())
    first = min(max(room * 2 // 5, longest + 1), room - 20)
    wrap = [first, room - first]
    lines = []
    for row in rows:
        cells = [textwrap.wrap(row[i], fixed[i], break_on_hyphens=False, break_long_words=False) or [""] for i in range(3)]
        cells += [textwrap.wrap(row[3 + i], wrap[i], break_on_hyphens=False, break_long_words=False) or [""] for i in range(2)]
        widths = fixed + wrap
        for n in range(max(len(c) for c in cells)):
            parts = [(c[n] if n < len(c) else "").ljust(w) for c, w in zip(cells, widths)]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _skip_slow_optional_imports() -> None:
    """Do not load jsonschema's optional IRI checker (``rfc3987_syntax``).

    nbformat validates notebooks with jsonschema, and jsonschema imports ``rfc3987_syntax`` if it is
    installed, which builds a grammar at import: 1.3 s of every `render` and `handouts` run, for a
    string format that no notebook field uses. A ``None`` entry in ``sys.modules`` makes that optional
    import fail, and jsonschema then simply has no IRI check. Only this command-line process is
    affected, and only if nothing imported the module before.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _render(args: argparse.Namespace) -> int:
    _skip_slow_optional_imports()
    from spasm_lib import render
    from spasm_lib.stops import Interrupted, StopSignals

    path = render.resolve_notebook(args.notebook)
    values = render.read_parameters_file(args.parameters_file) if args.parameters_file else {}
    values.update(render.parse_pairs(args.parameter))
    parameters = render.handout_parameters(path, values, args.audience)
    inputs = [path, *([args.parameters_file] if args.parameters_file else []),
              *(value for name, value in parameters.items() if name.endswith("_file") and value)]
    try:
        output = render.check_output(args.output, inputs)
    except render.OutputError as exc:
        raise UsageError(str(exc)) from None
    kernel = render.HandoutKernel(path.parent)
    try:
        with StopSignals(on_stop=kernel.kill), kernel:
            done = render.render(path, parameters, output, kernel=kernel)
    except Interrupted as stop:
        print("spasm-teach render: interrupted: 0 of 1 handouts written", file=sys.stderr)
        return stop.exit_code
    except render.WriteFailed as exc:
        print(f"spasm-teach render: {exc}; no handout written", file=sys.stderr)
        return 1
    except render.RenderError as exc:
        kept = f"; {output} is as it was" if output.exists() else ""
        print(f"spasm-teach render: {path.name}: {exc}", file=sys.stderr)
        print(f"spasm-teach render: no handout written{kept}", file=sys.stderr)
        return 1
    print(f"wrote {done.path} ({done.title}, {done.audience} version)")
    return 0


def _handouts(args: argparse.Namespace) -> int:
    _skip_slow_optional_imports()
    from spasm_lib import handouts

    if args.cases is not None and not Path(args.cases).is_file():
        raise UsageError(f"--cases {args.cases}: no such file; expected a CSV with the columns of data/cases.csv")
    notebooks = None
    if args.notebooks is not None:
        folder = Path(args.notebooks)
        notebooks = handouts.discover(folder) if folder.is_dir() else []
        if not notebooks:
            raise UsageError(f"--notebooks {folder}: no notebooks (*.ipynb) in that folder")
    progress = _progress_bar() if sys.stderr.isatty() else _progress_lines
    try:
        report = handouts.build(
            args.output,
            notebooks=notebooks,
            cases_file=args.cases,
            students=args.students,
            class_seed=args.seed,
            jobs=args.jobs,
            progress=progress,
        )
    except handouts.BuildInterrupted as stop:
        _close_progress(progress)
        total = f" of {stop.total}" if stop.total is not None else ""
        print(f"spasm-teach handouts: interrupted: {stop.written}{total} handouts written", file=sys.stderr)
        return stop.exit_code
    except handouts.BuildWriteError as exc:
        _close_progress(progress)
        print(f"spasm-teach handouts: {exc.message}; {exc.written} of {exc.total} handouts written", file=sys.stderr)
        return 1
    except OSError as exc:  # the set folder cannot be made or written (a read-only folder)
        print(f"spasm-teach handouts: cannot write into {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        from spasm_lib.facts import DataError

        if isinstance(exc, DataError):
            raise
        raise UsageError(str(exc)) from None
    finally:
        _close_progress(progress)
    built, failed = handouts.summary(report, args.output)
    for line in built:
        print(line)
    for line in failed:
        print(line, file=sys.stderr)
    return 0 if report.ok else 1


def _close_progress(progress) -> None:
    close = getattr(progress, "close", None)
    if close:
        close()


def _progress_lines(job, error, done: int, total: int) -> None:
    name = Path(job.output).name
    state = "ok" if error is None else f"FAILED: {error}"
    print(f"[{done}/{total}] {name} {state}", file=sys.stderr, flush=True)


def _progress_bar():
    """A tqdm bar, created at the first finished handout (its monitor thread must not exist while
    the build forks its workers)."""
    state: dict = {}

    def update(job, error, done: int, total: int) -> None:
        if "bar" not in state:
            from tqdm import tqdm

            state["bar"] = tqdm(total=total, unit="handout", file=sys.stderr, desc="handouts")
        bar = state["bar"]
        bar.update(1)
        if error is not None:
            bar.write(f"FAILED {Path(job.output).name}: {error}", file=sys.stderr)

    def close() -> None:
        if "bar" in state:
            state["bar"].close()

    update.close = close  # type: ignore[attr-defined]
    return update


def _lite(args: argparse.Namespace) -> int:
    """Build the JupyterLite site (spasm_lib.lite): bad input exits 2, a failed build 1."""
    from spasm_lib import lite

    try:
        report = lite.build_site(args.output, pyodide=args.pyodide, audience=args.audience,
                                 cache=args.cache, notebooks=args.notebooks)
    except lite.LiteError as exc:
        raise UsageError(str(exc)) from None
    except lite.LiteBuildFailed as exc:
        print(f"spasm-teach lite: {exc}", file=sys.stderr)
        return 1
    print(f"{report.output}: {len(report.notebooks)} notebooks, {report.size_bytes / 1e6:.1f} MB, "
          f"Pyodide from {report.pyodide}. Serve the folder with any static web server, e.g. "
          f"`python3 -m http.server -d {report.output}`, and open /lab/index.html.")
    return 0


def _start(args: argparse.Namespace) -> int:
    from spasm_lib.workspace import next_steps, start

    try:
        copied = start(args.folder, force=args.force)
    except OSError as exc:
        print(f"spasm-teach start: cannot write into {args.folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for line in next_steps(copied):
        print(line)
    return 0



def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more; got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more; got {text}")
    return value


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

    params = sub.add_parser("params", help="list a notebook's parameters: type, default, allowed values")
    params.add_argument("notebook", help="a notebook: path, stem (02_exam_simulator) or name (02-exam-simulator)")
    params.set_defaults(handler=_params)

    render = sub.add_parser(
        "render",
        help="run one notebook with parameters and write an offline HTML handout",
        description="Validate the parameters, run the notebook with papermill (in its folder, with this "
        "environment's python3 kernel, interactive = False) and write one self-contained HTML file.",
    )
    render.add_argument("notebook", help="a notebook: path, stem or name (see `spasm-teach params`)")
    render.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="a parameter value (repeatable); lists as text separated by commas")
    render.add_argument("-f", "--parameters-file", metavar="PARAMS.yaml", help="parameters as a YAML mapping (-p wins)")
    render.add_argument("--audience", help="student (questions only) or instructor (with the answers)")
    render.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the handout to write")
    render.set_defaults(handler=_render)

    handouts = sub.add_parser(
        "handouts",
        help="build the whole class set of handouts, in parallel, with an index",
        description="Every notebook in a student and an instructor version, the case study once per case "
        "(both versions), optionally one virtual patient per student with an answer key, and index.html.",
    )
    handouts.add_argument("-o", "--output", default="build/handouts", metavar="DIR", help="default: build/handouts")
    handouts.add_argument("--cases", metavar="FILE", help="a CSV of extra cases (the columns of data/cases.csv)")
    handouts.add_argument("--notebooks", metavar="DIR",
                          help="build from the notebooks in DIR, e.g. a workspace made by `spasm-teach start` "
                          "(default: the package's notebooks)")
    handouts.add_argument("--jobs", type=_positive, metavar="N", help="handouts built at once (default: the cores)")
    handouts.add_argument("--students", type=_count, default=0, metavar="N",
                          help="also one case-study handout per student, each a different virtual patient")
    handouts.add_argument("--seed", type=_count, default=0, metavar="S",
                          help="class seed for --students (the same seed gives the same set; default 0)")
    handouts.set_defaults(handler=_handouts)

    start = sub.add_parser("start", help="copy the notebooks into a folder, ready to open in JupyterLab")
    start.add_argument("folder", metavar="DIR", help="the workspace folder (created if missing)")
    start.add_argument("--force", action="store_true", help="replace notebooks already in DIR, keeping a copy NAME.bak-N of each that differs")
    start.set_defaults(handler=_start)

    lite = sub.add_parser(
        "lite",
        help="build a JupyterLite site: the notebooks running in the browser, no server, no install",
        description="A static folder with JupyterLab, a Python kernel (Pyodide) and the notebooks, to serve "
        "from any web host. By default the kernel loads Pyodide from its usual online location; with "
        "--pyodide DIR a local Pyodide distribution (make lite-offline fetches one) is copied in and the "
        "site needs no network at all.",
    )
    lite.add_argument("-o", "--output", required=True, metavar="SITE", help="the site folder to create (must not exist)")
    lite.add_argument("--pyodide", metavar="DIR|URL",
                      help="a local Pyodide distribution folder to copy in, or the URL of a hosted one")
    lite.add_argument("--audience", choices=("student", "instructor"), default="student",
                      help="instructor: the notebooks show the answers (default: student)")
    lite.add_argument("--notebooks", metavar="DIR", help="the notebooks to put in the site (default: the package's)")
    lite.add_argument("--cache", metavar="DIR",
                      help="where downloaded wheels are kept between builds (default: ~/.cache/spasm-teach)")
    lite.set_defaults(handler=_lite)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from spasm_lib.facts import DataError
    from spasm_lib.params import ParameterError
    from spasm_lib.render import ParametersFileError
    from spasm_lib.workspace import WorkspaceError

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, DataError, ParameterError, ParametersFileError, WorkspaceError) as exc:
        print(f"spasm-teach {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
