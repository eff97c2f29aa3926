"""The shared vocabulary of every view: escaped HTML fragments and tables.

Every view in :mod:`spasm_lib.views` returns an :class:`Html` value. The same value is shown by the
live widget (as an ``ipywidgets.HTML`` value), by a notebook cell run with ``interactive = False``
(through ``_repr_html_``) and in the offline handout, and it is what the unit tests inspect. Text
that comes from data, parameters or case files is always passed through :func:`esc`.

Figures are SVG charts with alt text and a caption (:mod:`spasm_lib.views.svg`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Views pair every colour
# with a hatch pattern (views.svg.HATCHES) or a text label, so nothing is conveyed by colour alone
# (greyscale prints).
PALETTE = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}


UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Raw control characters (C0 but tab and newline, DEL, C1) and the Unicode controls that reorder or
hide text (bidirectional overrides and isolates): dropped from text shown in HTML, as on a terminal
(:func:`spasm_lib.inputs.terminal_text`), so a story cannot render reversed or hide a word."""


def esc(text: object) -> str:
    """Escape any value for HTML text or attribute content (without its control characters)."""
    return html.escape(UNSAFE_CHARACTERS.sub("", str(text)), quote=True)


@dataclass(frozen=True)
class Html:
    """A fragment of HTML that displays itself in Jupyter and compares as a string."""

    markup: str
    label: str = "view"

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        # What nbval compares as text/plain: stable and short (the markup is the text/html).
        return f"<{self.label}>"

    def __str__(self) -> str:
        return self.markup

    def __html__(self) -> str:
        """Markup already escaped: a template (:mod:`spasm_lib.page_templates`) inserts it as it is."""
        return self.markup

    def __add__(self, other: Html) -> Html:
        return Html(self.markup + other.markup, self.label)


def join(parts: Iterable[Html | str], label: str = "view") -> Html:
    """Concatenate fragments (strings are taken as already-safe markup)."""
    return Html("".join(p.markup if isinstance(p, Html) else p for p in parts), label)


def tag(name: str, text: object = "", cls: str | None = None, **attrs: object) -> str:
    """One element with escaped text content and escaped attributes."""
    attr = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None)
    klass = f' class="{esc(cls)}"' if cls else ""
    return f"<{name}{klass}{attr}>{esc(text)}</{name}>"


def rows_table(headings: Iterable[str], rows: Iterable[Iterable[object]], caption: str, label: str = "table") -> Html:
    """Rows of plain values as a full, escaped HTML table with a caption.

    For tables a notebook shows without pandas (importing pandas costs a fresh kernel about 0.3 s).
    Its look (cells left-aligned, at the top) is the stylesheet's: show it through
    :func:`spasm_lib.views.style.styled`.
    """
    headings = tuple(headings)
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headings)
    # data-label: a narrow column shows each row as a card, every cell led by its heading (views/style.py)
    body = "".join("<tr>" + "".join(f'<td data-label="{esc(h)}">{esc(v)}</td>'
                                    for h, v in zip(headings, row)) + "</tr>" for row in rows)
    return Html(f'<table class="spasm-table">{tag("caption", caption)}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>", label)
