"""Each notebook's papermill parameters: names, types, defaults, allowed values, help.

papermill alone only *warns* about an unknown parameter, guesses types from text (``-p seed 5`` is
an int, ``-p sport golf`` a str) and enforces no annotation. So the same specification here is
checked twice: by ``spasm-teach render`` before any kernel starts, and inside every notebook in the
cell right after the ``parameters`` cell (:func:`use_parameters`), so a direct ``papermill`` run
fails early with the same one-line message.

Lists (risk factors, exam steps) may be given as a Python list or as text separated by commas or
semicolons, because that is what ``-p NAME VALUE`` can pass.

Whole numbers follow the package's one rule (:mod:`spasm_lib.inputs`): plain ASCII digits within the
parameter's range (a seed is 0 to 2^32 - 1). Values in messages are shortened, never echoed whole.
A parameters file (``-f PARAMS.yaml``) is read by :func:`read_parameters_file`: bounded in size,
duplicate keys refused, aliases that expand beyond a small bound refused.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from spasm_lib import inputs, xapi
from spasm_lib.facts import RANDOM_CASE, Facts, load_facts
from spasm_lib.inputs import SEED_MAX, SEED_MIN, InputError, shorten
from spasm_lib import records as R
from spasm_lib.records import AUDIENCES
from spasm_lib.risk_factors import NO_SPORT


class ParameterError(ValueError):
    """A parameter value that is not allowed. The message is one line naming the parameter."""

    def __init__(self, notebook: str, name: str, message: str):
        self.notebook, self.name = notebook, name
        super().__init__(f"parameter {_quoted(name)} of {_shown(notebook)}: {message}")


def _quoted(name: Any) -> str:
    return f"'{name}'" if isinstance(name, str) and len(name) <= inputs.SHOWN_CHARS and name.isprintable() else shorten(name)


def _shown(text: Any) -> str:
    return inputs.shown(text) if isinstance(text, str) else shorten(text)


@dataclass(frozen=True)
class Parameter:
    """One papermill parameter of a notebook."""

    name: str
    kind: str  # "str", "int", "bool" or "list"
    default: Any
    help: str
    allowed: Callable[[Facts], tuple[str, ...]] | tuple[str, ...] | None = None
    low: int = 0
    high: int = SEED_MAX  # whole numbers: the range allowed (``int`` parameters only)

    def allowed_values(self, facts: Facts) -> tuple[str, ...] | None:
        return self.allowed(facts) if callable(self.allowed) else self.allowed


def _ids(table: str, *extra: str) -> Callable[[Facts], tuple[str, ...]]:
    return lambda facts: tuple(r.id for r in facts.table(table)) + extra


_INTERACTIVE = Parameter(
    "interactive", "bool", True,
    "True: live widgets (JupyterLab). False: the static view of the state these parameters choose "
    "(papermill runs and HTML handouts).",
)
_AUDIENCE = Parameter(
    "audience", "str", "student",
    "student: questions without answers. instructor: answers and explanations shown.", AUDIENCES,
)
_CASE = Parameter(
    "case", "str", "golfer-twist",
    "A case id from data/cases.csv, or 'random' for a seeded virtual patient.",
    _ids("cases", RANDOM_CASE),
)
_CASES_FILE = Parameter(
    "cases_file", "str", "",
    "Optional CSV of extra cases (columns as data/cases.csv); its ids may then be used as case.",
)
_SEED = Parameter(
    "seed", "int", 0,
    f"Seed of the virtual patient when case is 'random' (same seed, same patient): {SEED_MIN} to {SEED_MAX}.",
    low=SEED_MIN, high=SEED_MAX,
)

_STUDENT = Parameter(
    "student", "str", "",
    "The student's number in the class, under which their work is recorded (docs/trace.md); '' means the "
    "number typed in notebook 00, or 'anonymous'.",
)

NOTEBOOK_PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    "00_start_here": (_INTERACTIVE, _AUDIENCE, _STUDENT),
    "01_risk_factors": (
        Parameter(
            "risk_factors", "list", ["tender-muscles"],
            "Risk factor ids ticked in the explorer (data/risk_factors.csv).", _ids("risk_factors"),
        ),
        Parameter(
            "sport", "str", "golf",
            "The sport chosen in the explorer (data/sports.csv), or 'none'.", _ids("sports", NO_SPORT),
        ),
        _INTERACTIVE,
        _AUDIENCE,
        _STUDENT,
    ),
    "02_exam_simulator": (
        _CASE,
        _SEED,
        _CASES_FILE,
        Parameter(
            "steps", "list",
            ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags", "history-pattern",
             "general-check", "inspection", "palpation", "lean-forward", "twisting", "straight-leg-raise",
             "neuro-screen", "abdomen-check"],
            "Examination steps performed in the static view, in order (data/exam_steps.csv); default: all.",
            _ids("exam_steps"),
        ),
        Parameter("palpation_site", "str", "lower-back", "Where the student palpates.", R.SPASM_SITES),
        Parameter(
            "interpretation", "str", "",
            "The interpretation the student commits to (data/interpretations.csv); '' shows the worked "
            "example's feedback against the interpretation the findings support.",
            _ids("interpretations", ""),
        ),
        _INTERACTIVE,
        _AUDIENCE,
        _STUDENT,
    ),
    "03_treatment_pathway": (
        _CASE,
        _SEED,
        Parameter("improving", "bool", False, "At the review: is the treatment working? (static view)"),
        _INTERACTIVE,
        _AUDIENCE,
        _STUDENT,
    ),
    "04_case_study": (_CASE, _SEED, _CASES_FILE, _AUDIENCE, _INTERACTIVE, _STUDENT),
}

# The classroom notebooks are records.NOTEBOOKS (the one list); tests may register fixture notebooks
# in the dict above, and tests/test_params.py checks that it names exactly those notebooks.

INSTRUCTOR_NOTEBOOKS = R.INSTRUCTOR_NOTEBOOKS

NOTEBOOK_PARAMETERS["05_class_debrief"] = (
    Parameter("traces", "str", "",
              "The class's trace files: a folder or a .zip (as `spasm-teach collect` reads them); "
              "'' shows what the debrief holds, with no class."),
    Parameter("class_seed", "int", 0, "The class seed of the handouts (with students > 0).",
              low=SEED_MIN, high=SEED_MAX),
    Parameter("students", "int", 0, "How many students the class set has: its patients are the only "
              "virtual patients accepted (0: no check).", low=0, high=inputs.MAX_STUDENTS),
    _INTERACTIVE,
)


def for_students(notebook: str | Path) -> bool:
    """Whether a notebook belongs in the students' material (not an instructor-only notebook)."""
    return R.notebook_stem(notebook) not in INSTRUCTOR_NOTEBOOKS

