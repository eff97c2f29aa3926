"""Issue 14 without a browser: handout wording in the notebooks, headers, titles, contents, the
"next handout" link, table cells labelled for phones, the two indexes and the answer key's summary.

Expected values are written here by hand (phrases, titles, file names, labels) or read from the
committed notebooks as JSON and data/*.csv with the csv module, never produced by the code under test.
"""

from __future__ import annotations

import html

import json
import re
import sys
from dataclasses import dataclass
from html import escape as hp_escape
from pathlib import Path

import base32_crockford
import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from spasm_lib import DISCLAIMER, handout_pages as hp, page_markup, set_pages
from spasm_lib import vocabulary as V
from spasm_lib.views.style import CSS

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import assert_offline_handout, csv_rows, parse, squash, visible_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# What only makes sense with a kernel in front of you (issue 14's list, and their relatives).
LIVE_INSTRUCTIONS = [
    "Run All", "Run the notebook", "Tick the factors", "Pick an answer", "Filter the table",
    "parameters cell", "papermill", "Pick a patient", "press **Commit**", "**Next step**",
    "Open `0",  # "Open `01_risk_factors.ipynb`": a file a handout reader does not have
]


def cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [dict(c, source="".join(c["source"])) for c in nb["cells"]]


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


# --------------------------------------------------------------------------- the convention in the notebooks


def wording(cell: dict) -> str | None:
    """A live-only cell's handout wording, read from the JSON by hand: ``metadata.spasm.handout``."""
    return cell.get("metadata", {}).get("spasm", {}).get("handout")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_live_instructions_are_only_in_live_only_cells(path):
    shown = [c for c in cells(path) if c["cell_type"] == "markdown" and hp.LIVE_ONLY not in tags(c)]
    handout = [dict(c, source=wording(c)) for c in cells(path) if wording(c) is not None]
    for cell in shown + handout:
        for phrase in LIVE_INSTRUCTIONS:
            assert phrase not in cell["source"], f"{path.stem} cell {cell['id']}: '{phrase}' outside a live-only cell"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_handout_wording_sits_in_its_live_only_cell_not_in_a_cell_of_its_own(path):
    """One cell, two wordings: a cell of its own would show as an empty box in JupyterLab."""
    all_cells = cells(path)
    assert not [c["id"] for c in all_cells if "handout-only" in tags(c)], "a handout-only cell is an empty box live"
    assert not [c["id"] for c in all_cells if "<!--" in c["source"]], "a hidden comment is an empty box live"
    found = [c for c in all_cells if "spasm" in c.get("metadata", {})]
    assert found, f"{path.stem}: no handout wording (at least What next needs it)"
    for cell in found:
        assert cell["cell_type"] == "markdown" and hp.LIVE_ONLY in tags(cell), cell["id"]
        assert cell["metadata"]["spasm"].keys() == {"handout"}, cell["id"]
        assert isinstance(wording(cell), str) and wording(cell).strip(), cell["id"]
        assert wording(cell) != cell["source"], f"{cell['id']}: the same words need no handout wording"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_disclaimer_is_a_live_only_cell_and_nowhere_else_of_a_handout(path):
    """The live notebook shows the package's disclaimer from a live-only cell; the handout's header
    prints it instead, and no cell of the notebook types a copy of its own."""
    all_cells = cells(path)
    first = all_cells[0]
    assert first["source"].startswith("# ") and hp.LIVE_ONLY in tags(first) and wording(first) is None
    (shown,) = [c for c in all_cells if c["cell_type"] == "code" and c["source"].strip() == "disclaimer_view()"]
    assert hp.LIVE_ONLY in tags(shown)
    for cell in all_cells:
        if cell["cell_type"] == "markdown":
            assert "not medical advice" not in cell["source"].lower(), cell["id"]
        assert "not medical advice" not in (wording(cell) or "").lower(), cell["id"]


