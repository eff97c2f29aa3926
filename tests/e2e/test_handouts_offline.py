"""The handout set in Chromium with the network cut off: complete, quiet, and readable on a phone.

A handout travels by e-mail or USB stick and is opened where there may be no network. Every request
that is not for the file itself is blocked and recorded: a handout passes only if it asked for
nothing. What must be on the page is derived from the committed notebooks (their title and section
headings) and from data/cases.csv, not from the code that builds the handouts.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest

from spasm_lib import DISCLAIMER
from spasm_lib.facts import load_facts

from .conftest import DESKTOP, NOTEBOOKS_DIR, PHONE, SCREENSHOTS, ExpectedHandout, expect, expected_handouts

pytestmark = pytest.mark.e2e

EXPECTED = expected_handouts()
INSTRUCTOR_ONLY = "instructor-only"
LIVE_ONLY = "live-only"  # left out of handouts
HANDOUT_WORDING = ("spasm", "handout")  # a live-only cell's metadata: what a handout shows in its place
REMOVED = {"remove-cell", "remove_cell"}
BANNER = "Contains the answers"


def _plain(markdown: str) -> str:
    """Heading markdown as a reader sees it: links, emphasis and code marks dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`]", "", text)
    text = re.sub(r"\s+#+\s*$", "", text)
    return " ".join(text.replace("&amp;", "&").split())


def notebook_headings(notebook: str, audience: str) -> tuple[str, list[str]]:
    """The notebook's title (its first ``#`` heading, in the live-only title cell) and the ``##``
    headings a handout reader of ``audience`` gets (live-only cells out, or their handout wording in)."""
    nb = json.loads((NOTEBOOKS_DIR / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    title, sections = None, []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & REMOVED or (INSTRUCTOR_ONLY in tags and audience != "instructor"):
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        live_only = LIVE_ONLY in tags
        handout = cell.get("metadata", {}).get(HANDOUT_WORDING[0], {}).get(HANDOUT_WORDING[1])
        if live_only and handout is not None:
            source, live_only = handout, False
        in_fence = False
        for line in source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                in_fence = not in_fence
            if in_fence:
                continue
            if title is None and (m := re.match(r"^#\s+(.+)$", line)):
                title = _plain(m.group(1))
            elif not live_only and (m := re.match(r"^##\s+(.+)$", line)):
                sections.append(_plain(m.group(1)))
    assert title, f"{notebook} has no '# ' title heading"
    return title, sections


PAGE_TITLES = {
    "students/index.html": "Back spasms \u2014 handouts for students",
    "instructor/index.html": "Back spasms \u2014 handouts for instructors",
    "instructor/answer-key.html": "Answer key \u2014 one patient per student",
    "index.html": "Back spasms \u2014 class set",
}


def expected_title(handout: ExpectedHandout) -> str:
    """Short titles: the notebook's title up to its colon, a dash, then the patient (a case's title,
    or "Patient N" for a student's own)."""
    if handout.notebook is None:
        return PAGE_TITLES[handout.file]
    title, _ = notebook_headings(handout.notebook, handout.audience)
    short = title.split(":")[0].strip()
    if handout.student:
        return f"{short} \u2014 Patient {handout.student}"
    if handout.patient:
        return f"{short} \u2014 {load_facts().by_id('cases')[handout.patient].title}"
    return title


def test_the_set_holds_every_handout_and_nothing_else(handout_set: Path):
    """Every notebook in both versions, the case study per case and version, the indexes, the answer
    key; the students' files in students/, the instructor's in instructor/ (issue 22)."""
    built = sorted(p.relative_to(handout_set).as_posix() for p in handout_set.rglob("*.html"))
    assert built == sorted(h.file for h in EXPECTED)


@pytest.mark.parametrize("handout", EXPECTED, ids=str)
def test_handout_is_complete_offline(handout_page, handout_set: Path, handout: ExpectedHandout):
    opened = handout_page(handout.file)
    page = opened.page
    assert opened.blocked == [], f"{handout.file} tried to reach the network: {opened.blocked}"
    assert opened.failed == [], f"{handout.file} has requests that failed: {opened.failed}"
    assert opened.log.errors == [], f"{handout.file} logged errors: {opened.log.errors}"

    title = expected_title(handout)
    expect(page).to_have_title(title)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("h1")).to_be_visible()

    disclaimer = page.locator(".disclaimer")
    expect(disclaimer).to_be_visible()
    expect(disclaimer).to_contain_text("Not medical advice.")
    expect(disclaimer).to_contain_text(DISCLAIMER)

    broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt)")
    assert broken == [], f"images that did not load: {broken}"

    if handout.notebook is None:
        # The students' index links only student handouts; the instructor's links every handout,
        # the answer key and the students' index; the answer key links each student's handout; the
        # front page, the two indexes. Each link is followed from the page's own folder.
        links = page.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        here = posixpath.dirname(handout.file)
        files = sorted({posixpath.normpath(posixpath.join(here, link.split("#")[0])) for link in links
                        if not link.startswith("#")})
        handouts = [h for h in EXPECTED if h.notebook is not None]
        expected = {
            "students/index.html": sorted(h.file for h in handouts if h.audience == "student"),
            "instructor/index.html": sorted([h.file for h in handouts]
                                            + ["instructor/answer-key.html", "students/index.html"]),
            "instructor/answer-key.html": sorted(h.file for h in handouts if h.student),
            "index.html": ["instructor/answer-key.html", "instructor/index.html", "students/index.html"],
        }[handout.file]
        assert files == expected
        assert all((handout_set / f).is_file() for f in files)
        return

    _, sections = notebook_headings(handout.notebook, handout.audience)
    assert sections, f"{handout.notebook} has no '##' sections"
    for heading in sections:
        located = page.locator("h2", has_text=re.compile(rf"^\s*{re.escape(heading)}\s*$"))
        expect(located.first, f"section '{heading}'").to_be_visible()
    shown = [" ".join(t.split()) for t in page.locator("main h2").all_text_contents()]
    assert shown == sections, "the handout's sections differ from the notebook's, or are out of order"

    banner = page.locator(".answer-banner", has_text=BANNER)
    if handout.audience == "instructor":
        expect(banner).to_be_visible()
    else:
        expect(banner).to_have_count(0)


def _kinds() -> list[ExpectedHandout]:
    """One handout of each kind: a notebook (student, instructor), a case study (both), the index.

    For the notebooks, the risk-factor notebook when there is one: it has cards and a figure.
    """
    kinds: dict[tuple[bool, bool, str], ExpectedHandout] = {}
    for h in sorted(EXPECTED, key=lambda h: h.notebook != "01_risk_factors"):
        kinds.setdefault((h.notebook is None, h.case_id is not None, h.audience), h)
    return list(kinds.values())


@pytest.mark.parametrize("viewport_name", ["phone", "desktop"])
@pytest.mark.parametrize("handout", _kinds(), ids=str)
def test_handout_fits_and_is_screenshotted(open_offline, handout_set, handout: ExpectedHandout, viewport_name: str):
    """Nothing wider than the screen (tables scroll inside their box); screenshots kept to look at."""
    viewport = PHONE if viewport_name == "phone" else DESKTOP
    opened = open_offline(handout_set / handout.file, viewport)
    page = opened.page
    assert opened.blocked == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{handout.file} is {overflow}px wider than a {viewport['width']}px screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = f"{handout.stem}.{viewport_name}"
    page.screenshot(path=str(SCREENSHOTS / f"{stem}.top.png"))
    figure = page.locator("figure img").first
    if figure.count():
        figure.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{stem}.figure.png"))
