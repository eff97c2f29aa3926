"""What makes a handout a handout rather than a notebook printed out: its wording, header, contents,
"next handout" link, tables that read on a phone (:mod:`spasm_lib.page_markup` rewrites the page), the
set's folders and file names (the set's own pages: :mod:`spasm_lib.set_pages`).

Decisions, each with its reason:

* **Wording.** A notebook talks to someone with a kernel ("Run All Cells", "Tick the factors…",
  "set ``case`` in the parameters cell"); a handout is read on paper or a phone. Cells tagged
  :data:`LIVE_ONLY` (``live-only``) are left out of every handout. Where the handout needs its own
  sentence instead, the ``live-only`` cell carries it in its metadata
  (``metadata["spasm"]["handout"]``, :func:`handout_wording`) and the handout shows that markdown in
  the cell's place. One cell, two wordings: JupyterLab has no way to hide a whole cell (its
  ``source_hidden`` still draws a box), so a separate handout-only cell, even one holding only an HTML
  comment, left an empty box in every live notebook. Inside a view's markup, an element of class
  ``spasm-live-only`` (:data:`spasm_lib.page_markup.LIVE_ONLY_CLASS`) is the same kind of instruction and is left out
  too. ``docs/handout-wording.md`` is the authors' guide; a test keeps every live instruction tagged.
* **Header.** A student's header is the title, the kind of handout and the disclaimer: no
  parameters, no ids. The instructor's header also lists the run's parameters (without
  ``interactive`` and ``audience``, which every handout has the same way), to say how to make it again.
  The disclaimer is printed once, by the header: the notebook's title cell (title and disclaimer) is
  tagged ``live-only``.
* **Titles.** ``Short title — subject``: the notebook title up to its first colon, then the patient
  (:func:`page_title`), never a pile of colons. In a class set a student's virtual patient is
  ``Patient 7`` (the student's number, :func:`student_patient_name`), never its 7- to 10-digit seed.
* **Navigation.** A contents list from the page's ``h2`` headings at the top, and a "next handout"
  link at the bottom, in the set's reading order (:data:`spasm_lib.vocabulary.NOTEBOOKS`).
  Links use the set's file names (:func:`handout_file`); a handout rendered on its own keeps them,
  and they work once it sits in a set.
* **Phones.** Every body cell of a table with a header row gets ``data-label`` (its column's
  heading); the stylesheet turns tables into stacked cards on a narrow screen with CSS alone.
* **Two folders, an index in each.** A class set keeps ``students/`` (the student handouts and
  their index: it can be published as it is, nothing in it links outside it) apart from
  ``instructor/`` (the instructor versions, the answer key, and an index linking both versions,
  the student ones as ``../students/…``); ``index.html`` at the top only points to the two. A
  handout's own links (the next handout, its index) stay inside its folder, so a handout rendered
  on its own keeps them and they work once it sits in a set. Pages link to each other by relative
  paths from where each page sits (:func:`href`). The answer key opens with a summary table
  (student, patient, triage, expected interpretation) linking to each section.

Every function is pure (text in, text out) and escapes whatever comes from data or parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from spasm_lib import vocabulary as V
from spasm_lib import __version__
from spasm_lib.html import Html
from spasm_lib.paper import DEFAULT_PAPER_ANSWERS

LIVE_ONLY = "live-only"
"""Cell tag: text for the live notebook only (how to run, tick, pick, filter, set parameters)."""
HANDOUT_WORDING = ("spasm", "handout")
"""Where a ``live-only`` cell keeps the markdown a handout shows in its place: ``metadata["spasm"]["handout"]``."""
STUDENTS = "students"
INSTRUCTOR = "instructor"
SET_FOLDERS = {"student": STUDENTS, "instructor": INSTRUCTOR}
"""The class set's sub-folder for each audience: ``students/`` can be published as it is."""
INDEX = "index.html"
"""Every folder's index: the set's front page, and the list in ``students/`` and in ``instructor/``."""
STUDENT_INDEX = f"{STUDENTS}/{INDEX}"
INSTRUCTOR_INDEX = f"{INSTRUCTOR}/{INDEX}"
ANSWER_KEY = f"{INSTRUCTOR}/answer-key.html"
CASE_STUDY = "04_case_study"
TITLE_SEPARATOR = " \u2014 "
SET_TITLE = "Back spasms"
HIDDEN_PARAMETERS = frozenset({"interactive", "audience"})
"""Parameters every handout of an audience has the same way: the instructor's header leaves them out."""

