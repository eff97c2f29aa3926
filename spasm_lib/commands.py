"""What each subcommand of `spasm-teach` does (:mod:`spasm_lib.cli` declares their arguments).

A handler checks the inputs its arguments cannot check alone (paths, files, notebooks: with
:mod:`spasm_lib.inputs`, before any kernel starts or anything is written), calls the library and
prints. It catches an error only to word it its own way; every other error reaches the one boundary
(:func:`spasm_lib.cli.main`). Heavy modules are imported inside the handlers, so ``--help`` is fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from spasm_lib import inputs
from spasm_lib.inputs import InputError

EXIT_REFUSED_FILES = 3
"""``collect``: the report was written, but one or more input files were refused (listed in the
report and on stderr). Distinct from 1 (a failed run) and 2 (bad arguments, nothing written)."""


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema (through nbformat) from importing ``rfc3987_syntax``, which builds a grammar at
    import: 1.3 s of every `render` and `handouts` run, for a string format no notebook field uses.
    A ``None`` in ``sys.modules`` makes that optional import fail; only this process is affected."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the teaching data


def facts(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts

    frame = load_facts().frame(args.table)
    unknown = [c for c in args.columns or () if c not in frame.columns]
    if unknown:
        raise InputError(f"unknown column {', '.join(inputs.shown(c, 60) for c in unknown)} for {args.table}; "
                         f"expected: {', '.join(frame.columns)}")
    frame = frame[args.columns] if args.columns else frame
    if args.format == "csv":
        from spasm_lib.files import spreadsheet_cell

        sys.stdout.write(frame.map(spreadsheet_cell).to_csv(index=False))
    else:
        import pandas

        with pandas.option_context("display.max_colwidth", args.width, "display.width", 200):
            print(frame.to_string(index=False))
    return 0


def params(args: argparse.Namespace) -> int:
    import shutil

    from spasm_lib.facts import load_facts
    from spasm_lib.params import KINDS, notebook_key, parameters

    key = notebook_key(args.notebook)
    facts = load_facts()
    rows = [("NAME", "TYPE", "DEFAULT", "ALLOWED VALUES", "HELP")]
    for p in parameters(key):
        allowed = p.allowed_values(facts)
        shown = KINDS[p.kind][1] if allowed is None else ", ".join("''" if a == "" else a for a in allowed)
        default = (", ".join(p.default) or "(none)") if isinstance(p.default, list) else str(p.default) or "''"
        rows.append((p.name, p.kind, default, shown, p.help))
    print(f"Parameters of {key} (set them with -p NAME VALUE or -f PARAMS.yaml):")
    print(_table(rows, max(80, shutil.get_terminal_size((100, 24)).columns)))
    return 0


def _table(rows: list[tuple[str, ...]], width: int) -> str:
    """Columns side by side; the last two (allowed values, help) wrap to share what is left of ``width``."""
    import itertools
    import textwrap

    fixed = [min(max(len(r[i]) for r in rows), 24) for i in range(3)]
    room = max(40, width - sum(fixed) - 2 * 4)
    longest = max(len(word) for r in rows for word in r[3].split())
    first = min(max(room * 2 // 5, longest + 1), room - 20)
    widths = [*fixed, first, room - first]
    lines = []
    for row in rows:
        cells = [textwrap.wrap(text, w, break_on_hyphens=False, break_long_words=False) for text, w in zip(row, widths)]
        lines += ["  ".join(part.ljust(w) for part, w in zip(parts, widths)).rstrip()
                  for parts in itertools.zip_longest(*cells, fillvalue="")]
    return "\n".join(lines)


def patients(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts
    from spasm_lib.files import write_atomically
    from spasm_lib.patients import export
    from spasm_lib.outputs import check_output

    output = check_output(args.output) if args.output else None  # checked, and its folders made, before any work
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
    text = export(load_facts(), args.count, args.seed, args.format, args.mix)
    if output:
        write_atomically(output, text)
        print(f"wrote {args.count} patients to {output}")
    else:
        sys.stdout.write(text)
    return 0


def quiz_export(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts
    from spasm_lib.files import write_bytes_atomically
    from spasm_lib.quiz_export import export, items
    from spasm_lib.outputs import check_output

    output = check_output(args.output)
    facts = load_facts()
    output.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(output, export(facts, args.format))
    print(f"wrote {len(items(facts))} questions to {output} ({args.format})")
    return 0


def collect(args: argparse.Namespace) -> int:
    from spasm_lib import collect as traces

    output = inputs.writable_folder(args.output, "-o")
    sources = [inputs.path_text(p, "PATH") for p in args.paths]
    for source in sources:
        if not os.path.lexists(source):
            raise InputError(f"PATH {inputs.shown(str(source))}: no such file or folder; expected a folder, "
                             "a .zip or a trace file (.jsonl)")
    report = traces.collect(sources, output, class_seed=args.class_seed, students=args.students, mix=args.mix)
    for line in report.refused_lines():
        print(line, file=sys.stderr)
    print(report.summary())
    return EXIT_REFUSED_FILES if report.refused else 0


# --------------------------------------------------------------------------- handouts, workspaces, sites


def _limits(args: argparse.Namespace) -> Any:
    from spasm_lib.handout_limits import Limits

    return Limits(cell_seconds=args.cell_timeout, handout_seconds=args.handout_timeout)


def render(args: argparse.Namespace) -> int:
    _skip_slow_optional_imports()
    import tempfile

    from spasm_lib import render as run
    from spasm_lib.handout_limits import RenderError
    from spasm_lib.kernels import HandoutKernel, close_template
    from spasm_lib.outputs import WriteFailed, check_output
    from spasm_lib.handout_pool import BUILD_FOLDER_PREFIX, remove_stale_build_folders
    from spasm_lib.params import read_parameters_file
    from spasm_lib.stops import StopSignals

    given = inputs.path_text(args.notebook, "notebook")
    # A file given by path is read (bounded, checked) before it is looked up: a folder, a FIFO or a file
    # that is not a notebook is refused as what it is. A name such as 04_case_study is the package's,
    # whatever file of that name the current folder holds.
    source = inputs.read_notebook(given) if run.is_path(given) and os.path.lexists(given) else None
    path = run.resolve_notebook(given)
    source = inputs.read_notebook(path) if source is None else source
    values = read_parameters_file(args.parameters_file) if args.parameters_file else {}
    values.update(run.parse_pairs(args.parameter))
    parameters = run.handout_parameters(path, values, args.audience)
    sources = [path, *([args.parameters_file] if args.parameters_file else []),
               *(value for name, value in parameters.items() if name.endswith("_file") and value)]
    output = check_output(args.output, sources)
    remove_stale_build_folders()  # the connection file (the kernel's key) goes in a folder of this run's
    with tempfile.TemporaryDirectory(prefix=f"{BUILD_FOLDER_PREFIX}{os.getpid()}-",
                                     ignore_cleanup_errors=True) as runtime:
        kernel = HandoutKernel(path.parent, runtime_dir=runtime, limits=_limits(args))
        try:
            with StopSignals(on_stop=kernel.kill), kernel:
                done = run.render(path, parameters, output, kernel=kernel, nb=source)
        except WriteFailed as exc:
            print(f"spasm-teach render: {exc}; no handout written", file=sys.stderr)
            return 1
        except RenderError as exc:
            kept = f"; {output} is as it was" if output.exists() else ""
            print(f"spasm-teach render: {path.name}: {exc}", file=sys.stderr)
            print(f"spasm-teach render: no handout written{kept}", file=sys.stderr)
            return 1
        finally:
            close_template()  # the kernel's template goes with it: the command leaves no process behind
    print(f"wrote {done.path} ({done.title}, {done.audience} version)")
    return 0


class _Progress:
    """What a build says as each handout finishes: one line each, or a tqdm bar on a terminal (made at
    the first finished handout: its monitor thread must not exist while the build forks its workers)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, job: Any, error: str | None, done: int, total: int) -> None:
        name = Path(job.output).name
        if not sys.stderr.isatty():
            print(f"[{done}/{total}] {name} {'ok' if error is None else f'FAILED: {error}'}", file=sys.stderr, flush=True)
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="handout", file=sys.stderr, desc="handouts")
        self.bar.update(1)
        if error is not None:
            self.bar.write(f"FAILED {name}: {error}", file=sys.stderr)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def handouts(args: argparse.Namespace) -> int:
    _skip_slow_optional_imports()
    from spasm_lib import handouts as sets
    from spasm_lib.handout_pool import BuildInterrupted, BuildWriteError

    if args.cases is not None:
        inputs.check_file(args.cases, "--cases", inputs.MAX_CASES_FILE_BYTES, "a CSV with the columns of data/cases.csv")
    inputs.writable_folder(args.output, "-o")
    notebooks = None
    if args.notebooks is not None:
        folder = inputs.path_text(args.notebooks, "--notebooks")
        notebooks = sets.discover(folder) if folder.is_dir() else []  # each read and checked by the build
        if not notebooks:
            raise InputError(f"--notebooks {folder}: no notebooks (*.ipynb) in that folder")
    try:
        with contextlib.closing(_Progress()) as progress:
            report = sets.build(args.output, notebooks=notebooks, cases_file=args.cases, students=args.students,
                                class_seed=args.seed, mix=args.mix, paper_answers=args.paper_answers, jobs=args.jobs,
                                progress=progress, limits=_limits(args))
    except BuildInterrupted as stop:
        total = f" of {stop.total}" if stop.total is not None else ""
        print(f"spasm-teach handouts: interrupted: {stop.written}{total} handouts written", file=sys.stderr)
        return stop.exit_code
    except BuildWriteError as exc:
        print(f"spasm-teach handouts: {exc.message}; {exc.written} of {exc.total} handouts written", file=sys.stderr)
        return 1
    except OSError as exc:  # the set folder cannot be made or written (a read-only folder)
        print(f"spasm-teach handouts: cannot write into {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    built, failed = sets.summary(report, args.output)
    print(*built, sep="\n")
    if failed:
        print(*failed, sep="\n", file=sys.stderr)
    return 0 if report.ok else 1


def start(args: argparse.Namespace) -> int:
    from spasm_lib.workspace import next_steps, start as copy_notebooks

    inputs.writable_folder(args.folder, "DIR")
    try:
        copied = copy_notebooks(args.folder, force=args.force)
    except OSError as exc:
        print(f"spasm-teach start: cannot write into {args.folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(*next_steps(copied), sep="\n")
    return 0


def lite(args: argparse.Namespace) -> int:
    from spasm_lib.lite import build_site
    from spasm_lib.lite_pyodide import LiteBuildFailed

    try:
        report = build_site(args.output, pyodide=args.pyodide, audience=args.audience, cache=args.cache,
                            notebooks=args.notebooks)
    except LiteBuildFailed as exc:  # its message ends with the failing tool's own output, kept over lines
        print(f"spasm-teach lite: {exc}", file=sys.stderr)
        return 1
    print(f"{report.output}: {len(report.notebooks)} notebooks, {report.size_bytes / 1e6:.1f} MB, "
          f"Pyodide from {report.pyodide}. Serve the folder with any static web server, e.g. "
          f"`python3 -m http.server -d {report.output}`, and open /lab/index.html.")
    return 0
