"""`spasm-teach`: the command line for instructors.

Each subcommand is a thin shell over library functions: it parses arguments, calls the library and
prints. Heavy modules are imported inside the handlers so that `--help` and `facts` start fast.

One boundary for errors (:func:`main`): whatever goes wrong becomes one line on stderr,
``spasm-teach COMMAND: what is wrong; what is allowed``, and an exit code:

* 0 done; 2 bad input (refused before any kernel starts and before anything is written);
* 1 a run that failed (a notebook cell, a kernel, a full disk), and also a bug in spasm-teach, whose
  line says so and how to report it;
* 130 interrupted (Ctrl-C), 143 stopped (SIGTERM), 129 hung up (SIGHUP); 141 when the reader of the
  output went away (``spasm-teach facts cases | head``), silently.

A traceback is shown only when asked: ``--debug`` (before or after the command) or the environment
variable ``SPASM_TEACH_DEBUG=1``. Everything the command prints passes through
:func:`spasm_lib.inputs.terminal_text`: text from a data or cases file is data, so its escape
sequences never reach the terminal. Inputs are checked at the door with :mod:`spasm_lib.inputs`
(one rule for seeds, counts, paths and file sizes, shared by every subcommand).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from spasm_lib.records import AUDIENCES
from spasm_lib import __version__, inputs
from spasm_lib.inputs import InputError
from spasm_lib.paper import DEFAULT_PAPER_ANSWERS, PAPER_ANSWERS

DEBUG_ENV = "SPASM_TEACH_DEBUG"
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
MAX_LINE = 1200
"""The longest error line: values inside are already shortened; this bounds the rest."""
MAX_WIDTH = 10_000
MAX_SECONDS = 86_400
"""``--cell-timeout`` and ``--handout-timeout``: at most a day."""


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


# --------------------------------------------------------------------------- checks at the door


def argument(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """An :mod:`spasm_lib.inputs` check as an argparse ``type``: its one-line message, never argparse's
    ``invalid int value: '...'`` with the whole value echoed."""

    def parse(text: str) -> Any:
        try:
            return check(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


seed_argument = argument(inputs.seed)
"""``--seed S``: 0 to 2^32 - 1 in plain digits (the package's one seed rule)."""


def count_argument(high: int, low: int = 0) -> Callable[[str], int]:
    """``--students N``, ``--jobs N``, ``--count N``: a whole number from ``low`` to ``high``."""
    return argument(lambda text: inputs.count(text, high, low))


def _checked_path(text: str, what: str) -> Path:
    try:
        return inputs.path_text(text, what)
    except InputError as exc:
        raise UsageError(str(exc)) from None


def _writable(folder: Path, what: str) -> None:
    try:
        inputs.writable_folder(folder.absolute(), what)
    except InputError as exc:
        raise UsageError(str(exc)) from None


def _notebook_argument(text: str) -> None:
    """A notebook named by a path: not too long, and not a folder, FIFO or device (a name such as
    ``04_case_study`` is looked up among the package's notebooks)."""
    path = _checked_path(text, "notebook")
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing: the lookup says what is allowed
    if not stat.S_ISREG(mode):
        raise UsageError(f"notebook {inputs.shown(text)}: is {inputs.kind_of(mode)}; "
                         "expected a notebook file (.ipynb) or a name such as 04_case_study")


def _notebook_at_door(path: Path) -> Any:
    """The notebook read once, bounded and validated, before any kernel: a 0-byte file, text that is
    not JSON or JSON that is not a notebook is one line here, not nbformat's error after a run."""
    try:
        return inputs.read_notebook(path, "notebook")
    except InputError as exc:
        raise UsageError(str(exc)) from None


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
                f"unknown column {', '.join(inputs.shown(c, 60) for c in unknown)} for {args.table}; "
                f"expected: {', '.join(frame.columns)}"
            )
        frame = frame[args.columns]
    if args.format == "csv":
        from spasm_lib.files import spreadsheet_cell

        sys.stdout.write(frame.map(spreadsheet_cell).to_csv(index=False))
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
    from spasm_lib import handout_limits, kernels, outputs, render
    from spasm_lib.params import check_cases_file, notebook_key, read_parameters_file
    from spasm_lib.stops import Interrupted, StopSignals

    _notebook_argument(args.notebook)
    _writable(_checked_path(args.output, "-o").absolute().parent, "-o")
    path = render.resolve_notebook(args.notebook)
    source = _notebook_at_door(path)
    values = read_parameters_file(args.parameters_file) if args.parameters_file else {}
    values.update(render.parse_pairs(args.parameter))
    check_cases_file(notebook_key(path), values.get("cases_file"))
    parameters = render.handout_parameters(path, values, args.audience)
    inputs = [path, *([args.parameters_file] if args.parameters_file else []),
              *(value for name, value in parameters.items() if name.endswith("_file") and value)]
    try:
        output = outputs.check_output(args.output, inputs)
    except outputs.OutputError as exc:
        raise UsageError(str(exc)) from None
    limits = _limits(args)
    kernel = kernels.HandoutKernel(path.parent, runtime_dir=_runtime_folder(), limits=limits)
    try:
        with StopSignals(on_stop=kernel.kill), kernel:
            done = render.render(path, parameters, output, kernel=kernel, nb=source)
    except Interrupted as stop:
        print("spasm-teach render: interrupted: 0 of 1 handouts written", file=sys.stderr)
        return stop.exit_code
    except outputs.WriteFailed as exc:
        print(f"spasm-teach render: {exc}; no handout written", file=sys.stderr)
        return 1
    except handout_limits.RenderError as exc:
        kept = f"; {output} is as it was" if output.exists() else ""
        print(f"spasm-teach render: {path.name}: {exc}", file=sys.stderr)
        print(f"spasm-teach render: no handout written{kept}", file=sys.stderr)
        return 1
    finally:
        _remove_runtime_folder(kernel.runtime_dir)
    print(f"wrote {done.path} ({done.title}, {done.audience} version)")
    return 0