def test_for_handout_drops_live_only_or_puts_the_handout_wording_in_its_place():
    nb = new_notebook(cells=[
        new_markdown_cell("# Title", metadata={"tags": ["live-only"]}),
        new_markdown_cell("Tick the box.", metadata={
            "tags": ["live-only", "keep-me"], "spasm": {"handout": "\nThe box is ticked for you.\n"}}),
        new_markdown_cell("Shown to both.", metadata={"spasm": {"other": 1}}),
        new_code_cell("x = 1"),
        new_code_cell("filter_table()", metadata={"tags": ["live-only"]}),
    ])
    nb.cells[1].id = "twin"
    out = hp.for_handout(nb)
    assert [c.source for c in out.cells] == ["The box is ticked for you.", "Shown to both.", "x = 1"]
    assert out.cells[0].id == "twin" and out.cells[0].cell_type == "markdown"
    assert out.cells[0].metadata == {"tags": ["keep-me"]}, "no live-only tag left for a later step to drop"
    assert out.cells[1].metadata == {"spasm": {"other": 1}}


def test_a_views_live_only_markup_is_left_out_of_the_handout():
    page = ('<p>Golf (added by the sport<span class="spasm-via spasm-live-only">; untick <b>it</b> '
            '<span>or</span> choose</span>)</p><div class="spasm-live-only"><div>x</div><br/></div>'
            '<p class="spasm-live-only-not">kept</p><img class="spasm-live-only" alt="x"/>&amp;')
    assert page_markup.rewritten(page, page_markup.drop_live_only) == (
        '<p>Golf (added by the sport)</p><p class="spasm-live-only-not">kept</p>&amp;')
    assert page_markup.rewritten("<p>plain</p>", page_markup.drop_live_only) == "<p>plain</p>"


# --------------------------------------------------------------------------- titles and header


def test_short_titles_have_one_separator_and_no_colon_pile():
    assert hp.page_title("Case study: from history to plan", "A twist on the golf course") == (
        "Case study \u2014 A twist on the golf course")
    assert hp.page_title("Who gets back spasms: risk factors") == "Who gets back spasms: risk factors"
    assert hp.page_title("Start here", "X") == "Start here \u2014 X"


def test_a_virtual_patient_is_named_by_a_short_number():
    assert hp.patient_label({"case": "random", "seed": 5}, "Virtual patient 5: x") == "Patient 5"
    assert hp.patient_label({"case": "golfer-twist"}, "A twist on the golf course") == "A twist on the golf course"
    assert hp.student_patient_name(7) == "Patient 7"


PARAMS = {"case": "golfer-twist", "seed": 0, "cases_file": "/home/me/private/x.csv", "interactive": False,
          "audience": "student"}


def test_the_student_header_has_no_parameters_and_one_disclaimer():
    header = hp.handout_header("Case study \u2014 A twist", "student", PARAMS).markup
    text = visible_text(header)
    assert "golfer-twist" not in header and "interactive" not in text and "x.csv" not in header
    assert "Parameters" not in header and "<dl" not in header
    assert text.count(squash(DISCLAIMER)) == 1
    assert "Student handout" in text


def test_the_instructor_header_lists_the_parameters_that_vary_by_file_name_only():
    header = hp.handout_header("T", "instructor", PARAMS).markup
    text = visible_text(header)
    assert "case golfer-twist" in text and "cases_file x.csv" in text
    assert "/home/me" not in header
    assert "interactive" not in text and "audience" not in text
    assert "for the instructor, not for students" in text


# --------------------------------------------------------------------------- contents and next handout

PAGE = (
    '<html><body><header class="handout-header"><h1>T</h1></header>\n<main>\n'
    '<div class="cell md"><h2 id="Overview">Overview</h2><p>x</p></div>'
    '<div class="out"><h2>Fish &amp; chips <em>now</em></h2></div>'
    '<div class="cell md"><h2 id="What-next">What next</h2></div>\n</main>\n<footer></footer></body></html>\n'
)


def test_the_contents_list_links_every_section_in_order_right_after_the_header():
    page = page_markup.rewritten(PAGE, page_markup.add_contents)
    parsed = parse(page)
    nav = page[page.index('class="contents"'):page.index("</nav>")]
    assert re.findall(r'href="#([^"]+)">([^<]+)<', nav) == [
        ("Overview", "Overview"), ("fish-chips-now", "Fish &amp; chips now"), ("What-next", "What next")]
    assert '<h2 id="fish-chips-now">' in page
    assert page.index("</header>") < page.index('class="contents"') < page.index('id="Overview"')
    assert [h for h in parsed.headings if h[0] == 2] == [(2, "Overview"), (2, "Fish & chips now"), (2, "What next")]


