"""`spasm-teach`: the command line for instructors. Every subcommand's arguments (:func:`build_parser`;
what each does is :mod:`spasm_lib.commands`) and the one boundary for errors (:func:`main`).

Whatever goes wrong becomes one line on stderr, ``spasm-teach COMMAND: what is wrong; what is
allowed``, and an exit code: 0 done; 2 bad input (refused before any kernel starts and before
anything is written); 1 a run that failed (a notebook cell, a kernel, a full disk), or a bug in
spasm-teach, whose line says so; 130 interrupted (Ctrl-C), 143 stopped (SIGTERM), 129 hung up;
141, silently, when the reader of the output went away (``spasm-teach facts cases | head``).

A traceback is shown only when asked: ``--debug`` (before or after the command) or
``SPASM_TEACH_DEBUG=1``. Everything a command prints passes through
:func:`spasm_lib.inputs.terminal_text`: text from a data or cases file is data, so its escape
sequences never reach the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from spasm_lib import __version__, commands, inputs
from spasm_lib.handout_limits import RenderError
from spasm_lib.paper import DEFAULT_PAPER_ANSWERS, PAPER_ANSWERS
from spasm_lib.tables import table_name
from spasm_lib.vocabulary import AUDIENCES

DEBUG_ENV = "SPASM_TEACH_DEBUG"
EXIT_FAILED, EXIT_BAD_INPUT, EXIT_BROKEN_PIPE = 1, 2, 128 + signal.SIGPIPE
MAX_LINE = 1200
"""The longest error line: values inside are already shortened; this bounds the rest."""
MAX_WIDTH = 10_000
MAX_SECONDS = 86_400
"""``--cell-timeout`` and ``--handout-timeout``: at most a day."""


# --------------------------------------------------------------------------- the arguments


def argument(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """A check that raises ``ValueError`` (an :mod:`spasm_lib.inputs` check, a lookup) as an argparse
    ``type``: its one-line message, never argparse's ``invalid int value: '...'`` with the value whole."""

    def parse(text: str) -> Any:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def whole(low: int, high: int) -> Callable[[str], int]:
    """``--students N``, ``--jobs N``, ``--count N``, ``--width N``: a whole number from ``low`` to ``high``."""
    return argument(lambda text: inputs.whole_number(text, low, high))


