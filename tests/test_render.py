"""One handout: validation before any kernel, papermill in the current environment, the offline page.

Kernel runs are the expensive part, so each is made once per session and shared: the fixture
notebook executed directly, and rendered through the CLI as a student (with a hostile case file) and
as an instructor. Everything else works on hand-built notebooks, with no kernel at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from spasm_lib import DISCLAIMER, __version__, handout_export, handout_limits, kernels, notebook_run, packaged, render
from spasm_lib.cli import main
from spasm_lib.files import write_atomically
from spasm_lib.params import NOTEBOOK_PARAMETERS, ParameterError, read_parameters_file
from spasm_lib.vocabulary import NOTEBOOKS as CLASSROOM_NOTEBOOKS

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "notebooks"))
from handout_checks import (  # noqa: E402
    EVIL_ID,
    EVIL_TITLE,
    EXTERNAL,
    assert_offline_handout,
    csv_rows,
    fixture_notebooks,
    fixture_notebooks_dir,  # noqa: F401 - a fixture
    fixture_registered,  # noqa: F401 - a fixture
    parse,
    squash,
    visible_text,
    write_cases,
)

# Every test here runs notebooks in a Jupyter kernel (or builds with them): `make test`, not `make check`.
pytestmark = pytest.mark.kernel

@pytest.fixture(scope="session")
def evil_cases(tmp_path_factory) -> Path:
    return write_cases(
        tmp_path_factory.mktemp("cases") / "evil.csv",
        [{"id": EVIL_ID, "title": EVIL_TITLE, "teaching_point": "Hidden <b>teaching</b> point & more."}],
    )


@pytest.fixture
def no_kernel(monkeypatch):
    """Any kernel start fails the test: bad input must be caught before a kernel exists."""

    def refuse(*_a, **_k):
        raise AssertionError("a kernel was started for bad input")

    monkeypatch.setattr(kernels.HandoutKernel, "launch", refuse)  # start() launches too


# --------------------------------------------------------------------------- bad input: exit 2, one line


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


BAD_INPUT = [
    # (extra arguments, YAML file text or None, words the message must contain)
    (["-p", "cass", "golfer-twist"], None, ["parameter 'cass'", "unknown parameter", "case, seed, cases_file"]),
    (["-p", "case", "nope"], None, ["parameter 'case'", "'nope' is not allowed", "golfer-twist", "random"]),
    (["-p", "seed", "seven"], None, ["parameter 'seed'", "expected a whole number"]),
    (["-p", "fail", "maybe"], None, ["parameter 'fail'", "expected True or False"]),
    (["--audience", "teacher"], None, ["parameter 'audience'", "'teacher'", "student, instructor"]),
    (["-p", "interactive", "True"], None, ["parameter 'interactive'", "only False is allowed"]),
    (["-p", "cases_file", "no-such.csv"], None, ["parameter 'cases_file'", "no such file"]),
    ([], "case: [unclosed\n", ["not valid YAML at line 2", "expected a mapping"]),
    ([], "- golfer-twist\n- seed\n", ["expected a mapping of parameter names to values", "got a list"]),
    ([], "case: golfer-twist\nsport: golf\n", ["parameter 'sport'", "unknown parameter", "case, seed"]),
    ([], "seed: 1.5\n", ["parameter 'seed'", "expected a whole number"]),
]


@pytest.mark.parametrize("extra, yaml_text, words", BAD_INPUT, ids=[" ".join(b[0]) or b[1] for b in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_and_no_file(
    extra, yaml_text, words, fixture_notebooks_dir, fixture_registered, no_kernel, tmp_path, capsys
):
    out = tmp_path / "out.html"
    args = ["render", str(fixture_notebooks_dir / "10_fixture.ipynb"), *extra, "-o", str(out)]
    if yaml_text is not None:
        (tmp_path / "params.yaml").write_text(yaml_text, encoding="utf-8")
        args[2:2] = ["-f", str(tmp_path / "params.yaml")]
    code, stdout, stderr = cli(args, capsys)
    assert code == 2
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1, stderr
    for word in words:
        assert word in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == ([tmp_path / "params.yaml"] if yaml_text is not None else [])


def test_unknown_notebook_exits_2_naming_the_notebooks(no_kernel, tmp_path, capsys):
    code, _, stderr = cli(["render", "99-nothing", "-o", str(tmp_path / "x.html")], capsys)
    assert code == 2 and "unknown notebook" in stderr and "04_case_study" in stderr
    assert not (tmp_path / "x.html").exists()


def test_a_package_name_renders_the_packages_notebook_whatever_file_of_that_name_is_here(tmp_path, monkeypatch):
    """`render 01_risk_factors` is the package's notebook, also when the current folder holds a file of
    that very name (it was read as the source while the package's folder ran it)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "01_risk_factors").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert main(["render", "01_risk_factors", "-o", "r.html"]) == 0
    assert "Who gets back spasms" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_p_wins_over_the_file_and_audience_over_both(fixture_registered, tmp_path):
    (tmp_path / "p.yaml").write_text("case: ruptured-disc\naudience: student\nseed: 3\n", encoding="utf-8")
    values = read_parameters_file(tmp_path / "p.yaml")
    values.update(render.parse_pairs([["case", "golfer-twist"], ["audience", "student"]]))
    got = render.handout_parameters("10_fixture", values, "instructor")
    assert got == {"case": "golfer-twist", "seed": 3, "cases_file": "", "fail": False,
                   "interactive": False, "audience": "instructor"}


def test_an_empty_parameters_file_means_defaults(tmp_path):
    (tmp_path / "p.yaml").write_text("", encoding="utf-8")
    assert read_parameters_file(tmp_path / "p.yaml") == {}


def test_a_relative_cases_file_is_made_absolute(fixture_registered, evil_cases, monkeypatch):
    monkeypatch.chdir(evil_cases.parent)
    got = render.handout_parameters("10_fixture", {"cases_file": evil_cases.name, "case": EVIL_ID})
    assert got["cases_file"] == str(evil_cases.resolve())


# --------------------------------------------------------------------------- the kernel


FRESH_NAMESPACE = "['In', 'Out', 'exit', 'get_ipython', 'open', 'os', 'quit', 'sys']"


def test_the_kernel_is_this_environments_python(tmp_path):
    code = "import os, sys\nprint(sys.executable)\nprint(os.getcwd())\nprint(sorted(k for k in globals() if not k.startswith('_')))"
    nb = new_notebook(cells=[new_code_cell(code)],
                      metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    executed = notebook_run.execute(nb, {}, tmp_path)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs).split("\n")
    assert printed[0] == sys.executable
    assert Path(printed[1]).resolve() == tmp_path.resolve()
    assert printed[2] == FRESH_NAMESPACE


def test_the_render_command_leaves_no_process_of_its_own(tmp_path):
    """Called in a long-lived process (a test, a notebook), `render` returns with its kernel and the
    kernel template it was forked from both gone (seen left running before)."""
    import os
    import subprocess

    assert main(["render", "01_risk_factors", "-o", str(tmp_path / "r.html")]) == 0
    ps = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(os.getpid())], capture_output=True, text=True)
    left = [line for line in ps.stdout.splitlines() if "ipykernel" in line or "spasm_lib" in line]
    assert left == []


