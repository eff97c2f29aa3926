"""What a handout page may not carry: a reference to anything on the network
(:func:`network_reference`) and markup that runs code (:func:`remove_active_content`).

Both read the page as a tree (:func:`spasm_lib.page_markup.parse`, entities decoded, as a browser
reads the markup); text is never markup, so a case story that *mentions* ``<script>`` reaches the
page escaped and is left as it is. The tree is written out with every text and attribute value
escaped, so nothing that was text here can turn into markup in a browser.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spasm_lib.handout_limits import one_line
from spasm_lib.page_markup import parse

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

_URL_ATTRIBUTES = frozenset({
    "src", "href", "srcset", "imagesrcset", "action", "formaction", "poster", "data", "xlink:href", "background",
    "cite", "longdesc", "manifest", "icon", "codebase", "archive", "ping", "lowsrc", "dynsrc", "profile",
})
_ELSEWHERE = re.compile(r"^\s*(?:(?:[a-z][a-z0-9+.-]*:)?[\\/]{2}|(?:https?|ftps?|wss?|file):)", re.IGNORECASE)
_CSS_FETCH = re.compile(
    r"""@import|url\(\s*["']?\s*(?:(?:[a-z][a-z0-9+.-]*:)?[\\/]{2}|(?:https?|ftps?|file):)"""
    r"""|image-set\(\s*["']\s*(?:[a-z][a-z0-9+.-]*:)?//""",
    re.IGNORECASE,
)
_SCRIPT_FETCH = re.compile(r"""["'`]\s*(?:[a-z][a-z0-9+.-]*:)?//[^"'`\s]""", re.IGNORECASE)


def _value(value: str | list[str]) -> str:
    """An attribute's value as written (the parser keeps ``class``, ``rel`` and a few more as lists)."""
    return " ".join(value) if isinstance(value, list) else value


def refers_elsewhere(url: str) -> bool:
    """Whether a browser would go elsewhere for ``url`` (``//host``, ``https:``, ``file:``, ...)."""
    return _ELSEWHERE.match(url) is not None


def _fetched(tag: Tag) -> str | None:
    """What in ``tag`` a browser would fetch from elsewhere, as written, or None."""
    for name, value in tag.attrs.items():
        value = _value(value)
        if name in _URL_ATTRIBUTES:
            urls = [c.strip().split(" ")[0] for c in value.split(",")] if "srcset" in name else [value]
            if any(refers_elsewhere(url) for url in urls):
                return f'{name}="{value}"'
        elif name == "style" and _CSS_FETCH.search(value):
            return f'style="{value}"'
    content = _value(tag.get("content", ""))
    if tag.name == "meta" and _value(tag.get("http-equiv", "")).lower() == "refresh" and "url" in content.lower():
        return f'content="{content}"'
    fetch = {"style": _CSS_FETCH, "script": _SCRIPT_FETCH}.get(tag.name)
    found = fetch.search(tag.get_text()) if fetch else None
    return found.group(0) if found else None


def network_reference(page: str | BeautifulSoup) -> str | None:
    """What in ``page`` (its text, or the tree it is written from) a browser would fetch from
    elsewhere, shown briefly, or None.

    Looks at the *markup*, as a browser reads it: URL attributes (``src``, ``href``, ``srcset``,
    ``action``, ``poster``, ``data``, ``xlink:href``, ...), a refresh ``<meta>``, CSS in ``<style>``
    and ``style`` attributes (``@import``, ``url(//host)``), and string URLs in a ``<script>``.
    Text is never markup: a case story that *mentions* ``<a href=https://x>`` reaches the page
    escaped (``&lt;a href=https://x&gt;``) and is not a reference. Entities in attribute values are
    decoded first, so ``src="&#104;ttps://x"`` is one.
    """
    for tag in (parse(page) if isinstance(page, str) else page).find_all(True):
        found = _fetched(tag)
        if found:
            return f"<{tag.name}> {one_line(found, 120)}"
    return None


_ACTIVE_ELEMENTS = frozenset({
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "animate", "set",
})
"""Elements that run code, load a page inside the handout, or (SVG's ``animate`` and ``set``) give an
attribute a ``javascript:`` address once the page is open: dropped whole, with what they hold."""
_ACTIVE_URL = re.compile(r"^(?:javascript|vbscript|data:text/html|data:application)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def _is_active(name: str, value: str | list[str]) -> bool:
    """An attribute that runs code: an event handler (every ``on*``), ``srcdoc``, or a
    ``javascript:``/``vbscript:``/``data:text/html`` address in a URL attribute (blanks ignored, as a
    browser reads it)."""
    return (name.startswith("on") or name == "srcdoc"
            or name in _URL_ATTRIBUTES and _ACTIVE_URL.match(_URL_NOISE.sub("", _value(value))) is not None)


def remove_active_content(page: BeautifulSoup) -> None:
    """``page`` (a parsed page, changed in place) without the markup that would make a handout run code.

    A handout promises no script, yet a notebook's own markdown or an output's HTML can carry one:
    :data:`_ACTIVE_ELEMENTS` are removed with their content, as is a refresh ``<meta>``; attributes
    that run code (:func:`_is_active`) are removed from their tags. Comments, ``CDATA`` sections and
    processing instructions go too (a browser may end them elsewhere than the parser did, and what
    follows would become markup), and a ``<`` in a stylesheet is written as the CSS escape ``\\3c ``
    (inside SVG or MathML a browser reads a stylesheet as markup). Text is never markup: an escaped
    ``&lt;script&gt;`` in a story is left as the text it is.
    """
    from bs4.element import Doctype, PreformattedString, Tag

    removed, stylesheets = [], []
    for node in page.descendants:
        if not isinstance(node, Tag):
            if isinstance(node, PreformattedString) and not isinstance(node, Doctype):
                removed.append(node)
            elif node.parent.name == "style" and "<" in node:
                stylesheets.append(node)
        elif node.name in _ACTIVE_ELEMENTS or node.name == "meta" and \
                _value(node.get("http-equiv", "")).strip().lower() == "refresh":
            removed.append(node)
        else:
            for name in [name for name, value in node.attrs.items() if _is_active(name, value)]:
                del node[name]
    for node in stylesheets:
        node.replace_with(node.replace("<", "\\3c "))
    for node in removed:  # one inside another is taken out of the one already taken out: no matter
        node.extract()
