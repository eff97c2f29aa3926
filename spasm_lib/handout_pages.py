"""What makes a handout a handout rather than a notebook printed out: its wording, header, contents,
"next handout" link, tables that read on a phone, and the set's pages (an index per folder, the
front page, the answer key).

Decisions, each with its reason:

* **Wording.** A notebook talks to someone with a kernel ("Run All Cells", "Tick the factors…",
  "set ``case`` in the parameters cell"); a handout is read on paper or a phone. Cells tagged
  :data:`LIVE_ONLY` (``live-only``) are left out of every handout. Where the handout needs its own
  sentence instead, the ``live-only`` cell carries it in its metadata
  (``metadata["spasm"]["handout"]``, :func:`handout_wording`) and the handout shows that markdown in
  the cell's place. One cell, two wordings: JupyterLab has no way to hide a whole cell (its
  ``source_hidden`` still draws a box), so a separate handout-only cell, even one holding only an HTML
  comment, left an empty box in every live notebook. Inside a view's markup, an element of class
  ``spasm-live-only`` (:data:`LIVE_ONLY_CLASS`) is the same kind of instruction and is left out
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
  link at the bottom, in the set's reading order (:data:`spasm_lib.records.NOTEBOOKS`).
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

import html as _html
import re
from collections.abc import Mapping, Sequence
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from spasm_lib import records as R
from spasm_lib.records import AUDIENCES
from spasm_lib import DISCLAIMER, __version__
from spasm_lib.html import Html, esc
from spasm_lib.treatment_pathway import CONDITIONAL_NOTE, CONDITIONAL_NOTE_SHORT

LIVE_ONLY = "live-only"
"""Cell tag: text for the live notebook only (how to run, tick, pick, filter, set parameters)."""
HANDOUT_WORDING = ("spasm", "handout")
"""Where a ``live-only`` cell keeps the markdown a handout shows in its place: ``metadata["spasm"]["handout"]``."""
LIVE_ONLY_CLASS = "spasm-live-only"
"""The same convention inside a view's markup: an element of this class is an instruction for the
live widget ("untick it…"); the handout leaves the element out (:func:`without_live_only_markup`)."""
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


def cell_tags(cell: Mapping[str, Any]) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


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
        tags = cell_tags(cell)
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
    from spasm_lib.params import RANDOM_CASE

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


def disclaimer_html() -> str:
    return f'<p class="disclaimer" role="note"><strong>Not medical advice.</strong> {esc(DISCLAIMER)}</p>'


def patient_code_html(parameters: Mapping[str, Any]) -> str:
    """A student handout of a virtual patient prints the patient's code (:mod:`spasm_lib.patient_codes`),
    to be typed once into the notebooks to meet the same patient there; nothing for a written case."""
    from spasm_lib.params import RANDOM_CASE
    from spasm_lib.patient_codes import MAX_CODE_SEED, encode

    seed = parameters.get("seed")
    if parameters.get("case") != RANDOM_CASE or not isinstance(seed, int) or not 0 <= seed <= MAX_CODE_SEED:
        return ""
    return (
        f'<p class="patient-code">Your patient code: <strong>{esc(encode(seed))}</strong>. Type it into the '
        "patient code box of the exam simulator, the treatment pathway and the case study (in JupyterLab or in "
        "the browser version) to meet this patient there.</p>"
    )


def handout_header(title: str, audience: str, parameters: Mapping[str, Any], version: str = __version__) -> Html:
    """The top of a handout. Student: kind, title, disclaimer. Instructor: also the answers banner,
    the package version and the parameters that made it (so it can be made again)."""
    if audience != "instructor":
        return Html(
            '<header class="handout-header">'
            f'<p class="kicker">{esc(SET_TITLE)} &middot; Student handout</p>'
            f"<h1>{esc(title)}</h1>{patient_code_html(parameters)}{disclaimer_html()}</header>",
            "handout header",
        )
    rows = "".join(
        f"<dt>{esc(name)}</dt><dd>{esc(_parameter_text(name, value))}</dd>"
        for name, value in parameters.items()
        if name not in HIDDEN_PARAMETERS
    )
    params = f'<dl class="params" aria-label="Parameters of this handout">{rows}</dl>' if rows else ""
    return Html(
        '<header class="handout-header">'
        f'<p class="kicker">{esc(SET_TITLE)} &middot; Instructor version &middot; spasm-teach {esc(version)}</p>'
        f"<h1>{esc(title)}</h1>"
        '<p class="answer-banner">Contains the answers: for the instructor, not for students.</p>'
        f"{params}{disclaimer_html()}</header>",
        "handout header",
    )


def handout_footer(version: str = __version__) -> Html:
    return Html(
        f"<footer><p>Made with spasm-teach {esc(version)}. Educational material, not medical advice: "
        "see the note at the top.</p></footer>",
        "handout footer",
    )


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


def index_for(audience: str) -> str:
    """The index a reader of ``audience`` comes from: the one in the handout's own folder, so a
    student is never sent to the instructor's."""
    return INDEX


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
    The next notebook's title is read from the notebook beside this one (its name if absent).
    """
    from spasm_lib.params import notebook_key

    path = Path(notebook)
    key = notebook_key(path)
    order = list(R.NOTEBOOKS)
    index = index_for(audience)
    if key not in order or order.index(key) + 1 >= len(order):
        return index, "All handouts"
    following = order[order.index(key) + 1]
    title = _title_of(str(path.with_name(f"{following}.ipynb"))) or following
    if following == CASE_STUDY:
        return f"{index}#case-studies", f"{short_title(title)}: choose a case"
    return handout_file(following, audience), title


def _next_nav(href: str, text: str) -> str:
    return (
        '<nav class="next-handout" aria-label="Next handout"><p>Next handout: '
        f'<a href="{esc(href)}">{esc(text)}</a> <span class="arrow" aria-hidden="true">&rarr;</span></p></nav>'
    )


# --------------------------------------------------------------------------- contents

_H2 = re.compile(r"<h2\b([^>]*)>(.*?)</h2\s*>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r"""\bid\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def _text(markup: str) -> str:
    return " ".join(_html.unescape(_TAG.sub("", markup)).split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


_PART = re.compile(r"""<section\b[^>]*?\bid\s*=\s*"([^"]+)"[^>]*>\s*<(h[3-6])\b[^>]*>(.*?)</\2\s*>""",
                   re.DOTALL | re.IGNORECASE)
"""A part of a section a reader may want to jump to: a ``<section id=…>`` that opens with a heading
(the pathway's steps, for one)."""


def with_contents(page: str) -> str:
    """The page with every ``h2`` of its ``<main>`` given an id, and a contents list of them placed
    right after the header; under a section, its parts with an id (:data:`_PART`), so that a long
    section (every step of the pathway) can be entered where needed. Fewer than two sections: no list."""
    start = page.find("<main>")
    end = page.rfind("</main>")
    if start < 0 or end < start:
        return page
    used = set(m.group(2) for m in _ID.finditer(page))
    entries: list[tuple[str, str, int]] = []

    def number(match: re.Match[str]) -> str:
        attrs, inner = match.group(1), match.group(2)
        found = _ID.search(attrs)
        if found:
            ident = found.group(2)
        else:
            base = _slug(_text(inner))
            ident, n = base, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            attrs = f' id="{esc(ident)}"{attrs}'
        entries.append((ident, _text(inner), match.start()))
        return f"<h2{attrs}>{inner}</h2>"

    main = page[start:end]
    body = _H2.sub(number, main)
    if len(entries) < 2:
        return page
    items = []
    for k, (ident, text, at) in enumerate(entries):
        until = entries[k + 1][2] if k + 1 < len(entries) else len(main)
        parts = "".join(
            f'<li><a href="#{esc(_html.unescape(m.group(1)))}">{esc(_text(m.group(3)))}</a></li>'
            for m in _PART.finditer(main, at, until)
        )
        items.append(f'<li><a href="#{esc(ident)}">{esc(text)}</a>' + (f"<ol>{parts}</ol>" if parts else "") + "</li>")
    nav = (
        '<nav class="contents" aria-labelledby="contents-title">'
        f'<p class="contents-title" id="contents-title">In this handout</p><ol>{"".join(items)}</ol></nav>\n'
    )
    return page[:start] + "<main>\n" + nav + body[len("<main>"):] + page[end:]


# --------------------------------------------------------------------------- tables as cards


class _CellLabeller(HTMLParser):
    """Re-emits a page unchanged, except that each body cell of a table with a header row gets
    ``data-label="<its column heading>"`` (the stylesheet shows it on a phone)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self.heading: list[str] | None = None

    def _table(self) -> dict[str, Any] | None:
        return self.tables[-1] if self.tables else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        table = self._table()
        if tag == "table":
            self.tables.append({"labels": [], "head": False, "col": 0, "row": []})
        elif table is not None and tag == "thead":
            table["head"] = True
        elif table is not None and tag == "tr":
            table["col"] = 0
            if table["head"]:
                table["row"] = []
        elif table is not None and tag in ("td", "th"):
            span = dict(attrs).get("colspan") or "1"
            width = int(span) if span.isdigit() and 0 < int(span) < 100 else 1
            if table["head"]:
                if tag == "th":
                    self.heading = []
                table["span"] = width
            else:
                labels = table["labels"]
                label = labels[table["col"]] if table["col"] < len(labels) else ""
                if label and "data-label" not in dict(attrs):
                    cut = len(raw) - (2 if raw.endswith("/>") else 1)
                    raw = f'{raw[:cut]} data-label="{esc(label)}"{raw[cut:]}'
                table["col"] += width
        self.out.append(raw)

    def handle_endtag(self, tag: str) -> None:
        table = self._table()
        if table is not None:
            if tag == "th" and table["head"] and self.heading is not None:
                label = " ".join("".join(self.heading).split())
                table["row"].extend([label] * table.get("span", 1))
                self.heading = None
            elif tag == "tr" and table["head"]:
                table["labels"] = list(table["row"])  # the last header row names the columns
            elif tag == "thead":
                table["head"] = False
            elif tag == "table":
                self.tables.pop()
        self.out.append(f"</{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        if self.heading is not None:
            self.heading.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")
        if self.heading is not None:
            self.heading.append(_html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")
        if self.heading is not None:
            self.heading.append(_html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def with_cell_labels(page: str) -> str:
    """The page with ``data-label`` on every body cell of every table that has a header row."""
    if "<table" not in page:
        return page
    parser = _CellLabeller()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)


class _LiveOnlyRemover(HTMLParser):
    """Re-emits a page unchanged, except that every element whose class list holds
    :data:`LIVE_ONLY_CLASS` is left out with all it contains."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skipping: str | None = None  # the tag being left out
        self.depth = 0  # how many of that tag are open inside it

    def _emit(self, text: str) -> None:
        if self.skipping is None:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth += 1
            return
        classes = (dict(attrs).get("class") or "").split()
        if LIVE_ONLY_CLASS in classes and tag not in self.VOID:
            self.skipping, self.depth = tag, 1
            return
        if LIVE_ONLY_CLASS not in classes:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth -= 1
                if self.depth == 0:
                    self.skipping = None
            return
        self.out.append(f"</{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if LIVE_ONLY_CLASS not in (dict(attrs).get("class") or "").split():
            self._emit(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        self._emit(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._emit(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._emit(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._emit(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._emit(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._emit(f"<![{data}]>")


def without_live_only_markup(page: str) -> str:
    """The page without the elements a view marked as live-only (class :data:`LIVE_ONLY_CLASS`)."""
    if LIVE_ONLY_CLASS not in page:
        return page
    parser = _LiveOnlyRemover()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)


# --------------------------------------------------------------------------- the finished page


def _with_paper_answers(page: str, notebook: str | Path) -> str:
    """A student handout's self-check answers, print only, at the end of ``<main>`` (:mod:`spasm_lib.paper`)."""
    from spasm_lib.facts import load_facts
    from spasm_lib.paper import answers_at_the_end

    try:
        section = answers_at_the_end(load_facts(), notebook)
    except ValueError:  # not one of the classroom notebooks: no quiz of its own
        return page
    end = page.rfind("</main>")
    return page[:end] + section + page[end:] if section and end >= 0 else page


def finish_handout(page: str, *, notebook: str | Path | None, audience: str) -> str:
    """A converted handout made ready for phones and paper: the views' live-only instructions out,
    labelled table cells, a contents list, for a student the self-check answers on paper only, and
    (for one of the set's notebooks) the "next handout" link at the end of ``<main>``."""
    page = with_contents(with_cell_labels(without_live_only_markup(page)))
    if notebook is not None and audience == "student":
        page = _with_paper_answers(page, notebook)
    if notebook is not None:
        from spasm_lib.params import ParameterError

        try:
            href, text = next_handout(notebook, audience)
        except ParameterError:  # not one of the set's notebooks: no place in its order
            return page
        end = page.rfind("</main>")
        if end >= 0:
            page = page[:end] + _next_nav(href, text) + "\n" + page[end:]
    return page


# --------------------------------------------------------------------------- the set's own pages


def self_check_answers_page(facts: Any, notebooks: Sequence[tuple[str, str]]) -> str:
    """``students/self-check-answers.html`` (``--paper-answers separate``): every notebook's
    self-check answers (:func:`spasm_lib.paper.answer_sections`) on a page of the set."""
    from spasm_lib.paper import ANSWERS_TITLE, answer_sections

    return standalone_page(ANSWERS_TITLE, answer_sections(facts, notebooks),
                           kicker=f"{SET_TITLE} \u00b7 Self-check answers", audience="student")


def standalone_page(title: str, body: str, *, kicker: str, audience: str) -> str:
    """A page of the set that is not a notebook (an index, the answer key): same look, same rules."""
    from spasm_lib.packaged import stylesheet

    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
        f'<body class="audience-{esc(audience)}">\n<header class="handout-header">'
        f'<p class="kicker">{esc(kicker)}</p><h1>{esc(title)}</h1>{disclaimer_html()}</header>\n'
        f"<main>\n{body}\n</main>\n{handout_footer().markup}\n</body>\n</html>\n"
    )


def _link(href: str, text: str) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


GROUPS = {"notebook": "Notebooks", "case": "Case studies", "student": "One patient per student"}
STUDENT_GROUPS = {"notebook": "The course, in order", "case": "Case studies", "student": "Your own patient"}
GROUP_IDS = {"notebook": "notebooks", "case": "case-studies", "student": "students"}


def _rows(built: Sequence[Any], group: str) -> dict[tuple[str, str], dict[str, Any]]:
    """One row per notebook, case or student (two cases may share a title: keyed by file stem too,
    without the audience's folder, so that both versions share the row)."""
    import posixpath

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for job in built:
        if job.group == group:
            rows.setdefault((job.row, posixpath.basename(job.output).rsplit(".", 2)[0]), {})[job.audience] = job
    return rows


def index_page(
    built: Sequence[Any],
    failed: Sequence[tuple[Any, str]] = (),
    *,
    audience: str,
    answer_key: bool = False,
    class_seed: int | None = None,
    self_check_answers: bool = False,
) -> str:
    """``students/index.html`` (``audience`` student: student handouts only, no answer key, no
    failures, every link inside ``students/``) or ``instructor/index.html`` (everything, both
    versions, the answer key, what failed).

    ``built`` are the set's jobs (:class:`spasm_lib.handouts.Job`), whose ``output`` is the file's
    path in the set; their text is escaped here.
    """
    instructor = audience == "instructor"
    here = INSTRUCTOR_INDEX if instructor else STUDENT_INDEX

    def link(target: str, text: str) -> str:
        return _link(href(here, target), text)

    parts: list[str] = []
    if instructor:
        parts.append(f"<p>For the instructor: keep the <code>{INSTRUCTOR}/</code> folder to yourself. The students' "
                     f"own list is {link(STUDENT_INDEX, STUDENT_INDEX)}: it links only student handouts, and the "
                     f"<code>{STUDENTS}/</code> folder can be published as it is.</p>")
    for group, heading in (GROUPS if instructor else STUDENT_GROUPS).items():
        rows = _rows(built, group)
        if not instructor:
            rows = {k: v for k, v in rows.items() if "student" in v}
        if not rows and not (instructor and group == "student" and answer_key):
            continue
        parts.append(f'<h2 id="{GROUP_IDS[group]}">{esc(heading)}</h2>')
        if not instructor:  # a plain list: what to open, by its title
            if group == "student":
                parts.append("<p>Open the handout with your number.</p>")
            parts.append("<ul>")
            for (row, _), by_audience in rows.items():
                job = by_audience["student"]
                label = f"{row}: {job.title}" if group == "student" else row
                parts.append(f"<li>{link(job.output, label)}</li>")
            parts.append("</ul>")
        elif group == "student":
            if class_seed is not None:
                parts.append(f"<p>Each student meets a different virtual patient (class seed {esc(class_seed)}).</p>")
            if answer_key:
                parts.append(f"<p>{link(ANSWER_KEY, 'Answer key')}: every student’s patient with the answers.</p>")
            parts.append('<table><thead><tr><th scope="col">Student</th>'
                         '<th scope="col">Handout</th></tr></thead><tbody>')
            for (row, _), by_audience in rows.items():
                job = by_audience["student"]
                parts.append(f'<tr><th scope="row">{esc(row)}</th><td>{link(job.output, job.title)}</td></tr>')
            parts.append("</tbody></table>")
        else:
            first = "Notebook" if group == "notebook" else "Case"
            parts.append(f'<table><thead><tr><th scope="col">{first}</th>'
                         '<th scope="col">Student version</th><th scope="col">Instructor version</th></tr></thead><tbody>')
            for (row, _), by_audience in rows.items():
                cells = "".join(
                    f"<td>{link(by_audience[a].output, a.capitalize() + ' version') if a in by_audience else 'not built'}</td>"
                    for a in AUDIENCES
                )
                parts.append(f'<tr><th scope="row">{esc(row)}</th>{cells}</tr>')
            parts.append("</tbody></table>")
    if self_check_answers:
        from spasm_lib.paper import SELF_CHECK_ANSWERS

        parts.append('<h2 id="self-check-answers">Self-check answers</h2>'
                     f"<p>{link(in_set('student', SELF_CHECK_ANSWERS), 'The answers to every Check yourself')}, "
                     "with why: for after trying the questions, on screen or on paper.</p>")
    if instructor and failed:
        parts.append('<h2 id="not-built">Not built</h2><ul>')
        for job, message in failed:
            parts.append(f"<li><strong>{esc(job.output)}</strong>: {esc(message)}</li>")
        parts.append("</ul>")
    title = f"{SET_TITLE}{TITLE_SEPARATOR}handouts for {'instructors' if instructor else 'students'}"
    kicker = f"{SET_TITLE} \u00b7 {'Instructor' if instructor else 'Student'} index"
    return with_cell_labels(standalone_page(title, "".join(parts), kicker=kicker, audience=audience))


def front_page(*, answer_key: bool = False) -> str:
    """The set's top ``index.html``: which folder is which, and nothing else (no handout, no answer).

    Why a page and not nothing: an instructor who opens the set's folder in a browser lands here,
    and it says the one rule that matters, publish ``students/`` only."""
    key = f", and the {_link(href(INDEX, ANSWER_KEY), 'answer key')}" if answer_key else ""
    body = (
        '<h2 id="students">For students</h2>'
        f"<p>Open {_link(href(INDEX, STUDENT_INDEX), STUDENT_INDEX)}. The <code>{STUDENTS}/</code> folder holds "
        "everything a student may see: the student handouts and their index. It can be published, shared or "
        "copied as it is: nothing in it shows an answer key or links outside it.</p>"
        '<h2 id="instructor">For you</h2>'
        f"<p>Open {_link(href(INDEX, INSTRUCTOR_INDEX), INSTRUCTOR_INDEX)}. The <code>{INSTRUCTOR}/</code> folder "
        f"holds the instructor versions, which show the answers{key}. Keep it to yourself; its index links both "
        "versions of every handout.</p>"
    )
    return standalone_page(f"{SET_TITLE}{TITLE_SEPARATOR}class set", body,
                           kicker=f"{SET_TITLE} \u00b7 Class set", audience="instructor")


def triage_of(study: Any) -> str:
    """The answer key's "Triage" column: the patient's triage level by name (the case study's
    :class:`spasm_lib.triage.Triage`)."""
    return str(study.triage.level.name)


def student_section_id(number: int) -> str:
    return f"student-{number}"


def _plan_list(study: Any) -> str:
    """The model plan as a short ordered list of step titles (the if-not-improving ones marked)."""
    items = "".join(
        f"<li>{esc(step.title)}{f' <em>({CONDITIONAL_NOTE})</em>' if step.conditional else ''}</li>"
        for step in study.plan.steps
    )
    return f'<ol class="answer-key-plan">{items}</ol>'


def _plan_line(study: Any) -> str:
    """The model plan in one line for the summary table: the step titles in order, numbered."""
    return "; ".join(
        f"{n}. {esc(step.title)}{f' ({CONDITIONAL_NOTE_SHORT})' if step.conditional else ''}"
        for n, step in enumerate(study.plan.steps, start=1)
    )


def _key_facts(facts: Any, student: Any, study: Any) -> str:
    """What a marker needs at a glance: the patient, the warning signs, triage, interpretation, plan."""
    case = student.case
    presentation = facts.by_id("presentations").get(case.presentation_id) if case.presentation_id else None
    flags = facts.by_id("red_flags")
    signs = "; ".join(flags[f].name for f in case.red_flag_ids) or "none"
    rows = [
        ("Presentation", esc(presentation.name) if presentation else "(none)"),
        ("Patient", f"{esc(case.age)} years, {esc(case.spasm_site.replace('-', ' '))}: "
                    f"“{esc(case.story)}”"),
        ("Warning signs", esc(signs)),
        ("Triage", f"<strong>{esc(triage_of(study))}</strong>: {esc(study.triage.level.action)}"),
        ("Interpretation", f"<strong>{esc(study.interpretation.name)}</strong>"),
        ("Plan", _plan_list(study)),
        ("Teaching point", esc(case.teaching_point)),
    ]
    return '<dl class="answer-key-facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def answer_key_page(facts: Any, students: Sequence[Any], class_seed: int, mix: str | None = None,
                    page: str = ANSWER_KEY) -> str:
    """Every student's virtual patient with the model answers, short enough to mark from.

    It opens with a summary table (student, patient code, patient, triage, expected
    interpretation, plan), each row linking to the student's section; a section is one printed
    page at most: the patient, warning signs, triage, interpretation, plan and teaching point, with
    the full instructor case study folded underneath (``<details>``, closed on paper too).
    ``page`` is where it sits in the set: each student's handout (``students[i].output``, a set
    path) is linked relative to it.
    """
    from spasm_lib.case_study import case_study
    from spasm_lib.class_mix import DEFAULT_MIX, MIX_HELP
    from spasm_lib.patient_codes import MAX_CODE_SEED, encode
    from spasm_lib.views.case_study import case_study_view

    mix = mix or DEFAULT_MIX
    studies = [(s, case_study(facts, s.case, s.seed)) for s in students]

    def code(seed: int) -> str:
        return encode(seed) if 0 <= seed <= MAX_CODE_SEED else "(none)"

    rows = "".join(
        f'<tr><th scope="row"><a href="#{student_section_id(s.number)}">Student {esc(s.number)}</a></th>'
        f'<td class="answer-key-code">{esc(code(s.seed))}</td>'
        f"<td>{esc(student_patient_name(s.number))}: {esc(s.case.age)}, {esc(s.case.spasm_site.replace('-', ' '))}</td>"
        f"<td>{esc(triage_of(study))}</td><td>{esc(study.interpretation.name)}</td>"
        f'<td class="answer-key-plan-line">{_plan_line(study)}</td></tr>'
        for s, study in studies
    )
    parts = [
        f"<p>{esc(len(students))} students, class seed {esc(class_seed)}, mix <strong>{esc(mix)}</strong> "
        f"({esc(MIX_HELP.get(mix, ''))}). The table is the summary to mark from; each student's section "
        "below fits on one printed page, with the full model answers folded under it. Each student types "
        "the code on their handout into the exam simulator, the pathway walk and the case study to meet "
        "the same patient.</p>",
        '<h2 id="summary">Summary</h2>',
        '<table class="answer-key-summary"><thead><tr><th scope="col">Student</th><th scope="col">Code</th>'
        '<th scope="col">Patient</th><th scope="col">Triage</th><th scope="col">Expected interpretation</th>'
        f'<th scope="col">Plan</th></tr></thead><tbody>{rows}</tbody></table>',
    ]
    for s, study in studies:
        parts.append(
            f'<section class="answer-key-student" id="{student_section_id(s.number)}">'
            f"<h2>Student {esc(s.number)}{TITLE_SEPARATOR}{esc(student_patient_name(s.number))}</h2>"
            f"<p>Code <strong>{esc(code(s.seed))}</strong>; handout: {_link(href(page, s.output), s.output)}; seed {esc(s.seed)}. "
            f'<a href="#summary">Back to the summary</a></p>'
            f"{_key_facts(facts, s, study)}"
            '<details class="answer-key-details"><summary>The full model answers: findings, reasoning and '
            f'every question</summary><div class="out">{case_study_view(study, "instructor").markup}</div></details>'
            "</section>"
        )
    return with_cell_labels(standalone_page(
        f"Answer key{TITLE_SEPARATOR}one patient per student",
        "".join(parts),
        kicker=f"{SET_TITLE} \u00b7 Answer key \u00b7 for the instructor",
        audience="instructor",
    ))