# --------------------------------------------------------------------------- wording


def handout_wording(cell: Mapping[str, Any]) -> str | None:
    """The markdown a handout shows in place of this cell (``metadata["spasm"]["handout"]``), if any."""
    section, key = HANDOUT_WORDING
    wording = cell.get("metadata", {}).get(section, {}).get(key)
    return wording if isinstance(wording, str) else None


def for_handout(nb: Any) -> Any:
    """The cells a handout shows: a ``live-only`` cell is dropped, or replaced by its handout wording.

    The replaced cell loses the ``live-only`` tag and the wording's metadata, so that nothing
    downstream drops it again. Changes ``nb`` (an nbformat notebook; the caller passes a copy) and
    returns it.
    """
    section, _ = HANDOUT_WORDING
    kept = []
    for cell in nb.cells:
        tags = list(cell.get("metadata", {}).get("tags", []))
        if LIVE_ONLY in tags:
            wording = handout_wording(cell)
            if wording is None:
                continue
            cell.source = wording.strip()
            cell.metadata["tags"] = [t for t in tags if t != LIVE_ONLY]
            cell.metadata.pop(section, None)
        kept.append(cell)
    nb.cells = kept
    return nb


# --------------------------------------------------------------------------- titles


def short_title(notebook_title: str) -> str:
    """``Case study: from history to plan`` -> ``Case study``: the part before the first colon."""
    return notebook_title.split(":", 1)[0].strip() or notebook_title


def page_title(notebook_title: str, subject: str | None = None) -> str:
    """The handout's title: the notebook's title, or ``Short title — subject`` for one patient."""
    if not subject:
        return notebook_title
    return f"{short_title(notebook_title)}{TITLE_SEPARATOR}{subject}"


def patient_label(parameters: Mapping[str, Any], case_title: str) -> str:
    """How a handout's title names its patient: a data case by its title; a virtual patient (``case``
    is ``random``) as ``Patient SEED``. A class set names each student's patient by the student's
    number instead (:func:`student_patient_name`), never by the seed."""
    from spasm_lib.facts import RANDOM_CASE

    if parameters.get("case") != RANDOM_CASE:
        return case_title
    return f"Patient {parameters.get('seed') or 0}"


def student_patient_name(number: int) -> str:
    """What a student's handout calls the student's virtual patient: a short number, not a seed."""
    return f"Patient {number}"


# --------------------------------------------------------------------------- header and footer


def _parameter_text(name: str, value: Any) -> str:
    """How the instructor's header shows a parameter. A file shows by its name only: a handout must
    not carry the instructor's folders, and the bytes must not depend on them."""
    if name.endswith("_file") and isinstance(value, str) and value:
        return Path(value).name
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if value == "":
        return "(none)"
    return str(value)


def patient_code(parameters: Mapping[str, Any]) -> str | None:
    """A student handout of a virtual patient prints the patient's code (:mod:`spasm_lib.patient_codes`),
    to be typed once into the notebooks to meet the same patient there; none for a written case."""
    from spasm_lib.facts import RANDOM_CASE
    from spasm_lib.patient_codes import MAX_CODE_SEED, encode

    seed = parameters.get("seed")
    if parameters.get("case") != RANDOM_CASE or not isinstance(seed, int) or not 0 <= seed <= MAX_CODE_SEED:
        return None
    return encode(seed)