def namespace_notebook(code: str) -> nbformat.NotebookNode:
    return new_notebook(cells=[new_code_cell(code)],
                        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})


def printed(executed) -> list[str]:
    return "".join(o.get("text", "") for o in executed.cells[-1].outputs).splitlines()


LITTER = ("import os\nsecret = 42; os.makedirs('elsewhere', exist_ok=True); os.chdir('elsewhere')")
REPORT = ("import os, sys\nprint(os.getpid())\nprint(os.getcwd())\n"
          "print(sorted(k for k in globals() if not k.startswith('_')))")


def test_a_shared_kernel_starts_each_notebook_fresh_in_its_folder(tmp_path):
    """The second notebook in one kernel sees none of the first's variables or folder change."""
    with kernels.HandoutKernel(tmp_path) as kernel:
        notebook_run.execute(namespace_notebook(LITTER), {}, tmp_path, kernel=kernel)
        first_pid = kernel.pid
        lines = printed(notebook_run.execute(namespace_notebook(REPORT), {}, tmp_path, kernel=kernel))
        assert kernel.starts == 1
    assert int(lines[0]) == first_pid  # the same kernel process ran both
    assert Path(lines[1]).resolve() == tmp_path.resolve()
    assert lines[2] == FRESH_NAMESPACE


