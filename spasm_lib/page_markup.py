"""Rewriting a converted handout page where nbconvert's template cannot: a contents list from its
parts, labelled table cells (phone cards), and the live-only markup of views left out.

A page is parsed once (:func:`parse`: BeautifulSoup with the standard library's ``html.parser``,
the parser nbconvert itself already runs over every page it exports), each step changes the tree in
place, and the page is written out once (:func:`serialise`), so the same page always gives the same
bytes. :func:`rewritten` runs steps over a page's text; :mod:`spasm_lib.handout_export` runs these
and :mod:`spasm_lib.page_safety`'s over one parsed page."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spasm_lib.html import esc

if TYPE_CHECKING:
    from collections.abc import Callable

    from bs4 import BeautifulSoup, Tag

LIVE_ONLY_CLASS = "spasm-live-only"
"""The same convention inside a view's markup: an element of this class is an instruction for the
live widget ("untick it…"); the handout leaves the element out (:func:`drop_live_only`)."""


def parse(page: str) -> BeautifulSoup:
    """The page as a tree, read as nbconvert reads it (imported here: only building handouts needs it).

    The parser writes a line break after a ``<!DOCTYPE>``; the one that follows it in the page is
    dropped as it is read, so that a page read and written again keeps its bytes."""
    from bs4 import BeautifulSoup
    from bs4.element import Doctype, NavigableString

    tree = BeautifulSoup(page, "html.parser")
    after = tree.contents[0].next_sibling if tree.contents and isinstance(tree.contents[0], Doctype) else None
    if isinstance(after, NavigableString) and after.startswith("\n"):
        after.replace_with(after[1:])
    return tree


def serialise(page: BeautifulSoup) -> str:
    """The tree as text: text and attribute values escaped (``&``, ``<``, ``>``), attributes in name order."""
    return page.decode(formatter="minimal")


def rewritten(page: str, *steps: Callable[[BeautifulSoup], None]) -> str:
    """``page`` parsed once, changed by each step in turn, and written out."""
    tree = parse(page)
    for step in steps:
        step(tree)
    return serialise(tree)


def text_of(tag: Tag) -> str:
    """What a reader reads in ``tag``: its text, blanks collapsed."""
    return " ".join(tag.get_text().split())


# --------------------------------------------------------------------------- contents


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def _part_heading(section: Tag) -> Tag | None:
    """The heading of a part of a section a reader may want to jump to: a ``<section id=…>`` that
    opens with an ``h3``-``h6`` (the pathway's steps, for one)."""
    first = next((c for c in section.contents if c.name or c.strip()), None)
    return first if section.has_attr("id") and first is not None and first.name in ("h3", "h4", "h5", "h6") else None


def add_contents(page: BeautifulSoup) -> None:
    """Every ``h2`` of the page's ``<main>`` given an id, and a contents list of them placed first in
    ``<main>``; under a section, its parts (:func:`_part_heading`), so that a long section (every step of
    the pathway) can be entered where needed. Fewer than two sections: no list, nothing changed."""
    main = page.find("main")
    if main is None:
        return
    entries: list[tuple[Tag, list[tuple[str, Tag]]]] = []  # each h2, and its parts' ids and headings
    for tag in main.find_all(["h2", "section"]):
        if tag.name == "h2":
            entries.append((tag, []))
        elif entries and (part := _part_heading(tag)) is not None:
            entries[-1][1].append((tag["id"], part))
    if len(entries) < 2:
        return
    used = {tag["id"] for tag in page.find_all(id=True)}
    items = []
    for heading, parts in entries:
        if not heading.has_attr("id"):
            base = ident = _slug(text_of(heading))
            n = 2
            while ident in used:
                ident, n = f"{base}-{n}", n + 1
            used.add(ident)
            heading["id"] = ident
        under = "".join(f'<li><a href="#{esc(ident)}">{esc(text_of(part))}</a></li>' for ident, part in parts)
        items.append(f'<li><a href="#{esc(heading["id"])}">{esc(text_of(heading))}</a>'
                     + (f"<ol>{under}</ol>" if under else "") + "</li>")
    main.insert(0, parse(
        '\n<nav aria-labelledby="contents-title" class="contents"><p class="contents-title" id="contents-title">'
        f'In this handout</p><ol>{"".join(items)}</ol></nav>\n'))


# --------------------------------------------------------------------------- tables as cards


def _span(cell: Tag) -> int:
    span = str(cell.get("colspan") or "1")
    return int(span) if span.isdigit() and 0 < int(span) < 100 else 1


def label_cells(page: BeautifulSoup) -> None:
    """``data-label="<its column heading>"`` on every body cell of every table with a header row
    (``<thead>``: its last row names the columns); the stylesheet shows it on a phone."""
    for table in page.find_all("table"):
        rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]  # not a nested table's
        head = [tr for tr in rows if tr.parent.name == "thead"]
        if not head:
            continue
        labels = [text_of(cell) for cell in head[-1].find_all(["th", "td"], recursive=False)
                  for _ in range(_span(cell))]
        for tr in rows:
            if tr.parent.name == "thead":
                continue
            column = 0
            for cell in tr.find_all(["th", "td"], recursive=False):
                if column < len(labels) and labels[column] and not cell.has_attr("data-label"):
                    cell["data-label"] = labels[column]
                column += _span(cell)


def drop_live_only(page: BeautifulSoup) -> None:
    """The elements a view marked as live-only (class :data:`LIVE_ONLY_CLASS`) left out, with all they hold."""
    for tag in page.find_all(class_=LIVE_ONLY_CLASS):
        tag.extract()  # one inside another is taken out of the one already taken out: no matter


def drop_repeated_styles(page: BeautifulSoup) -> None:
    """Every ``<style>`` that repeats an earlier one's text left out: each view carries the widget
    stylesheet (:func:`spasm_lib.views.style.styled`) so that it looks right alone in a notebook, but
    a page needs it once (a stylesheet applies to the whole page wherever it stands)."""
    seen: set[str] = set()
    for style in page.find_all("style"):
        text = style.get_text()
        if text in seen:
            style.extract()
        seen.add(text)
