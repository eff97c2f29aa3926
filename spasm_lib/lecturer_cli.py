"""The lecturer's subcommands of `spasm-teach`: ``quiz-export`` and ``collect``.

Kept apart from :mod:`spasm_lib.cli` (which owns the error boundary and the other commands) so the
two can change independently; :func:`add_commands` is the one line ``cli.build_parser`` calls. The
handlers follow the same rules as every command: inputs checked at the door (exit 2, nothing
written), one atomic write per file, one line per problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from spasm_lib import inputs

EXIT_REFUSED_FILES = 3
"""``collect``: the report was written, but one or more input files were refused (listed in the
report and on stderr). Distinct from 1 (a failed run) and 2 (bad arguments, nothing written)."""


def _usage(message: str) -> Exception:
    from spasm_lib.cli import UsageError

    return UsageError(message)


def _output_file(text: str, option: str = "-o") -> Path:
    """The file to write: new or regular, never a folder, device or link, never a table it is made from."""
    from spasm_lib.facts import default_data_dir
    from spasm_lib.outputs import OutputError, check_output

    tables = [default_data_dir() / f"{name}.csv" for name in
              ("quiz_questions", "quiz_options", "learning_objectives", "references")]
    try:
        path = inputs.path_text(text, option)
        inputs.writable_folder(path.absolute().parent, option)
        return check_output(path, tables, option=option)
    except (inputs.InputError, OutputError) as exc:
        raise _usage(str(exc)) from None


def _quiz_export(args: argparse.Namespace) -> int:
    from spasm_lib.facts import load_facts
    from spasm_lib.files import write_bytes_atomically
    from spasm_lib.quiz_export import export, items

    output = _output_file(args.output)
    facts = load_facts()
    output.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(output, export(facts, args.format))
    print(f"wrote {len(items(facts))} questions to {output} ({args.format})")
    return 0


def _collect(args: argparse.Namespace) -> int:
    from spasm_lib import collect

    try:
        output = inputs.path_text(args.output, "-o")
        inputs.writable_folder(output.absolute(), "-o")
        sources = [inputs.path_text(p, "PATH") for p in args.paths]
    except inputs.InputError as exc:
        raise _usage(str(exc)) from None
    for source in sources:
        if not os.path.lexists(source):
            raise _usage(f"PATH {inputs.shown(str(source))}: no such file or folder; expected a folder, "
                         "a .zip or a trace file (.jsonl)")
    if (args.class_seed is None) != (args.students is None):
        raise _usage("--class-seed and --students go together: the class set is the handouts' "
                     "`--students N --seed S`")
    try:
        report = collect.collect(sources, output, class_seed=args.class_seed, students=args.students, mix=args.mix)
    except collect.CollectError as exc:
        raise _usage(str(exc)) from None
    for line in report.refused_lines():
        print(line, file=sys.stderr)
    print(report.summary())
    return EXIT_REFUSED_FILES if report.refused else 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``quiz-export`` and ``collect`` on the `spasm-teach` parser."""
    from spasm_lib.cli import count_argument, seed_argument
    from spasm_lib.quiz_export import FORMATS

    export = sub.add_parser(
        "quiz-export",
        help="write every quiz question as an item bank for Moodle (GIFT, Moodle XML) or Canvas (QTI 1.2 zip)",
        description="Every question of the notebooks' self-check quizzes, with its options, the feedback of "
        "each option, the right answer, its learning objectives (as tags or QTI objectives) and its source "
        "in the general feedback. gift and moodle-xml: import in Moodle's question bank (Import, then the "
        "format); qti: a .zip for Canvas's 'QTI .zip file' course import.",
    )
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the file to write (e.g. bank.gift.txt, bank.xml, bank.zip)")
    export.set_defaults(handler=_quiz_export)

    collect = sub.add_parser(
        "collect",
        help="collect a class's trace files into a gradebook, feedback pages and a class debrief",
        description="Read the students' trace files (folders, zips as an LMS hands them over, or single "
        ".jsonl files), check each statement, and write into REPORT_DIR: gradebook.csv, "
        "students/<id>.html, class.html and statements.jsonl. A refused file is one line on stderr and "
        f"in the report; the rest is still collected. Exit codes: 0 all collected, {EXIT_REFUSED_FILES} "
        "collected with files refused, 2 bad arguments (nothing written), 1 a failed run.",
    )
    collect.add_argument("paths", nargs="+", metavar="PATH", help="a folder, a .zip or a trace file (.jsonl)")
    collect.add_argument("-o", "--output", required=True, metavar="REPORT_DIR", help="the report folder")
    collect.add_argument("--class-seed", type=seed_argument, default=None, metavar="S",
                         help="the class seed of the handouts: patient ids must match it")
    collect.add_argument("--students", type=count_argument(inputs.MAX_STUDENTS, 1), default=None, metavar="N",
                         help="how many students the class has (with --class-seed)")
    inputs.mix_argument(collect)  # the handouts' --mix: with --class-seed and --students, the class set
    collect.set_defaults(handler=_collect)
