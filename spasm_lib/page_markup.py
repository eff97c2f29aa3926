"""Rewriting a converted handout page where nbconvert's template cannot: a contents list from its
parts, labelled table cells (phone cards), and the live-only markup of views left out.

Each function is pure (a page in, a page out); :mod:`spasm_lib.handout_pages` calls them when it
finishes a handout."""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser
from typing import Any

from spasm_lib.html import esc

LIVE_ONLY_CLASS = "spasm-live-only"
"""The same convention inside a view's markup: an element of this class is an instruction for the
live widget ("untick it…"); the handout leaves the element out (:func:`without_live_only_markup`)."""


# --------------------------------------------------------------------------- contents

_H2 = re.compile(r"<h2\b([^>]*)>(.*?)</h2\s*>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r"""\bid\s*=\s*(["'])(.*?)\1""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def _text(markup: str) -> str:
    return " ".join(_html.unescape(_TAG.sub("", markup)).split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


_PART = re.compile(r"""<section\b[^>]*?\bid\s*=\s*"([^"]+)"[^>]*>\s*<(h[3-6])\b[^>]*>(.*?)</\2\s*>""",
                   re.DOTALL | re.IGNORECASE)
"""A part of a section a reader may want to jump to: a ``<section id=…>`` that opens with a heading
(the pathway's steps, for one)."""


def with_contents(page: str) -> str:
    """The page with every ``h2`` of its ``<main>`` given an id, and a contents list of them placed
    right after the header; under a section, its parts with an id (:data:`_PART`), so that a long
    section (every step of the pathway) can be entered where needed. Fewer than two sections: no list."""
    start = page.find("<main>")
    end = page.rfind("</main>")
    if start < 0 or end < start:
        return page
    used = set(m.group(2) for m in _ID.finditer(page))
    entries: list[tuple[str, str, int]] = []

    def number(match: re.Match[str]) -> str:
        attrs, inner = match.group(1), match.group(2)
        found = _ID.search(attrs)
        if found:
            ident = found.group(2)
        else:
            base = _slug(_text(inner))
            ident, n = base, 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            attrs = f' id="{esc(ident)}"{attrs}'
        entries.append((ident, _text(inner), match.start()))
        return f"<h2{attrs}>{inner}</h2>"

    main = page[start:end]
    body = _H2.sub(number, main)
    if len(entries) < 2:
        return page
    items = []
    for k, (ident, text, at) in enumerate(entries):
        until = entries[k + 1][2] if k + 1 < len(entries) else len(main)
        parts = "".join(
            f'<li><a href="#{esc(_html.unescape(m.group(1)))}">{esc(_text(m.group(3)))}</a></li>'
            for m in _PART.finditer(main, at, until)
        )
        items.append(f'<li><a href="#{esc(ident)}">{esc(text)}</a>' + (f"<ol>{parts}</ol>" if parts else "") + "</li>")
    nav = (
        '<nav class="contents" aria-labelledby="contents-title">'
        f'<p class="contents-title" id="contents-title">In this handout</p><ol>{"".join(items)}</ol></nav>\n'
    )
    return page[:start] + "<main>\n" + nav + body[len("<main>"):] + page[end:]


# --------------------------------------------------------------------------- tables as cards


class _CellLabeller(HTMLParser):
    """Re-emits a page unchanged, except that each body cell of a table with a header row gets
    ``data-label="<its column heading>"`` (the stylesheet shows it on a phone)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self.heading: list[str] | None = None

    def _table(self) -> dict[str, Any] | None:
        return self.tables[-1] if self.tables else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        table = self._table()
        if tag == "table":
            self.tables.append({"labels": [], "head": False, "col": 0, "row": []})
        elif table is not None and tag == "thead":
            table["head"] = True
        elif table is not None and tag == "tr":
            table["col"] = 0
            if table["head"]:
                table["row"] = []
        elif table is not None and tag in ("td", "th"):
            span = dict(attrs).get("colspan") or "1"
            width = int(span) if span.isdigit() and 0 < int(span) < 100 else 1
            if table["head"]:
                if tag == "th":
                    self.heading = []
                table["span"] = width
            else:
                labels = table["labels"]
                label = labels[table["col"]] if table["col"] < len(labels) else ""
                if label and "data-label" not in dict(attrs):
                    cut = len(raw) - (2 if raw.endswith("/>") else 1)
                    raw = f'{raw[:cut]} data-label="{esc(label)}"{raw[cut:]}'
                table["col"] += width
        self.out.append(raw)

    def handle_endtag(self, tag: str) -> None:
        table = self._table()
        if table is not None:
            if tag == "th" and table["head"] and self.heading is not None:
                label = " ".join("".join(self.heading).split())
                table["row"].extend([label] * table.get("span", 1))
                self.heading = None
            elif tag == "tr" and table["head"]:
                table["labels"] = list(table["row"])  # the last header row names the columns
            elif tag == "thead":
                table["head"] = False
            elif tag == "table":
                self.tables.pop()
        self.out.append(f"</{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        if self.heading is not None:
            self.heading.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")
        if self.heading is not None:
            self.heading.append(_html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")
        if self.heading is not None:
            self.heading.append(_html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def with_cell_labels(page: str) -> str:
    """The page with ``data-label`` on every body cell of every table that has a header row."""
    if "<table" not in page:
        return page
    parser = _CellLabeller()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)


class _LiveOnlyRemover(HTMLParser):
    """Re-emits a page unchanged, except that every element whose class list holds
    :data:`LIVE_ONLY_CLASS` is left out with all it contains."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skipping: str | None = None  # the tag being left out
        self.depth = 0  # how many of that tag are open inside it

    def _emit(self, text: str) -> None:
        if self.skipping is None:
            self.out.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth += 1
            return
        classes = (dict(attrs).get("class") or "").split()
        if LIVE_ONLY_CLASS in classes and tag not in self.VOID:
            self.skipping, self.depth = tag, 1
            return
        if LIVE_ONLY_CLASS not in classes:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping is not None:
            if tag == self.skipping:
                self.depth -= 1
                if self.depth == 0:
                    self.skipping = None
            return
        self.out.append(f"</{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if LIVE_ONLY_CLASS not in (dict(attrs).get("class") or "").split():
            self._emit(self.get_starttag_text() or "")

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        self._emit(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._emit(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._emit(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._emit(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._emit(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._emit(f"<![{data}]>")


def without_live_only_markup(page: str) -> str:
    """The page without the elements a view marked as live-only (class :data:`LIVE_ONLY_CLASS`)."""
    if LIVE_ONLY_CLASS not in page:
        return page
    parser = _LiveOnlyRemover()
    parser.feed(page)
    parser.close()
    return "".join(parser.out)