def _limits(args: argparse.Namespace) -> Any:
    from spasm_lib.handout_limits import DEFAULT_LIMITS, Limits

    return Limits(cell_seconds=args.cell_timeout or DEFAULT_LIMITS.cell_seconds,
                  handout_seconds=args.handout_timeout or DEFAULT_LIMITS.handout_seconds)


def _runtime_folder() -> Path:
    """A private folder for one render's kernel connection file (it holds the kernel's key); see
    :data:`spasm_lib.handouts.BUILD_FOLDER_PREFIX`, whose rule (removed on every exit; a killed run's
    removed by the next) it shares."""
    import tempfile

    from spasm_lib.handouts import BUILD_FOLDER_PREFIX, _remove_stale_build_folders

    _remove_stale_build_folders()
    return Path(tempfile.mkdtemp(prefix=f"{BUILD_FOLDER_PREFIX}{os.getpid()}-"))


def _remove_runtime_folder(folder: Path | None) -> None:
    import shutil

    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cell-timeout", type=count_argument(MAX_SECONDS, 1), metavar="SECONDS",
                        help=f"the longest one cell may run before its handout fails (default {inputs.CELL_SECONDS})")
    parser.add_argument("--handout-timeout", type=count_argument(MAX_SECONDS, 1), metavar="SECONDS",
                        help=f"the longest one handout may run before it fails (default {inputs.HANDOUT_SECONDS})")


