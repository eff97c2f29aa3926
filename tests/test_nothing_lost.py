"""Nothing lost, nothing leaked (issue 19): the fast cases, with no kernel.

* a set folder's claims: a name is the build's only once the build wrote it, with its checksum
  (item 2);
* the package's own files are never an output (item 3: ``patients -o``, ``render -o``);
* permissions follow the umask, and a replaced file keeps its mode (item 6);
* CSV cells a spreadsheet would run as formulas are neutralised (item 7);
* the smaller ones of item 8: stdout closed, ``patients -o newdir/sub/p.json``, ``render -o /proc/x``,
  ``start`` resumable after a full disk, ``start --help``, ``| head``.

Expected values are written by hand.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from spasm_lib import cli, files
from spasm_lib.set_folder import MANIFEST, SetFolder, SetFolderError

ROOT = Path(__file__).resolve().parents[1]
TIME_BOUND = 60


def run_cli(args: list[str], cwd: Path, umask: int | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spasm_lib", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIME_BOUND, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
                          **kwargs)


# --------------------------------------------------------------------------- item 2: claims


def test_an_interrupted_builds_claims_do_not_take_the_users_files(tmp_path):
    """A build stopped before writing anything claimed nothing: the user's own index.html and
    student-05 handout put there afterwards are never replaced or removed."""
    out = tmp_path / "set"
    first = SetFolder(out).open(["01.student.html", "04_case_study.student-05.html", "index.html"])
    first.close()  # killed before the first handout was written (no finish)
    (out / "index.html").write_text("my own index", encoding="utf-8")
    (out / "04_case_study.student-05.html").write_text("my own notes", encoding="utf-8")
    with pytest.raises(SetFolderError, match=r"index\.html was not written by spasm-teach"):
        SetFolder(out).open(["01.student.html", "index.html"])
    second = SetFolder(out).open(["01.student.html", "04_case_study.student-01.html"])
    second.write("01.student.html", "page")
    second.write("04_case_study.student-01.html", "student one")
    assert second.finish(complete=True) == []
    second.close()
    assert (out / "04_case_study.student-05.html").read_text(encoding="utf-8") == "my own notes"
    assert (out / "index.html").read_text(encoding="utf-8") == "my own index"


def test_a_file_the_build_wrote_before_it_was_killed_is_still_its_own(tmp_path):
    out = tmp_path / "set"
    first = SetFolder(out).open(["a.html", "b.html"])
    first.write("a.html", "first a")
    first.close()  # killed after writing a.html: its checksum is on record
    recorded = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert set(recorded) == {"a.html"} and "b.html" not in recorded
    second = SetFolder(out).open(["a.html", "b.html"])
    second.write("a.html", "second a")
    second.write("b.html", "second b")
    second.finish(complete=True)
    second.close()
    assert (out / "a.html").read_text(encoding="utf-8") == "second a"


def test_a_manifest_entry_without_a_checksum_is_not_ownership(tmp_path):
    out = tmp_path / "set"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"files": {"index.html": None}}), encoding="utf-8")
    (out / "index.html").write_text("mine", encoding="utf-8")
    with pytest.raises(SetFolderError, match="index.html"):
        SetFolder(out).open(["index.html"])


# --------------------------------------------------------------------------- item 3: the package's files


PACKAGE_FILES = ["data/cases.csv", "notebooks/01_risk_factors.ipynb", "spasm_lib/facts.py", "data/new.csv",
                 "notebooks/new/x.html"]


@pytest.mark.subprocess
@pytest.mark.parametrize("target", PACKAGE_FILES)
def test_patients_never_writes_into_the_package(target, tmp_path):
    before = {p: p.read_bytes() for p in (ROOT / "data").glob("*.csv")}
    run = run_cli(["patients", "--count", "2", "-o", str(ROOT / target)], tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "package's own files" in run.stderr and target.split("/")[-1] in run.stderr
    assert {p: p.read_bytes() for p in (ROOT / "data").glob("*.csv")} == before
    assert not (ROOT / "data/new.csv").exists() and not (ROOT / "notebooks/new").exists()


def test_render_never_writes_into_the_package():
    from spasm_lib import outputs

    for target in PACKAGE_FILES:
        with pytest.raises(outputs.OutputError, match="package's own files"):
            outputs.check_output(ROOT / target)


def test_a_relative_path_through_a_link_into_the_package_is_found(tmp_path):
    (tmp_path / "link").symlink_to(ROOT / "data")
    assert files.inside_package(tmp_path / "link" / "cases.csv") == (ROOT / "data").resolve()
    assert files.inside_package(tmp_path / "cases.csv") is None


# --------------------------------------------------------------------------- item 6: permissions


def test_a_new_file_follows_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    old = os.umask(0o077)
    try:
        files.write_atomically(tmp_path / "key.html", "answers")
        (tmp_path / "shared.html").write_text("old", encoding="utf-8")
        os.chmod(tmp_path / "shared.html", 0o640)
        files.write_atomically(tmp_path / "shared.html", "new")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "key.html").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "shared.html").st_mode) == 0o640


@pytest.mark.subprocess
def test_patients_under_umask_077_is_private(tmp_path):
    run = run_cli(["patients", "--count", "1", "-o", "p.json"], tmp_path, umask=0o077)
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE(os.stat(tmp_path / "p.json").st_mode) == 0o600


# --------------------------------------------------------------------------- item 7: spreadsheet formulas


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("-3", "-3"), ("+1.5", "+1.5"), ("plain", "plain"), ("", ""), ("a=b", "a=b"), (42, 42),
])
def test_spreadsheet_cell(value, expected):
    assert files.spreadsheet_cell(value) == expected


def test_patients_csv_neutralises_formulas(monkeypatch):
    from spasm_lib import patients
    from spasm_lib.facts import load_facts

    real = patients.patient_records

    def poisoned(facts, count, seed, *mix):
        records = real(facts, count, seed, *mix)
        records[0]["story"] = '=HYPERLINK("http://evil.example","click")'
        return records

    monkeypatch.setattr(patients, "patient_records", poisoned)
    rows = list(csv.DictReader(io.StringIO(patients.export(load_facts(), 1, 0, "csv"))))
    assert rows[0]["story"] == '\'=HYPERLINK("http://evil.example","click")'


def test_facts_csv_neutralises_formulas(data_copy, monkeypatch, capsys):
    import spasm_lib.facts as facts_module

    data_copy.set_cell("cases", 0, "title", "=HYPERLINK(\"http://evil.example\",\"x\")")
    data_copy.set_cell("cases", 1, "title", "@SUM(1+1)")
    loaded = facts_module.load_facts(data_copy.folder)
    monkeypatch.setattr(facts_module, "load_facts", lambda *a, **k: loaded)
    assert cli.main(["facts", "cases", "--columns", "id", "title", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert rows[2][1] == "'@SUM(1+1)"


# --------------------------------------------------------------------------- item 8: the smaller ones


@pytest.mark.subprocess
def test_stdout_closed_is_refused_at_the_start_in_one_line(tmp_path):
    run = subprocess.run(f"{sys.executable} -m spasm_lib patients --count 2 >&-", shell=True, cwd=tmp_path,
                         capture_output=True, text=True, timeout=TIME_BOUND)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "standard output is closed" in run.stderr, run.stderr
    assert "internal error" not in run.stderr


@pytest.mark.subprocess
def test_patients_into_new_folders_makes_them(tmp_path):
    run = run_cli(["patients", "--count", "2", "-o", "newdir/sub/p.json"], tmp_path)
    assert run.returncode == 0, run.stderr
    assert len(json.loads((tmp_path / "newdir/sub/p.json").read_text(encoding="utf-8"))) == 2


@pytest.mark.subprocess
def test_patients_under_a_file_is_refused_up_front_naming_the_users_path(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    run = run_cli(["patients", "--count", "2", "-o", "afile/sub/p.json"], tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "afile" in run.stderr and ".tmp" not in run.stderr, run.stderr


def test_render_into_proc_is_refused_before_any_kernel(tmp_path, monkeypatch):
    from spasm_lib import kernels

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(kernels.HandoutKernel, "start", no_kernel)
    monkeypatch.setattr(kernels.HandoutKernel, "launch", no_kernel, raising=False)
    assert cli.main(["render", "01_risk_factors", "-o", "/proc/x.html"]) == 2


def test_start_after_a_full_disk_resumes_without_force(tmp_path, monkeypatch):
    from spasm_lib import workspace

    real = workspace.write_bytes_atomically if hasattr(workspace, "write_bytes_atomically") else files.write_bytes_atomically
    calls = {"n": 0}

    def full_after_two(path, data):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(files, "write_bytes_atomically", full_after_two)
    with pytest.raises(OSError):
        workspace.start(tmp_path / "ws")
    assert len(list((tmp_path / "ws").glob("*.ipynb"))) == 2
    monkeypatch.setattr(files, "write_bytes_atomically", real)
    copied = workspace.start(tmp_path / "ws")  # no --force: the two copies are the package's own bytes
    assert len(copied.files) == len(workspace.packaged_notebooks()) and copied.kept == ()
    assert not list((tmp_path / "ws").glob("*.bak-*"))


def test_start_help_names_the_backups_as_they_are_named(capsys):
    with pytest.raises(SystemExit):
        cli.main(["start", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "NAME.ipynb.bak-N" in text


@pytest.mark.subprocess
def test_head_reading_one_line_of_a_long_output_exits_141(tmp_path):
    run = subprocess.run(f"{sys.executable} -m spasm_lib patients --count 5000 | head -c 10 >/dev/null;"
                         " echo ${{PIPESTATUS[0]}}".replace("{{", "{").replace("}}", "}"),
                         shell=True, executable="/bin/bash", cwd=tmp_path, capture_output=True, text=True,
                         timeout=TIME_BOUND)
    assert run.stdout.strip() == "141" and run.stderr == "", run


# --------------------------------------------------------------------------- item 9: what a handout may carry


def _tags(page: str) -> list[tuple[str, dict]]:
    from html.parser import HTMLParser

    found = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {k.lower(): v or "" for k, v in attrs}))

    Tags().feed(page)
    return found


def test_a_notebooks_own_script_handlers_and_javascript_links_are_stripped():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from spasm_lib import handout_export

    nb = new_notebook(cells=[
        new_markdown_cell("# T\n\nBefore <script>alert('md')</script> after.\n\n"
                          "<img src=\"data:image/png;base64,AAAA\" alt=\"dot\" onerror=\"alert(1)\">\n\n"
                          "[click](javascript:alert(2)) and <a href=\" jav&#x61;script:alert(3)\">entity</a>\n\n"
                          "<iframe srcdoc=\"<script>alert(4)</script>\"></iframe>Kept text."),
        new_code_cell("x", outputs=[new_output("display_data", data={
            "text/html": "<div onclick=\"alert(5)\" class=\"card\">card</div><svg onload=\"alert(6)\"></svg>"
                         "<SCRIPT type=\"text/javascript\">alert(7)</SCRIPT><p>&lt;script&gt; is text</p>",
            "text/plain": "x"})]),
    ])
    page = handout_export.handout_html(nb, audience="student", parameters={}, title="T")
    tags = _tags(page)
    assert not [t for t, _ in tags if t in ("script", "iframe")]
    assert not [(t, a) for t, attrs in tags for a in attrs if a.startswith("on") or a == "srcdoc"]
    assert not [(t, v) for t, attrs in tags for a, v in attrs.items()
                if a in ("href", "src") and "script:" in "".join(v.split()).lower()]
    assert not [v for _, attrs in tags for v in attrs.values() if "alert(" in v]
    assert "alert(5)" not in page and "alert(7)" not in page  # the output's script and handler are gone whole
    assert ("img", {"src": "data:image/png;base64,AAAA", "alt": "dot"}) in tags  # the image stays, without its handler
    assert ("div", {"class": "card"}) in tags
    assert "Kept text." in page and "&lt;script&gt; is text" in page and "Before" in page and "after." in page


def test_markup_a_browser_would_end_elsewhere_or_read_as_code_is_taken_out():
    """A comment or CDATA section that a browser ends earlier than the parser (what follows would be
    markup), SVG's ``set`` (an attribute given a javascript: address), a stylesheet that SVG reads
    as markup, a blank-broken javascript: link, a refresh; an attribute that only looks like a
    closing tag stays an escaped value."""
    from spasm_lib.page_markup import rewritten
    from spasm_lib.page_safety import remove_active_content

    page = ('<p onclick="x()" title="a">t</p><!-- --!><img src=x onerror=alert(1)> -->'
            '<![CDATA[ x><img src=y onerror=alert(2)> ]]><svg><set attributeName="href" to="javascript:alert(3)"/>'
            '<style>a{content:"<img src=z onerror=alert(4)>"}</style></svg><a href=" java\tscript:alert(5)">k</a>'
            '<meta http-equiv=Refresh content="0;url=javascript:alert(6)">'
            '<noscript><p title="</noscript><img src=w onerror=alert(7)>"></p></noscript>')
    assert rewritten(page, remove_active_content) == (
        '<p title="a">t</p><svg><style>a{content:"\\3c img src=z onerror=alert(4)>"}</style></svg><a>k</a>'
        '<noscript><p title="&lt;/noscript&gt;&lt;img src=w onerror=alert(7)&gt;"></p></noscript>')


def test_control_and_bidi_characters_from_data_never_reach_html():
    from spasm_lib.html import esc

    assert esc("abc\u202edcba\u2066x\u2069 \x1b[31mred\x07 \x00nul\u200f") == "abcdcbax [31mred nul"
    assert esc("line one\nline two\tend") == "line one\nline two\tend"
    assert esc("<b>&") == "&lt;b&gt;&amp;"
