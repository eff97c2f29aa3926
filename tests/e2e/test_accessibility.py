"""WCAG 2.1 AA basics, checked in Chromium on every handout and on the live notebooks' outputs.

What is checked, and where WCAG asks for it:

* every image has a non-empty ``alt`` (1.1.1 Non-text content);
* every form control has an accessible name, as Chromium's own accessibility tree computes it from
  labels, ``aria-label`` or text (4.1.2 Name, role, value; 1.3.1 Info and relationships);
* a handout declares its language with ``<html lang>`` (3.1.1 Language of page);
* headings go down one level at a time, never skipping one (1.3.1; a screen reader's outline);
* text contrasts with what is behind it by at least 4.5:1, or 3:1 for large text (1.4.3 Contrast).

Contrast is computed from the browser's computed colours: the text colour is blended over the stack
of background colours behind it (an element with a background image is reported, since its
contrast cannot be computed from colours alone). Controls that are disabled are exempt, as WCAG
exempts inactive user-interface components.
"""

from __future__ import annotations

import pytest

from .conftest import committed_notebooks, expected_handouts

pytestmark = pytest.mark.e2e

HANDOUTS = expected_handouts()
NOTEBOOKS = [p.name for p in committed_notebooks()]
OUTPUTS = ".jp-OutputArea-output"
CONTROLS = ":is(input, select, button, textarea)"

# Returns [{text, ratio, needed, colour, background}] for every element whose own text fails.
CONTRAST_JS = r"""
(scopes) => {
  const parse = (value) => {
    let m = value.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = value.match(/^color\(srgb\s+([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const behind = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage && style.backgroundImage !== 'none') return null;
      const colour = parse(style.backgroundColor);
      if (colour && colour[3] > 0) {
        layers.push(colour);
        if (colour[3] >= 1) break;
      }
    }
    let result = [255, 255, 255, 1];  // the canvas
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const opacity = (element) => {
    let o = 1;
    for (let e = element; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const failures = [];
  const seen = new Set();
  for (const scope of scopes) {
    for (const element of [scope, ...scope.querySelectorAll('*')]) {
      if (seen.has(element)) continue;
      seen.add(element);
      const own = [...element.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
      if (!own || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION'].includes(element.tagName)) continue;
      const style = getComputedStyle(element);
      if (style.visibility !== 'visible' || element.getClientRects().length === 0) continue;
      if (element.closest(':disabled, [aria-disabled="true"]')) continue;
      const background = behind(element);
      const text = own.slice(0, 80);
      if (background === null) {
        failures.push({text, ratio: null, needed: null, colour: style.color, background: 'an image'});
        continue;
      }
      const colour = parse(style.color);
      const alpha = colour[3] * opacity(element);
      const shown = over([colour[0], colour[1], colour[2], alpha], background);
      const [l1, l2] = [luminance(shown), luminance(background)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
      if (ratio + 1e-9 < needed) {
        failures.push({text, ratio: Math.round(ratio * 100) / 100, needed, colour: style.color,
                       background: `rgb(${background.slice(0, 3).map(Math.round).join(', ')})`});
      }
    }
  }
  return failures;
}
"""

# Heading levels in document order, per scope: [[level, text], ...] for each scope.
HEADINGS_JS = r"""
(scopes) => scopes.map(scope =>
  [...scope.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.getClientRects().length > 0)
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)]))
"""

MISSING_ALT_JS = r"""
(scopes) => scopes.flatMap(scope => [...scope.querySelectorAll('img')])
  .filter(img => !(img.getAttribute('alt') || '').trim())
  .map(img => (img.getAttribute('src') || '').slice(0, 60))
"""


def unnamed_controls(page, scope: str) -> list[str]:
    """Controls under ``scope`` whose accessible name (Chromium's accessibility tree) is empty."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": f"{scope} {CONTROLS}"})["nodeIds"]
        unnamed = []
        for node_id in node_ids:
            ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False})["nodes"]
            node = ax[0] if ax else {}
            if node.get("ignored"):  # hidden from everyone (display: none): nothing to announce
                continue
            name = (node.get("name") or {}).get("value", "")
            if not str(name).strip():
                html = cdp.send("DOM.getOuterHTML", {"nodeId": node_id})["outerHTML"]
                unnamed.append(html[:160])
        return unnamed
    finally:
        cdp.detach()


def skipped_levels(levels: list[list], start: int) -> list[str]:
    """Where a heading goes more than one level deeper than the one before it (``start``: the level above)."""
    problems, previous = [], start
    for level, text in levels:
        if level > previous + 1:
            problems.append(f"h{previous} -> h{level} ('{text}')")
        previous = level
    return problems


# --------------------------------------------------------------------------------------------------
# The live notebooks (JupyterLab, after Run All). First in this file: the handout set builds in the
# background meanwhile.


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_outputs_meet_wcag_basics(lab_notebook, notebook):
    """The outputs a student meets after Run All: widgets and static views alike."""
    nb = lab_notebook(notebook)
    outputs = nb.root.locator(OUTPUTS)
    assert outputs.count() > 0, f"{notebook} shows no output after Run All"

    assert outputs.evaluate_all(MISSING_ALT_JS) == [], "images without alt text"
    unnamed = unnamed_controls(nb.page, f'[id="{nb.panel_id}"] {OUTPUTS}')
    assert unnamed == [], "widget controls without an accessible name"
    assert outputs.evaluate_all(CONTRAST_JS) == [], "text with too little contrast"

    # The notebook's own markdown owns h1/h2; the outline of the whole notebook, outputs included,
    # must not skip a level.
    (levels,) = nb.root.locator(".jp-Notebook").evaluate_all(HEADINGS_JS)
    assert skipped_levels(levels, 0) == [], "heading levels skipped in the notebook's outline"


# --------------------------------------------------------------------------------------------------
# Handouts


@pytest.mark.parametrize("handout", HANDOUTS, ids=str)
def test_handout_meets_wcag_basics(handout_page, handout):
    page = handout_page(handout.file).page
    body = page.locator("body")

    assert page.evaluate("document.documentElement.lang") == "en", "a handout must declare <html lang=\"en\">"
    assert body.evaluate_all(MISSING_ALT_JS) == [], "images without alt text"
    assert unnamed_controls(page, "body") == [], "form controls without an accessible name"

    (levels,) = body.evaluate_all(HEADINGS_JS)
    assert levels and levels[0][0] == 1, f"a handout starts with its h1 title, not {levels[:1]}"
    assert skipped_levels(levels, 0) == [], "heading levels skipped"

    assert body.evaluate_all(CONTRAST_JS) == [], "text with too little contrast"
