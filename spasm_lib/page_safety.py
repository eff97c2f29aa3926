"""What a handout page may not carry: a reference to anything on the network
(:func:`network_reference`) and markup that runs code (:func:`without_active_content`).

Both read the markup as a browser does (:class:`html.parser.HTMLParser`, entities decoded); text is
never markup, so a case story that *mentions* ``<script>`` reaches the page escaped and is left as
it is. Pure functions of the page's text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from spasm_lib.handout_limits import one_line

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


def network_reference(page: str) -> str | None:
    """What in ``page`` a browser would fetch from elsewhere, shown briefly, or None.

    Looks at the *markup*, as a browser reads it: URL attributes (``src``, ``href``, ``srcset``,
    ``action``, ``poster``, ``data``, ``xlink:href``, ...), a refresh ``<meta>``, CSS in ``<style>``
    and ``style`` attributes (``@import``, ``url(//host)``), and string URLs in a ``<script>``.
    Text is never markup: a case story that *mentions* ``<a href=https://x>`` reaches the page
    escaped (``&lt;a href=https://x&gt;``) and is not a reference. Entities in attribute values are
    decoded first, so ``src="&#104;ttps://x"`` is one.
    """
    found: list[str] = []

    def note(tag: str, what: str) -> None:
        if not found:
            found.append(f"<{tag}> {one_line(what, 120)}")

    class Finder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.inside: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = {name.lower(): value or "" for name, value in attrs}
            for name, value in values.items():
                if name in _URL_ATTRIBUTES:
                    candidates = [c.strip().split(" ")[0] for c in value.split(",")] if "srcset" in name else [value]
                    if any(_ELSEWHERE.match(c) for c in candidates):
                        note(tag, f'{name}="{value}"')
                elif name == "style" and _CSS_FETCH.search(value):
                    note(tag, f'style="{value}"')
            if tag == "meta" and values.get("http-equiv", "").lower() == "refresh" and "url" in values.get("content", "").lower():
                note(tag, f'content="{values["content"]}"')
            if tag in ("style", "script"):
                self.inside = tag

        handle_startendtag = handle_starttag

        def handle_endtag(self, tag: str) -> None:
            if tag == self.inside:
                self.inside = None

        def handle_data(self, data: str) -> None:
            if self.inside == "style" and _CSS_FETCH.search(data):
                note("style", _CSS_FETCH.search(data).group(0))
            elif self.inside == "script" and _SCRIPT_FETCH.search(data):
                note("script", _SCRIPT_FETCH.search(data).group(0))

    finder = Finder()
    finder.feed(page)
    finder.close()
    return found[0] if found else None


_ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base"})
"""Elements that run code or load a page inside the handout: dropped whole (a script with its content)."""
_ACTIVE_URL = re.compile(r"^(?:javascript|vbscript|data:text/html|data:application)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def without_active_content(page: str) -> str:
    """``page`` without the markup that would make a handout run code (pure; unchanged if clean).

    A handout promises no script, yet a notebook's own markdown or an output's HTML can carry one:
    ``<script>`` (and ``<iframe>``, ``<object>``, ``<embed>``, ``<base>``) elements are removed,
    event-handler attributes (``onerror=``, ``onclick=``, every ``on*``) and ``srcdoc`` are removed
    from their tags, and a ``javascript:``/``vbscript:``/``data:text/html`` address in a URL
    attribute is dropped (entities decoded and blanks ignored first, as a browser reads it), as is a
    refresh ``<meta>``. Everything else is left byte for byte. Text is never markup: an escaped
    ``&lt;script&gt;`` in a story is left as the text it is.
    """
    if not re.search(r"<\s*(?:script|iframe|frame|object|embed|applet|base|meta)|\bon[a-z]+\s*=|javascript|vbscript"
                     r"|data:text/html|data:application|srcdoc", page, re.IGNORECASE):
        return page
    starts = [0]
    for line in page.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    edits: list[tuple[int, int, str]] = []

    class Cleaner(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.open_at: int | None = None
            self.open_tag: str | None = None

        def _offset(self) -> int:
            line, column = self.getpos()
            return starts[line - 1] + column

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            raw = self.get_starttag_text() or ""
            at = self._offset()
            if self.open_tag is not None:
                return
            if tag in _ACTIVE_ELEMENTS:
                if tag in ("script", "iframe", "object", "applet", "frameset") and not raw.rstrip().endswith("/>"):
                    self.open_at, self.open_tag = at, tag
                else:
                    edits.append((at, at + len(raw), ""))
                return
            kept, changed = [], False
            for name, value in attrs:
                lowered = name.lower()
                if lowered.startswith("on") or lowered == "srcdoc":
                    changed = True
                elif value is not None and lowered in _URL_ATTRIBUTES and _ACTIVE_URL.match(_URL_NOISE.sub("", value)):
                    changed = True
                elif tag == "meta" and lowered == "http-equiv" and (value or "").strip().lower() == "refresh":
                    edits.append((at, at + len(raw), ""))
                    return
                else:
                    kept.append((name, value))
            if changed:
                rebuilt = "".join(f" {n}" if v is None else f' {n}="{html.escape(v, quote=True)}"' for n, v in kept)
                close = "/>" if raw.rstrip().endswith("/>") else ">"
                edits.append((at, at + len(raw), f"<{tag}{rebuilt}{close}"))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)

        def handle_endtag(self, tag: str) -> None:
            at = self._offset()
            end = page.find(">", at) + 1 or len(page)
            if self.open_tag is not None:
                if tag == self.open_tag:
                    edits.append((self.open_at or 0, end, ""))
                    self.open_at = self.open_tag = None
            elif tag in _ACTIVE_ELEMENTS:
                edits.append((at, end, ""))

    cleaner = Cleaner()
    cleaner.feed(page)
    cleaner.close()
    if cleaner.open_tag is not None:  # an element never closed: everything after it goes
        edits.append((cleaner.open_at or 0, len(page), ""))
    if not edits:
        return page
    out, last = [], 0
    for start, end, text in sorted(edits):
        if start < last:
            continue
        out.append(page[last:start])
        out.append(text)
        last = end
    out.append(page[last:])
    return "".join(out)
