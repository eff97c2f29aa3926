"""The HTML of the package's own pages, kept in jinja2 templates (``spasm_lib/templates/pages``).

Why templates: a page written as Python strings mixed the choice of what to show with the markup
that shows it, and every page carried its own copy of the skeleton (doctype, head, stylesheet,
header, footer). Here the Python side prepares the data (which rows, links, patients, answers) and
calls :func:`render_template`; ``pages/base.html.j2`` is the one skeleton every standalone page
extends (the set's pages, the collect report's pages), and the disclaimer and footer are partials
the handouts' header and footer render too.

Escaping: the environment autoescapes every ``{{ value }}``. A value that is already markup says so
by its type (:class:`spasm_lib.html.Html`, which carries ``__html__``), never by a ``|safe`` on a
string. Text is escaped by :func:`spasm_lib.html.esc`, as in the views: the raw control and
bidirectional-override characters dropped, the same entities. Rendering is pure: same context,
same bytes.
"""

from __future__ import annotations

from functools import cache
from typing import Any

PAGES = "pages"
"""The templates' folder inside ``spasm_lib/templates`` (package data, see ``pyproject.toml``)."""


def _text(value: Any) -> Any:
    """Every ``{{ value }}``: markup as it is; text escaped by :func:`spasm_lib.html.esc`, the one
    escaping of the package (control characters dropped, quotes escaped as everywhere else)."""
    from markupsafe import Markup

    from spasm_lib.html import esc

    return value if hasattr(value, "__html__") else Markup(esc(value))


@cache
def environment() -> Any:
    """One jinja2 environment over the package's templates folder (found beside the installed
    package, so a wheel installed anywhere has them)."""
    import jinja2

    from markupsafe import Markup

    from spasm_lib import DISCLAIMER, __version__
    from spasm_lib.packaged import stylesheet, template_dir

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a name the Python side forgot fails, never prints ""
        finalize=_text,
        keep_trailing_newline=True,  # a page ends with a newline (nbconvert's handout adds its own)
        auto_reload=False,
    )  # jinja2's whitespace rules otherwise, as nbconvert's: base.html.j2 renders alike under both
    env.globals.update(disclaimer=DISCLAIMER, version=__version__, css=Markup(stylesheet()))
    return env


def render_template(name: str, **context: Any) -> str:
    """The template ``pages/NAME`` rendered with ``context``."""
    return str(environment().get_template(f"{PAGES}/{name}").render(**context))