class _Parser(argparse.ArgumentParser):
    """argparse with a usage error as one line (argparse prints the whole usage, then the error)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {_one_line(message)}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    from spasm_lib.class_mix import DEFAULT_MIX, MIX_HELP, MIXES

    # parent parsers: options shared by several subcommands, declared once
    debug, mix, limits = (argparse.ArgumentParser(add_help=False) for _ in range(3))
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help=f"show the traceback of an error (also: {DEBUG_ENV}=1)")
    told = "; ".join(f"{name}{' (the default)' if name == DEFAULT_MIX else ''}: {MIX_HELP[name]}" for name in MIXES)
    mix.add_argument("--mix", choices=MIXES, default=DEFAULT_MIX, help=f"how the students' patients are chosen: {told}")
    limits.add_argument("--cell-timeout", type=whole(1, MAX_SECONDS), default=inputs.CELL_SECONDS, metavar="SECONDS",
                        help="the longest one cell may run before its handout fails (default %(default)s)")
    limits.add_argument("--handout-timeout", type=whole(1, MAX_SECONDS), default=inputs.HANDOUT_SECONDS,
                        metavar="SECONDS", help="the longest one handout may run before it fails (default %(default)s)")
    seed = argument(inputs.seed)
    seeds = f"{inputs.SEED_MIN} to {inputs.SEED_MAX}"
    parser = _Parser(
        prog="spasm-teach", parents=[debug],
        description="Teaching notebooks and offline handouts about back spasms (educational, not medical advice).",
        epilog="Exit codes: 0 done, 2 bad input (nothing run, nothing written), 1 a failed run, "
        "130/143 interrupted. Errors are one line; --debug shows the traceback.",
    )
    parser.add_argument("--version", action="version", version=f"spasm-teach {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, func: Callable[[argparse.Namespace], int], help: str, *shared: argparse.ArgumentParser,
                description: str | None = None) -> argparse.ArgumentParser:
        added = sub.add_parser(name, help=help, description=description, parents=[debug, *shared])
        added.set_defaults(func=func)
        return added

    facts = command("facts", commands.facts, "print one table of the teaching data")
    facts.add_argument("table", type=argument(table_name), help="a table name, e.g. risk-factors, cases, evidence-checks")
    facts.add_argument("--columns", nargs="+", metavar="COLUMN", help="only these columns")
    facts.add_argument("--format", choices=("table", "csv"), default="table")
    facts.add_argument("--width", type=whole(1, MAX_WIDTH), default=60,
                       help=f"longest text shown per cell (table format): 1 to {MAX_WIDTH}")

    params = command("params", commands.params, "list a notebook's parameters: type, default, allowed values")
    params.add_argument("notebook", help="a notebook: path, stem (02_exam_simulator) or name (02-exam-simulator)")

    render = command(
        "render", commands.render, "run one notebook with parameters and write an offline HTML handout", limits,
        description="Validate the parameters, run the notebook with papermill (in its folder, with this "
        "environment's python3 kernel, interactive = False) and write one self-contained HTML file.")
    render.add_argument("notebook", help="a notebook: path, stem or name (see `spasm-teach params`)")
    render.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                        help="a parameter value (repeatable); lists as text separated by commas")
    render.add_argument("-f", "--parameters-file", metavar="PARAMS.yaml", help="parameters as a YAML mapping (-p wins)")
    render.add_argument("--audience", help="student (questions only) or instructor (with the answers)")
    render.add_argument("-o", "--output", required=True, metavar="OUT.html", help="the handout to write")

    handouts = command(
        "handouts", commands.handouts,
        "build the whole class set of handouts, in parallel: students/ to publish, instructor/ to keep",
        limits, mix,
        description="Every notebook in a student and an instructor version, the case study once per case "
        "(both versions), optionally one virtual patient per student with an answer key. DIR/students/ holds "
        "everything a student may see (the student handouts and their index.html) and can be published as it "
        "is: nothing in it links outside it or shows the answer key. DIR/instructor/ holds the instructor "
        "versions, answer-key.html and an index.html linking both versions. DIR/index.html points to the two.")
    handouts.add_argument("-o", "--output", default="build/handouts", metavar="DIR", help="default: build/handouts")
    handouts.add_argument("--cases", metavar="FILE", help="a CSV of extra cases (the columns of data/cases.csv)")
    handouts.add_argument("--notebooks", metavar="DIR",
                          help="build from the notebooks in DIR, e.g. a workspace made by `spasm-teach start` "
                          "(default: the package's notebooks)")
    handouts.add_argument("--jobs", type=whole(1, inputs.MAX_JOBS), metavar="N",
                          help=f"handouts built at once: 1 to {inputs.MAX_JOBS} (default, and at most: the cores)")
    handouts.add_argument("--students", type=whole(0, inputs.MAX_STUDENTS), default=0, metavar="N",
                          help="also one case-study handout per student, each a different virtual patient "
                          f"(0 to {inputs.MAX_STUDENTS})")
    handouts.add_argument("--seed", type=seed, default=0, metavar="S",
                          help=f"class seed for --students, {seeds} (the same seed gives the same set; default 0)")
    handouts.add_argument("--paper-answers", choices=PAPER_ANSWERS, default=DEFAULT_PAPER_ANSWERS,
                          help="where printed student handouts show the self-check answers: end (the default): "
                          "at the end of each handout, on paper only; separate: on their own page, "
                          "students/self-check-answers.html, linked from both indexes")

    patients = command(
        "patients", commands.patients, "export a class's virtual patients with their answers (JSON or CSV)", mix,
        description="The same patients as `handouts --students N --seed S`, one record each: age, story, "
        "region, presentation, risk factors, red and yellow flags, findings, interpretation, triage and plan.")
    patients.add_argument("--count", type=whole(1, inputs.MAX_STUDENTS * 10), required=True, metavar="N",
                          help=f"how many patients: 1 to {inputs.MAX_STUDENTS * 10}")
    patients.add_argument("--seed", type=seed, default=0, metavar="S", help=f"class seed, {seeds} (default 0)")
    patients.add_argument("--format", choices=("json", "csv"), default="json")
    patients.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    start = command("start", commands.start, "copy the notebooks into a folder, ready to open in JupyterLab")
    start.add_argument("folder", metavar="DIR", help="the workspace folder (created if missing)")
    start.add_argument("--force", action="store_true", help="replace notebooks already in DIR, first keeping a "
                       "copy NAME.ipynb.bak-N (N = 1, 2, ...) of each that differs")

    lite = command(
        "lite", commands.lite, "build a JupyterLite site: the notebooks running in the browser, no server, no install",
        description="A static folder with JupyterLab, a Python kernel (Pyodide) and the notebooks, to serve "
        "from any web host. By default the kernel loads Pyodide from its usual online location; with "
        "--pyodide DIR a local Pyodide distribution (make lite-offline fetches one) is copied in and the "
        "site needs no network at all.")
    lite.add_argument("-o", "--output", required=True, metavar="SITE", help="the site folder to create (must not exist)")
    lite.add_argument("--pyodide", metavar="DIR|URL",
                      help="a local Pyodide distribution folder to copy in, or the URL of a hosted one")
    lite.add_argument("--audience", choices=AUDIENCES, default="student",
                      help="instructor: the notebooks show the answers (default: student)")
    lite.add_argument("--notebooks", metavar="DIR", help="the notebooks to put in the site (default: the package's)")
    lite.add_argument("--cache", metavar="DIR",
                      help="where downloaded wheels are kept between builds (default: ~/.cache/spasm-teach)")

    from spasm_lib.quiz_export import FORMATS

    export = command(
        "quiz-export", commands.quiz_export,
        "write every quiz question as an item bank for Moodle (GIFT, Moodle XML) or Canvas (QTI 1.2 zip)",
        description="Every question of the notebooks' self-check quizzes, with its options, the feedback of "
        "each option, the right answer, its learning objectives (as tags or QTI objectives) and its source "
        "in the general feedback. gift and moodle-xml: import in Moodle's question bank (Import, then the "
        "format); qti: a .zip for Canvas's 'QTI .zip file' course import.")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the file to write (e.g. bank.gift.txt, bank.xml, bank.zip)")

    collect = command(
        "collect", commands.collect,
        "collect a class's trace files into a gradebook, feedback pages and a class debrief", mix,
        description="Read the students' trace files (folders, zips as an LMS hands them over, or single "
        ".jsonl files), check each statement, and write into REPORT_DIR: gradebook.csv, "
        "students/<id>.html, class.html and statements.jsonl. A refused file is one line on stderr and "
        f"in the report; the rest is still collected. Exit codes: 0 all collected, {commands.EXIT_REFUSED_FILES} "
        "collected with files refused, 2 bad arguments (nothing written), 1 a failed run.")
    collect.add_argument("paths", nargs="+", metavar="PATH", help="a folder, a .zip or a trace file (.jsonl)")
    collect.add_argument("-o", "--output", required=True, metavar="REPORT_DIR", help="the report folder")
    collect.add_argument("--class-seed", type=seed, metavar="S",
                         help="the class seed of the handouts: patient ids must match it")
    collect.add_argument("--students", type=whole(1, inputs.MAX_STUDENTS), metavar="N",
                         help="how many students the class has (with --class-seed)")
    return parser


# --------------------------------------------------------------------------- the one boundary

_BAD_PLACE_ERRNOS = frozenset(getattr(errno, name) for name in (  # a file or folder the user named: their input
    "EACCES", "EPERM", "EROFS", "EEXIST", "EISDIR", "ENOTDIR", "ENAMETOOLONG", "ENOENT", "ELOOP", "ENXIO",
    "ENODEV", "ETXTBSY", "ENOTEMPTY"))


def _one_line(text: str) -> str:
    """A message as one terminal-safe line of bounded length, long quoted values shortened."""
    line = inputs.shorten_quoted(inputs.terminal_text(text, one_line=True))
    if len(line) > MAX_LINE:  # a long word that no check shortened (argparse's unrecognized arguments)
        line = " ".join(w if len(w) <= 200 else inputs.shorten(w) for w in line.split(" "))
    return line if len(line) <= MAX_LINE else f"{line[: MAX_LINE // 2]} … {line[-MAX_LINE // 4:]}"


def _describe(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for an error that reached the boundary: bad input is an
    :class:`~spasm_lib.inputs.InputError` (every module's refusals subclass it)."""
    if isinstance(exc, inputs.InputError):
        problems = getattr(exc, "problems", ())  # facts.DataError: every problem of the teaching data
        more = len(problems) - 1
        if problems:
            return EXIT_BAD_INPUT, f"invalid teaching data: {problems[0]}" + (
                f" (and {more} more problem{'s' if more > 1 else ''}; --debug lists them all)" if more else "")
        return EXIT_BAD_INPUT, str(exc) or type(exc).__name__
    if isinstance(exc, RenderError):
        return EXIT_FAILED, str(exc) or type(exc).__name__
    if isinstance(exc, OSError):
        where = f"{inputs.shown(os.fsdecode(exc.filename))}: " if isinstance(exc.filename, (str, bytes)) else ""
        where += exc.strerror or type(exc).__name__
        if exc.errno in _BAD_PLACE_ERRNOS:
            return EXIT_BAD_INPUT, f"{where}; expected a file or folder that can be read or written"
        return EXIT_FAILED, f"{where}; the run stopped and wrote no partial file"
    if isinstance(exc, MemoryError):
        return EXIT_FAILED, "ran out of memory; the run stopped and wrote no partial file"
    detail = f": {inputs.shorten(str(exc), 200)}" if str(exc) else ""
    return EXIT_FAILED, (f"internal error ({type(exc).__name__}{detail}). This is a bug in spasm-teach {__version__}: "
                         "please report it with the command you ran and the output of the same command with --debug")


