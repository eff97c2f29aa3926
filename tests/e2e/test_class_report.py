"""Issue 21 in Chromium: `spasm-teach collect`'s class.html and a student's page meet the handouts'
checks: nothing requested from outside the file, WCAG basics (lang, alt text, headings in order,
contrast), nothing wider than a 390 px phone or a 1280 px desktop, and an A4 print with no mostly
blank page and no more pages than the content needs, plus one."""

from __future__ import annotations

import contextlib
import io
import math
import sys
from pathlib import Path

import pytest

from spasm_lib.cli import main
from spasm_lib.facts import load_facts

from .conftest import DESKTOP, PHONE, SCREENSHOTS
from .test_accessibility import CONTRAST_JS, HEADINGS_JS, MISSING_ALT_JS, skipped_levels
from .test_handouts_phone_print import A4_CONTENT_PX, MOSTLY_BLANK, _print

pytestmark = pytest.mark.e2e
PAGES = ["class.html", "students/s002.html"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from scripted_class import write_class

    base = tmp_path_factory.mktemp("class-report")
    write_class(load_facts(), base / "inbox", 30, 7)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["collect", str(base / "inbox"), "-o", str(base / "report"), "--class-seed", "7",
                     "--students", "30"]) == 0
    return base / "report"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_offline_accessible_and_fits(open_offline, report, name, viewport):
    opened = open_offline(report / name, viewport)
    page = opened.page
    assert opened.blocked == [] and opened.failed == []
    assert page.evaluate("document.documentElement.lang") == "en"
    body = page.locator("body")
    assert body.evaluate_all(MISSING_ALT_JS) == []
    assert page.locator("figure img").count() >= (6 if name == "class.html" else 0)
    (levels,) = body.evaluate_all(HEADINGS_JS)
    assert levels[0][0] == 1 and skipped_levels(levels, 0) == []
    assert body.evaluate_all(CONTRAST_JS) == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"collect-{Path(name).stem}-{viewport['width']}.png"), full_page=True)


@pytest.mark.parametrize("name", PAGES)
def test_prints_on_a4(open_offline, report, name):
    page = open_offline(report / name, DESKTOP).page
    flow, pages = _print(page)
    blank = [n for n, p in enumerate(pages[:-1], start=1) if p["reach"] < MOSTLY_BLANK]
    assert blank == [], f"{name}: pages mostly blank: {blank}"
    assert len(pages) <= math.ceil(flow / A4_CONTENT_PX) + 1
