"""Notebook 00: the condition (ordered statements with their paragraph) and the schematic pain curve."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from spasm_lib import records as R
from spasm_lib.condition import ConditionSection, PainCourse, condition, condition_facts, pain_course, pain_course_of, phases
from spasm_lib.evidence import Sourced
from spasm_lib.facts import load_facts
from spasm_lib.views.condition import condition_view, pain_course_figure, pain_course_svg
from spasm_lib.views.svg import svg_of


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def with_table(facts, **tables):
    """A copy of the facts with some tables replaced (a fresh id index, so lookups see the change)."""
    return dataclasses.replace(facts, _index={}, **tables)


# data/condition.csv, copied by hand: ids in teaching order (the `order` column), by aspect.
TEACHING_ORDER = ["spontaneous-abnormal-contraction", "pain-near-nerve-roots", "sudden-pain-on-movement",
                  "function-at-first", "pain-builds-over-hours", "keeping-still"]
BY_ASPECT = {
    "definition": ["spontaneous-abnormal-contraction"],
    "mechanism": ["pain-near-nerve-roots"],
    "symptom": ["sudden-pain-on-movement", "keeping-still"],
    "time-course": ["function-at-first", "pain-builds-over-hours"],
}
NOTE = "Illustrative: the source gives no numbers."
"""The pain curve's note, as teaching_text.csv words it (row pain-course-no-numbers)."""
# data/pain_course.csv, copied by hand: ids in hour order, and the phases in the order they come.
PAIN_IDS = ["before-onset", "onset", "functioning-1h", "functioning-2h", "worsening-3h", "worsening-4h", "severe-6h",
            "severe-9h", "severe-12h"]
PHASES = ["before the movement: no pain", "sudden onset with a twist, pull or push", "still able to carry on",
          "pain building after a few hours", "severe: movement and activity stop",
          "severe: keeping still to avoid more pain"]


def ids(rows) -> list[str]:
    return [r.id for r in rows]


def test_condition_facts_are_in_teaching_order(facts):
    assert ids(condition_facts(facts)) == TEACHING_ORDER
    shuffled = with_table(facts, condition=tuple(reversed(facts.condition)))  # the order column decides, not the file
    assert ids(condition_facts(shuffled)) == TEACHING_ORDER


@pytest.mark.parametrize("aspect, expected", list(BY_ASPECT.items()))
def test_condition_facts_of_one_aspect(facts, aspect, expected):
    assert ids(condition_facts(facts, aspect)) == expected
    assert ids(condition_facts(with_table(facts, condition=tuple(reversed(facts.condition))), aspect)) == expected


def test_unknown_aspect_is_an_error(facts):
    with pytest.raises(ValueError, match="unknown aspect 'cause'"):
        condition_facts(facts, "cause")


def test_pain_course_is_in_hour_order(facts):
    assert ids(pain_course(facts).points) == PAIN_IDS
    assert ids(pain_course(with_table(facts, pain_course=tuple(reversed(facts.pain_course)))).points) == PAIN_IDS
    assert [p.hour for p in pain_course(facts).points] == [0.0, 0.1, 1.0, 2.0, 3.0, 4.0, 6.0, 9.0, 12.0]
    assert pain_course(facts).note == "Illustrative: the source gives no numbers."  # teaching_text.csv


def test_phases_group_consecutive_points():
    def point(i, hour, phase):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=1, phase=phase, illustrative=True,
                                 source_paragraph=1)

    pts = (point(1, 0, "a"), point(2, 1, "a"), point(3, 2, "b"), point(4, 3, "a"))
    assert phases(pts) == (("a", 0, 1), ("b", 2, 2), ("a", 3, 3))


def _item(statement: str) -> str:
    return f'<li>{statement} <span class="spasm-provenance">(Source, paragraph 1)</span></li>'


