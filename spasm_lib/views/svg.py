"""Small hand-written SVG charts: cheap to import and to draw, the same bytes every time.

Why not matplotlib: importing it and drawing one PNG cost about half a second in a fresh kernel
(most of a notebook's run beyond the empty-notebook floor) and 140 ms per new chart in a widget
callback. The charts of this course are a few bars and one line, so they are written here as SVG
text: well under a millisecond, no fonts rasterised, identical bytes on every machine.

Why an ``<img>`` holding the SVG as a data URI rather than an inline ``<svg>`` element: JupyterLab's
sanitizer (a stored notebook opened untrusted) and notebook viewers drop inline ``<svg>`` elements
(JupyterLab 4.6's allowed tags include ``img`` but no SVG tag), while an image survives everywhere a
PNG did, carries its ``alt`` text, and is a document of its own, so pattern ids never collide between
two charts on one page. Inside, the SVG still has ``role="img"``, ``<title>`` and ``<desc>`` for anyone
who opens it on its own.

Rules every chart here keeps (the course's accessibility standard):

* alt text that states what the chart shows in words, and a caption (:func:`svg_figure`);
* Okabe-Ito colours (``spasm_lib.html.PALETTE``), each paired with a hatch pattern *and* a direct text
  label, so nothing is carried by colour alone and a greyscale print still reads;
* black text on white;
* a 320-unit-wide viewBox drawn at most ``MAX_WIDTH_EM`` wide and shrinking with the page, with text
  of at least ``SMALL_TEXT`` units: about 15 px on a 390 px phone screen, larger on a projector;
  long labels wrap (:func:`wrap`) instead of running off the edge.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from spasm_lib.html import PALETTE, Html, esc

WIDTH = 320
"""Width of every chart's viewBox, in SVG units: narrow enough that on a 390 px phone screen (a figure
about 310 px wide after margins) a unit is still about a CSS pixel, so text stays body-sized."""
TEXT = 16
"""Font size of labels, in viewBox units."""
SMALL_TEXT = 15
"""The smallest font size used (notes, keys, tick labels)."""
MAX_WIDTH_EM = 30
"""A chart's largest width, in ems (the figure's class in :mod:`spasm_lib.views.style` sizes its image)."""
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
INK = PALETTE["black"]

HATCHES = ("diagonal", "dots", "cross", "back-diagonal", "horizontal", "vertical")
"""Hatch patterns in the order charts hand them out (paired with ``CHART_COLOURS``)."""
CHART_COLOURS = ("orange", "sky", "green", "yellow", "blue", "vermillion", "purple", "grey")

_HATCH_MARKS = {
    "diagonal": '<path d="M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6" stroke="#000" stroke-width="1.2"/>',
    "back-diagonal": '<path d="M0,0 L8,8 M-2,6 L2,10 M6,-2 L10,2" stroke="#000" stroke-width="1.2"/>',
    "cross": '<path d="M0,8 L8,0 M0,0 L8,8" stroke="#000" stroke-width="1"/>',
    "dots": '<circle cx="4" cy="4" r="1.6" fill="#000"/>',
    "horizontal": '<path d="M0,4 L8,4" stroke="#000" stroke-width="1.2"/>',
    "vertical": '<path d="M4,0 L4,8" stroke="#000" stroke-width="1.2"/>',
}


def num(value: float) -> str:
    """A coordinate as short, stable text: at most two decimals, no trailing zeros, never ``-0``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


CHAR_WIDTH = 0.62
"""A generous average glyph width, in ems, of the sans-serif fonts above (DejaVu Sans is about 0.55):
used to wrap text before it could run past the chart's edge."""


def wrap(content: str, width: float, size: int = TEXT) -> tuple[str, ...]:
    """Words of ``content`` in lines that fit ``width`` units at ``size`` (a word longer than a line
    gets a line of its own)."""
    per_line = max(1, int(width / (size * CHAR_WIDTH)))
    lines: list[str] = []
    for word in content.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return tuple(lines)


