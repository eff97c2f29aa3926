"""The JupyterLite site builder without a browser: what it keeps, what it refuses, what it tells the kernel.

The browser test (tests/e2e/test_lite.py) runs the built site; these check the builder's decisions
on small, hand-written inputs.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from spasm_lib import lite
from spasm_lib.params import for_students

ROOT = Path(__file__).resolve().parents[1]


def _lock(packages: dict[str, list[str]], version: str = lite.PYODIDE_VERSION) -> dict:
    return {
        "info": {"version": version},
        "packages": {
            name: {"file_name": f"{name}-1.0-py3-none-any.whl", "depends": depends, "sha256": ""}
            for name, depends in packages.items()
        },
    }


def test_needed_packages_follow_depends_and_spelling_variants():
    lock = _lock({
        "pandas": ["numpy", "python_dateutil"],  # depends may use _ where the key has -
        "numpy": [],
        "python-dateutil": ["six"],
        "six": [],
        "scipy": ["numpy"],
    })
    assert lite.needed_packages(lock, ["pandas"]) == ["numpy", "pandas", "python-dateutil", "six"]


def test_needed_packages_names_a_package_pyodide_lacks():
    with pytest.raises(lite.LiteError, match="no package nope"):
        lite.needed_packages(_lock({"pandas": ["nope"]}), ["pandas"])


def _distribution(folder: Path, packages: dict[str, list[str]], version: str = lite.PYODIDE_VERSION) -> dict:
    folder.mkdir()
    lock = _lock(packages, version)
    for name in lite.PYODIDE_CORE_FILES:
        (folder / name).write_bytes(b"core")
    for entry in lock["packages"].values():
        data = entry["file_name"].encode()
        (folder / entry["file_name"]).write_bytes(data)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return lock


ALL_NEEDED = {name: [] for name in lite.LIBRARY_PACKAGES + lite.KERNEL_PACKAGES}


def test_a_complete_distribution_passes_and_lists_only_what_a_site_copies(tmp_path):
    _distribution(tmp_path / "pyodide", {**ALL_NEEDED, "scipy": []})
    files = {p.name for p in lite.check_pyodide_dir(tmp_path / "pyodide")}
    assert "scipy-1.0-py3-none-any.whl" not in files
    assert {"pandas-1.0-py3-none-any.whl", "pyodide.asm.wasm", "pyodide-lock.json"} <= files


def test_a_wheel_that_differs_from_the_lock_is_refused(tmp_path):
    _distribution(tmp_path / "pyodide", ALL_NEEDED)
    (tmp_path / "pyodide" / "pandas-1.0-py3-none-any.whl").write_bytes(b"tampered")
    with pytest.raises(lite.LiteError, match="pandas-1.0-py3-none-any.whl does not match the sha256"):
        lite.check_pyodide_dir(tmp_path / "pyodide")


def test_a_missing_wheel_or_another_version_is_refused(tmp_path):
    _distribution(tmp_path / "pyodide", ALL_NEEDED)
    (tmp_path / "pyodide" / "matplotlib-1.0-py3-none-any.whl").unlink()
    with pytest.raises(lite.LiteError, match="missing matplotlib-1.0-py3-none-any.whl"):
        lite.check_pyodide_dir(tmp_path / "pyodide")
    _distribution(tmp_path / "older", ALL_NEEDED, version="0.26.0")
    with pytest.raises(lite.LiteError, match="Pyodide 0.26.0; expected Pyodide 0.27.7"):
        lite.check_pyodide_dir(tmp_path / "older")


def test_the_kernel_is_told_to_load_our_wheels_from_the_site_and_never_pypi(tmp_path):
    wheels = [tmp_path / "spasm_teach-0.1.0-py3-none-any.whl", tmp_path / "comm-0.2.2-py3-none-any.whl"]
    build, page, overrides = lite.lite_config(wheels, "./static/pyodide/pyodide.js")
    assert build["PipliteAddon"]["piplite_urls"] == [
        "wheels/spasm_teach-0.1.0-py3-none-any.whl", "wheels/comm-0.2.2-py3-none-any.whl"
    ]
    kernel = page["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    # Four folders up from extensions/@jupyterlite/pyodide-kernel-extension/static/, where the worker runs.
    assert kernel["loadPyodideOptions"]["packages"] == [
        "numpy", "pandas", "matplotlib",
        "../../../../pypi/spasm_teach-0.1.0-py3-none-any.whl", "../../../../pypi/comm-0.2.2-py3-none-any.whl",
    ]


def test_online_sites_load_the_pinned_pyodide_from_its_usual_place():
    assert lite._pyodide_source(None) == ("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js", None)
    assert lite._pyodide_source("https://intranet.example/pyodide/") == ("https://intranet.example/pyodide/pyodide.js", None)
    assert lite._pyodide_source("build/p") == ("./static/pyodide/pyodide.js", Path("build/p"))


def test_instructor_copies_get_the_audience_injected_and_student_copies_are_the_stored_bytes(tmp_path):
    source = ROOT / "notebooks"
    student = lite.site_notebooks(source, tmp_path / "student", "student")
    instructor = lite.site_notebooks(source, tmp_path / "instructor", "instructor")
    assert instructor == sorted(p.name for p in source.glob("*.ipynb"))
    assert student == [n for n in instructor if for_students(n)] != instructor  # the debrief is the lecturer's
    for name in student:
        assert (tmp_path / "student" / name).read_bytes() == (source / name).read_bytes()
        stored = json.loads((source / name).read_text())
        copy = json.loads((tmp_path / "instructor" / name).read_text())
        params_index = next(i for i, c in enumerate(stored["cells"]) if "parameters" in c["metadata"].get("tags", []))
        if 'audience = "student"' in "".join(stored["cells"][params_index]["source"]):
            injected = copy["cells"][params_index + 1]
            assert "injected-parameters" in injected["metadata"]["tags"]
            assert 'audience = "instructor"' in "".join(injected["source"])
            assert len(copy["cells"]) == len(stored["cells"]) + 1


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "spasm_lib", "lite", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "exists"], "-o exists already exists"),
        (["-o", "no/such/parent/site"], "no folder no/such/parent to create it in"),
        (["-o", "site", "--pyodide", "missing"], "--pyodide missing: no such folder"),
        (["-o", "site", "--pyodide", "ftp://host/pyodide"], "expected a local folder or an http(s) URL"),
        (["-o", "site", "--pyodide", "empty"], "--pyodide empty: no pyodide-lock.json"),
        (["-o", "site", "--audience", "teacher"], "invalid choice: 'teacher'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, args, message):
    (tmp_path / "exists").mkdir()
    (tmp_path / "exists" / "keep.txt").write_text("mine")
    (tmp_path / "empty").mkdir()
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    done = _cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr.strip().splitlines()[-1]  # (argparse's errors may print the usage first)
    assert "Traceback" not in done.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert (tmp_path / "exists" / "keep.txt").read_text() == "mine"


def test_an_online_site_builds_from_a_relative_path_and_leaves_nothing_else(tmp_path):
    """The default site (Pyodide from its CDN): the whole build, no browser; only SITE is written."""
    done = _cli("-o", "site", "--cache", str(ROOT / "build" / "lite-wheels"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left behind
    site = tmp_path / "site"
    kernel = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]["litePluginSettings"][
        "@jupyterlite/pyodide-kernel-extension:kernel"
    ]
    assert kernel["pyodideUrl"] == "https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js"
    assert not (site / "static" / "pyodide").exists()
    assert sorted(p.name for p in (site / "files").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "notebooks").glob("*.ipynb") if for_students(p))
    wheels = sorted(p.name.split("-")[0] for p in (site / "pypi").glob("*.whl"))
    assert wheels == ["comm", "ipywidgets", "jupyterlab_widgets", "spasm_teach"]
    # The same inputs give the same files (a second build, byte for byte, but for its own folder name).
    again = _cli("-o", "again", "--cache", str(ROOT / "build" / "lite-wheels"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
