"""Render one notebook into one offline HTML handout: validate, run, convert, write.

The steps, each in the module that owns it (``docs/architecture.md`` places them in the whole):

* **Validate first** (:func:`handout_parameters`): every value goes through
  :func:`spasm_lib.params.validate` before any kernel starts; a bad value is one line naming the
  parameter and what is allowed (:class:`~spasm_lib.params.ParameterError`).
* **Run** in a kernel of this environment (:mod:`spasm_lib.kernels`, :mod:`spasm_lib.notebook_run`),
  bounded by :class:`~spasm_lib.handout_limits.Limits`; a failing cell raises
  :class:`~spasm_lib.handout_limits.RenderError` (the cell's number and error) and nothing is written.
* **Convert** with the package's template (:mod:`spasm_lib.handout_export`): no script, no network,
  deterministic bytes (the same inputs give byte-identical HTML).
* **Write** atomically (:func:`spasm_lib.files.write_atomically`) to an output checked before
  anything runs (:func:`spasm_lib.outputs.check_output`): a reader never sees half a handout, and a
  failed run leaves an earlier file as it was.

A class set (:mod:`spasm_lib.handout_pool`) runs every handout in a kernel of its own, launched while the
previous handout runs; ``spasm-teach render`` uses one fresh kernel.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spasm_lib.files import write_atomically
from spasm_lib.handout_export import handout_html, handout_title
from spasm_lib.handout_limits import DEFAULT_LIMITS, Limits
from spasm_lib.inputs import InputError, path_text
from spasm_lib.kernels import HandoutKernel
from spasm_lib.notebook_run import execute
from spasm_lib.outputs import WriteFailed, write_error
from spasm_lib.packaged import notebook_title, notebooks_dir, read_notebook
from spasm_lib.paper import DEFAULT_PAPER_ANSWERS
from spasm_lib.params import ParameterError, notebook_key, validate


def is_path(name: str | Path) -> bool:
    """Whether a notebook is given as a path (``x.ipynb``, ``dir/x``) rather than by a package name
    (``04_case_study``, ``04-case-study``): the one rule, for the lookup and for the command's reading."""
    path = Path(name)
    return path.suffix == ".ipynb" or len(path.parts) > 1


def resolve_notebook(name: str | Path) -> Path:
    """A notebook given as a path, a stem (``01_risk_factors``) or a kebab name (``01-risk-factors``).

    An existing path wins; otherwise the name must be one of the package's notebooks.
    Raises :class:`ParameterError` (parameter ``notebook``) for an unknown name.
    """
    path = Path(name)
    if is_path(name):
        if not path.is_file():
            raise ParameterError(str(name), "notebook", "no such notebook file; expected a path, a stem "
                                 "such as 01_risk_factors or a name such as 01-risk-factors")
        notebook_key(path)  # a notebook without a parameter specification cannot be rendered
        return path.resolve()
    key = notebook_key(name)
    packaged = notebooks_dir() / f"{key}.ipynb"
    if not packaged.is_file():
        raise ParameterError(str(name), "notebook", f"no such notebook file: {packaged}")
    return packaged


def handout_parameters(
    notebook: str | Path, values: Mapping[str, Any], audience: str | None = None, facts: Any = None
) -> dict[str, Any]:
    """Every parameter of a handout run, validated, defaults filled in, ``interactive`` False.

    A handout has no kernel behind it, so ``interactive`` is always False; asking for True is an
    error rather than being silently ignored. ``audience`` (the ``--audience`` option) wins over a
    value in ``values``. A relative ``cases_file`` is made absolute, because the kernel runs in the
    notebook's folder, not in the caller's.
    """
    key = notebook_key(notebook)
    given = dict(values)
    if audience is not None:
        given["audience"] = audience
    explicit = "interactive" in given
    for name in ("cases_file", "traces"):  # files the kernel reads from the notebook's folder
        value = given.get(name)
        if isinstance(value, str) and value.strip():
            try:  # a NUL or an endless name is refused; realpath, unlike resolve(), leaves a link loop to the check
                given[name] = os.path.realpath(path_text(value.strip(), name.replace("_", " ")))
            except InputError as exc:
                raise ParameterError(key, name, str(exc)) from None
    full = validate(key, given, facts=facts)
    if explicit and full["interactive"]:
        raise ParameterError(key, "interactive", "got True; a handout is static, so only False is allowed")
    full["interactive"] = False
    return full


@dataclass(frozen=True)
class Rendered:
    """What a render produced: where, with which title and audience."""

    path: Path
    title: str
    audience: str


def render_page(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    *,
    nb: Any = None,
    kernel: HandoutKernel | None = None,
    title: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    paper_answers: str = DEFAULT_PAPER_ANSWERS,
) -> tuple[str, str]:
    """Run one notebook with already validated parameters; return the handout page and its title.

    ``nb`` is the source notebook if the caller has read it already (a batch reads each notebook
    once); ``kernel`` a running :class:`HandoutKernel` (else a fresh one); ``paper_answers`` where a
    student's self-check answers print (:mod:`spasm_lib.paper`). Writes nothing; a failure raises
    :class:`RenderError`.
    """
    path = Path(notebook)
    source = nb if nb is not None else read_notebook(path)
    executed = execute(source, parameters, path.parent, kernel=kernel, limits=limits)
    audience = str(parameters.get("audience", "student"))
    page_title = title or handout_title(notebook_title(source, notebook_key(path)), parameters)
    page = handout_html(executed, audience=audience, parameters=parameters, title=page_title, folder=path.parent,
                        notebook=path, limits=kernel.limits if kernel is not None else limits,
                        paper_answers=paper_answers)
    return page, page_title


def render(notebook: str | Path, parameters: Mapping[str, Any], output: Path, *, nb: Any = None,
           kernel: HandoutKernel | None = None) -> Rendered:
    """:func:`render_page`, then write the page atomically to ``output`` (already checked by the
    command with :func:`~spasm_lib.outputs.check_output`). On failure nothing is written and an
    earlier file at ``output`` stays."""
    page, page_title = render_page(notebook, parameters, nb=nb, kernel=kernel)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, page)
    except OSError as exc:
        raise WriteFailed(write_error(output, exc)) from None
    return Rendered(output, page_title, str(parameters.get("audience", "student")))


def parse_pairs(pairs: Sequence[Sequence[str]] | None) -> dict[str, str]:
    """``-p NAME VALUE`` pairs as a mapping (a later pair wins, as in papermill)."""
    return {name: value for name, value in (pairs or [])}