def _handouts(args: argparse.Namespace) -> int:
    _skip_slow_optional_imports()
    from spasm_lib import handouts

    if args.cases is not None:
        try:
            inputs.check_file(args.cases, "--cases", inputs.MAX_CASES_FILE_BYTES,
                              "a CSV with the columns of data/cases.csv")
        except InputError as exc:
            raise UsageError(str(exc)) from None
    _writable(_checked_path(args.output, "-o"), "-o")
    notebooks = None
    if args.notebooks is not None:
        folder = _checked_path(args.notebooks, "--notebooks")
        notebooks = handouts.discover(folder) if folder.is_dir() else []
        if not notebooks:
            raise UsageError(f"--notebooks {folder}: no notebooks (*.ipynb) in that folder")
        for notebook in notebooks:  # each one a readable, valid notebook before any kernel starts
            _notebook_argument(str(notebook))
            _notebook_at_door(Path(notebook))
    progress = _progress_bar() if sys.stderr.isatty() else _progress_lines
    try:
        report = handouts.build(
            args.output,
            notebooks=notebooks,
            cases_file=args.cases,
            students=args.students,
            class_seed=args.seed,
            mix=args.mix,
            paper_answers=args.paper_answers,
            jobs=args.jobs,
            progress=progress,
            limits=_limits(args),
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

    _writable(_checked_path(args.folder, "DIR"), "DIR")
    try:
        copied = start(args.folder, force=args.force)
    except OSError as exc:
        print(f"spasm-teach start: cannot write into {args.folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    for line in next_steps(copied):
        print(line)
    return 0


def _patients(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts
    from spasm_lib.patients import export

    output = None
    if args.output:
        from spasm_lib.files import write_atomically
        from spasm_lib.outputs import check_output

        output = check_output(_checked_path(args.output, "-o"))
        _writable(output.absolute().parent, "-o")
        try:  # the folders first, so that a path that cannot be made is refused before any work
            output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"-o {inputs.shown(str(output))}: its folder cannot be made "
                             f"({exc.strerror or type(exc).__name__}); expected a folder that can be written") from None
    text = export(load_facts(), args.count, args.seed, args.format, args.mix)
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, text)
        print(f"wrote {args.count} patients to {output}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with a usage error as one line (argparse prints the whole usage, then the error),
    and a ``--debug`` switch on every subcommand."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                          help=f"show the traceback of an error (also: {DEBUG_ENV}=1)")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {_one_line(message)}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="spasm-teach",
        description="Teaching notebooks and offline handouts about back spasms (educational, not medical advice).",
        epilog="Exit codes: 0 done, 2 bad input (nothing run, nothing written), 1 a failed run, "
        "130/143 interrupted. Errors are one line; --debug shows the traceback.",
    )
    parser.add_argument("--version", action="version", version=f"spasm-teach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    facts = sub.add_parser("facts", help="print one table of the teaching data")
    facts.add_argument("table", help="a table name, e.g. risk-factors, cases, evidence-checks")
    facts.add_argument("--columns", nargs="+", metavar="COLUMN", help="only these columns")
    facts.add_argument("--format", choices=("table", "csv"), default="table")
    facts.add_argument("--width", type=count_argument(MAX_WIDTH, 1), default=60,
                       help=f"longest text shown per cell (table format): 1 to {MAX_WIDTH}")
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
    _add_limits(render)
    render.set_defaults(handler=_render)

    handouts = sub.add_parser(
        "handouts",
        help="build the whole class set of handouts, in parallel, with two indexes",
        description="Every notebook in a student and an instructor version, the case study once per case "
        "(both versions), optionally one virtual patient per student with an answer key; index.html (student "
        "material only, to hand out) and instructor.html (everything, with the answer key).",
    )
    handouts.add_argument("-o", "--output", default="build/handouts", metavar="DIR", help="default: build/handouts")
    handouts.add_argument("--cases", metavar="FILE", help="a CSV of extra cases (the columns of data/cases.csv)")
    handouts.add_argument("--notebooks", metavar="DIR",
                          help="build from the notebooks in DIR, e.g. a workspace made by `spasm-teach start` "
                          "(default: the package's notebooks)")
    handouts.add_argument("--jobs", type=count_argument(inputs.MAX_JOBS, 1), metavar="N",
                          help=f"handouts built at once: 1 to {inputs.MAX_JOBS} (default, and at most: the cores)")
    handouts.add_argument("--students", type=count_argument(inputs.MAX_STUDENTS), default=0, metavar="N",
                          help="also one case-study handout per student, each a different virtual patient "
                          f"(0 to {inputs.MAX_STUDENTS})")
    handouts.add_argument("--seed", type=seed_argument, default=0, metavar="S",
                          help=f"class seed for --students, {inputs.SEED_MIN} to {inputs.SEED_MAX} "
                          "(the same seed gives the same set; default 0)")
    _add_limits(handouts)
    inputs.mix_argument(handouts)
    handouts.add_argument("--paper-answers", choices=PAPER_ANSWERS, default=DEFAULT_PAPER_ANSWERS,
                          help="where printed student handouts show the self-check answers: end (the default): "
                          "at the end of each handout, on paper only; separate: on their own page, "
                          "self-check-answers.html, linked from both indexes")
    handouts.set_defaults(handler=_handouts)

    patients = sub.add_parser(
        "patients",
        help="export a class's virtual patients with their answers (JSON or CSV)",
        description="The same patients as `handouts --students N --seed S`, one record each: age, story, "
        "region, presentation, risk factors, red and yellow flags, findings, interpretation, triage and plan.",
    )
    patients.add_argument("--count", type=count_argument(inputs.MAX_STUDENTS * 10, 1), required=True, metavar="N",
                          help=f"how many patients: 1 to {inputs.MAX_STUDENTS * 10}")
    patients.add_argument("--seed", type=seed_argument, default=0, metavar="S",
                          help=f"class seed, {inputs.SEED_MIN} to {inputs.SEED_MAX} (default 0)")
    inputs.mix_argument(patients)
    patients.add_argument("--format", choices=("json", "csv"), default="json")
    patients.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    patients.set_defaults(handler=_patients)

    start = sub.add_parser("start", help="copy the notebooks into a folder, ready to open in JupyterLab")
    start.add_argument("folder", metavar="DIR", help="the workspace folder (created if missing)")
    start.add_argument("--force", action="store_true", help="replace notebooks already in DIR, first keeping a copy NAME.ipynb.bak-N (N = 1, 2, ...) "
                       "of each that differs")
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
    lite.add_argument("--audience", choices=AUDIENCES, default="student",
                      help="instructor: the notebooks show the answers (default: student)")
    lite.add_argument("--notebooks", metavar="DIR", help="the notebooks to put in the site (default: the package's)")
    lite.add_argument("--cache", metavar="DIR",
                      help="where downloaded wheels are kept between builds (default: ~/.cache/spasm-teach)")
    lite.set_defaults(handler=_lite)

    from spasm_lib.lecturer_cli import add_commands  # quiz-export, collect (issue 21)

    add_commands(sub)
    return parser


# --------------------------------------------------------------------------- the one boundary

# Errors that mean "bad input" (exit 2), by module and class name: looked up only in modules already
# imported (an error of a class can only come from a module that was loaded), so the boundary itself
# imports nothing heavy and stays correct while the modules change.
BAD_INPUT_ERRORS = (
    ("spasm_lib.inputs", "InputError"),
    ("spasm_lib.facts", "DataError"),
    ("spasm_lib.params", "ParameterError"),
    ("spasm_lib.params", "ParametersFileError"),
    ("spasm_lib.outputs", "OutputError"),
    ("spasm_lib.workspace", "WorkspaceError"),
    ("nbformat.reader", "NotJSONError"),
    ("nbformat.reader", "NBFormatError"),
    ("nbformat.validator", "NotebookValidationError"),
)
FAILED_RUN_ERRORS = (("spasm_lib.handout_limits", "RenderError"),)
# A file or folder the user named that cannot be used: their input (2). Others (a full disk): a failed run (1).
_BAD_PLACE_ERRNOS = frozenset(
    getattr(__import__("errno"), name) for name in (
        "EACCES", "EPERM", "EROFS", "EEXIST", "EISDIR", "ENOTDIR", "ENAMETOOLONG", "ENOENT", "ELOOP",
        "ENXIO", "ENODEV", "ETXTBSY", "ENOTEMPTY",
    )
)


def _loaded_classes(names: Sequence[tuple[str, str]]) -> tuple[type, ...]:
    found = (getattr(sys.modules.get(module), name, None) for module, name in names)
    return tuple(c for c in found if isinstance(c, type) and issubclass(c, BaseException))


def _one_line(text: str) -> str:
    """A message as one terminal-safe line of bounded length, long quoted values shortened."""
    line = inputs.shorten_quoted(inputs.terminal_text(text, one_line=True))
    if len(line) > MAX_LINE:  # a long word that no check shortened (argparse's unrecognized arguments)
        line = " ".join(w if len(w) <= 200 else inputs.shorten(w) for w in line.split(" "))
    if len(line) > MAX_LINE:
        line = f"{line[: MAX_LINE // 2]} … {line[-MAX_LINE // 4:]}"
    return line


def _describe(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for an error that reached the boundary."""
    from spasm_lib.facts import DataError

    if isinstance(exc, DataError) and len(exc.problems) > 1:
        first = exc.problems[0]
        more = len(exc.problems) - 1
        return EXIT_BAD_INPUT, (f"invalid teaching data: {first} (and {more} more problem{'s' if more > 1 else ''}; "
                                "--debug lists them all)")
    if isinstance(exc, DataError) and exc.problems:
        return EXIT_BAD_INPUT, f"invalid teaching data: {exc.problems[0]}"
    if isinstance(exc, (UsageError, *_loaded_classes(BAD_INPUT_ERRORS))):
        return EXIT_BAD_INPUT, str(exc) or type(exc).__name__
    if isinstance(exc, _loaded_classes(FAILED_RUN_ERRORS)):
        return EXIT_FAILED, str(exc) or type(exc).__name__
    if isinstance(exc, OSError):
        where = f"{inputs.shown(os.fsdecode(exc.filename))}: " if isinstance(exc.filename, (str, bytes)) else ""
        reason = exc.strerror or type(exc).__name__
        if exc.errno in _BAD_PLACE_ERRNOS:
            return EXIT_BAD_INPUT, f"{where}{reason}; expected a file or folder that can be read or written"
        return EXIT_FAILED, f"{where}{reason}; the run stopped and wrote no partial file"
    if isinstance(exc, MemoryError):
        return EXIT_FAILED, "ran out of memory; the run stopped and wrote no partial file"
    detail = inputs.shorten(str(exc), 200) if str(exc) else ""
    return EXIT_FAILED, (
        f"internal error ({type(exc).__name__}{': ' + detail if detail else ''}). This is a bug in "
        f"spasm-teach {__version__}: please report it with the command you ran and the output of the same "
        f"command with --debug"
    )


def _debug_wanted(args: argparse.Namespace | None) -> bool:
    if getattr(args, "debug", False):
        return True
    return os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on")


_CHUNK = 64 * 1024


class _TerminalSafe:
    """A text stream whose every write goes through :func:`spasm_lib.inputs.terminal_text`.

    Installed as ``sys.stdout`` and ``sys.stderr`` for the length of one command, so no print of any
    subcommand (a case title, a failed cell's message, a progress line) can send an escape sequence
    to the instructor's terminal. A character the terminal's encoding lacks is written as ``\\u2014``
    rather than failing the run. Carriage returns are kept on a terminal (a progress bar redraws its
    line with them) and dropped elsewhere.
    """

    def __init__(self, stream: Any):
        self._stream = stream
        self._keep_cr = bool(getattr(stream, "isatty", lambda: False)())
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            self._encoding = codecs.lookup(encoding).name
        except LookupError:
            self._encoding = "utf-8"

    def write(self, text: str) -> int:
        clean = inputs.terminal_text(text, keep_carriage_return=self._keep_cr)
        try:
            clean.encode(self._encoding)
        except UnicodeEncodeError:
            clean = clean.encode(self._encoding, "backslashreplace").decode(self._encoding)
        for start in range(0, len(clean), _CHUNK):  # in pieces: a reader that went away is noticed
            self._stream.write(clean[start:start + _CHUNK])  # (one huge write can end "written" early)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _terminal_safe_streams() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(sys.stdout), _TerminalSafe(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _say(command: str | None, message: str) -> None:
    prefix = f"spasm-teach {command}" if command else "spasm-teach"
    print(f"{prefix}: {_one_line(message)}", file=sys.stderr, flush=True)


def _quiet_broken_pipe() -> None:
    """The reader went away: send whatever is left of stdout nowhere, so exiting prints nothing."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())


def _stdout_open() -> bool:
    """Whether there is a standard output to write to (``>&-`` closes it: refused before any work,
    not found out after a whole build)."""
    if sys.stdout is None:
        return False
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return True  # a stream without a descriptor (a test's capture): writable as it is
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code. The only place an error becomes a message."""
    if not _stdout_open():
        print("spasm-teach: standard output is closed; run the command with its output going somewhere "
              "(a terminal, a file or a pipe; use > /dev/null to discard it)", file=sys.stderr)
        return EXIT_BAD_INPUT
    with _terminal_safe_streams():
        args = build_parser().parse_args(argv)  # a usage error: one line, exit 2 (SystemExit)
        command = args.command
        from spasm_lib.stops import Interrupted, StopSignals

        try:
            with StopSignals():  # Ctrl-C, SIGTERM, SIGHUP: raised here, so cleanup runs
                code = args.handler(args)
                sys.stdout.flush()  # a reader that went away is found here, not at exit
                return code
        except Interrupted as stop:
            _say(command, f"interrupted ({signal.Signals(stop.signum).name}); no partial file was left")
            return stop.exit_code
        except KeyboardInterrupt:  # a Ctrl-C outside the handler's time
            _say(command, "interrupted (SIGINT); no partial file was left")
            return 128 + signal.SIGINT
        except BrokenPipeError:
            _quiet_broken_pipe()
            return EXIT_BROKEN_PIPE
        except Exception as exc:  # noqa: BLE001 - the one boundary: every error becomes one line
            code, message = _describe(exc)
            if _debug_wanted(args):
                import traceback

                traceback.print_exception(exc, file=sys.stderr)
            _say(command, message)
            return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