def test_the_contents_list_names_the_parts_of_a_section_under_it():
    page = (
        '<header></header>\n<main>\n<h2 id="Walk">Walk the pathway</h2>'
        '<section class="spasm-step" id="step-screen">\n<h4>1. Screen <em>first</em></h4></section>'
        '<section aria-label="no id"><h5>Not a part</h5></section>'
        '<section id="step-review"><h4>2. Review</h4></section>'
        '<h2 id="Next">Key points</h2><section id="later"><h3>Later</h3></section>\n</main>'
    )
    nav = page_markup.rewritten(page, page_markup.add_contents)
    nav = nav[nav.index("<nav"):nav.index("</nav>")]
    assert nav.count("<ol>") == 3  # the list, the parts of the first section, the parts of the second
    assert re.findall(r'href="#([^"]+)">([^<]+)<', nav) == [
        ("Walk", "Walk the pathway"), ("step-screen", "1. Screen first"), ("step-review", "2. Review"),
        ("Next", "Key points"), ("later", "Later")]
    assert nav.index('href="#step-review"') < nav.index('href="#Next"')


def test_a_page_with_one_section_gets_no_contents_list():
    one = '<main>\n<h2 id="a">A</h2>\n</main>'
    assert page_markup.rewritten(one, page_markup.add_contents) == one


def title_of(notebook: str) -> str:
    """A notebook's title: its first line that starts with '# ', read as JSON."""
    for cell in cells(ROOT / "notebooks" / f"{notebook}.ipynb"):
        for line in cell["source"].splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line[2:].strip()
    raise AssertionError(f"{notebook} has no title")


@pytest.mark.parametrize("notebook, audience, href, text", [
    ("00_start_here", "student", "01_risk_factors.student.html", "title of 01_risk_factors"),
    ("01_risk_factors", "instructor", "02_exam_simulator.instructor.html", "title of 02_exam_simulator"),
    ("03_treatment_pathway", "student", "index.html#case-studies", "Case study: choose a case"),
    # the index beside the handout: instructor/index.html for an instructor version (issue 22)
    ("03_treatment_pathway", "instructor", "index.html#case-studies", "Case study: choose a case"),
    (V.NOTEBOOKS[-1], "student", "index.html", "All handouts"),  # the last in the reading order, whichever it is
    (V.NOTEBOOKS[-1], "instructor", "index.html", "All handouts"),
])
def test_next_handout_follows_the_reading_order(notebook, audience, href, text):
    if text.startswith("title of "):
        text = title_of(text.removeprefix("title of "))
    assert hp.next_handout(ROOT / "notebooks" / f"{notebook}.ipynb", audience) == (href, text)


def test_the_next_link_closes_main_and_the_contents_list_opens_it():
    from spasm_lib import handout_export

    nb = new_notebook(cells=[new_markdown_cell("## Overview\n\nx"), new_markdown_cell("## What next\n\ny")])
    page = handout_export.handout_html(nb, audience="student", parameters={}, title="T",
                                       notebook=ROOT / "notebooks" / "00_start_here.ipynb")
    main = page[page.index("<main>"):page.index("</main>")]
    assert main.rstrip().endswith("</nav>")
    assert main.startswith('<main>\n<nav aria-labelledby="contents-title" class="contents">')
    assert 'Next handout: <a href="01_risk_factors.student.html">' in main


# --------------------------------------------------------------------------- tables as cards


def test_every_body_cell_gets_its_column_heading_as_data_label():
    table = (
        '<table><thead><tr><th colspan="2">Group</th></tr><tr><th scope="col">Factor &amp; id</th>'
        '<th scope="col">Where</th><th>Source</th></tr></thead><tbody>'
        '<tr><th scope="row">Tender</th><td>lower back</td><td class="s">p. 2</td></tr>'
        '<tr><td colspan="2">both</td><td>p. 3</td></tr></tbody></table>'
        "<table><tr><td>no header row</td></tr></table>"
    )
    out = page_markup.rewritten(table, page_markup.label_cells)
    assert re.findall(r'<(t[dh])[^>]*data-label="([^"]*)"', out) == [
        ("th", "Factor &amp; id"), ("td", "Where"), ("td", "Source"), ("td", "Factor &amp; id"), ("td", "Source")]
    assert "<td>no header row</td>" in out
    assert re.sub(r' data-label="[^"]*"', "", out) == table  # nothing else changes


