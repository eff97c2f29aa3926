"""``make bench``: every figure the classroom depends on, measured against its floor or peer in one run.

Prints one table and writes ``build/bench.json`` (atomically): a list of rows, each
``{name, value, unit, reference, ratio, target, meets}``. ``reference`` is the floor or the peer,
measured in the same run; ``ratio`` is ``value / reference``; ``meets`` evaluates ``target``.
Targets come from the issues and are never moved: a missed row is reported, and docs/benchmarks.md
says why with the measured floor.

Row groups (``--only NAME``, repeatable): handouts, notebooks, nbval, imports, widgets, trace, simulator,
collect, lite.
``--quick`` takes fewer repetitions and smaller sizes (for the test; not for the record).
The handout-set rows come from :mod:`benchmarks.handouts` (``rows``, ``kernel_start_seconds``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "build" / "bench.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import handouts as handout_bench  # noqa: E402  (benchmarks/handouts.py, the handout-set benchmark)

from spasm_lib.facts import RANDOM_CASE  # noqa: E402

KEYS = ("name", "value", "unit", "reference", "ratio", "target", "meets")
_TARGET = re.compile(r"^\s*(<=|<)\s*([0-9.]+)\s*(x\b.*|[a-zA-Z%]+)?\s*$")


# --- rows ---------------------------------------------------------------------------------------


def meets(target: str, value: float, reference: float | None) -> bool | None:
    """Evaluate a target string: ``"<= 1.5x floor"`` (a ratio to the reference) or ``"< 10 ms"``
    (the value itself, in the row's unit); ``"report"`` has no target (None)."""
    found = _TARGET.match(target)
    if not found:
        return None
    op, bound, rest = found.group(1), float(found.group(2)), found.group(3) or ""
    measured = value / reference if rest.startswith("x") else value
    if rest.startswith("x") and not reference:
        return None
    return measured <= bound if op == "<=" else measured < bound


def row(name: str, value: float, unit: str, reference: float | None, target: str) -> dict[str, Any]:
    """One table row; ``meets`` is computed from ``target``, never passed in."""
    ratio = value / reference if reference else None
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "reference": None if reference is None else round(reference, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "meets": meets(target, value, reference),
    }


def write_rows(rows: list[dict[str, Any]], path: Path = OUT) -> None:
    """Write the rows as JSON, atomically (``spasm_lib.files``)."""
    from spasm_lib.files import write_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(rows, indent=2) + "\n")


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a fixed-width text table (also pasted into docs/benchmarks.md)."""
    def num(x: float | None) -> str:
        return "" if x is None else f"{x:.4g}"

    width = max(len(r["name"]) for r in rows)
    lines = [f"{'figure'.ljust(width)} | {'value':>10} {'unit':<5} | {'reference':>10} | {'ratio':>7} | "
             f"{'target':<18} | meets"]
    lines.append("-" * len(lines[0]))
    for r in rows:
        mark = {True: "yes", False: "NO", None: "-"}[r["meets"]]
        lines.append(f"{r['name'].ljust(width)} | {num(r['value']):>10} {r['unit']:<5} | {num(r['reference']):>10} | "
                     f"{num(r['ratio']):>7} | {r['target']:<18} | {mark}")
    return "\n".join(lines)


def _median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# --- 1. notebooks in a fresh kernel -------------------------------------------------------------


def _execute_seconds(nb: Any) -> float:
    from nbclient import NotebookClient

    started = time.perf_counter()
    client = NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # kernel start-up chatter
    return time.perf_counter() - started


def notebook_rows(quick: bool) -> list[dict[str, Any]]:
    """Each notebook (default parameters, kernel start included) against an empty notebook's run."""
    import nbformat

    repeat = 1 if quick else 2
    empty = nbformat.v4.new_notebook()
    empty.cells.append(nbformat.v4.new_code_cell(""))
    floor = statistics.median(_execute_seconds(nbformat.from_dict(empty)) for _ in range(repeat + 1))
    found = []
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))[: 1 if quick else None]
    for path in paths:
        seconds = statistics.median(_execute_seconds(nbformat.read(path, as_version=4)) for _ in range(repeat))
        found.append(row(f"notebook {path.stem}: fresh kernel vs empty notebook", seconds, "s", floor, "<= 1.5x floor"))
        found.append(row(f"notebook {path.stem}: fresh kernel, absolute", seconds, "s", floor, "< 3 s"))
    return found


# --- 2. nbval -----------------------------------------------------------------------------------


