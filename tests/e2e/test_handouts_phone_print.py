"""Issue 14 in Chromium: student handouts read as handouts, fit a phone, and print well.

* **Wording:** no instruction that needs a kernel, no parameters or long ids in a student's header,
  the disclaimer once, short titles.
* **Navigation:** a contents list of the page's sections at the top, "next handout" last, and every
  link lands on a file of the set (and an anchor that exists).
* **Phone (390x844):** nothing wider than the screen and nothing that scrolls sideways; tables are
  stacked cards whose cells show their column's name; figures are vector images no wider than the
  screen, whose smallest text is at least 90% of the body text's size.
* **Desktop (1280x900):** tables stay tables; nothing wider than the screen.
* **Print:** each student handout printed to PDF (A4) by Chromium. An answer box never splits and
  never leaves its question behind (markers at its top and bottom edges and at the start of its
  question print on the same page); no page but the last is mostly
  blank (its lowest text sits below 40% of the page); no more pages than the content's printed
  height needs, plus one.

What is expected comes from the set's file list, data/ and hand-written phrases, not from the code
that builds the handouts.
"""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pytest

from spasm_lib import DISCLAIMER

from .conftest import DESKTOP, PHONE, SCREENSHOTS, ExpectedHandout, expect, expected_handouts

pytestmark = pytest.mark.e2e

EXPECTED = expected_handouts()
STUDENT_HANDOUTS = [h for h in EXPECTED if h.audience == "student" and h.notebook is not None]
WITH_ANSWER_BOXES = [h for h in STUDENT_HANDOUTS if h.notebook == "04_case_study"]
PAGES = [h for h in EXPECTED if h.notebook is None]

LIVE_INSTRUCTIONS = ["Run All", "Run the notebook", "Tick the factors", "Pick an answer", "Filter the table",
                     "parameters cell", "papermill", "Pick a patient", "Next step", "Previous step", ".ipynb",
                     "untick", "Tick a "]
A4_CONTENT_PX = 1123 - 2 * 1.5 / 2.54 * 96  # A4 height at 96 px/in, less the stylesheet's 1.5 cm margins
A4_CONTENT_WIDTH_PX = 794 - 2 * 1.5 / 2.54 * 96
MOSTLY_BLANK = 0.4


def _main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())


# --------------------------------------------------------------------------- wording and navigation


@pytest.mark.parametrize("handout", STUDENT_HANDOUTS, ids=str)
def test_student_handout_reads_as_a_handout(handout_page, handout: ExpectedHandout):
    page = handout_page(handout.file).page
    text = " ".join(page.locator("body").inner_text().split())
    for phrase in LIVE_INSTRUCTIONS:
        assert phrase not in text, f"{handout.file} still says '{phrase}'"
    header = page.locator("header.handout-header")
    expect(header.locator("dl")).to_have_count(0)
    header_text = header.inner_text()
    for word in ("interactive", "audience", "risk_factors", "cases_file", "seed"):
        assert word not in header_text, f"{handout.file}: '{word}' in the student's header"
    assert not re.search(r"\d{5,}", header_text), f"{handout.file}: a long number in the header: {header_text!r}"
    title = page.locator("h1").inner_text()
    assert title.count(":") <= 1 and len(title) <= 60, f"not a short title: {title!r}"
    assert text.count("must not be used to diagnose") == 1, "the disclaimer is printed more than once"
    expect(page.locator(".disclaimer")).to_have_count(1)


@pytest.mark.parametrize("handout", STUDENT_HANDOUTS, ids=str)
def test_contents_at_the_top_and_next_handout_at_the_bottom(handout_page, handout_set: Path, handout: ExpectedHandout):
    """(The indexes are lists already, and the answer key opens with its summary table.)"""
    page = handout_page(handout.file).page
    sections = page.locator("main h2").evaluate_all("hs => hs.map(h => [h.id, h.textContent.trim()])")
    assert len(sections) >= 5, f"{handout.file}: {sections}"
    listed = page.locator("nav.contents > ol > li > a").evaluate_all(
        "as => as.map(a => [a.getAttribute('href'), a.textContent.trim()])")
    assert listed == [[f"#{i}", " ".join(t.split())] for i, t in sections]
    expect(page.locator("main > *").first).to_have_class("contents")
    for href in page.locator("nav.contents a").evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        expect(page.locator(f'[id="{href[1:]}"]'), f"{handout.file}: {href} leads nowhere").to_have_count(1)
    last = page.locator("main > *").last
    expect(last).to_have_class("next-handout")
    expect(last).to_contain_text("Next handout")
    href = last.locator("a").get_attribute("href")
    file, _, anchor = href.partition("#")
    target = (handout_set / handout.file).parent / file
    assert target.is_file(), f"{handout.file}: 'next handout' leads to a missing file: {href}"
    assert target.resolve().parent == (handout_set / "students").resolve(), "a student is sent out of students/"
    assert ".instructor." not in file, "a student is sent to instructor material"
    if anchor:
        assert f'id="{anchor}"' in target.read_text(encoding="utf-8"), f"{href}: no such section"