def handout_header(title: str, audience: str, parameters: Mapping[str, Any], version: str = __version__) -> Html:
    """The top of a handout (``pages/_handout_header.html.j2``). Student: kind, title, the patient's
    code, disclaimer. Instructor: also the answers banner, the package version and the parameters
    that made it (so it can be made again)."""
    from spasm_lib.page_templates import render_template

    instructor = audience == "instructor"
    return Html(render_template(
        "_handout_header.html.j2", instructor=instructor, set_title=SET_TITLE, title=title, version=version,
        code=None if instructor else patient_code(parameters),
        parameters=[(name, _parameter_text(name, value)) for name, value in parameters.items()
                    if name not in HIDDEN_PARAMETERS],
    ), "handout header")


def handout_footer(version: str = __version__) -> Html:
    """The foot of a handout: ``pages/_footer.html.j2``, the footer of every other page too."""
    from spasm_lib.page_templates import render_template

    return Html(render_template("_footer.html.j2", version=version), "handout footer")


# --------------------------------------------------------------------------- the set's file names


def handout_file(notebook: str, audience: str, case: str | None = None) -> str:
    """The file name of a handout in the set: ``01_risk_factors.student.html``,
    ``04_case_study.golfer-twist.instructor.html``."""
    middle = f".{case}" if case else ""
    return f"{notebook}{middle}.{audience}.html"


def in_set(audience: str, name: str) -> str:
    """Where a file for ``audience`` sits in a class set: ``students/01_risk_factors.student.html``."""
    return f"{SET_FOLDERS[audience]}/{name}"


def href(page: str, target: str) -> str:
    """The relative link from the set's file ``page`` to its file ``target`` (both set paths, such as
    ``instructor/index.html`` and ``students/a.html`` -> ``../students/a.html``)."""
    import posixpath

    return posixpath.relpath(target, posixpath.dirname(page) or ".")


@cache
def _title_of(path: str) -> str | None:
    from spasm_lib.packaged import notebook_title, read_notebook

    try:
        return notebook_title(read_notebook(path), Path(path).stem)
    except Exception:  # a missing or unreadable sibling: the link says the notebook's name
        return None


def next_handout(notebook: str | Path, audience: str) -> tuple[str, str]:
    """Where a reader goes after this handout: ``(href, text)``.

    In the set's reading order the next notebook's handout of the same audience; before the case
    study (one handout per case), the index's list of case studies; after the last, the index.
    The next notebook's title is read from the notebook beside this one (its name if absent). The
    index is the one in the handout's own folder, so a student is never sent to the instructor's.
    """
    from spasm_lib.params import notebook_key

    path = Path(notebook)
    key = notebook_key(path)
    order = list(V.NOTEBOOKS)
    if key not in order or order.index(key) + 1 >= len(order):
        return INDEX, "All handouts"
    following = order[order.index(key) + 1]
    title = _title_of(str(path.with_name(f"{following}.ipynb"))) or following
    if following == CASE_STUDY:
        return f"{INDEX}#case-studies", f"{short_title(title)}: choose a case"
    return handout_file(following, audience), title


# --------------------------------------------------------------------------- the finished page


def end_of_main(notebook: str | Path, audience: str, paper_answers: str = DEFAULT_PAPER_ANSWERS) -> str:
    """What closes a handout's ``<main>`` (the template places it): for a student, unless the set
    prints them on a page of their own (``paper_answers`` "separate"), the self-check answers, print
    only (:mod:`spasm_lib.paper`); then, for one of the set's notebooks, the "next handout" link."""
    from spasm_lib.facts import load_facts
    from spasm_lib.page_templates import render_template
    from spasm_lib.paper import SEPARATE, answers_at_the_end
    from spasm_lib.params import ParameterError

    answers = ""  # a notebook outside the classroom's (a fixture, an author's own) has no quiz of its own
    if audience == "student" and paper_answers != SEPARATE and V.notebook_stem(notebook) in V.NOTEBOOKS:
        answers = answers_at_the_end(load_facts(), notebook)
    try:
        href, text = next_handout(notebook, audience)
    except ParameterError:  # not one of the set's notebooks: no place in its order
        return answers
    return answers + render_template("_next_handout.html.j2", href=href, text=text)