def test_labelling_keeps_everything_else():
    """Text, a comment, a stylesheet and a void element come out as they went in; a character
    reference comes out as the character it names (the page is UTF-8)."""
    page = '<!DOCTYPE html>\n<p>a &amp; b &#169; <!-- c --></p><style>td::before{content:"<td>"}</style><br/>'
    assert page_markup.rewritten(page + "<table></table>", page_markup.label_cells) == (
        '<!DOCTYPE html>\n<p>a &amp; b \u00a9 <!-- c --></p><style>td::before{content:"<td>"}</style><br/><table></table>')


# --------------------------------------------------------------------------- the two indexes and the answer key


@dataclass(frozen=True)
class FakeJob:
    output: str
    group: str
    row: str
    title: str
    audience: str


BUILT = [  # outputs are paths in the set: students/ and instructor/ (issue 22)
    FakeJob("students/00_start_here.student.html", "notebook", "Start <here>", "Start here", "student"),
    FakeJob("instructor/00_start_here.instructor.html", "notebook", "Start <here>", "Start here", "instructor"),
    FakeJob("students/04_case_study.golfer-twist.student.html", "case", "A twist", "Case study \u2014 A twist",
            "student"),
    FakeJob("instructor/04_case_study.golfer-twist.instructor.html", "case", "A twist", "Case study \u2014 A twist",
            "instructor"),
    FakeJob("students/04_case_study.student-01.html", "student", "Student 1", "Case study \u2014 Patient 1", "student"),
]


def links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"#]+)', page)


def test_the_student_index_links_only_student_material():
    page = set_pages.index_page(BUILT, [(BUILT[1], "boom")], audience="student", answer_key=True, class_seed=3)
    assert links(page) == ["00_start_here.student.html", "04_case_study.golfer-twist.student.html",
                           "04_case_study.student-01.html"]
    text = visible_text(page)
    assert "answer" not in text.lower().replace("answer each", "") and "instructor" not in text.lower()
    assert "class seed" not in text and "boom" not in text
    assert "Start <here>" in text and "<here>" not in page


def test_the_instructor_index_links_everything_and_the_answer_key():
    page = set_pages.index_page(BUILT, [(BUILT[1], "boom")], audience="instructor", answer_key=True, class_seed=3)
    assert set(links(page)) == {
        "../students/00_start_here.student.html", "00_start_here.instructor.html",
        "../students/04_case_study.golfer-twist.student.html", "04_case_study.golfer-twist.instructor.html",
        "../students/04_case_study.student-01.html", "answer-key.html", "../students/index.html"}
    assert "boom" in visible_text(page)
    assert 'id="case-studies"' in page
    rows = re.findall(r"<tr>.*?</tr>", page)  # both versions of a notebook share its row
    assert any("00_start_here.student.html" in r and "00_start_here.instructor.html" in r for r in rows)


