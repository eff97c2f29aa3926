"""The repository a newcomer meets: dependencies in step, the wheel carries the data, CI runs make test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].strip().lower()


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = set(project["dependencies"]).union(*project["optional-dependencies"].values())
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {d.replace(" ", "") for d in env["dependencies"] if isinstance(d, str)}
    conda -= {d for d in conda if _name(d) in ("python", "pip")}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
    # a package conda-forge does not carry is installed by pip, from the same environment.yml
    from_pip = {d.replace(" ", "") for d in pip if d != "-e ."}
    assert not conda & from_pip
    assert conda | from_pip == {w.replace(" ", "") for w in wanted}


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )
    return next(out.glob("spasm_teach-*.whl"))


@pytest.mark.subprocess
def test_wheel_carries_every_table_and_notebook(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for csv_file in (ROOT / "data").glob("*.csv"):
        assert f"spasm_lib/data/{csv_file.name}" in names
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"spasm_lib/notebooks/{notebook.name}" in names
    for folder in ("spasm_handout", "pages"):  # the handout's nbconvert template; every other page's templates
        parts = sorted((ROOT / "spasm_lib" / "templates" / folder).iterdir())
        assert parts, folder
        for part in parts:
            assert f"spasm_lib/templates/{folder}/{part.name}" in names
    # pyproject.toml declares license = "MIT": the wheel carries its text.
    licence = next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))
    assert "MIT License" in zipfile.ZipFile(wheel).read(licence).decode("utf-8")


@pytest.mark.subprocess
def test_installed_wheel_prints_a_table_from_another_folder(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True, capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import spasm_lib, sys; print(spasm_lib.__file__); from spasm_lib.cli import main; sys.exit(main(['facts', 'risk-factors']))"
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    first, _, table = out.stdout.partition("\n")
    assert first.startswith(str(site))  # the wheel's copy, not the clone
    # The table printed is data/risk_factors.csv as packaged: its header, then every id in file order
    # (copied by hand from the CSV), each row starting with its id.
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "category"]
    assert [line.split()[0] for line in lines[1:]] == [
        "tender-muscles", "swollen-muscles", "inflamed-muscles", "intense-force", "twisting-sport", "arthritis",
        "ruptured-disc", "forward-pelvic-tilt", "weak-abdominal-muscles", "weak-spinal-muscles", "idiopathic",
    ]
    assert "Sports with sudden twists, jerks and pulls" in table
    # The set's pages are rendered from the wheel's templates (pages/base.html.j2 and front.html.j2).
    code = "from spasm_lib.set_pages import front_page; print(front_page(answer_key=True))"
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<a href="instructor/answer-key.html">answer key</a>' in out.stdout and "</html>" in out.stdout


@pytest.mark.subprocess
def test_lite_tests_skip_cleanly_without_the_lite_extra(tmp_path):
    """`pip install -e .[test]` alone: tests/test_lite.py passes what needs no site build and skips the
    rest with the reason, instead of failing on "needs the lite extra". The extra is hidden by modules
    of the same names that refuse to import, first on the path of pytest and of every child."""
    for name in ("jupyterlite_core", "jupyterlite_pyodide_kernel"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('hidden by the test')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "0", "-rs",
                          "tests/test_lite.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed, \d+ skipped", summary) and "failed" not in summary and "error" not in summary, summary
    assert "needs the lite extra" in run.stdout