# The whole view, written out by hand from data/condition.csv (every row is from paragraph 1).
CONDITION_VIEW = (
    '<section class="spasm-condition">'
    "<h3>Definition</h3><ul>"
    + _item("A back spasm is an abnormal tightening (contraction) of back muscles that starts on its own, without "
            "the person meaning it to.")
    + "</ul><h3>Mechanism</h3><ul>"
    + _item("Where the spasm happens matters: close to the nerve roots or the spinal cord, a spasm can be extremely "
            "painful. The source gives the location but no further explanation of why.")
    + "</ul><h3>Symptoms</h3><ul>"
    + _item("As the contractions begin, the person often feels a sudden pain on twisting, pulling or pushing.")
    + _item("The person usually has to keep still, because moving risks making the back pain worse.")
    + "</ul><h3>Time course</h3><ul>"
    + _item("At first, a person may still be able to carry on with what they are doing.")
    + _item("Over the next few hours the pain grows stronger, until it stops the person from moving and going "
            "about their activities.")
    + "</ul></section>"
)


def test_condition_view_shows_every_statement_with_its_paragraph(facts):
    markup = condition_view(condition(facts)).markup
    assert markup == CONDITION_VIEW
    assert "<h1" not in markup and "<h2" not in markup


def test_condition_view_renders_a_hand_built_result_escaped():
    sections = [ConditionSection("Mechanism <b>", (Sourced("<script>alert(1)</script>", "Source, paragraph 9"),)),
                ConditionSection("Symptoms", (Sourced("a & b", "NICE NG59"), Sourced("c", "Source, paragraph 1")))]
    assert condition_view(sections).markup == (
        '<section class="spasm-condition"><h3>Mechanism &lt;b&gt;</h3><ul>'
        '<li>&lt;script&gt;alert(1)&lt;/script&gt; <span class="spasm-provenance">(Source, paragraph 9)</span></li>'
        '</ul><h3>Symptoms</h3><ul><li>a &amp; b <span class="spasm-provenance">(NICE NG59)</span></li>'
        '<li>c <span class="spasm-provenance">(Source, paragraph 1)</span></li></ul></section>'
    )


def test_condition_leaves_out_an_aspect_without_statements(facts):
    only = tuple(f for f in facts.condition if f.aspect == "symptom")
    assert [s.title for s in condition(with_table(facts, condition=only))] == ["Symptoms"]


def _alt(markup: str) -> str:
    return html.unescape(re.search(r'alt="([^"]*)"', markup).group(1))


def test_pain_figure_has_alt_text_naming_every_phase_and_the_note(facts):
    markup = pain_course_figure(pain_course(facts)).markup
    alt = _alt(markup).lower()
    for phase in PHASES:
        assert phase in alt
    assert "illustrative: the source gives no numbers" in alt
    assert "no pain values" in alt
    caption = re.search(r"<figcaption>(.*)</figcaption>", markup).group(1)
    assert "Illustrative: the source gives no numbers" in caption


def svg_texts(document: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", document)]


def test_pain_figure_has_no_numeric_pain_axis(facts):
    document = pain_course_svg(pain_course(facts))
    texts = svg_texts(document)
    # Read top to bottom: the note (wrapped), the axis title, phase numbers 1-6, the vertical axis in
    # words only, the hour ticks, the horizontal axis title, then the key of numbered phases.
    assert texts[:2] == ["Illustrative: the source gives", "no numbers"]
    assert texts[2] == "relative pain (illustrative)"
    assert texts[3:9] == ["1", "2", "3", "4", "5", "6"]
    assert texts[9:11] == ["more", "less"]
    assert texts[11:16] == ["0", "3", "6", "9", "12"]  # hours, the only numbers on an axis
    assert " ".join(texts[16:18]) == "hours after the spasm starts (schematic)"
    key = " ".join(texts[18:])
    assert key.startswith("Phases 1 before the movement: no pain 2 sudden onset with a twist, pull or push 3 still")
    for phase in PHASES:  # every phase is named in the figure's key
        assert phase in key


def test_pain_figure_is_an_accessible_svg_image(facts):
    markup = pain_course_figure(pain_course(facts)).markup
    assert markup.startswith('<div class="spasm-view"><style>')  # the stylesheet sizes the figure
    assert '<figure class="spasm-figure"><img src="data:image/svg+xml;base64,' in markup
    document = svg_of(markup)
    assert document == pain_course_svg(pain_course(facts))
    assert 'role="img"' in document and "<title id=\"title\">Schematic pain course (illustrative)</title>" in document
    assert html.unescape(re.search(r"<desc id=\"desc\">([^<]*)</desc>", document).group(1)) == _alt(markup)
    # Six phases, six fills, each an Okabe-Ito colour with its own black hatch.
    assert document.count("<pattern ") == 6
    assert re.findall(r'<text [^>]*font-size="(\d+)"', document) and min(
        int(n) for n in re.findall(r'<text [^>]*font-size="(\d+)"', document)) >= 15


def test_pain_curve_points_follow_the_data():
    def point(i, hour, pain, phase):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=pain, phase=phase, illustrative=True,
                                 source_paragraph=1)

    document = pain_course_svg(pain_course_of((point(1, 0, 0, "calm"), point(2, 2, 10, "worse"), point(3, 4, 5, "easing")), NOTE))
    # x from 52 to 312 over 4 hours (65 a hour); y from 246 (none) up to 96 at 1.15 x the highest point.
    line = re.search(r'<polyline points="([^"]*)"', document).group(1)
    assert line == "52,246 182,115.57 312,180.78"


