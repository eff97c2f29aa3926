"""The shared vocabulary of every view: escaped HTML fragments and figures with alt text.

Every view in :mod:`spasm_lib.views` returns an :class:`Html` value. The same value is shown by the
live widget (as an ``ipywidgets.HTML`` value), by a notebook cell run with ``interactive = False``
(through ``_repr_html_``) and in the offline handout, and it is what the unit tests inspect. Text
that comes from data, parameters or case files is always passed through :func:`esc`.

Figures are embedded as PNG data URIs inside ``<figure>`` with ``alt`` text and a caption, so a
handout needs no network and a screen reader can describe every figure. matplotlib is imported only
when a figure is drawn.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

# Okabe-Ito: distinguishable with the common colour-vision deficiencies. Views pair every colour
# with a hatch pattern or a text label, so nothing is conveyed by colour alone (greyscale prints).
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
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "++", "--")


def esc(text: object) -> str:
    """Escape any value for HTML text or attribute content."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Html:
    """A fragment of HTML that displays itself in Jupyter and compares as a string."""

    markup: str
    label: str = "view"

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        # What nbval compares as text/plain: stable, short, and free of the PNG bytes.
        return f"<{self.label}>"

    def __str__(self) -> str:
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


def table_html(frame: Any, caption: str, label: str = "table") -> Html:
    """A DataFrame as a full, escaped HTML table with a caption.

    A DataFrame's own notebook display cuts cells at 50 characters; a teaching table must not.
    """
    table = frame.to_html(escape=True, index=False, border=0, classes="spasm-table")
    head, _, rest = table.partition(">")
    return Html(f"{head}>{tag('caption', caption)}{rest}", label)


def rows_table(headings: Iterable[str], rows: Iterable[Iterable[object]], caption: str, label: str = "table") -> Html:
    """Rows of plain values as a full, escaped HTML table with a caption, every cell left-aligned.

    For tables a notebook shows without pandas (importing pandas costs a fresh kernel about 0.3 s).
    """
    cell = "text-align:left;vertical-align:top"
    headings = tuple(headings)
    head = "".join(f'<th scope="col" style="{cell}">{esc(h)}</th>' for h in headings)
    headings = tuple(headings)
    # data-label: a narrow column shows each row as a card, every cell led by its heading (views/style.py)
    body = "".join("<tr>" + "".join(f'<td style="{cell}" data-label="{esc(h)}">{esc(v)}</td>'
                                    for h, v in zip(headings, row)) + "</tr>" for row in rows)
    return Html(f'<table class="spasm-table">{tag("caption", caption)}<thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table>", label)


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure, identical for identical inputs (no timestamp, no software tag)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def figure_html(fig: Figure, alt: str, caption: str, label: str = "figure") -> Html:
    """Embed a figure as a self-contained ``<figure>`` with alt text and a caption."""
    if not alt.strip():
        raise ValueError("a figure needs alt text describing what it shows")
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return Html(
        f'<figure class="spasm-figure"><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>",
        label,
    )


def new_figure(width: float = 7.0, height: float = 3.6) -> Figure:
    """A figure with print-friendly defaults. A bare Figure, not pyplot: no global state to leak
    between widget callbacks, and nothing to close."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained", facecolor="white")
    return fig