def _pytest_seconds(extra: list[str]) -> float:
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
            *extra, "notebooks/"]
    started = time.perf_counter()
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"nbval failed ({' '.join(args)}):\n{run.stdout[-3000:]}\n{run.stderr[-2000:]}")
    return seconds


def nbval_rows(quick: bool) -> list[dict[str, Any]]:
    """Strict nbval over all notebooks: serial (reference) and ``-n auto --dist loadfile``."""
    serial = _pytest_seconds([])
    parallel = _pytest_seconds(["-n", "auto", "--dist", "loadfile"])
    return [row("nbval all notebooks: -n auto --dist loadfile vs serial", parallel, "s", serial, "< 1x serial")]


# --- 3. imports ---------------------------------------------------------------------------------

_IMPORT_CHILD = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def import_seconds(module: str, repeat: int) -> float:
    """Median time of ``import module`` in a fresh interpreter, timed inside the child."""
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _IMPORT_CHILD.format(module=module)], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        times.append(float(out.strip().splitlines()[-1]))
    return statistics.median(times)


def import_rows(quick: bool) -> list[dict[str, Any]]:
    repeat = 2 if quick else 5
    pandas = import_seconds("pandas", repeat)
    return [row(f"import {m} vs import pandas (median of {repeat})", import_seconds(m, repeat), "s", pandas, "< 1x pandas")
            for m in ("spasm_lib", "spasm_lib.facts")]


# --- 4. widget callbacks ------------------------------------------------------------------------


def _params(notebook: str) -> SimpleNamespace:
    from spasm_lib.params import validate

    return SimpleNamespace(**validate(notebook, {}))


def _risk_explorer_actions(w: Any, rng: random.Random) -> Callable[[], None]:
    ids, sports = list(w.checkboxes), [v for _, v in w.sport.options]

    def act() -> None:
        if rng.random() < 0.2:
            w.sport.value = rng.choice([s for s in sports if s != w.sport.value])
        else:
            box = w.checkboxes[rng.choice(ids)]
            box.value = not box.value
    return act


def _risk_table_actions(w: Any, rng: random.Random) -> Callable[[], None]:
    words = ["", "disc", "muscle", "sport", "herniated", "posture", "core", "lift"]

    def act() -> None:
        control, values = rng.choice([(w.category, [v for _, v in w.category.options]),
                                      (w.region, [v for _, v in w.region.options]), (w.text, words)])
        control.value = rng.choice([v for v in values if v != control.value])
    return act


def _exam_actions(w: Any, rng: random.Random) -> Callable[[], None]:
    steps = list(w.step_buttons)
    cases = [v for _, v in w.picker.case.options]
    sites = [v for _, v in w.site.options]
    interpretations = [v for _, v in w.interpretation.options if v]
    levels = [v for _, v in w.confidence.options]

    def act() -> None:
        pick = rng.random()
        if pick < 0.6:
            if rng.random() < 0.3:
                w.site.value = rng.choice(sites)  # no callback of its own: part of the next step
            if rng.random() < 0.1:
                w.hypothesis.value = rng.choice(interpretations)
            w.step_buttons[rng.choice(steps)].click()
        elif pick < 0.8:
            w.interpretation.value = rng.choice(interpretations)
            w.confidence.value = rng.choice(levels)
            w.commit.click()
        elif pick < 0.95:
            w.picker.case.value = rng.choice([c for c in cases if c != w.picker.case.value])
        else:
            w.restart.click()
    return act


def _pathway_actions(w: Any, rng: random.Random) -> Callable[[], None]:
    cases = [v for _, v in w.picker.case.options if v != RANDOM_CASE]

    def act() -> None:
        pick = rng.random()
        if pick < 0.8 and not w.show_next.disabled:
            w.prediction.value = rng.choice([v for _, v in w.prediction.options])
            w.show_next.click()
        elif pick < 0.9 and not w.review.disabled:
            w.review.value = rng.choice([True, False])
        elif pick < 0.95:
            w.restart.click()
        else:
            w.picker.case.value = rng.choice([c for c in cases if c != w.picker.case.value])
    return act


def _quiz_actions(w: Any, rng: random.Random) -> Callable[[], None]:
    def act() -> None:
        radio = w.radios[rng.choice(list(w.radios))]
        radio.value = rng.choice([v for _, v in radio.options if v != radio.value])
    return act