FORKED = ("import os, sys\nprint(open(f'/proc/{os.getppid()}/cmdline').read().replace(chr(0), ' '))\n"
          "print('spasm_lib.widgets.quiz' in sys.modules, 'debugpy' in sys.modules)\n"
          "import spasm_lib.html as h\nh.spasm_test_runs = getattr(h, 'spasm_test_runs', 0) + 1\n"
          "print(h.spasm_test_runs)\nprint(os.getcwd())\nprint(os.getsid(0) == os.getpid())\n"
          "print(os.environ.get('SPASM_TEST_FORK'))")


def test_a_kernel_is_forked_from_the_template_yet_as_fresh_as_a_new_one(tmp_path, monkeypatch):
    """The fast start (issue 19): a kernel is a fork of the template, which has imported the
    notebooks' modules (they are there before the notebook imports them); what a notebook changes in
    a module stays in its own kernel, which runs in the notebook's folder, leads its own session and
    has the environment of the moment it starts, not the template's."""
    for run in ("first", "second"):  # the template started with the first kernel
        monkeypatch.setenv("SPASM_TEST_FORK", run)
        with kernels.HandoutKernel(tmp_path) as kernel:
            lines = printed(notebook_run.execute(namespace_notebook(FORKED), {}, tmp_path, kernel=kernel))
        assert "from spasm_lib.kernel_template import main" in lines[0]
        assert lines[1:] == ["True True", "1", str(tmp_path.resolve()), "True", run]


def test_a_kernel_that_died_is_a_failure_and_the_next_notebook_gets_a_new_one(tmp_path):
    with kernels.HandoutKernel(tmp_path) as kernel:
        with pytest.raises(handout_limits.RenderError, match=r"cell 1 \(code cell 1\) failed: the kernel died"):
            notebook_run.execute(namespace_notebook("import os\nos._exit(3)"), {}, tmp_path, kernel=kernel)
        lines = printed(notebook_run.execute(namespace_notebook(REPORT),
                                       {}, tmp_path, kernel=kernel))
        assert kernel.starts == 2
        assert lines[2] == FRESH_NAMESPACE


@pytest.mark.parametrize("code, words", [
    ("raise SystemExit(0)", "ended the run early: SystemExit: 0"),
    ("raise SystemExit", "ended the run early: SystemExit"),
    ("exit()", "ended the run early: it called exit() or quit()"),
])
def test_a_cell_that_ends_the_run_early_is_a_failure(code, words, tmp_path):
    """papermill counts SystemExit(0) as success and the handout silently lacks every later cell."""
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell(code), new_code_cell("print('the rest')")],
                      metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    with pytest.raises(handout_limits.RenderError) as failed:
        notebook_run.execute(nb, {}, tmp_path)
    assert str(failed.value).startswith(f"cell 2 (code cell 2) {words}")


# --------------------------------------------------------------------------- a failing cell: exit 1


def test_failing_cell_exits_1_naming_the_cell_and_writes_nothing(
    fixture_notebooks_dir, fixture_registered, tmp_path, capsys
):
    out = tmp_path / "out.html"
    out.write_text("an older handout", encoding="utf-8")
    code, stdout, stderr = cli(
        ["render", str(fixture_notebooks_dir / "10_fixture.ipynb"), "-p", "fail", "True", "-o", str(out)], capsys
    )
    assert code == 1
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 2, stderr
    position = fixture_notebooks.FAILING_CELL
    assert f"cell {position} (code cell {fixture_notebooks.FAILING_CODE_CELL}) failed" in lines[0]
    assert "ZeroDivisionError: division by zero" in lines[0]
    assert "no handout written" in lines[1] and "is as it was" in lines[1]
    assert out.read_text(encoding="utf-8") == "an older handout"  # a failed run leaves the earlier file alone
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind either


def test_cell_number_counts_the_source_notebook_not_papermills_injected_cell():
    nb = new_notebook(cells=[
        new_markdown_cell("# T"),
        new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        new_code_cell("y = 2"),
        new_code_cell("1/0"),
    ])

    # The executed notebook's numbering: the injected cell sits at index 2, the failure at 4.
    got = notebook_run._cell_failure(nb, 4, "ZeroDivisionError", "division by zero")
    assert got == "cell 4 (code cell 3) failed: ZeroDivisionError: division by zero"


# --------------------------------------------------------------------------- the page, without a kernel


