"""One small stylesheet for the HTML the widgets and static views show inside a notebook.

Why: JupyterLab styles an ``ipywidgets.HTML`` value with its widget CSS (small headings, a 28 px
line-height inherited from the widget label, no wrapping of long words), so headings came out
smaller than body text and one pathway step grew thousands of pixels tall. Every view that is
shown in a widget goes through :func:`styled`, which scopes these rules to ``.spasm-view``: normal
line-height, headings at least body size and in order, text that wraps, nothing wider than its
column (down to 900 px and below), colours that print in greyscale.

It is also the one place a view's look is defined: a view writes class names only, never an inline
``style="..."`` (``tests/test_one_stylesheet.py``), so a border, a box or a list's indent is written
once here and reads the same in the live widget, the stored notebook and the handout (each carries
this stylesheet inside the view's ``.spasm-view`` block) and on the JupyterLite site (which also
links it from its lab page: an untrusted notebook's stored outputs lose their ``<style>`` to
JupyterLab's sanitizer, :func:`spasm_lib.lite_settings.add_site_helpers`). Colours are Okabe-Ito
(:data:`spasm_lib.html.PALETTE`); every colour goes with a word, an icon or a border style, so nothing
is told by colour alone and a greyscale print still reads. Selectors name the element where
JupyterLab's own rule would outrank a class alone (``div.spasm-view ul.spasm-options`` beats its
``.jp-RenderedHTMLCommon ul:not(.list-inline)`` indent).
"""

from __future__ import annotations

from spasm_lib.html import PALETTE, Html
from spasm_lib.views.svg import MAX_WIDTH_EM

LINE_EM = 1.9
"""The height of one handwritten line in an answer box (about 7 mm on paper at 11 pt)."""
FEWEST_LINES, MOST_LINES = 3, 8
"""The smallest and the largest answer box, in lines (:func:`spasm_lib.views.case_study.answer_lines`)."""

_VERDICT_BORDERS = {
    # evidence verdicts: a border style per verdict, so the label stands out in greyscale too (the word
    # carries the meaning)
    "agrees": f"2px solid {PALETTE['green']}",
    "partly-agrees": f"2px dashed {PALETTE['blue']}",
    "differs": f"3px double {PALETTE['vermillion']}",
    "beyond-source": f"2px dotted {PALETTE['black']}",
}

_RULES = (
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
    # A step beyond the source: a small framed label; long labels ("Beyond the source: ...") wrap.
    ".spasm-view .spasm-badge{border:1px solid #555;border-radius:3px;padding:0 .3em;font-size:.85em;"
    "white-space:normal}"
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
    # The disclaimer: a black frame; a "Check this" note: the same with a thick left edge.
    ".spasm-view .spasm-disclaimer{border:2px solid #000;padding:.4em .8em;margin:.4em 0}"
    ".spasm-view .spasm-warning{border:2px solid #000;border-left-width:6px;padding:.4em .8em;margin:.4em 0}"
    ".spasm-view .spasm-objectives .spasm-provenance{color:#555}"
    # Charts (views/svg.py): the image fills its column, at most MAX_WIDTH_EM wide.
    f".spasm-view figure.spasm-figure img{{width:100%;max-width:{MAX_WIDTH_EM}em;height:auto}}"
    # "Check yourself": a question kept whole on screen; its answers unbulleted; the feedback says right
    # or wrong in a word and an icon, and by its left edge: solid blue or dashed vermillion, on a tint.
    ".spasm-view .spasm-question{break-inside:avoid}"
    "div.spasm-view ul.spasm-options{list-style:none;padding-left:0}"
    ".spasm-view .spasm-feedback-correct,.spasm-view .spasm-feedback-incorrect"
    "{margin:.3em 0 .6em;padding:.35em .6em;color:#1a1a1a}"
    f".spasm-view .spasm-feedback-correct{{border-left:4px solid {PALETTE['blue']};background:#eaf3fa}}"
    f".spasm-view .spasm-feedback-incorrect{{border-left:4px dashed {PALETTE['vermillion']};background:#fcefe6}}"
    # Evidence cards: a grey frame, the verdict framed by its border style, the two columns side by side
    # (one under the other when there is no room).
    ".spasm-view .spasm-evidence{border:1px solid #999;padding:.5em .8em;margin:.6em 0}"
    + "".join(f".spasm-view .spasm-verdict-{verdict}{{display:inline-block;padding:.1em .5em;border:{border}}}"
              for verdict, border in _VERDICT_BORDERS.items())
    + ".spasm-view .spasm-columns{display:flex;flex-wrap:wrap;gap:1em}"
    ".spasm-view .spasm-source-says,.spasm-view .spasm-guidance-says{flex:1 1 16em;min-width:14em}"
    # The risk profile: a card per factor; its terms above their descriptions, as in the handout
    # (JupyterLab floats an output's term beside it at 20%: too narrow for "Mechanism" in a card)
    "div.spasm-view ul.spasm-cards{padding-left:0}"
    "div.spasm-view dl dt,div.spasm-view dl dd{float:none;width:auto}"
    "div.spasm-view dl dt{font-weight:bold}"
    "div.spasm-view dl dd{margin:0 0 .3em 1em}"
    ".spasm-view .spasm-card{border:1px solid #999;border-radius:4px;padding:.4em .8em;margin:.4em 0;list-style:none}"
    # The case study on paper: choices with a box to tick (no bullets), a dashed box to write in, as many
    # lines high as the answer asked needs (the box carries its count in data-lines).
    "div.spasm-view ul.spasm-case-choices{list-style:none;padding-left:.5em}"
    ".spasm-view .spasm-answer-space{border:1px dashed #999;margin:0 0 1em 0}"
    + "".join(f'.spasm-view .spasm-answer-space[data-lines="{n}"]{{min-height:{n * LINE_EM:g}em}}'
              for n in range(FEWEST_LINES, MOST_LINES + 1))
    # "Download my work": a link that looks like a button.
    + f".spasm-view a.spasm-download{{display:inline-block;border:2px solid {PALETTE['blue']};border-radius:4px;"
    "padding:.25em .8em;text-decoration:none;font-weight:bold}"
)
CSS = _RULES.replace("}", "}\n").rstrip("\n")
"""The stylesheet, a rule a line: a stored notebook's diff names the rule that changed."""


def styled(view: Html) -> Html:
    """The view inside a ``.spasm-view`` block carrying the stylesheet (same bytes every time)."""
    return Html(f'<div class="spasm-view"><style>{CSS}</style>{view.markup}</div>', view.label)
