"""One small stylesheet for the HTML the widgets and static views show inside a notebook.

Why: JupyterLab styles an ``ipywidgets.HTML`` value with its widget CSS (small headings, a 28 px
line-height inherited from the widget label, no wrapping of long words), so headings came out
smaller than body text and one pathway step grew thousands of pixels tall. Every view that is
shown in a widget goes through :func:`styled`, which scopes these rules to ``.spasm-view``: normal
line-height, headings at least body size and in order, text that wraps, nothing wider than its
column (down to 900 px and below), colours that print in greyscale.
"""

from __future__ import annotations

from spasm_lib.html import Html

CSS = (
    # break-word, not anywhere: a word breaks only when it cannot fit a line on its own, so narrow
    # table columns grow to their longest word instead of splitting it ("uncomplic / ated")
    ".spasm-view{font-size:1rem;line-height:1.45;max-width:100%;overflow-wrap:break-word;word-break:normal;"
    "hyphens:manual;white-space:normal}"
    ".spasm-view *{line-height:inherit;max-width:100%;box-sizing:border-box}"
    ".spasm-view h2{font-size:1.35em;margin:.8em 0 .4em}"
    ".spasm-view h3{font-size:1.2em;margin:.7em 0 .35em}"
    ".spasm-view h4{font-size:1.08em;margin:.6em 0 .3em}"
    ".spasm-view h5,.spasm-view h6{font-size:1em;margin:.5em 0 .25em}"
    ".spasm-view p,.spasm-view li{margin:.3em 0}"
    ".spasm-view table{border-collapse:collapse;table-layout:auto;width:100%}"
    ".spasm-view th,.spasm-view td{text-align:left;vertical-align:top;padding:.25em .5em;border-bottom:1px solid #999;"
    "white-space:normal}"
    ".spasm-view caption{text-align:left;caption-side:top;font-weight:bold;padding:.2em 0}"
    ".spasm-view .spasm-badge{white-space:normal!important}"  # long labels ("Beyond the source: ...") wrap
    ".spasm-view .spasm-alert{border:3px solid #D55E00;border-radius:4px;padding:.4em .7em;margin:.5em 0}"
    ".spasm-view .spasm-ok{border:2px solid #009E73;border-radius:4px;padding:.4em .7em;margin:.5em 0}"
    ".spasm-view .spasm-box{border:1px solid #555;border-radius:4px;padding:.4em .7em;margin:.5em 0}"
)


def styled(view: Html) -> Html:
    """The view inside a ``.spasm-view`` block carrying the stylesheet (same bytes every time)."""
    return Html(f'<div class="spasm-view"><style>{CSS}</style>{view.markup}</div>', view.label)