def attrs(**values: object) -> str:
    """Attributes, text escaped; ``None`` leaves one out, ``_`` in a name becomes ``-`` (``font_size``).

    Numbers need no escaping (most attributes of a chart are numbers: this keeps a chart near 0.1 ms).
    """
    out = []
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, float):
            shown = num(value)
        elif isinstance(value, int):
            shown = str(value)
        else:
            shown = esc(value)
        out.append(f' {name.rstrip("_").replace("_", "-")}="{shown}"')
    return "".join(out)


def text(x: float, y: float, content: str, size: int = TEXT, anchor: str = "start", **extra: object) -> str:
    """One line of escaped text; ``y`` is its baseline."""
    if size < SMALL_TEXT:
        raise ValueError(f"text of {size} units would be illegible on a phone; the smallest is {SMALL_TEXT}")
    return f"<text{attrs(x=float(x), y=float(y), font_size=size, text_anchor=anchor, **extra)}>{esc(content)}</text>"


def rect(x: float, y: float, width: float, height: float, **extra: object) -> str:
    return f"<rect{attrs(x=float(x), y=float(y), width=float(width), height=float(height), **extra)}/>"


def line(x1: float, y1: float, x2: float, y2: float, **extra: object) -> str:
    return f"<line{attrs(x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **extra)}/>"


def pattern(pattern_id: str, colour: str, hatch: str, tint: float = 1.0) -> str:
    """A fill of an Okabe-Ito colour (``PALETTE`` name) with a black hatch on it.

    ``tint`` below 1 lightens the colour (for large areas behind a line), never the hatch.
    """
    if hatch not in _HATCH_MARKS:
        raise ValueError(f"unknown hatch '{hatch}'; expected one of: {', '.join(_HATCH_MARKS)}")
    return (
        f'<pattern id="{esc(pattern_id)}" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<rect width="8" height="8" fill="#fff"/>'
        f"<rect{attrs(width=8, height=8, fill=PALETTE[colour], fill_opacity=None if tint >= 1 else float(tint))}/>"
        f"{_HATCH_MARKS[hatch]}</pattern>"
    )


def svg_document(height: float, title: str, desc: str, body: Iterable[str], defs: Iterable[str] = ()) -> str:
    """A standalone SVG document ``WIDTH`` units wide: white background, black text, alt text inside."""
    definitions = "".join(defs)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img"{attrs(width=WIDTH, height=num(height))}'
        f' viewBox="0 0 {WIDTH} {num(height)}" aria-labelledby="title desc"'
        f' font-family="{esc(FONT)}" font-size="{TEXT}" fill="{INK}">'
        f'<title id="title">{esc(title)}</title><desc id="desc">{esc(desc)}</desc>'
        + (f"<defs>{definitions}</defs>" if definitions else "")
        + f'<rect width="{WIDTH}" height="{num(height)}" fill="#fff"/>'
        + "".join(body)
        + "</svg>"
    )


def svg_figure(svg: str, alt: str, caption: str, label: str = "figure") -> Html:
    """A ``<figure>``: the SVG as an image with ``alt`` text, then the caption. Its size is the
    stylesheet's (``figure.spasm-figure img``): whoever shows it wraps it in ``styled``.

    Raises ValueError for empty alt text: every figure must say what it shows.
    """
    if not alt.strip():
        raise ValueError("a figure needs alt text describing what it shows")
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Html(
        f'<figure class="spasm-figure"><img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>",
        label,
    )


def svg_of(markup: str) -> str:
    """The SVG document inside a :func:`svg_figure` (for tests and for saving a chart as a file)."""
    start = markup.index("data:image/svg+xml;base64,") + len("data:image/svg+xml;base64,")
    return base64.b64decode(markup[start:markup.index('"', start)]).decode("utf-8")