# --------------------------------------------------------------------------- phones and desktops

FITS = """() => {
  const width = window.innerWidth, wide = [], scrolls = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('thead')) continue;  // on a phone the header row is kept for screen readers only
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : '');
    if (r.right > width + 0.5 || r.left < -0.5) wide.push(`${name} ${Math.round(r.left)}..${Math.round(r.right)}`);
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1) scrolls.push(name);
  }
  return {page: document.documentElement.scrollWidth - width, wide: wide.slice(0, 10), scrolls};
}"""

CARDS = """() => [...document.querySelectorAll('main td[data-label], main th[data-label]')].map(td => {
  const before = getComputedStyle(td, '::before').content;
  return {label: td.dataset.label, display: getComputedStyle(td).display, before,
          row: getComputedStyle(td.parentElement).display, width: td.getBoundingClientRect().width};
})"""

FIGURES = """() => [...document.querySelectorAll('main img, main svg')].filter(f => f.getClientRects().length).map(f => {
  // A figure's smallest text as shown: its font size in SVG units times the figure's scale on screen.
  let svg = f, shown = f.getBoundingClientRect().width;
  if (f.tagName.toLowerCase() === 'img') {
    if (!f.src.startsWith('data:image/svg+xml')) return {alt: f.alt, vector: false, px: null, width: shown};
    const data = f.src.slice(f.src.indexOf(',') + 1);
    const text = f.src.slice(0, f.src.indexOf(',')).endsWith(';base64') ? atob(data) : decodeURIComponent(data);
    svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
  }
  const box = (svg.getAttribute('viewBox') || '').trim().split(/[\\s,]+/).map(Number);
  const units = box.length === 4 ? box[2] : parseFloat(svg.getAttribute('width'));
  const size = t => { const s = t.closest('[font-size]'); return parseFloat(s ? s.getAttribute('font-size') : '16'); };
  const sizes = [...svg.querySelectorAll('text')].map(size);
  return {alt: (f.getAttribute('alt') || '').slice(0, 40), vector: true, width: shown,
          px: sizes.length ? Math.min(...sizes) * shown / units : null};
})"""
BODY_PX = "() => parseFloat(getComputedStyle(document.body).fontSize)"
FIGURE_TEXT_SHARE = 0.9
"""A figure's smallest text (a key, a note) may be a little smaller than the body text, not more."""


def _fits(page, name: str, viewport: dict) -> None:
    found = page.evaluate(FITS)
    assert found["page"] <= 0, f"{name} is {found['page']}px wider than a {viewport['width']}px screen"
    assert found["wide"] == [], f"{name}: elements wider than the screen: {found['wide']}"
    assert found["scrolls"] == [], f"{name}: boxes that scroll sideways: {found['scrolls']}"


@pytest.mark.parametrize("handout", STUDENT_HANDOUTS + PAGES, ids=str)
def test_on_a_phone_nothing_is_wider_than_the_screen_and_tables_are_cards(open_offline, handout_set, handout):
    opened = open_offline(handout_set / handout.file, PHONE)
    page = opened.page
    _fits(page, handout.file, PHONE)
    cells = page.evaluate(CARDS)
    for cell in cells:
        assert cell["display"] == "block" and cell["row"] == "block", f"{handout.file}: a table is not cards: {cell}"
        assert cell["label"] in cell["before"], f"{handout.file}: a card's cell does not show its column: {cell}"
        assert cell["width"] <= PHONE["width"]
    body = page.evaluate(BODY_PX)
    for figure in page.evaluate(FIGURES):
        assert figure["width"] <= PHONE["width"], f"{handout.file}: a figure wider than the phone: {figure}"
        assert figure["vector"], f"{handout.file}: a raster figure, whose text cannot grow: {figure['alt']}"
        if figure["px"] is not None:
            assert figure["px"] >= FIGURE_TEXT_SHARE * body, (
                f"{handout.file}: figure text of {figure['px']:.1f}px beside {body:.1f}px body text: {figure['alt']}")
    contents = page.locator("nav.contents")
    if contents.count():
        assert contents.bounding_box()["y"] < 1.5 * PHONE["height"], "the contents list is not near the top"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{handout.stem}.phone.full.png"), full_page=True)


@pytest.mark.parametrize("handout", [h for h in STUDENT_HANDOUTS if h.notebook in ("01_risk_factors", "04_case_study")][:3]
                         + [h for h in PAGES if h.file == "instructor/answer-key.html"], ids=str)
