"""Print every handout of a set to A4 PDF in Chromium and count its pages (a lecturer's paper check).

    python tools/print_pages.py build/class-set            # one line per file, then the totals
    python tools/print_pages.py build/class-set --json     # the same as JSON

For each HTML file of the folder and its sub-folders (a class set's ``students/`` and
``instructor/``): the number of A4 pages Chromium prints (print media, the stylesheet's own margins), the pages whose only text is the footer or the "next handout" box
(a page printed for nothing), and whether the "Next handout" box or closed self-check answers
(a "Check yourself" with no answers on paper) reach the paper. pypdf reads the PDFs. Uses Debian's
Chromium through the playwright package (no browser download), offline.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
from pathlib import Path

CHROMIUM = os.environ.get("SPASM_CHROMIUM", "/usr/bin/chromium")
NAVIGATION_ONLY = re.compile(
    r"^(?:Next handout:.*?|Made with spasm-teach \S+\. Educational material, not medical advice: see the note at "
    r"the top\.|\s)*$", re.DOTALL)


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page of a PDF, whitespace squashed."""
    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def check_file(page, path: Path, folder: Path | None = None) -> dict:
    """One file printed: its pages, the pages with nothing but navigation, what reached paper."""
    page.goto(path.resolve().as_uri(), wait_until="load")
    page.emulate_media(media="print")
    texts = pdf_pages(page.pdf(format="A4"))
    whole = " ".join(texts)
    return {
        "file": path.name if folder is None else path.relative_to(folder).as_posix(),
        "pages": len(texts),
        "navigation_only_pages": [n for n, t in enumerate(texts, start=1) if NAVIGATION_ONLY.match(t)],
        "next_handout_on_paper": "Next handout:" in whole,
        "self_check_answers_on_paper": "Answers to Check yourself" in whole,
    }


def check_set(folder: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(offline=True, service_workers="block")
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
            # the set's folders too: students/, instructor/ (a class set keeps them apart)
            return [check_file(page, path, folder) for path in sorted(folder.rglob("*.html"))]
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = check_set(args.folder)
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    for row in rows:
        print(f"{row['file']}: {row['pages']} pages; navigation only: {row['navigation_only_pages'] or 'none'}"
              f"{'; next-handout box on paper' if row['next_handout_on_paper'] else ''}")
    ending = [r for r in rows if r["navigation_only_pages"]]
    print(f"{len(rows)} files, {sum(r['pages'] for r in rows)} pages; {len(ending)} with a page of navigation only; "
          f"{sum(r['next_handout_on_paper'] for r in rows)} with the next-handout box on paper", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