class _TerminalSafe:
    """A text stream whose every write goes through :func:`spasm_lib.inputs.terminal_text`, installed as
    ``sys.stdout`` and ``sys.stderr`` for one command, so no print (a case title, a failed cell's
    message) sends an escape sequence to the terminal. A character the encoding lacks is written as
    ``\\u2014`` rather than failing the run; carriage returns are kept on a terminal only (a progress bar)."""

    def __init__(self, stream: Any):
        self._stream = stream
        self._keep_cr = bool(getattr(stream, "isatty", lambda: False)())
        self._encoding = getattr(stream, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        clean = inputs.terminal_text(text, keep_carriage_return=self._keep_cr)
        clean = clean.encode(self._encoding, "backslashreplace").decode(self._encoding)
        for start in range(0, len(clean), 1 << 16):  # in pieces: a reader that went away is noticed
            self._stream.write(clean[start:start + (1 << 16)])  # (one huge write can end "written" early)
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _stdout_closed() -> bool:
    """Whether standard output is closed (``>&-``): refused before any work, not found after a build."""
    try:
        os.fstat(sys.stdout.fileno())
    except (AttributeError, ValueError):  # None; or a stream without a descriptor (a test's capture)
        return sys.stdout is None
    except OSError:
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code. The only place an error becomes a message."""
    if _stdout_closed():
        print("spasm-teach: standard output is closed; run the command with its output going somewhere "
              "(a terminal, a file or a pipe; use > /dev/null to discard it)", file=sys.stderr)
        return EXIT_BAD_INPUT
    with contextlib.redirect_stdout(_TerminalSafe(sys.stdout)), contextlib.redirect_stderr(_TerminalSafe(sys.stderr)):
        args = build_parser().parse_args(argv)  # a usage error: one line, exit 2 (SystemExit)
        from spasm_lib.stops import Interrupted, StopSignals

        def say(message: str) -> None:
            print(f"spasm-teach {args.command}: {_one_line(message)}", file=sys.stderr, flush=True)

        try:
            with StopSignals():  # Ctrl-C, SIGTERM, SIGHUP: raised here, so cleanup runs
                code = args.func(args)
                sys.stdout.flush()  # a reader that went away is found here, not at exit
                return code
        except (Interrupted, KeyboardInterrupt) as stop:  # KeyboardInterrupt: a Ctrl-C outside the handler's time
            signum = getattr(stop, "signum", signal.SIGINT)
            say(f"interrupted ({signal.Signals(signum).name}); no partial file was left")
            return 128 + signum
        except BrokenPipeError:  # the reader went away: whatever is left of stdout goes nowhere, silently
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.__stdout__.fileno())
            return EXIT_BROKEN_PIPE
        except Exception as exc:  # noqa: BLE001 - the one boundary: every error becomes one line
            code, message = _describe(exc)
            if getattr(args, "debug", False) or os.environ.get(DEBUG_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
                import traceback

                traceback.print_exception(exc, file=sys.stderr)
            say(message)
            return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
