"""Each notebook's papermill parameters: names, types, defaults, allowed values, help.

papermill alone only *warns* about an unknown parameter and guesses types from text, so the one
table here (:data:`PARAMETERS`, and per notebook the names it takes) is checked twice: by
``spasm-teach render`` before any kernel starts, and inside every notebook right after its
``parameters`` cell (:func:`use_parameters`), so a direct ``papermill`` run fails early with the same
one-line message. Lists may be given as text separated by commas or semicolons (all ``-p NAME VALUE``
can pass); whole numbers follow the package's one rule (:mod:`spasm_lib.inputs`). A parameters file
(``-f PARAMS.yaml``) is read by :func:`read_parameters_file`: bounded in size, duplicate keys and
aliases that expand beyond a small bound refused.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spasm_lib import inputs, xapi
from spasm_lib import vocabulary as V
from spasm_lib.facts import RANDOM_CASE, load_facts
from spasm_lib.tables import Facts
from spasm_lib.inputs import SEED_MAX, SEED_MIN, InputError, shorten
from spasm_lib.vocabulary import AUDIENCES
from spasm_lib.risk_factors import NO_SPORT


class ParameterError(InputError):
    """A parameter value that is not allowed. The message is one line naming the parameter."""

    def __init__(self, notebook: str, name: str, message: str):
        self.notebook, self.name = notebook, name
        # a YAML key may be anything: 'seed', 'aaaa…' (5000 characters), 3; every caller names the notebook as text
        super().__init__(f"parameter {shorten(name)} of {inputs.shown(notebook)}: {message}")


def _got(value: Any, expected: str) -> InputError:
    return InputError(f"got {shorten(value)}; expected {expected}")


def _bool(value: Any, p: Parameter) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no"):
        return value.strip().lower() in ("true", "yes")
    raise _got(value, "True or False")


def _list(value: Any, p: Parameter) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise _got(value, "a list of ids (or text separated by commas)")


def _text(value: Any, p: Parameter) -> str:
    if not isinstance(value, str):
        raise _got(value, "text")
    text = value.strip()
    if p.name == "student" and text and not xapi.valid_student(text):
        raise _got(value, xapi.STUDENT_RULE)
    return text


KINDS: dict[str, tuple[Callable[[Any, Parameter], Any], str]] = {
    "bool": (_bool, "True, False"),
    "int": (lambda value, p: inputs.whole_number(value, p.low, p.high), "a whole number"),
    "list": (_list, "any ids"),
    "str": (_text, "any text"),
}
"""Each kind of parameter: how a value is read, and what it allows when no list of values says more."""


@dataclass(frozen=True)
class Parameter:
    """One papermill parameter of a notebook."""

    name: str
    kind: str  # a key of KINDS
    default: Any
    help: str
    allowed: Callable[[Facts], tuple[str, ...]] | tuple[str, ...] | None = None
    low: int = SEED_MIN
    high: int = SEED_MAX  # whole numbers: the range allowed (``int`` parameters only)

    def allowed_values(self, facts: Facts) -> tuple[str, ...] | None:
        return self.allowed(facts) if callable(self.allowed) else self.allowed


def _ids(table: str, *extra: str) -> Callable[[Facts], tuple[str, ...]]:
    return lambda facts: tuple(r.id for r in facts.table(table)) + extra


_P = Parameter
PARAMETERS: dict[str, Parameter] = {p.name: p for p in (
    _P("interactive", "bool", True, "True: live widgets (JupyterLab). False: the static view of the state these "
       "parameters choose (papermill runs and HTML handouts)."),
    _P("audience", "str", "student", "student: questions without answers. instructor: answers and explanations "
       "shown.", AUDIENCES),
    _P("student", "str", "", "The student's number in the class, under which their work is recorded "
       "(docs/trace.md); '' means the number typed in notebook 00, or 'anonymous'."),
    _P("case", "str", "golfer-twist", "A case id from data/cases.csv, or 'random' for a seeded virtual patient.",
       _ids("cases", RANDOM_CASE)),
    _P("seed", "int", 0, f"Seed of the virtual patient when case is 'random' (same seed, same patient): "
       f"{SEED_MIN} to {SEED_MAX}."),
    _P("cases_file", "str", "", "Optional CSV of extra cases (columns as data/cases.csv); its ids may then be "
       "used as case."),
    _P("risk_factors", "list", ["tender-muscles"], "Risk factor ids ticked in the explorer "
       "(data/risk_factors.csv).", _ids("risk_factors")),
    _P("sport", "str", "golf", "The sport chosen in the explorer (data/sports.csv), or 'none'.",
       _ids("sports", NO_SPORT)),
    _P("steps", "list", ["history-onset", "history-risk-factors", "red-flag-questions", "history-yellow-flags",
                         "history-pattern", "general-check", "inspection", "palpation", "lean-forward", "twisting",
                         "straight-leg-raise", "neuro-screen", "abdomen-check"],
       "Examination steps performed in the static view, in order (data/exam_steps.csv); default: all.",
       _ids("exam_steps")),
    _P("palpation_site", "str", "lower-back", "Where the student palpates.", V.SPASM_SITES),
    _P("interpretation", "str", "", "The interpretation the student commits to (data/interpretations.csv); '' "
       "shows the worked example's feedback against the interpretation the findings support.",
       _ids("interpretations", "")),
    _P("improving", "bool", False, "At the review: is the treatment working? (static view)"),
    _P("traces", "str", "", "The class's trace files: a folder or a .zip (as `spasm-teach collect` reads them); "
       "'' shows what the debrief holds, with no class."),
    _P("class_seed", "int", 0, "The class seed of the handouts (with students > 0)."),
    _P("students", "int", 0, "How many students the class set has: its patients are the only virtual patients "
       "accepted (0: no check).", high=inputs.MAX_STUDENTS),
)}
"""Every parameter of the classroom notebooks, declared once."""

NOTEBOOK_PARAMETERS: dict[str, tuple[Parameter, ...]] = {
    notebook: tuple(PARAMETERS[name] for name in names.split()) for notebook, names in {
        "00_start_here": "interactive audience student",
        "01_risk_factors": "risk_factors sport interactive audience student",
        "02_exam_simulator": "case seed cases_file steps palpation_site interpretation interactive audience student",
        "03_treatment_pathway": "case seed improving interactive audience student",
        "04_case_study": "case seed cases_file audience interactive student",
        "05_class_debrief": "traces class_seed students interactive",
    }.items()}
"""Which parameters each notebook takes, in the order `spasm-teach params` lists them: exactly the
notebooks of ``vocabulary.NOTEBOOKS`` and ``vocabulary.INSTRUCTOR_NOTEBOOKS`` (tests may register fixtures here)."""

_KERNEL_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})
"""Names IPython puts in a kernel's namespace; never parameters."""


