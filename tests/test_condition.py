"""Notebook 00: the condition (ordered statements with their paragraph) and the schematic pain curve."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from spasm_lib import records as R
from spasm_lib.condition import condition_facts, pain_course, phases
from spasm_lib.facts import load_facts
from spasm_lib.views.condition import condition_view, pain_course_figure, pain_course_svg
from spasm_lib.views.svg import svg_of


@pytest.fixture(scope="module")
def facts():
    return load_facts()


def with_table(facts, **tables):
    """A copy of the facts with some tables replaced (a fresh id index, so lookups see the change)."""
    return dataclasses.replace(facts, _index={}, **tables)


def test_condition_facts_are_in_teaching_order(facts):
    orders = [f.order for f in condition_facts(facts)]
    assert orders == sorted(f.order for f in facts.condition)
    assert {f.id for f in condition_facts(facts)} == {f.id for f in facts.condition}


@pytest.mark.parametrize("aspect", R.CONDITION_ASPECTS)
def test_condition_facts_of_one_aspect(facts, aspect):
    expected = sorted((f for f in facts.condition if f.aspect == aspect), key=lambda f: f.order)
    assert list(condition_facts(facts, aspect)) == expected
    assert expected, f"the data has no '{aspect}' statement"


def test_unknown_aspect_is_an_error(facts):
    with pytest.raises(ValueError, match="unknown aspect 'cause'"):
        condition_facts(facts, "cause")


def test_pain_course_is_in_hour_order(facts):
    hours = [p.hour for p in pain_course(facts)]
    assert hours == sorted(p.hour for p in facts.pain_course)
    assert all(p.illustrative for p in pain_course(facts))


def test_phases_group_consecutive_points():
    def point(i, hour, phase):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=1, phase=phase, illustrative=True,
                                 source_paragraph=1)

    pts = (point(1, 0, "a"), point(2, 1, "a"), point(3, 2, "b"), point(4, 3, "a"))
    assert phases(pts) == (("a", 0, 1), ("b", 2, 2), ("a", 3, 3))


def test_condition_view_shows_every_statement_with_its_paragraph(facts):
    markup = condition_view(facts).markup
    for f in facts.condition:
        assert html.escape(f.statement) in markup
        if f.source_paragraph:
            assert f"{html.escape(f.statement)} <span class=\"spasm-provenance\">(Source, paragraph {f.source_paragraph}" in markup
    for title in ("Definition", "Mechanism", "Symptoms", "Time course"):
        assert f"<h3>{title}</h3>" in markup
    assert "<h1" not in markup and "<h2" not in markup


def test_condition_view_escapes_data(facts):
    evil = dataclasses.replace(facts.condition[0], statement="<script>alert(1)</script>")
    markup = condition_view(with_table(facts, condition=(evil,) + facts.condition[1:])).markup
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


def _alt(markup: str) -> str:
    return html.unescape(re.search(r'alt="([^"]*)"', markup).group(1))


def test_pain_figure_has_alt_text_naming_every_phase_and_the_note(facts):
    markup = pain_course_figure(pain_course(facts)).markup
    alt = _alt(markup).lower()
    for p in facts.pain_course:
        assert p.phase.lower() in alt
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
    for p in facts.pain_course:  # every phase is named in the figure's key
        assert p.phase in key


def test_pain_figure_is_an_accessible_svg_image(facts):
    markup = pain_course_figure(pain_course(facts)).markup
    assert markup.startswith('<figure class="spasm-figure"><img src="data:image/svg+xml;base64,')
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

    document = pain_course_svg((point(1, 0, 0, "calm"), point(2, 2, 10, "worse"), point(3, 4, 5, "easing")))
    # x from 52 to 312 over 4 hours (65 a hour); y from 246 (none) up to 96 at 1.15 x the highest point.
    line = re.search(r'<polyline points="([^"]*)"', document).group(1)
    assert line == "52,246 182,115.57 312,180.78"


def test_pain_figure_is_byte_identical_across_renders(facts):
    assert pain_course_figure(pain_course(facts)).markup == pain_course_figure(pain_course(facts)).markup


def test_pain_alt_describes_the_shape():
    def point(i, hour, pain, phase):
        return R.PainCoursePoint(id=f"p{i}", hour=hour, relative_pain=pain, phase=phase, illustrative=True,
                                 source_paragraph=1)

    pts = (point(1, 0, 1, "calm"), point(2, 2, 5, "worse"), point(3, 4, 3, "easing"))
    alt = _alt(pain_course_figure(pts).markup)
    assert "Worse (hour 2): the pain rises." in alt
    assert "Easing (hour 4): the pain falls." in alt
    assert "highest at hour 2 (worse)" in alt