def executed_by_hand(**tags) -> nbformat.NotebookNode:
    """A notebook as papermill returns it, built by hand: outputs of every kind a handout meets."""
    html_out = new_output("execute_result", data={"text/html": "<p class=\"v\">static view</p>", "text/plain": "<view>"},
                          execution_count=3)
    cells = [
        new_markdown_cell("# The *title*\n\nIntro with [a guide](https://guide.example/x) and [local](#Part)."),
        new_code_cell("interactive = True", metadata={"tags": ["parameters"]}),
        new_code_cell("interactive = False", metadata={"tags": ["injected-parameters"]}),
        new_code_cell("SECRET_CODE_INPUT()", outputs=[html_out]),
        new_code_cell("print('x')", outputs=[new_output("stream", name="stdout", text="printed text\n"),
                                              new_output("stream", name="stderr", text="warning text\n")]),
        new_markdown_cell("## Part\n\nAnswer: 42", metadata={"tags": tags.get("answer", ["instructor-only"])}),
    ]
    return new_notebook(cells=cells, metadata={"widgets": {"state": "drop me"}, "papermill": {"duration": 1.5}})


def page_of(nb, audience="student", parameters=None) -> str:
    return handout_export.handout_html(nb, audience=audience, parameters=parameters or {"audience": audience},
                               title=packaged.notebook_title(nb, "fallback"))


def test_no_code_input_no_streams_and_the_view_stays():
    html = page_of(executed_by_hand())
    text = visible_text(html)
    assert "static view" in text
    for hidden in ("SECRET_CODE_INPUT", "interactive = ", "printed text", "warning text", "drop me", "duration"):
        assert hidden not in html


def test_instructor_only_cells_leave_the_student_version_only():
    nb = executed_by_hand()
    assert "Answer: 42" not in visible_text(page_of(nb, "student"))
    instructor = page_of(nb, "instructor")
    assert "Answer: 42" in visible_text(instructor)
    assert 'class="cell md instructor-only"' in instructor


def test_external_links_become_text_with_the_address():
    html = page_of(executed_by_hand())
    assert EXTERNAL.search(html) is None
    assert "a guide (https://guide.example/x)" in visible_text(html)
    assert '<a href="#Part">local</a>' in html


def test_an_external_image_or_stylesheet_is_an_error_not_a_handout():
    for markup in ('<img src="https://cdn.example/x.png" alt="x">', "<style>@import 'x.css';</style>"):
        nb = executed_by_hand()
        nb.cells[3].outputs[0].data["text/html"] = markup
        with pytest.raises(handout_limits.RenderError, match="network"):
            page_of(nb)


def test_a_script_from_elsewhere_is_removed_with_every_other_script():
    """A handout carries no script (issue 19), so an external one is dropped, not fetched."""
    nb = executed_by_hand()
    nb.cells[3].outputs[0].data["text/html"] = '<p>kept</p><script src="//cdn.example/x.js"></script>'
    page = page_of(nb)
    assert "cdn.example" not in page and "<script" not in page.lower() and "<p>kept</p>" in page