def for_students(notebook: str | Path) -> bool:
    """Whether a notebook belongs in the students' material (not an instructor-only notebook)."""
    return V.notebook_stem(notebook) not in V.INSTRUCTOR_NOTEBOOKS


def notebook_key(notebook: str | Path) -> str:
    """``notebooks/01_risk_factors.ipynb``, ``01_risk_factors`` or ``01-risk-factors`` -> ``01_risk_factors``."""
    key = V.notebook_stem(notebook)
    if key not in NOTEBOOK_PARAMETERS:
        raise ParameterError(str(notebook), "notebook",
                             f"unknown notebook; expected one of: {', '.join(NOTEBOOK_PARAMETERS)}")
    return key


def parameters(notebook: str | Path) -> tuple[Parameter, ...]:
    """The parameter specification of a notebook."""
    return NOTEBOOK_PARAMETERS[notebook_key(notebook)]


def defaults(notebook: str | Path) -> dict[str, Any]:
    return {p.name: p.default for p in parameters(notebook)}


def _coerce(notebook: str, p: Parameter, value: Any, facts: Facts) -> Any:
    try:
        result = KINDS[p.kind][0](value, p)
    except InputError as exc:
        raise ParameterError(notebook, p.name, str(exc)) from None
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

    Raises :class:`ParameterError` for an unknown name, a wrong type or a value outside the allowed set."""
    key = notebook_key(notebook)
    spec = {p.name: p for p in NOTEBOOK_PARAMETERS[key]}
    for name in values:
        if name not in spec:
            raise ParameterError(key, name, f"unknown parameter; expected one of: {', '.join(spec)}")
    if facts is None:
        check_cases_file(key, values.get("cases_file"))
        facts = load_facts(cases_file=values.get("cases_file") or None)
    return {name: _coerce(key, p, values.get(name, p.default), facts) for name, p in spec.items()}


def check_cases_file(notebook: str, value: Any) -> None:
    """A ``cases_file`` value names a readable CSV file of bounded size (``''`` means none): one line
    for a NUL character, a 5000-character name, a folder, ``/dev/zero`` or a FIFO, before anything opens it."""
    if value in ("", None):
        return
    if not isinstance(value, str):
        raise ParameterError(notebook, "cases_file", f"got {shorten(value)}; expected a path to a CSV file")
    try:
        inputs.check_file(value.strip(), "cases file", inputs.MAX_CASES_FILE_BYTES,
                          "a CSV file with the columns of data/cases.csv")
    except InputError as exc:
        raise ParameterError(notebook, "cases_file", str(exc)) from None


# --------------------------------------------------------------------------- parameters files (YAML)


class ParametersFileError(InputError):
    """A ``-f PARAMS.yaml`` file that cannot be read, is not YAML, or is not a mapping."""


class _Refused(Exception):
    def __init__(self, problem: str, mark: Any):
        super().__init__(problem)
        self.mark = mark


def read_parameters_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a papermill parameters file (YAML); an empty file means no parameters.

    Read with bounds (:func:`spasm_lib.inputs.read_bounded`), UTF-8, one safe YAML document whose
    aliases expand to at most :data:`~spasm_lib.inputs.MAX_YAML_VALUES` values (an alias bomb is tiny
    on disk and huge in memory), nested at most :data:`~spasm_lib.inputs.MAX_YAML_DEPTH` deep, each key
    once (YAML would let the last one silently win)."""
    import yaml

    name = f"parameters file {inputs.shown(str(path))}"
    example = "expected a mapping such as 'case: golfer-twist'"
    try:
        text = inputs.read_bounded(path, "parameters file", inputs.MAX_PARAMETERS_FILE_BYTES, "a YAML file").decode()
    except InputError as exc:
        raise ParametersFileError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ParametersFileError(f"{name}: not UTF-8 (byte {exc.start + 1}); save it as UTF-8 text") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        _checked_size(node, {}, set(), 0)
        values = loader.construct_document(node)
    except _Refused as exc:
        raise ParametersFileError(f"{name}: refused{_at(exc.mark)}: {exc}") from None
    except yaml.YAMLError as exc:
        where, problem = _at(getattr(exc, "problem_mark", None)), getattr(exc, "problem", None) or "malformed"
        raise ParametersFileError(f"{name}: not valid YAML{where} ({problem}); {example}") from None
    except RecursionError:
        raise ParametersFileError(f"{name}: nested too deeply; {example}") from None
    except ValueError as exc:  # a value YAML parses but Python refuses: an int of more than 4300 digits
        why = "a whole number has more than 4300 digits" if "4300" in str(exc) else inputs.shown(str(exc), 60)
        raise ParametersFileError(f"{name}: a value cannot be read ({why}); {example}") from None
    finally:
        loader.dispose()
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParametersFileError(f"{name}: expected a mapping of parameter names to values (such as "
                                  f"'case: golfer-twist'); got a {type(values).__name__}")
    return values