# Names IPython puts in a kernel's namespace; never parameters.
_KERNEL_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


def notebook_key(notebook: str | Path) -> str:
    """``notebooks/01_risk_factors.ipynb``, ``01_risk_factors`` or ``01-risk-factors`` -> ``01_risk_factors``."""
    key = R.notebook_stem(notebook)
    if key not in NOTEBOOK_PARAMETERS:
        raise ParameterError(
            str(notebook), "notebook", f"unknown notebook; expected one of: {', '.join(NOTEBOOK_PARAMETERS)}"
        )
    return key


def parameters(notebook: str | Path) -> tuple[Parameter, ...]:
    """The parameter specification of a notebook."""
    return NOTEBOOK_PARAMETERS[notebook_key(notebook)]


def defaults(notebook: str | Path) -> dict[str, Any]:
    return {p.name: p.default for p in parameters(notebook)}


def _coerce(notebook: str, p: Parameter, value: Any, facts: Facts) -> Any:
    def fail(expected: str) -> ParameterError:
        return ParameterError(notebook, p.name, f"got {shorten(value)}; expected {expected}")

    if p.kind == "bool":
        if isinstance(value, bool):
            result: Any = value
        elif isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
            result = value.strip().lower() in ("true", "yes")
        else:
            raise fail("True or False")
    elif p.kind == "int":
        try:
            result = inputs.whole_number(value, p.low, p.high)
        except InputError as exc:
            raise ParameterError(notebook, p.name, str(exc)) from None
    elif p.kind == "list":
        if isinstance(value, str):
            result = [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            result = list(value)
        else:
            raise fail("a list of ids (or text separated by commas)")
    else:
        if not isinstance(value, str):
            raise fail("text")
        result = value.strip()
    if p is _STUDENT and result and not xapi.valid_student(result):
        raise ParameterError(notebook, p.name, f"got {shorten(value)}; expected {xapi.STUDENT_RULE}")
    allowed = p.allowed_values(facts)
    if allowed is not None:
        for item in result if p.kind == "list" else [result]:
            if item not in allowed:
                shown = ", ".join(repr(a) if a == "" else a for a in allowed)
                raise ParameterError(notebook, p.name, f"{shorten(item)} is not allowed; expected one of: {shown}")
        if p.kind == "list" and len(set(result)) != len(result):
            raise ParameterError(notebook, p.name, f"{shorten(result)} names an id twice")
    return result


def validate(notebook: str | Path, values: Mapping[str, Any], facts: Facts | None = None) -> dict[str, Any]:
    """Check given values against the notebook's spec; return every parameter, defaults filled in.

    Raises :class:`ParameterError` for an unknown name, a wrong type or a value outside the allowed set.
    """
    key = notebook_key(notebook)
    spec = {p.name: p for p in NOTEBOOK_PARAMETERS[key]}
    for name in values:
        if name not in spec:
            raise ParameterError(key, name, f"unknown parameter; expected one of: {', '.join(spec)}")
    if facts is None:
        cases_file = values.get("cases_file") or None
        if cases_file is not None:
            check_cases_file(key, cases_file)
        facts = load_facts(cases_file=cases_file)
    return {
        name: _coerce(key, p, values[name] if name in values else p.default, facts)
        for name, p in spec.items()
    }


def check_cases_file(notebook: str, value: Any) -> None:
    """A ``cases_file`` value names a readable CSV file of bounded size (``''`` means none).

    Raises :class:`ParameterError` before anything resolves, opens or runs it: a NUL character,
    a 5000-character name, a folder, ``/dev/zero`` or a FIFO each get one line.
    """
    if value in ("", None):
        return
    if not isinstance(value, str):
        raise ParameterError(notebook, "cases_file", f"got {shorten(value)}; expected a path to a CSV file")
    try:
        inputs.check_file(value.strip(), "cases file", inputs.MAX_CASES_FILE_BYTES, "a CSV file with the columns of data/cases.csv")
    except InputError as exc:
        raise ParameterError(notebook, "cases_file", str(exc)) from None


# --------------------------------------------------------------------------- parameters files (YAML)


class ParametersFileError(ValueError):
    """A ``-f PARAMS.yaml`` file that cannot be read, is not YAML, or is not a mapping."""


def read_parameters_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a papermill parameters file (YAML). An empty file means no parameters.

    Read with bounds: at most :data:`~spasm_lib.inputs.MAX_PARAMETERS_FILE_BYTES`, a regular file
    only (never ``/dev/zero`` or a FIFO), UTF-8, duplicate keys refused (YAML would let the last
    one silently win), aliases expanding to more than :data:`~spasm_lib.inputs.MAX_YAML_VALUES`
    values refused (an alias bomb is tiny on disk and huge in memory), nesting bounded.
    """
    name = f"parameters file {_shown(str(path))}"
    try:
        raw = inputs.read_bounded(path, "parameters file", inputs.MAX_PARAMETERS_FILE_BYTES, "a YAML file")
    except InputError as exc:
        raise ParametersFileError(str(exc)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParametersFileError(f"{name}: not UTF-8 (byte {exc.start + 1}); save it as UTF-8 text") from None
    values = load_yaml(text, name)
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParametersFileError(
            f"{name}: expected a mapping of parameter names to values "
            f"(such as 'case: golfer-twist'); got a {type(values).__name__}"
        )
    return values


class _Refused(Exception):
    def __init__(self, problem: str, mark: Any = None):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


def load_yaml(text: str, name: str) -> Any:
    """One YAML document, loaded safely and with bounds; :class:`ParametersFileError` names the line."""
    import yaml

    loader = _strict_loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            _expanded_size(node, {}, set(), 0)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except (yaml.YAMLError, _Refused) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "malformed"
        if isinstance(exc, _Refused):
            raise ParametersFileError(f"{name}: refused{where}: {problem}") from None
        raise ParametersFileError(
            f"{name}: not valid YAML{where} ({problem}); expected a mapping such as 'case: golfer-twist'"
        ) from None
    except RecursionError:
        raise ParametersFileError(
            f"{name}: nested too deeply; expected a mapping such as 'case: golfer-twist'"
        ) from None
    except ValueError as exc:  # a value YAML parses but Python refuses: an int of more than 4300 digits
        why = "a whole number has more than 4300 digits" if "4300" in str(exc) else inputs.shown(str(exc), 60)
        raise ParametersFileError(
            f"{name}: a value cannot be read ({why}); expected a mapping such as 'case: golfer-twist'"
        ) from None


def _expanded_size(node: Any, sizes: dict[int, int], open_: set[int], depth: int) -> int:
    """How many values ``node`` stands for once every alias is expanded; refuses beyond the bound."""
    import yaml

    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise _Refused("an alias (*name) refers to a value that contains it; expected plain values", node.start_mark)
    if depth > inputs.MAX_YAML_DEPTH:
        raise _Refused(f"values nested more than {inputs.MAX_YAML_DEPTH} levels deep", node.start_mark)
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children = []
    open_.add(key)
    total = 1
    for child in children:
        total += _expanded_size(child, sizes, open_, depth + 1)
        if total > inputs.MAX_YAML_VALUES:
            raise _Refused(
                f"the values expand (through aliases such as *name) to more than {inputs.MAX_YAML_VALUES}; "
                "expected a few parameter values", node.start_mark)
    open_.discard(key)
    sizes[key] = total
    return total


@cache
def _strict_loader_class() -> type:
    """PyYAML's safe loader, refusing a key written twice in one mapping."""
    import yaml

    class StrictSafeLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue
                    key = self.construct_object(key_node, deep=deep)
                    try:
                        first = seen.get(key)
                    except TypeError:
                        continue  # an unhashable key: the base class names it
                    if first is not None:
                        raise _Refused(f"the key {shorten(key)} is written twice (first on line {first}); "
                                       "expected each parameter once", key_node.start_mark)
                    seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    return StrictSafeLoader


class NotebookParameterError(ParameterError):
    """A :class:`ParameterError` raised in a notebook cell: IPython shows its one line, no frames.

    ``_render_traceback_`` is IPython's hook for exceptions that render themselves; JupyterLab,
    nbclient and papermill then show the message alone instead of a red traceback whose clear line
    sits at the bottom under frames of library code.
    """

    def __init__(self, error: ParameterError):
        self.notebook, self.name = error.notebook, error.name
        ValueError.__init__(self, str(error))

    def _render_traceback_(self) -> list[str]:
        return [f"ParameterError: {self}"]


PARAMETERS_CELL = "# Parameters"
"""How a parameters cell begins: papermill's injected cell is exactly this line, then one assignment
per parameter; the notebooks' own defaults cell begins "# Parameters (papermill)."."""


def _assigned_in_parameter_cells(history: Any) -> set[str]:
    """Names assigned at the top level of the latest defaults cell and the latest injected cell.

    IPython keeps the source of every executed cell, in order, in the namespace's ``In`` list. Only
    the latest version of each cell counts: a student who corrects a misspelt name and re-runs the
    cell is not told about the old spelling again.
    """
    if not isinstance(history, (list, tuple)):
        return set()
    latest: dict[bool, str] = {}
    for source in history:
        if not isinstance(source, str):
            continue
        first = source.lstrip().split("\n", 1)[0].strip()
        if first.startswith(PARAMETERS_CELL):
            latest[first == PARAMETERS_CELL] = source  # True: papermill's injected cell
    names: set[str] = set()
    for source in latest.values():
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AnnAssign, ast.AugAssign)) else []
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def use_parameters(notebook: str, namespace: Mapping[str, Any]) -> types.SimpleNamespace:
    """Validate the parameters a notebook's kernel holds (call with ``globals()``).

    Only declared parameters are looked at: the names of this notebook's specification, and the
    names assigned in its parameters cells (papermill's injected cell, the notebook's defaults cell;
    found in IPython's input history). So a name papermill injected with a typo (``-p sprot golf``),
    or misspelt in the defaults cell, is reported as unknown, while a student's own variable in any
    other cell is never taken for a parameter.

    The result carries the notebook's name too (``params.notebook``), so a notebook types its own name
    once, here, and the cells that need it (the objectives, the self-check) read it from ``params``.

    Raises :class:`NotebookParameterError`: one line in the notebook, no traceback frames.
    """
    spec = {p.name for p in parameters(notebook)}
    declared = (spec | _assigned_in_parameter_cells(namespace.get("In"))) - _KERNEL_NAMES
    given = {k: namespace[k] for k in sorted(declared) if k in namespace}
    try:
        return types.SimpleNamespace(**validate(notebook, given), notebook=notebook_key(notebook))
    except ParameterError as err:
        raise NotebookParameterError(err) from None


def facts_for(params: Any) -> Facts:
    """The facts a notebook run works with: the packaged data plus the run's ``cases_file``, if any."""
    return load_facts(cases_file=getattr(params, "cases_file", "") or None)