def test_on_a_desktop_tables_stay_tables(open_offline, handout_set, handout):
    page = open_offline(handout_set / handout.file, DESKTOP).page
    _fits(page, handout.file, DESKTOP)
    cells = page.evaluate(CARDS)
    assert cells, f"{handout.file} has no table with a header row"
    assert {c["display"] for c in cells} == {"table-cell"}
    assert {c["before"] for c in cells} <= {"none", "normal"}


def test_the_answer_key_summary_links_each_students_section(open_offline, handout_set):
    page = open_offline(handout_set / "instructor/answer-key.html", PHONE).page
    summary = page.locator("table").first
    expect(summary.locator("thead th")).to_have_text(["Student", "Code", "Patient", "Triage", "Expected interpretation",
                                                      "Plan"])
    students = [h.student for h in EXPECTED if h.student]
    links = summary.locator("tbody a")
    expect(links).to_have_count(len(students))
    for number in students:
        link = summary.locator(f'a[href="#student-{number}"]')
        expect(link).to_have_text(f"Student {number}")
        expect(page.locator(f"section#student-{number} h2")).to_contain_text(f"Patient {number}")
    link.click()
    assert page.evaluate("location.hash") == f"#student-{students[-1]}"


# --------------------------------------------------------------------------- print

MARK_BOXES = """() => { let n = 0;
  for (const box of document.querySelectorAll('.spasm-answer-space')) { n++;
    box.style.position = 'relative';
    for (const [edge, word] of [['top', 'BOXTOP'], ['bottom', 'BOXEND']]) {
      const mark = document.createElement('span');
      mark.textContent = `${word}${n}X`;
      mark.style.cssText = `position:absolute;left:2px;${edge}:1px;font-size:4px;line-height:1;color:#000`;
      box.appendChild(mark); }
    // the question the box answers: the paragraph before the box's "Your answer:" label
    const label = box.previousElementSibling;
    let ask = label && label.previousElementSibling;
    if (ask && ['UL', 'OL'].includes(ask.tagName)) ask = ask.previousElementSibling;  // "Choose one of:" and the list
    if (ask && ask.tagName === 'P') {
      const mark = document.createElement('span');
      mark.textContent = `BOXASK${n}X `;
      mark.style.cssText = 'font-size:4px;line-height:1;color:#000';
      ask.prepend(mark); } }
  return n; }"""


def _print(page) -> tuple[int, list[dict]]:
    """The page printed to A4 by Chromium: its printed flow height, and per PDF page the marks on
    it and how far down its lowest text reaches (0 top, 1 bottom)."""
    from pypdf import PdfReader

    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(A4_CONTENT_WIDTH_PX), "height": round(A4_CONTENT_PX)})
    flow = page.evaluate("document.documentElement.scrollHeight")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = []
    for pdf_page in reader.pages:
        lows: list[float] = []

        def visit(text, cm, tm, font, size, lows=lows):
            if text.strip():
                lows.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

        text = pdf_page.extract_text(visitor_text=visit)
        height = float(pdf_page.mediabox.height)
        pages.append({"marks": re.findall(r"BOX(?:TOP|END|ASK)\d+X", text),
                      "reach": 1 - min(lows) / height if lows else 0.0})
    return flow, pages


@pytest.mark.parametrize("handout", STUDENT_HANDOUTS, ids=str)
def test_printed_no_box_splits_and_no_page_is_mostly_blank(open_offline, handout_set, handout):
    page = open_offline(handout_set / handout.file, DESKTOP).page
    boxes = page.evaluate(MARK_BOXES)
    if handout in WITH_ANSWER_BOXES:
        assert boxes >= 5, f"{handout.file}: expected answer boxes (interpretation, plan, questions), found {boxes}"
    flow, pages = _print(page)
    where = {}
    for number, printed in enumerate(pages, start=1):
        for mark in printed["marks"]:
            where.setdefault(re.sub(r"BOX(?:TOP|END|ASK)", "", mark), set()).add(number)
    assert len(where) == boxes, f"{handout.file}: {boxes} boxes but marks of {len(where)} printed"
    split = {box: sorted(p) for box, p in where.items() if len(p) > 1}
    assert split == {}, f"{handout.file}: answer boxes split from themselves or their question: {split}"
    blank = [n for n, p in enumerate(pages[:-1], start=1) if p["reach"] < MOSTLY_BLANK]
    assert blank == [], f"{handout.file}: pages mostly blank: {blank} of {len(pages)} ({[p['reach'] for p in pages]})"
    needed = math.ceil(flow / A4_CONTENT_PX)
    assert len(pages) <= needed + 1, f"{handout.file}: {len(pages)} pages for {needed} pages of content"