def test_a_live_widget_is_an_error_not_a_blank_area():
    nb = executed_by_hand()
    nb.cells[3].outputs = [new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox()"})]
    with pytest.raises(handout_limits.RenderError, match="live widget"):
        page_of(nb)


def test_header_title_parameters_version_disclaimer_and_escaping():
    params = {"case": EVIL_TITLE, "risk_factors": ["a", "b"], "cases_file": "/home/someone/private/my.csv",
              "interactive": False, "audience": "instructor"}
    html = page_of(executed_by_hand(), "instructor", params)
    page = assert_offline_handout(html, title="The title")
    assert page.headings[0] == (1, "The title")
    assert [h for h in page.headings if h[1] == "The title"] == [(1, "The title")]  # not twice
    text = visible_text(html)
    assert "Instructor version" in text and "for the instructor, not for students" in text
    header = visible_text(html.split("</header>")[0])
    assert f"case {EVIL_TITLE}" in header and "risk_factors a, b" in header and "cases_file my.csv" in header
    assert "/home/someone" not in html  # a file parameter shows by its name only
    assert "<script>alert" not in html
    assert f"spasm-teach {__version__}" in header
    assert squash(DISCLAIMER) in text


def test_a_handout_has_the_one_page_skeleton():
    """nbconvert's handout template extends templates/pages/base.html.j2: the same head as every
    other page, the stylesheet inlined once, then the handout's own header, its cells in <main>,
    the footer (tests/test_handout_pages.py checks the set's pages against the same head)."""
    nb = new_notebook(cells=[new_markdown_cell("# The title"), new_code_cell("SECRET_CODE_INPUT()", outputs=[
        new_output("display_data", data={"text/html": '<p class="v">static view</p>', "text/plain": "<view>"})])])
    html = page_of(nb)  # (nothing to take out: remove_active_content leaves the page as it is)
    # (nbconvert serialises the page again through BeautifulSoup: `<meta .../>`, attributes sorted)
    assert html.startswith("<!DOCTYPE html>\n")
    first = [(tag, attrs) for tag, attrs in parse(html).tags][:7]
    assert first == [("html", {"lang": "en"}), ("head", {}), ("meta", {"charset": "utf-8"}),
                     ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
                     ("title", {}), ("style", {}), ("body", {"class": "audience-student"})]
    assert f"<title>The title</title>\n<style>\n{packaged.stylesheet()}</style>\n</head>\n" in html
    main_part = html[html.index("</header>\n<main>\n"):html.index("</main>\n<footer>")]
    assert '<p class="v">static view</p>' in main_part
    assert html.count("<style>") == 1 and html.count("<header") == 1 and html.count("<footer>") == 1
    assert html.endswith("</footer>\n</body>\n</html>\n")


def test_the_same_notebook_gives_the_same_bytes():
    assert page_of(executed_by_hand()) == page_of(executed_by_hand())


def test_write_atomically_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "h.html"
    write_atomically(target, "one")
    write_atomically(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["h.html"]


# --------------------------------------------------------------------------- the fixture, rendered for real


@pytest.fixture(scope="session")
def rendered(fixture_notebooks_dir, fixture_registered, evil_cases, tmp_path_factory):
    """The fixture rendered through the CLI: a student with a hostile case file, an instructor."""
    out = tmp_path_factory.mktemp("rendered")
    notebook = str(fixture_notebooks_dir / "10_fixture.ipynb")
    student = ["render", notebook, "-p", "cases_file", str(evil_cases), "-p", "case", EVIL_ID, "-o", str(out / "s.html")]
    instructor = ["render", notebook, "--audience", "instructor", "-o", str(out / "i.html")]
    assert main(student) == 0
    assert main(instructor) == 0
    return {"student": (out / "s.html").read_text(encoding="utf-8"),
            "instructor": (out / "i.html").read_text(encoding="utf-8")}


@pytest.fixture(scope="session")
def executed_instructor(fixture_notebooks_dir, fixture_registered):
    path = fixture_notebooks_dir / "10_fixture.ipynb"
    params = render.handout_parameters(path, {}, "instructor")
    return params, notebook_run.execute(packaged.read_notebook(path), params, path.parent)


def test_rendered_handouts_are_offline_and_complete(rendered):
    golfer = next(r for r in csv_rows("cases") if r["id"] == "golfer-twist")
    titles = {"student": EVIL_TITLE, "instructor": golfer["title"]}  # a case handout names its patient
    for audience, html in rendered.items():
        assert_offline_handout(html, title=f"{fixture_notebooks.TITLE} \u2014 {titles[audience]}")
        text = visible_text(html)
        assert {"student": "Student handout", "instructor": "Instructor version"}[audience] in text
        assert fixture_notebooks.STDOUT_NOISE not in text and fixture_notebooks.STDERR_NOISE not in text
        assert "fixture_spec" not in html  # no code input
        assert '<figure class="spasm-figure"><img alt="Two bars' in html


def test_case_file_text_is_escaped(rendered):
    html = rendered["student"]
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert EVIL_TITLE in visible_text(html)  # shown as text


def test_instructor_sees_the_teaching_point_and_the_student_does_not(rendered):
    golfer = next(r for r in csv_rows("cases") if r["id"] == "golfer-twist")
    assert squash(golfer["teaching_point"]) in visible_text(rendered["instructor"])
    student = visible_text(rendered["student"])
    assert "Hidden teaching point" not in student and "Hidden <b>teaching</b> point" not in student
    assert "Answers" not in [h for _, h in parse(rendered["student"]).headings]
    assert "Answers" in [h for _, h in parse(rendered["instructor"]).headings]


def test_two_runs_give_byte_identical_handouts(rendered, executed_instructor, fixture_notebooks_dir):
    params, executed = executed_instructor
    executed_instructor_path = fixture_notebooks_dir / "10_fixture.ipynb"  # its place in the set: the "next" link
    again = handout_export.handout_html(executed, audience="instructor", parameters=params,
                                title=handout_export.handout_title(packaged.notebook_title(executed, "x"), params),
                                notebook=executed_instructor_path)
    assert again == rendered["instructor"]


def test_the_handout_is_at_most_40_percent_of_nbconverts_default_export(executed_instructor):
    from nbconvert import HTMLExporter

    params, executed = executed_instructor
    ours = handout_export.handout_html(executed, audience="instructor", parameters=params, title="Fixture handout")
    default, _ = HTMLExporter().from_notebook_node(executed)
    ratio = len(ours.encode()) / len(default.encode())
    print(f"handout {len(ours.encode())} bytes, nbconvert default {len(default.encode())} bytes: {ratio:.1%}")
    assert ratio <= 0.40


# --------------------------------------------------------------------------- the classroom notebooks

CLASSROOM = sorted(CLASSROOM_NOTEBOOKS)


@pytest.mark.parametrize("key", CLASSROOM)
def test_each_notebooks_parameters_cell_declares_exactly_its_specification(key):
    """papermill injects only what the parameters cell can receive; render validates against the spec."""
    import papermill

    declared = {p["name"] for p in papermill.inspect_notebook(str(packaged.notebooks_dir() / f"{key}.ipynb")).values()}
    assert declared == {p.name for p in NOTEBOOK_PARAMETERS[key]}


@pytest.fixture(scope="session")
def executed_classroom():
    """Each classroom notebook run once (instructor version, defaults), one after another in one kernel."""
    found = {}
    with kernels.HandoutKernel(packaged.notebooks_dir()) as kernel:
        for key in CLASSROOM:
            path = packaged.notebooks_dir() / f"{key}.ipynb"
            params = render.handout_parameters(key, {}, "instructor")
            found[key] = (params, notebook_run.execute(packaged.read_notebook(path), params, path.parent, kernel=kernel))
    return found


@pytest.mark.parametrize("key", CLASSROOM)
def test_each_classroom_handout_is_at_most_40_percent_of_nbconverts_default_export(key, executed_classroom):
    from nbconvert import HTMLExporter

    params, executed = executed_classroom[key]
    ours = handout_export.handout_html(executed, audience="instructor", parameters=params, title=key)
    assert_offline_handout(ours)
    default, _ = HTMLExporter().from_notebook_node(executed)
    assert len(ours.encode()) <= 0.40 * len(default.encode()), (len(ours), len(default))
    assert EXTERNAL.search(default)  # the comparison is with the export that needs the network


def test_a_direct_papermill_run_of_a_classroom_notebook_fails_with_its_clear_message(tmp_path):
    notebook = packaged.notebooks_dir() / "01_risk_factors.ipynb"
    run = subprocess.run(
        [sys.executable, "-m", "papermill", str(notebook), str(tmp_path / "out.ipynb"), "-p", "sport", "golff",
         "-k", "python3", "--no-progress-bar", "--cwd", str(notebook.parent)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode != 0
    sports = ", ".join(r["id"] for r in csv_rows("sports"))
    message = f"parameter 'sport' of 01_risk_factors: 'golff' is not allowed; expected one of: {sports}, none"
    assert f"ParameterError: {message}" in run.stdout + run.stderr


def test_parameter_error_is_what_render_raises_for_a_bad_value(fixture_registered):
    with pytest.raises(ParameterError, match="parameter 'seed' of 10_fixture"):
        render.handout_parameters("10_fixture", {"seed": "x"})


def test_a_kernel_that_dies_while_it_boots_is_replaced_once(tmp_path, monkeypatch):
    """A busy machine can lose a kernel before it answers kernel_info (seen in a full test run): the
    handout gets one new kernel; only a second death fails it."""
    real = kernels.HandoutKernel.wait_ready
    deaths = [1]

    def dies_once(self):
        if deaths:
            deaths.pop()
            self.close()
            raise handout_limits.RenderError("the kernel did not start: Kernel died before replying to kernel_info")
        real(self)

    monkeypatch.setattr(kernels.HandoutKernel, "wait_ready", dies_once)
    with kernels.HandoutKernel(tmp_path) as kernel:
        printed(notebook_run.execute(namespace_notebook(REPORT), {}, tmp_path, kernel=kernel))
        assert kernel.starts == 2 and deaths == []
    deaths[:] = [1, 1, 1]
    with kernels.HandoutKernel(tmp_path) as kernel, pytest.raises(handout_limits.RenderError, match="did not start"):
        notebook_run.execute(namespace_notebook(REPORT), {}, tmp_path, kernel=kernel)
