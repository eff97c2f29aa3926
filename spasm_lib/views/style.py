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
    # "div.spasm-view table ..." outranks JupyterLab's ".jp-RenderedHTMLCommon table" (12 px, centred,
    # fixed layout); its right alignment (":not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td") needs
    # !important. So a table reads the same, left-aligned, in the notebook and the handout.
    "div.spasm-view table{border-collapse:collapse;table-layout:auto;width:100%;margin:.4em 0;font-size:inherit}"
    "div.spasm-view table th,div.spasm-view table td{text-align:left!important;vertical-align:top;padding:.25em .5em;"
    "border-bottom:1px solid #999;white-space:normal}"
    "div.spasm-view table caption{text-align:left;caption-side:top;font-weight:bold;padding:.2em 0}"
    ".spasm-view .spasm-badge{white-space:normal!important}"  # long labels ("Beyond the source: ...") wrap
    # In a column narrower than 36em (a notebook at 960 px with the file browser open, a phone) a
    # table cannot fit its words without breaking them: each row becomes a card instead, every cell
    # led by its column's heading (the cell's data-label).
    ".spasm-view{container-type:inline-size}"
    "@container (max-width:36em){"
    "div.spasm-view table,div.spasm-view table tbody,div.spasm-view table tr,div.spasm-view table td,"
    "div.spasm-view table tbody th{display:block;width:auto}"
    "div.spasm-view table thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}"
    "div.spasm-view table tr{border:1px solid #999;border-radius:4px;margin:.5em 0;padding:.2em 0}"
    "div.spasm-view table td,div.spasm-view table tbody th{border:none}"
    "div.spasm-view table td[data-label]::before{content:attr(data-label) \": \";font-weight:bold}}"
    ".spasm-view .spasm-alert{border:3px solid #D55E00;border-radius:4px;padding:.4em .7em;margin:.5em 0}"
    ".spasm-view .spasm-ok{border:2px solid #009E73;border-radius:4px;padding:.4em .7em;margin:.5em 0}"
    ".spasm-view .spasm-box{border:1px solid #555;border-radius:4px;padding:.4em .7em;margin:.5em 0}"
)


def styled(view: Html) -> Html:
    """The view inside a ``.spasm-view`` block carrying the stylesheet (same bytes every time)."""
    return Html(f'<div class="spasm-view"><style>{CSS}</style>{view.markup}</div>', view.label)
