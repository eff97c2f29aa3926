"""Notebook 00: the condition (ordered statements with their paragraph) and the schematic pain curve."""

from __future__ import annotations

import dataclasses
import html
import re

import pytest

from spasm_lib import records as R
from spasm_lib.condition import condition_facts, pain_course, phases
from spasm_lib.facts import load_facts
from spasm_lib.views.condition import condition_view, pain_course_figure, pain_course_plot


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


def test_pain_figure_has_no_numeric_pain_axis(facts):
    fig = pain_course_plot(pain_course(facts))
    ax = fig.axes[0]
    assert ax.get_ylabel() == "relative pain (illustrative)"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["less", "more"]
    assert not any(re.search(r"\d", label) for label in labels)
    texts = [t.get_text() for a in fig.axes for t in a.texts]
    assert "Illustrative: the source gives no numbers" in texts
    for p in facts.pain_course:  # every phase is named in the figure's key
        assert any(p.phase in t for t in texts)


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