def _widgets() -> list[tuple[str, Callable[[], Any], Callable[[Any, random.Random], Callable[[], None]], Callable[[], None]]]:
    """(label, build, actions, prepare): ``prepare`` runs before the first pass (clears caches)."""
    from spasm_lib.widgets.exam import exam_simulator
    from spasm_lib.widgets.pathway import treatment_pathway_walkthrough
    from spasm_lib.widgets.quiz import check_yourself
    from spasm_lib.views.risk_factors import count_figure
    from spasm_lib.widgets.risk_factors import risk_factor_explorer, risk_factor_table_explorer

    def nothing() -> None:
        return None

    return [
        ("risk-factor table (filters, search)", lambda: risk_factor_table_explorer(_params("01_risk_factors")),
         _risk_table_actions, nothing),
        ("exam simulator (steps, site, commit, patient)", lambda: exam_simulator(_params("02_exam_simulator")),
         _exam_actions, nothing),
        ("pathway walk (predict and show next, review answer, start again, patient)",
         lambda: treatment_pathway_walkthrough(_params("03_treatment_pathway")), _pathway_actions, nothing),
        ("check-yourself quiz (radio answers), notebook 01",
         lambda: check_yourself("01_risk_factors", _params("01_risk_factors")), _quiz_actions, nothing),
        # Every change draws its SVG chart in the callback (no background thread); its LRU cache is
        # emptied first, so the first pass draws every chart it has not drawn in this pass.
        ("risk-factor explorer (checkboxes, sport; chart drawn in the callback)",
         lambda: risk_factor_explorer(_params("01_risk_factors")), _risk_explorer_actions, count_figure.cache_clear),
    ]


def _callback_times(make: Callable[[], Any], actions: Callable[[Any, random.Random], Callable[[], None]],
                    changes: int, seed: int) -> list[float]:
    widget = make()
    act = actions(widget, random.Random(seed))
    times = []
    for _ in range(changes):
        started = time.perf_counter()
        act()
        times.append(time.perf_counter() - started)
    return times


def _floor_callback_ms(changes: int) -> float:
    """The widget framework's own floor: a checkbox change that sets an HTML widget's value."""
    import ipywidgets as W

    box, view = W.Checkbox(value=False, description="floor"), W.HTML()
    box.observe(lambda change: setattr(view, "value", f"<p>{change['new']}</p>"), names="value")
    times = []
    for _ in range(changes):
        started = time.perf_counter()
        box.value = not box.value
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def widget_rows(quick: bool) -> list[dict[str, Any]]:
    """p95 (and median, in the name) per widget over a seeded sequence of state changes, back to back.

    First pass: caches as a fresh kernel leaves them (after building the widget). Warm pass: a new
    widget replays the same sequence, so every figure drawn in the first pass is a cache hit.
    """
    changes = 40 if quick else 300
    floor = _floor_callback_ms(changes)
    found = []
    for seed, (label, make, actions, prepare) in enumerate(_widgets()):
        prepare()
        for pass_name in ("first pass", "warm cache"):
            median, p95 = (x * 1000 for x in _median_p95(_callback_times(make, actions, changes, seed)))
            found.append(row(f"widget {label}, {pass_name}: p95 of {changes} changes (median {median:.2f} ms)",
                             p95, "ms", floor, "< 10 ms"))
    return found


