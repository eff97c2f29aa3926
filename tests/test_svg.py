"""The shared SVG helpers: escaped text, stable numbers, legible sizes, alt text required."""

from __future__ import annotations

import base64

import pytest

from spasm_lib.views import svg
from spasm_lib.views.style import CSS


def test_numbers_are_short_and_stable():
    assert [svg.num(v) for v in (0.0, -0.001, 12.0, 3.14159, 2.5, 100.105)] == ["0", "0", "12", "3.14", "2.5", "100.11"]


def test_text_is_escaped_and_sized():
    assert svg.text(8, 20, "<b> & 'x'", anchor="middle") == (
        '<text x="8" y="20" font-size="16" text-anchor="middle">&lt;b&gt; &amp; &#x27;x&#x27;</text>')
    with pytest.raises(ValueError, match="illegible on a phone; the smallest is 15"):
        svg.text(0, 0, "tiny", size=12)


def test_wrap_keeps_words_whole_within_the_width():
    # 9.92 units a character at size 16 (0.62 em): 16 characters fit in 160 units.
    assert svg.wrap("sudden onset with a twist, pull or push", 160) == ("sudden onset", "with a twist,", "pull or push")
    assert svg.wrap("short", 160) == ("short",)
    assert svg.wrap("unbreakablewordlongerthanaline", 160) == ("unbreakablewordlongerthanaline",)


def test_document_has_role_title_desc_and_a_white_background():
    document = svg.svg_document(100, "A <title>", "What it shows & why", [svg.rect(0, 0, 10, 10)])
    assert document.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img" width="320" height="100"'
                               ' viewBox="0 0 320 100" aria-labelledby="title desc"')
    assert '<title id="title">A &lt;title&gt;</title><desc id="desc">What it shows &amp; why</desc>' in document
    assert '<rect width="320" height="100" fill="#fff"/>' in document
    assert document.endswith('<rect x="0" y="0" width="10" height="10"/></svg>')


def test_pattern_pairs_a_palette_colour_with_a_black_hatch():
    fill = svg.pattern("p0", "orange", "diagonal")
    assert 'fill="#E69F00"' in fill and 'stroke="#000"' in fill and fill.startswith('<pattern id="p0"')
    with pytest.raises(ValueError, match="unknown hatch 'wavy'"):
        svg.pattern("p1", "sky", "wavy")


def test_figure_is_an_image_with_alt_text_and_caption():
    document = svg.svg_document(10, "t", "d", [])
    markup = svg.svg_figure(document, 'Two "bars"', "A <caption>", label="chart").markup
    data = base64.b64encode(document.encode()).decode()
    assert markup == (
        f'<figure class="spasm-figure"><img src="data:image/svg+xml;base64,{data}" alt="Two &quot;bars&quot;"'
        '><figcaption>A &lt;caption&gt;</figcaption></figure>')
    assert ".spasm-view figure.spasm-figure img{width:100%;max-width:30em;height:auto}" in CSS  # its size
    assert svg.svg_of(markup) == document
    with pytest.raises(ValueError, match="alt text"):
        svg.svg_figure(document, "  ", "caption")