def link_names(page: str) -> dict[str, tuple[str, str]]:
    """Each link's target: (its visible words, its accessible name). The name is all its text, the
    words of a ``visually-hidden`` span included (none of these links has an aria-label)."""
    found = {}
    for target, inner in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page):
        assert "aria-label" not in inner
        shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", inner)
        found[target] = (visible_text(shown), " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split()))
    return found


def test_each_link_of_the_instructor_index_names_the_handout_it_opens():
    """A screen reader listing the links heard "Student version", "Instructor version" over and over:
    each name now starts with the words shown and ends with the handout's title."""
    names = link_names(set_pages.index_page(BUILT, [], audience="instructor", answer_key=True, class_seed=3))
    assert names == {
        "../students/index.html": ("students/index.html", "students/index.html"),
        "../students/00_start_here.student.html": ("Student version", "Student version of Start here"),
        "00_start_here.instructor.html": ("Instructor version", "Instructor version of Start here"),
        "../students/04_case_study.golfer-twist.student.html":
            ("Student version", "Student version of Case study \u2014 A twist"),
        "04_case_study.golfer-twist.instructor.html":
            ("Instructor version", "Instructor version of Case study \u2014 A twist"),
        "answer-key.html": ("Answer key", "Answer key"),
        "../students/04_case_study.student-01.html": ("Case study \u2014 Patient 1", "Case study \u2014 Patient 1"),
    }
    css = re.search(r"\.visually-hidden \{([^}]*)\}", packaged_stylesheet())
    assert css and "position: absolute" in css.group(1) and "clip: rect(0 0 0 0)" in css.group(1)


def test_the_student_index_names_each_link_by_its_handout():
    names = link_names(set_pages.index_page(BUILT, [], audience="student"))
    assert names == {
        "00_start_here.student.html": ("Start <here>", "Start <here>"),
        "04_case_study.golfer-twist.student.html": ("A twist", "A twist"),
        "04_case_study.student-01.html": ("Student 1: Case study \u2014 Patient 1", "Student 1: Case study \u2014 Patient 1"),
    }


def test_text_on_the_set_pages_loses_its_control_characters():
    """Templates escape as the views do (spasm_lib.html.esc): a bidirectional override in a case's
    title cannot reverse the words after it."""
    job = FakeJob("instructor/04_case_study.x.instructor.html", "case", "Twist\u202e<b>x</b>\u0007",
                  "Case study \u2014 Twist\u202e", "instructor")
    page = set_pages.index_page([job], [(job, "bad\u202ename")], audience="instructor")
    assert "\u202e" not in page and "\u0007" not in page and "<b>x" not in page
    assert "Twist&lt;b&gt;x&lt;/b&gt;" in page and "badname" in page


def packaged_stylesheet() -> str:
    from spasm_lib import packaged

    return packaged.stylesheet()



def test_the_set_pages_and_the_report_pages_have_the_one_skeleton():
    """The set's pages and collect's pages share one head, header and footer (templates/pages/base.html.j2):
    the handouts' stylesheet inlined, the kicker and title, the disclaimer, the footer (a handout's
    head: tests/test_render.py)."""
    from spasm_lib.facts import load_facts
    from spasm_lib.html import Html
    from spasm_lib.views import class_report

    facts = load_facts()
    pages = {  # page: (title, audience)
        set_pages.front_page(): ("Back spasms \u2014 class set", "instructor"),
        set_pages.index_page(BUILT, [], audience="student"): ("Back spasms \u2014 handouts for students", "student"),
        set_pages.self_check_answers_page(facts, [("01_risk_factors", "Risk")]): ("Answers to Check yourself", "student"),
        set_pages.answer_key_page(facts, [], 1): ("Answer key \u2014 one patient per student", "instructor"),
        class_report.page("Class <debrief>", "k", [Html("<h2>a</h2>"), "<p>b</p>"]).markup:
            ("Class <debrief>", "instructor"),
        class_report.page("Feedback", "k", [], audience="student").markup: ("Feedback", "student"),
    }
    css = packaged_stylesheet()
    for page, (title, audience) in pages.items():
        # the same head, whether written by the template or re-serialised from a parsed tree (page_markup)
        head = BeautifulSoup(page, "html.parser").head
        assert [(m.get("charset"), m.get("name"), m.get("content")) for m in head.find_all("meta")] == [
            ("utf-8", None, None), (None, "viewport", "width=device-width, initial-scale=1")], title
        assert head.title.string == title and head.style.string.startswith(f"\n{css}"), title
        assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"'), title
        assert_offline_handout(page, title=title)
        assert f'<body class="audience-{audience}">' in page
        assert page.count('<header class="handout-header">') == 1 and page.count("<footer>") == 1
        assert parse(page).headings[0] == (1, title)
        assert page.endswith("</footer>\n</body>\n</html>\n"), title[-40:]


def test_the_page_skeleton_is_written_once():
    """Only base.html.j2 writes a doctype: the handouts' nbconvert template extends it too."""
    holders = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "spasm_lib").rglob("*")
                     if p.suffix in (".py", ".j2", ".js") and "<!doctype html>" in p.read_text(encoding="utf-8").lower())
    assert holders == ["spasm_lib/templates/pages/base.html.j2"]
    handout = (ROOT / "spasm_lib" / "templates" / "spasm_handout" / "index.html.j2").read_text(encoding="utf-8")
    assert "{%- extends 'pages/base.html.j2' -%}" in handout