def trace_rows(quick: bool) -> list[dict[str, Any]]:
    """Recording a statement (issue 20), beside the callback without it.

    The exam simulator takes a seeded sequence of actions with a recorder; every method of its
    recording (building the statements and appending them) is timed inside each callback, so the row
    is what recording adds to that callback, measured directly (a difference of two p95s on a shared,
    loaded machine is mostly noise). The reference is the same callbacks' p95 with no recorder, run
    side by side in lockstep. The second row: one statement built and appended alone.
    """
    from spasm_lib import recorder, xapi
    from spasm_lib.facts import load_facts
    from spasm_lib.widgets.exam import ExamSimulator

    changes = 40 if quick else 300
    facts = load_facts()
    with tempfile.TemporaryDirectory(prefix="spasm-bench-trace-") as folder:
        spent = [0.0]

        def timed(method: Callable[..., Any]) -> Callable[..., Any]:
            def run(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return method(*args, **kwargs)
                finally:
                    spent[0] += time.perf_counter() - started
            return run

        for _round in range(2):  # a first round warms the caches; the second counts
            plain = ExamSimulator(facts, "golfer-twist", 0, "student", None)
            recorded = ExamSimulator(facts, "golfer-twist", 0, "student",
                                     recorder.Recorder("02_exam_simulator", "s1", folder=folder, enabled=True))
            for name in ("opened", "left", "step", "hypothesis", "confidence", "committed"):
                setattr(recorded.recording, name, timed(getattr(recorded.recording, name)))
            act_plain, act_recorded = (_exam_actions(w, random.Random(11)) for w in (plain, recorded))
            without, added = [], []
            for _ in range(changes):
                started = time.perf_counter()
                act_plain()
                without.append(time.perf_counter() - started)
                spent[0] = 0.0
                act_recorded()
                added.append(spent[0])
        added_p95, without_p95 = _median_p95(added)[1] * 1000, _median_p95(without)[1] * 1000
        rec = recorder.Recorder("02_exam_simulator", "s1", folder=folder, enabled=True)
        patient = xapi.patient_activity("golfer-twist", "A twist")
        step = xapi.activity(xapi.activity_id("patient", "golfer-twist", "step", "palpation"), "node", "Palpation")
        one = []
        for _ in range(changes * 5):
            started = time.perf_counter()
            rec.record("arrived", step, parent=patient, result=xapi.result(response="Pressing here is tender."))
            one.append(time.perf_counter() - started)
        one_p95 = _median_p95(one)[1] * 1000
    return [
        row(f"trace: time recording adds to an exam simulator callback, p95 of {changes} "
            f"(the callback without recording: p95 {without_p95:.2f} ms)", added_p95, "ms", without_p95, "<= 1 ms"),
        row(f"trace: one statement built and appended to the trace file, p95 of {changes * 5}", one_p95, "ms", None,
            "<= 1 ms"),
    ]


# --- 5 and 7. the handout set, and its peak memory ----------------------------------------------

_PEAK_CHILD = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def peak_mib(command: list[str]) -> float:
    """Peak resident memory (MiB) of the largest process a command runs, measured in a wrapper child
    so that nothing this benchmark ran before counts."""
    out = subprocess.run([sys.executable, "-c", _PEAK_CHILD, *command], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return int(out.strip().splitlines()[-1]) / 1024


def handout_rows(quick: bool) -> list[dict[str, Any]]:
    """The handout set (benchmarks/handouts.py) and the build's peak memory against one papermill run.

    The build's peak is the one ``handouts.rows`` measures during its timed build (``RUSAGE_CHILDREN``
    of this process, largest process): clean only because this group runs first, before any other
    child of this process. The papermill reference runs in a wrapper child for the same reason.
    """
    measured = handout_bench.rows(loop_sample=2 if quick else 8, sizes=not quick, repeat=1 if quick else 2)
    targets = {"<= 0.25x": "<= 0.25x loop", "<= 1.00x": "<= 1x floor", "<= 0.40x": "<= 0.4x nbconvert"}
    found = [row(r["name"], r["value"], r["unit"], r["reference"], targets.get(r["target"], r["target"]))
             for r in measured if "peak memory" not in r["name"]]
    (ours,) = [r["value"] for r in measured if "peak memory" in r["name"]]
    with tempfile.TemporaryDirectory() as tmp:
        source = NOTEBOOKS / "01_risk_factors.ipynb"
        papermill = peak_mib([str(BIN / "papermill"), str(source), str(Path(tmp) / "out.ipynb"), "-k", "python3",
                              "--cwd", str(NOTEBOOKS), "--no-progress-bar"])
    found.append(row("handout set build: peak memory of its largest process vs one papermill run (notebook 01)",
                     ours, "MiB", papermill, "<= 1.5x papermill"))
    return found


# --- 6. the exam simulator at scale -------------------------------------------------------------


def simulator_rows(quick: bool) -> list[dict[str, Any]]:
    """Virtual patients: drawing and checking them, and the class export with every answer."""
    from spasm_lib.facts import load_facts
    from spasm_lib.patients import export
    from spasm_lib.class_mix import class_patients
    from spasm_lib.virtual_patients import virtual_patient

    facts = load_facts()
    n = 2_000 if quick else 20_000
    started = time.perf_counter()
    for seed in range(n):
        virtual_patient(facts, seed)  # each is checked by spasm_lib.coherence as it is made
    drawn = time.perf_counter() - started
    count = 300 if quick else 3_000
    started = time.perf_counter()
    class_patients(facts, count, 11, "weighted")
    alone = time.perf_counter() - started
    started = time.perf_counter()
    export(facts, count, 11, "json", "weighted")
    exported = time.perf_counter() - started
    # The largest class `handouts --students` takes. A balanced class tries each student's seeds until
    # one gives the planned presentation: about 15 patients drawn per student where the weighted
    # draw needs one or two.
    size = 100 if quick else 1_000
    started = time.perf_counter()
    class_patients(facts, size, 11, "weighted")
    weighted = time.perf_counter() - started
    started = time.perf_counter()
    class_patients(facts, size, 11, "balanced")
    balanced = time.perf_counter() - started
    return [
        row(f"virtual patients: {n:,} drawn and checked for coherence", drawn, "s", None, "< 5 s"),
        row(f"spasm-teach patients: {count:,} exported with findings and plans vs the same patients drawn alone",
            exported, "s", alone, "<= 5x drawn alone"),
        row(f"a balanced class of {size:,} (every level, presentations in turn) vs the weighted draw",
            balanced, "s", weighted, "<= 40x weighted draw"),
    ]


def collect_rows(quick: bool) -> list[dict[str, Any]]:
    """`spasm-teach collect` on a scripted class (tests/scripted_class.py) beside the floor of only
    reading the same files and parsing their JSON lines."""
    import json as jsonlib
    import resource
    import shutil

    sys.path.insert(0, str(ROOT / "tests"))
    from scripted_class import write_class

    from spasm_lib.collect import collect
    from spasm_lib.facts import load_facts

    facts = load_facts()
    students = 100 if quick else 1_000
    work = Path(tempfile.mkdtemp(prefix="spasm-bench-collect-"))
    try:
        known = write_class(facts, work / "inbox", students, 3)
        files = sorted((work / "inbox").glob("*.jsonl"))

        def cpu() -> float:
            """CPU seconds of this process and its finished children (collect's forked checkers)."""
            own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

        def floor() -> tuple[float, float]:
            started, used = time.perf_counter(), cpu()
            for path in files:
                for line in path.read_bytes().splitlines():
                    jsonlib.loads(line)
            return time.perf_counter() - started, cpu() - used

        def run(n: int) -> tuple[float, float]:
            started, used = time.perf_counter(), cpu()
            collect([work / "inbox"], work / f"report{n}", class_seed=3, students=students, facts=facts)
            return time.perf_counter() - started, cpu() - used

        floors, runs = [], []
        for n in range(1 if quick else 3):  # alternated, so a change in the machine's load hits both
            floors.append(floor())
            runs.append(run(n))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [row(f"spasm-teach collect: {students:,} students x 5 notebooks ({known.statements:,} statements, "
                "report written) vs only reading and parsing the same JSON lines",
                min(r[0] for r in runs), "s", min(f[0] for f in floors), "<= 3x floor"),
            # The work itself, all processes summed: steadier than the time on a shared machine.
            row("spasm-teach collect: CPU seconds of all its processes vs the floor's (same run)",
                min(r[1] for r in runs), "s", min(f[1] for f in floors), "report")]


def lite_rows(quick: bool) -> list[dict[str, Any]]:
    """The offline JupyterLite site: its size, and time to the first widget beside the Pyodide floor."""
    import lite as lite_bench  # benchmarks/lite.py

    return lite_bench.rows(quick, row)


GROUPS: dict[str, Callable[[bool], list[dict[str, Any]]]] = {
    # handouts first: the build's peak memory is read from this process's RUSAGE_CHILDREN, which
    # only stays the build's own while no bigger child (nbval, notebooks) has run before it.
    "handouts": handout_rows,
    "notebooks": notebook_rows,
    "nbval": nbval_rows,
    "imports": import_rows,
    "widgets": widget_rows,
    "trace": trace_rows,
    "simulator": simulator_rows,
    "collect": collect_rows,
    "lite": lite_rows,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure spasm-teach against its floors and peers.")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller sizes (for tests)")
    parser.add_argument("--only", action="append", choices=sorted(GROUPS), metavar="NAME",
                        help=f"run only this row group (repeatable): {', '.join(GROUPS)}")
    parser.add_argument("--json", type=Path, default=OUT, help=f"where to write the rows (default {OUT})")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    # live widgets record students' traces beside the notebook; the benchmark's go to a temporary folder
    os.environ.setdefault("SPASM_TRACE_DIR", tempfile.mkdtemp(prefix="spasm-bench-traces-"))
    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    for name, group in GROUPS.items():
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        rows += group(args.quick)
        print(f"[{name}: {time.perf_counter() - started:.1f} s]", file=sys.stderr, flush=True)
    write_rows(rows, args.json)
    print(table(rows))
    missed = [r for r in rows if r["meets"] is False]
    print(f"\n{len(rows)} rows, {len(missed)} miss their target; written to {args.json}")
    load_after = os.getloadavg()[0]
    print(f"1-minute load average {load_before:.2f} before, {load_after:.2f} after, on {os.cpu_count()} cores"
          + (" (other work was running: timings are pessimistic)" if max(load_before, load_after) > 1.0 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