def test_a_momentary_first_phase_gets_a_visible_width():
    def point(i, hour, pain, phase):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=pain, phase=phase, illustrative=True,
                                 source_paragraph=1)

    # "before" lasts 0.1 h of 12: drawn from 0 to 0.1 h it would be 2 px wide. It gets 12/24 = 0.5 h,
    # so the plot runs from -0.4 h to 12 h: 260 px over 12.4 h, the "before" band 0.5 h = 10.48 px wide.
    document = pain_course_svg(pain_course_of((point(1, 0, 0, "before"), point(2, 0.1, 5, "onset"), point(3, 12, 9, "severe")), NOTE))
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="96" width="([\d.]+)"', document)]
    assert widths[0] == pytest.approx(0.5 / 12.4 * 260, abs=0.01)
    line = re.search(r'<polyline points="([^"]*)"', document).group(1)
    assert line.split()[0] == "52,246"  # the line starts at the left edge, at no pain


def test_pain_figure_is_byte_identical_across_renders(facts):
    assert pain_course_figure(pain_course(facts)).markup == pain_course_figure(pain_course(facts)).markup


def test_pain_alt_describes_the_shape():
    def point(i, hour, pain, phase):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=pain, phase=phase, illustrative=True,
                                 source_paragraph=1)

    pts = (point(1, 0, 1, "calm"), point(2, 2, 5, "worse"), point(3, 4, 3, "easing"))
    # a hand-built result: the view describes the runs and the peak it is given
    course = PainCourse(pts, (("calm", 0, 0), ("worse", 2, 2), ("easing", 4, 4)), pts[1], (1,), NOTE)
    alt = _alt(pain_course_figure(course).markup)
    assert "Worse (hour 2): the pain rises." in alt
    assert "Easing (hour 4): the pain falls." in alt
    assert "highest at hour 2 (worse)" in alt
    assert "(paragraph 1)" in pain_course_figure(course).markup


def test_the_pain_course_has_its_runs_peak_and_paragraphs():
    def point(i, hour, pain, phase, paragraph=1):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=pain, phase=phase, illustrative=True,
                                 source_paragraph=paragraph)

    pts = (point(3, 4, 3, "easing", 2), point(1, 0, 1, "calm"), point(2, 2, 5, "worse"), point(4, 5, 2, "easing", 2))
    course = pain_course_of(pts, NOTE)
    assert [p.id for p in course.points] == ["p1", "p2", "p3", "p4"]  # in hour order
    assert course.phases == (("calm", 0, 0), ("worse", 2, 2), ("easing", 4, 5))
    assert course.peak.id == "p2" and course.paragraphs == (1, 2)
    with pytest.raises(ValueError, match="at least one point"):
        pain_course_of((), NOTE)