def test_paths_in_the_set_become_links_relative_to_the_page():
    assert hp.href("instructor/index.html", "students/a.html") == "../students/a.html"
    assert hp.href("instructor/answer-key.html", "instructor/index.html") == "index.html"
    assert hp.href("index.html", "students/index.html") == "students/index.html"
    assert hp.href("students/index.html", "students/a.html") == "a.html"


def test_the_front_page_points_to_the_two_folders_only():
    page = set_pages.front_page(answer_key=True)
    assert links(page) == ["students/index.html", "instructor/index.html", "instructor/answer-key.html"]
    text = visible_text(page)
    assert "can be published" in text and "Keep it to yourself" in text
    assert links(set_pages.front_page()) == ["students/index.html", "instructor/index.html"]


def expected_triage(red_flag_ids) -> str:
    """The triage level's name by the clinical spec's rule, applied by hand to data/red_flags.csv."""
    urgency = {r["id"]: r["urgency"] for r in csv_rows("red_flags")}
    grades = [urgency[i] for i in red_flag_ids]
    if "emergency" in grades:
        level = "emergency"
    elif "urgent" in grades or grades.count("watchful") >= 2:
        level = "urgent"
    else:
        level = "watchful" if grades else "routine"
    return {r["id"]: r["name"] for r in csv_rows("triage_levels")}[level]


def test_the_answer_key_opens_with_a_summary_linking_each_student():
    from spasm_lib import handouts
    from spasm_lib.facts import load_facts

    facts = load_facts()
    students = handouts.student_cases(facts, 12, 7)  # a balanced class: every triage level
    page = set_pages.answer_key_page(facts, students, 7)
    # the key sits in instructor/, each student's handout in students/ (issue 22)
    assert ('<a href="../students/04_case_study.student-12.html">students/04_case_study.student-12.html</a>'
            in page)
    main = page[page.index("<main>"):]
    summary = main[main.index("<table"):main.index("</table>")]
    assert main.index("<table") < main.index('<section class="answer-key-student"')
    heads = re.findall(r'<th scope="col">([^<]+)</th>', summary)
    assert heads == ["Student", "Code", "Patient", "Triage", "Expected interpretation", "Plan"]
    steps = {r["id"]: r["title"] for r in csv_rows("pathway_steps")}
    interpretations = {r["id"]: r["name"] for r in csv_rows("interpretations")}
    rows = re.findall(r"<tr>(.*?)</tr>", summary.split("<tbody>")[1])
    assert len(rows) == 12
    levels = set()
    for number, (student, row) in enumerate(zip(students, rows), start=1):
        assert f'<a href="#student-{number}">Student {number}</a>' in row
        assert f"Patient {number}" in row and str(student.seed) not in row
        # a page's text is written with &, < and > escaped, quotes as they are
        assert html.escape(interpretations[student.case.interpretation_id], quote=False) in row
        code = re.search(r'<td class="answer-key-code"[^>]*>([^<]+)</td>', row).group(1)
        assert base32_crockford.decode(code, checksum=True) == student.seed  # an independent reader
        plan = row.split('data-label="Plan">')[1]
        assert plan.startswith(f'1. {hp_escape(steps["red-flag-screen"], quote=False)}; 2. '), plan
        assert plan.endswith(f'. {hp_escape(steps["safety-net"], quote=False)}</td>'), plan
        level = expected_triage(student.case.red_flag_ids)
        assert re.search(rf'<td data-label="Triage">{re.escape(level)}</td>', row), (level, row)
        levels.add(level)
        assert f'id="student-{number}"' in main
    assert len(levels) == 4, levels


def test_each_students_section_is_short_with_the_details_folded():
    from spasm_lib import handouts
    from spasm_lib.facts import load_facts

    facts = load_facts()
    students = handouts.student_cases(facts, 6, 3)
    page = set_pages.answer_key_page(facts, students, 3)
    sections = re.findall(r'<section class="answer-key-student".*?</section>', page, re.DOTALL)
    assert len(sections) == 6
    for student, section in zip(students, sections):
        shown, folded = section.split('<details class="answer-key-details">')
        assert "<details" not in shown and " open" not in folded.split(">")[0]
        text = " ".join(re.sub(r"<[^>]+>", " ", shown).split())
        assert len(text) < 1600, f"student {student.number}: {len(text)} characters before the fold"
        for label in ("Triage", "Interpretation", "Plan", "Warning signs"):
            assert f"<dt>{label}</dt>" in shown
        assert "Model answer" in folded or "model answer" in folded.lower()