def _at(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _checked_size(node: Any, sizes: dict[int, int], open_: set[int], depth: int) -> int:
    """How many values ``node`` stands for once every alias is expanded, refusing beyond the bounds;
    a key written twice in one mapping is refused on the way."""
    import yaml

    if id(node) in sizes:
        return sizes[id(node)]
    if id(node) in open_:
        raise _Refused("an alias (*name) refers to a value that contains it; expected plain values", node.start_mark)
    if depth > inputs.MAX_YAML_DEPTH:
        raise _Refused(f"values nested more than {inputs.MAX_YAML_DEPTH} levels deep", node.start_mark)
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
        first: dict[Any, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                if (key.tag, key.value) in first:
                    raise _Refused(f"the key {shorten(key.value)} is written twice (first on line "
                                   f"{first[key.tag, key.value]}); expected each parameter once", key.start_mark)
                first[key.tag, key.value] = key.start_mark.line + 1
    open_.add(id(node))
    total = 1
    for child in children:
        total += _checked_size(child, sizes, open_, depth + 1)
        if total > inputs.MAX_YAML_VALUES:
            raise _Refused(f"the values expand (through aliases such as *name) to more than {inputs.MAX_YAML_VALUES}; "
                           "expected a few parameter values", node.start_mark)
    open_.discard(id(node))
    sizes[id(node)] = total
    return total


# --------------------------------------------------------------------------- inside a notebook


class NotebookParameterError(ParameterError):
    """A :class:`ParameterError` raised in a notebook cell: IPython shows its one line, no frames
    (``_render_traceback_`` is IPython's hook for exceptions that render themselves)."""

    def __init__(self, error: ParameterError):
        self.notebook, self.name = error.notebook, error.name
        InputError.__init__(self, str(error))

    def _render_traceback_(self) -> list[str]:
        return [f"ParameterError: {self}"]


PARAMETERS_CELL = "# Parameters"
"""How a parameters cell begins: papermill's injected cell is exactly this line, then one assignment
per parameter; the notebooks' own defaults cell begins "# Parameters (papermill)."."""


def _assigned_in_parameter_cells(history: Any) -> set[str]:
    """Names assigned at the top level of the latest defaults cell and the latest injected cell, from
    IPython's ``In`` list: a student who corrects a misspelt name and re-runs the cell is not told again."""
    latest: dict[bool, str] = {}
    for source in history if isinstance(history, (list, tuple)) else ():
        first = source.lstrip().split("\n", 1)[0].strip() if isinstance(source, str) else ""
        if first.startswith(PARAMETERS_CELL):
            latest[first == PARAMETERS_CELL] = source  # True: papermill's injected cell
    names: set[str] = set()
    for source in latest.values():
        try:
            body = ast.parse(source).body
        except SyntaxError:
            continue
        for node in body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AnnAssign, ast.AugAssign)) else []
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def use_parameters(notebook: str, namespace: Mapping[str, Any]) -> types.SimpleNamespace:
    """Validate the parameters a notebook's kernel holds (call with ``globals()``).

    Only declared parameters are looked at: this notebook's specification and the names assigned in
    its parameters cells. So a typo papermill injected (``-p sprot golf``) or one in the defaults cell
    is reported as unknown, while a student's own variable in any other cell is never a parameter.
    The result carries the notebook's name (``params.notebook``), so a notebook types its own name
    once, here. Raises :class:`NotebookParameterError`: one line in the notebook, no traceback frames."""
    spec = {p.name for p in parameters(notebook)}
    declared = (spec | _assigned_in_parameter_cells(namespace.get("In"))) - _KERNEL_NAMES
    try:
        given = {k: namespace[k] for k in sorted(declared) if k in namespace}
        return types.SimpleNamespace(**validate(notebook, given), notebook=notebook_key(notebook))
    except ParameterError as err:
        raise NotebookParameterError(err) from None


def facts_for(params: Any) -> Facts:
    """The facts a notebook run works with: the packaged data plus the run's ``cases_file``, if any."""
    return load_facts(cases_file=getattr(params, "cases_file", "") or None)