# --------------------------------------------------------------------------- answer boxes sized for the answer


def test_answer_boxes_are_sized_for_the_answer_asked():
    from spasm_lib.case_study import case_study
    from spasm_lib.facts import load_facts
    from spasm_lib.views.case_study import case_study_view

    facts = load_facts()
    for case in facts.cases:
        study = case_study(facts, case.id)
        student = case_study_view(study, "student").markup
        instructor = case_study_view(study, "instructor").markup
        boxes = [int(n) for n in re.findall(r'class="spasm-answer-space" data-lines="(\d+)"', student)]
        # each box as high as its lines (1.9 em a line), by the stylesheet's rule for its data-lines
        heights = [re.search(rf'\.spasm-answer-space\[data-lines="{n}"\]{{min-height:([\d.]+)em}}', CSS).group(1)
                   for n in boxes]
        assert [float(h) for h in heights] == pytest.approx([n * 1.9 for n in boxes])
        questions = re.findall(r'<div class="spasm-case-question".*?</div>', instructor)
        written = [q for q in questions if "spasm-case-choices" not in q]  # closed questions get no box
        answers = [visible_text(re.search(r'<p class="spasm-model-answer">(.*?)</p>', q).group(1)) for q in written]
        words = [len(a.removeprefix("Model answer:").split()) for a in answers]
        assert len(boxes) == 6 and boxes == [max(3, min(8, w // 15 + 2)) for w in words], case.id


def test_a_page_carries_each_stylesheet_once_where_it_first_stands():
    page = ("<html><head><style>body{color:#000}</style></head><body>"
            '<div class="spasm-view"><style>.a{x:1}</style><p>one</p></div>'
            '<div class="spasm-view"><style>.a{x:1}</style><p>two</p></div>'
            '<div class="spasm-view"><style>.b{y:2}</style><style>.a{x:1}</style><p>three</p></div></body></html>')
    done = page_markup.rewritten(page, page_markup.drop_repeated_styles)
    assert re.findall(r"<style>(.*?)</style>", done) == ["body{color:#000}", ".a{x:1}", ".b{y:2}"]
    assert done.index(".a{x:1}") < done.index("<p>one</p>") and done.index(".b{y:2}") < done.index("<p>three</p>")
    assert [p for p in ("one", "two", "three") if f"<p>{p}</p>" in done] == ["one", "two", "three"]


def test_pages_outside_a_handout_show_views_with_their_stylesheet_once():
    """The answer key's folded case studies and collect's pages show views: inside a styled block,
    with the views' stylesheet once (without it, every tick box of the key had a bullet and the
    class debrief's charts shrank to the SVG's own 320 px)."""
    from spasm_lib import handouts
    from spasm_lib.facts import load_facts
    from spasm_lib.html import Html
    from spasm_lib.views import class_report

    facts = load_facts()
    key = set_pages.answer_key_page(facts, handouts.student_cases(facts, 3, 7), 7)
    report = class_report.page("Class debrief", "k", [Html('<figure class="spasm-figure"><img alt="a"></figure>')]).markup
    for page in (key, report):
        assert page.count(CSS) == 1
        tree = BeautifulSoup(page, "html.parser")
        inside = [t for t in tree.select("ul.spasm-case-choices, figure.spasm-figure")]
        assert inside and all(t.find_parent("div", class_="spasm-view") for t in inside)


def test_on_a_page_a_views_text_is_the_pages_size():
    """The views' stylesheet sizes a view's text for a notebook (1rem); the handout stylesheet gives
    it the page's size instead (11pt on paper), with a selector that outranks the views' own."""
    rule = re.search(r"([^{}]+)\{\s*font-size:\s*inherit;\s*\}", packaged_stylesheet())
    assert rule and rule.group(1).split("*/")[-1].split() == ["html", "body", "div.spasm-view"]
    assert ".spasm-view{font-size:1rem;" in CSS.replace("\n", "")  # what it outranks: one class
