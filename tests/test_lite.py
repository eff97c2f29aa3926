"""The JupyterLite site builder without a browser: what it keeps, what it refuses, what it tells the kernel.

The browser test (tests/e2e/test_lite.py) runs the built site; these check the builder's decisions
on small, hand-written inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from spasm_lib import lite, lite_pyodide, lite_settings, lite_trim
from spasm_lib.params import for_students

ROOT = Path(__file__).resolve().parents[1]


def _lite_extra_installed() -> bool:
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        return False
    return True


# Building a site needs the `lite` extra (`make test` installs it); without it only these are skipped.
needs_lite = pytest.mark.skipif(not _lite_extra_installed(), reason="needs the lite extra: pip install -e '.[lite]'")


def _lock(packages: dict[str, list[str]], version: str = lite_pyodide.PYODIDE_VERSION) -> dict:
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
    assert lite_pyodide.needed_packages(lock, ["pandas"]) == ["numpy", "pandas", "python-dateutil", "six"]


def test_needed_packages_names_a_package_pyodide_lacks():
    with pytest.raises(lite_pyodide.LiteError, match="no package nope"):
        lite_pyodide.needed_packages(_lock({"pandas": ["nope"]}), ["pandas"])


def _distribution(folder: Path, packages: dict[str, list[str]], version: str = lite_pyodide.PYODIDE_VERSION) -> dict:
    folder.mkdir()
    lock = _lock(packages, version)
    for name in lite_pyodide.PYODIDE_CORE_FILES:
        (folder / name).write_bytes(f"core file {name}".encode())
    for entry in lock["packages"].values():
        data = entry["file_name"].encode()
        (folder / entry["file_name"]).write_bytes(data)
        entry["sha256"] = hashlib.sha256(data).hexdigest()
    (folder / "pyodide-lock.json").write_text(json.dumps(lock))
    return lock


def _core_hashes(folder: Path) -> dict[str, str]:
    """What the npm package's integrity data would say of this (hand-made) distribution's core files."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in lite_pyodide.PYODIDE_CORE_FILES}


ALL_NEEDED = {name: [] for name in ("pandas", "micropip", "ipython", "sqlite3")}


def test_the_site_carries_pandas_but_no_plotting_or_science_stack(tmp_path):
    """What the offline distribution keeps: pandas for a student who asks, not matplotlib or scipy."""
    lock = _lock({**ALL_NEEDED, "pandas": ["numpy"], "numpy": [], "matplotlib": ["numpy"], "scipy": ["numpy"],
                  "ssl": ["openssl"], "openssl": []})
    # No ssl (with OpenSSL): the site keeps the kernel from installing it (lite_trim.KERNEL_SKIPS).
    assert lite_pyodide.needed_packages(lock) == ["ipython", "micropip", "numpy", "pandas", "sqlite3"]


def test_a_complete_distribution_passes_and_lists_only_what_a_site_copies(tmp_path):
    _distribution(tmp_path / "pyodide", {**ALL_NEEDED, "scipy": []})
    files = {p.name for p in lite_pyodide.check_pyodide_dir(tmp_path / "pyodide", _core_hashes(tmp_path / "pyodide"))}
    assert "scipy-1.0-py3-none-any.whl" not in files
    assert {"pandas-1.0-py3-none-any.whl", "pyodide.asm.wasm", "pyodide-lock.json"} <= files


def test_a_wheel_that_differs_from_the_lock_is_refused(tmp_path):
    _distribution(tmp_path / "pyodide", ALL_NEEDED)
    (tmp_path / "pyodide" / "pandas-1.0-py3-none-any.whl").write_bytes(b"tampered")
    with pytest.raises(lite_pyodide.LiteError, match="pandas-1.0-py3-none-any.whl does not match the sha256"):
        lite_pyodide.check_pyodide_dir(tmp_path / "pyodide", _core_hashes(tmp_path / "pyodide"))


def test_a_core_file_that_differs_from_the_npm_package_is_refused(tmp_path):
    """pyodide.asm.wasm is the interpreter itself: checked like the wheels, against the npm package's hashes."""
    folder = tmp_path / "pyodide"
    _distribution(folder, ALL_NEEDED)
    hashes = _core_hashes(folder)
    (folder / "pyodide.asm.wasm").write_bytes(b"not the interpreter")
    with pytest.raises(lite_pyodide.LiteError, match="pyodide.asm.wasm does not match the sha256 of the npm package pyodide@0.27.7"):
        lite_pyodide.check_pyodide_dir(folder, hashes)
    # By default the hashes are the real package's: a hand-made core is refused too.
    (folder / "pyodide.asm.wasm").write_bytes(b"core file pyodide.asm.wasm")
    with pytest.raises(lite_pyodide.LiteError, match="does not match the sha256 of the npm package"):
        lite_pyodide.check_pyodide_dir(folder)


def test_the_pinned_core_hashes_are_those_of_the_npm_package():
    """Checked against the npm archive itself when make lite-offline has fetched it."""
    import tarfile

    tarball = ROOT / "build" / "pyodide" / "downloads" / f"pyodide-{lite_pyodide.PYODIDE_VERSION}.tgz"
    if not tarball.is_file():
        pytest.skip("the npm archive is fetched by make lite-offline (tools/fetch_pyodide.py)")
    with tarfile.open(tarball) as tar:
        for name, sha256 in lite_pyodide.PYODIDE_CORE_SHA256.items():
            assert hashlib.sha256(tar.extractfile(f"package/{name}").read()).hexdigest() == sha256, name


@pytest.mark.parametrize(
    ("packages", "why"),
    [([], "its packages are not a table"), ({"pandas": {"depends": []}}, "package pandas has no file_name")],
)
def test_a_malformed_lock_says_what_is_malformed(tmp_path, packages, why):
    folder = tmp_path / "pyodide"
    folder.mkdir()
    (folder / "pyodide-lock.json").write_text(json.dumps({"info": {"version": lite_pyodide.PYODIDE_VERSION}, "packages": packages}))
    with pytest.raises(lite_pyodide.LiteError) as raised:
        lite_pyodide.check_pyodide_dir(folder)
    assert why in str(raised.value)
    assert "expected Pyodide" not in str(raised.value)


def test_a_missing_wheel_or_another_version_is_refused(tmp_path):
    _distribution(tmp_path / "pyodide", ALL_NEEDED)
    (tmp_path / "pyodide" / "sqlite3-1.0-py3-none-any.whl").unlink()
    with pytest.raises(lite_pyodide.LiteError, match="missing sqlite3-1.0-py3-none-any.whl"):
        lite_pyodide.check_pyodide_dir(tmp_path / "pyodide", _core_hashes(tmp_path / "pyodide"))
    _distribution(tmp_path / "older", ALL_NEEDED, version="0.26.0")
    with pytest.raises(lite_pyodide.LiteError, match="Pyodide 0.26.0; expected Pyodide 0.27.7"):
        lite_pyodide.check_pyodide_dir(tmp_path / "older")


def test_the_kernel_is_told_to_load_our_wheels_from_the_site_and_never_pypi(tmp_path):
    wheels = [tmp_path / "spasm_teach-0.1.0-py3-none-any.whl", tmp_path / "comm-0.2.2-py3-none-any.whl",
              tmp_path / "jupyterlab_widgets-3.0.15-py3-none-any.whl"]
    build, page, overrides = lite_settings.lite_config(wheels, "./static/pyodide/pyodide.js")
    assert build["PipliteAddon"]["piplite_urls"] == [
        "wheels/spasm_teach-0.1.0-py3-none-any.whl", "wheels/comm-0.2.2-py3-none-any.whl",
        "wheels/jupyterlab_widgets-3.0.15-py3-none-any.whl",
    ]
    kernel = page["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["disablePyPIFallback"] is True
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.js"
    # Four folders up from extensions/@jupyterlite/pyodide-kernel-extension/static/, where the worker runs.
    # Only the wheels the kernel imports: no numpy, pandas or matplotlib, no browser-side extension.
    assert kernel["loadPyodideOptions"]["packages"] == [
        "../../../../pypi/spasm_teach-0.1.0-py3-none-any.whl", "../../../../pypi/comm-0.2.2-py3-none-any.whl",
    ]


def test_the_site_is_built_with_the_lab_only_and_no_source_maps(tmp_path):
    build, _, _ = lite_settings.lite_config([tmp_path / "comm-0.2.2-py3-none-any.whl"], "./static/pyodide/pyodide.js")
    config = build["LiteBuildConfig"]
    assert config["apps"] == ["lab"]  # not notebooks, tree, edit, repl or consoles
    assert config["no_sourcemaps"] is True
    assert config["no_unused_shared_packages"] is True  # acts only when apps leaves some out


def test_the_lab_page_links_the_views_stylesheet_once_for_untrusted_stored_outputs(tmp_path):
    """A site's notebooks open untrusted: JupyterLab's sanitizer drops the ``<style>`` each stored view
    carries, so the lab page links the same stylesheet itself (spasm_lib.views.style)."""
    from spasm_lib.views.style import CSS

    (tmp_path / "lab").mkdir()
    (tmp_path / "lab" / "index.html").write_text("<html><head><title>x</title></head><body></body></html>")
    lite_settings.add_site_helpers(tmp_path)
    page = (tmp_path / "lab" / "index.html").read_text()
    assert page.count('<link rel="stylesheet" href="../static/spasm-teach/spasm-view.css">') == 1
    assert page.index("spasm-view.css") < page.index("</head>")
    assert (tmp_path / "static" / "spasm-teach" / "spasm-view.css").read_text() == CSS + "\n"
    assert "<" not in CSS  # a stylesheet file, not markup: nothing in it could close a tag or open one


def test_older_font_formats_go_only_where_a_woff2_of_the_same_font_stays(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    for name in ("fa-solid-900.woff2", "fa-solid-900.woff", "fa-solid-900.eot", "fa-solid-900.ttf",
                 "fa-solid-900.svg", "MathJax_Main-Regular.woff", "logo.svg", "fa-brands-400.ttf"):
        (build / name).write_bytes(b"font")
    removed = lite_trim.drop_legacy_fonts(tmp_path)
    assert [p.name for p in removed] == ["fa-solid-900.eot", "fa-solid-900.svg", "fa-solid-900.ttf", "fa-solid-900.woff"]
    assert sorted(p.name for p in build.iterdir()) == [
        "MathJax_Main-Regular.woff", "fa-brands-400.ttf", "fa-solid-900.woff2", "logo.svg",
    ]


def test_online_sites_load_the_pinned_pyodide_from_its_usual_place():
    assert lite_pyodide.pyodide_source(None) == ("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js", None)
    assert lite_pyodide.pyodide_source("https://intranet.example/pyodide/") == ("https://intranet.example/pyodide/pyodide.js", None)
    assert lite_pyodide.pyodide_source("build/p") == ("./static/pyodide/pyodide.js", Path("build/p"))


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
        pytest.param(["-o", "exists"], "-o exists already exists", marks=needs_lite),
        pytest.param(["-o", "no/such/parent/site"], "no folder no/such/parent to create it in", marks=needs_lite),
        pytest.param(["-o", "site", "--pyodide", "missing"], "--pyodide missing: no such folder", marks=needs_lite),
        pytest.param(["-o", "site", "--pyodide", "ftp://host/pyodide"], "expected a local folder or an http(s) URL",
                     marks=needs_lite),
        pytest.param(["-o", "site", "--pyodide", "empty"], "--pyodide empty: no pyodide-lock.json", marks=needs_lite),
        (["-o", "site", "--audience", "teacher"], "invalid choice: 'teacher'"),
    ],
)
@pytest.mark.subprocess
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


@needs_lite
@pytest.mark.subprocess
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
    # The site's own helpers: loaded once by the lab page, filled in, and the command in the File menu.
    page = (site / "lab" / "index.html").read_text()
    assert page.count('<script src="../static/spasm-teach/lite-helpers.js" defer></script>') == 1
    script = (site / "static" / "spasm-teach" / "lite-helpers.js").read_text()
    assert "__" not in script.replace("__proto__", "")  # no placeholder left
    assert "'spasm-teach:start-again'" in script
    menus = json.loads((site / "overrides.json").read_text())["@jupyterlab/mainmenu-extension:plugin"]["menus"]
    assert {"id": "jp-mainmenu-file", "items": [{"command": "spasm-teach:start-again", "rank": 5}]} in menus
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    assert config["exposeAppInBrowser"] is True
    # Trimmed (spasm_lib.lite_trim): the turned-off extensions' code gone, the kernel installs no ssl.
    assert set(lite_trim.UNUSED_LAB_EXTENSIONS) <= set(config["disabledExtensions"])
    assert [name for name in lite_trim.UNUSED_CHUNKS if (site / "build" / name).exists()] == []
    workers = [p.read_text() for p in (site / lite_trim.WORKER_DIR).glob("*.js")]
    assert sum('["sqlite3","ipykernel","comm","pyodide_kernel","ipython"]' in w for w in workers) == 3
    assert not any('"ssl"' in w for w in workers)
    # The same inputs give the same files (a second build, byte for byte, but for its own folder name).
    again = _cli("-o", "again", "--cache", str(ROOT / "build" / "lite-wheels"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# --------------------------------------------------------------------------------------------------
# Refused up front (issue 19): outputs that would overwrite the package or the input, folders that
# cannot be written, a cache that is not a folder, a second build of the same site, broken notebooks


def _tree(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


def _refused(done: subprocess.CompletedProcess, *names: str) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip().splitlines()[-1]
    for name in names:
        assert name in line, line
    return line


@pytest.mark.subprocess
@needs_lite
@pytest.mark.parametrize("package_folder", ["spasm_lib", "spasm_lib.data", "spasm_lib.notebooks"])
def test_an_output_inside_the_package_is_refused_before_anything(tmp_path, package_folder):
    folder = Path(str(resources.files(package_folder)))
    before = _tree(folder)
    target = folder / "site"
    # --pyodide missing: a check that came first would say so instead.
    done = _cli("-o", str(target), "--pyodide", str(tmp_path / "missing"), cwd=tmp_path)
    line = _refused(done, str(target))
    assert "inside the package" in line
    assert _tree(folder) == before


@pytest.mark.subprocess
@needs_lite
def test_an_output_inside_the_notebooks_given_is_refused(tmp_path):
    notebooks = tmp_path / "course"
    notebooks.mkdir()
    (notebooks / "01_risk_factors.ipynb").write_bytes((ROOT / "notebooks" / "01_risk_factors.ipynb").read_bytes())
    before = _tree(tmp_path)
    done = _cli("-o", "course/site", "--notebooks", "course", "--pyodide", "missing", cwd=tmp_path)
    line = _refused(done, "course/site")
    assert "inside --notebooks" in line
    assert _tree(tmp_path) == before


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this user cannot create anything in (root writes through a mode of 0555; not in /sys)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    return folder


@pytest.mark.subprocess
@needs_lite
def test_an_output_in_a_read_only_folder_is_refused_up_front(tmp_path):
    folder = _unwritable_folder(tmp_path)
    started = time.monotonic()
    done = _cli("-o", str(folder / "site"), "--cache", str(ROOT / "build" / "lite-wheels"), cwd=tmp_path)
    _refused(done, f"-o {folder / 'site'}", "cannot write")
    assert time.monotonic() - started < 30, "refused only after building"


@pytest.mark.subprocess
@needs_lite
@pytest.mark.parametrize("cache", ["/dev/null", "afile"])
def test_a_cache_that_is_not_a_folder_is_refused_up_front(tmp_path, cache):
    (tmp_path / "afile").write_text("mine")
    before = _tree(tmp_path)
    started = time.monotonic()
    done = _cli("-o", "site", "--cache", cache, cwd=tmp_path)
    _refused(done, f"--cache {cache}", "not a folder")
    assert time.monotonic() - started < 30, "refused only after building"
    assert _tree(tmp_path) == before
    assert (tmp_path / "afile").read_text() == "mine"


@pytest.mark.subprocess
@needs_lite
def test_a_second_build_of_the_same_site_is_refused_while_the_first_runs(tmp_path):
    with lite.claim_output(tmp_path / "site"):
        done = _cli("-o", "site", "--cache", str(ROOT / "build" / "lite-wheels"), cwd=tmp_path)
        _refused(done, "-o site", "another spasm-teach lite")
        with pytest.raises(lite_pyodide.LiteError, match="another spasm-teach lite"):
            with lite.claim_output(tmp_path / "site"):
                pass
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the claim leaves nothing behind
    with lite.claim_output(tmp_path / "site"):  # and can be taken again
        pass


@pytest.mark.subprocess
def test_a_claim_left_by_a_killed_build_is_taken_over(tmp_path):
    """A SIGKILLed build leaves its claim folder; it holds no lock, so the next build takes it over."""
    code = "import os, sys; from spasm_lib import lite; claim = lite.claim_output(sys.argv[1]); claim.__enter__(); os._exit(9)"
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "site")], check=False)
    assert [p.name for p in tmp_path.iterdir()] != [], "the killed build left no claim: nothing is tested"
    with lite.claim_output(tmp_path / "site"):
        pass
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"", "empty"), (b"{not json", "not JSON"), (b'{"cells": 3}', "not a valid notebook")],
)
@pytest.mark.subprocess
@needs_lite
def test_broken_notebooks_are_refused_like_handouts_refuses_them(tmp_path, content, why):
    notebooks = tmp_path / "course"
    notebooks.mkdir()
    (notebooks / "01_risk_factors.ipynb").write_bytes((ROOT / "notebooks" / "01_risk_factors.ipynb").read_bytes())
    (notebooks / "02_broken.ipynb").write_bytes(content)
    before = _tree(tmp_path)
    done = _cli("-o", "site", "--notebooks", "course", "--pyodide", "missing", cwd=tmp_path)
    _refused(done, "02_broken.ipynb")
    assert _tree(tmp_path) == before


@pytest.mark.subprocess
@needs_lite
def test_an_interrupted_build_leaves_no_pip_folders_and_no_partial_site(tmp_path):
    """SIGINT while pip builds the wheel: pip's own temporary folders go with the build's."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    build = subprocess.Popen([sys.executable, "-m", "spasm_lib", "lite", "-o", "site", "--cache",
                              str(ROOT / "build" / "lite-wheels")], cwd=work, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list(temp.rglob("pip-*")) and time.monotonic() < deadline and build.poll() is None:
            time.sleep(0.05)
        assert list(temp.rglob("pip-*")), "pip never started: nothing is tested"
        build.send_signal(signal.SIGINT)
        _, stderr = build.communicate(timeout=60)
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
    assert build.returncode == 130, stderr
    assert list(temp.rglob("pip-*")) == []
    assert list(temp.iterdir()) == []
    assert list(work.iterdir()) == []


# --------------------------------------------------------------------------------------------------
# tools/fetch_pyodide.py with a local copy of the official release archive


def _fetch_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("fetch_pyodide", ROOT / "tools" / "fetch_pyodide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _release_archive(path: Path, dist: Path, tamper: str | None = None) -> Path:
    """An archive laid out as the official pyodide-0.27.7.tar.bz2 is (one folder, pyodide/), made of
    the verified files of build/pyodide, with one file changed if ``tamper`` names it."""
    import io
    import tarfile

    with tarfile.open(path, "w:bz2") as tar:
        for file in sorted(dist.iterdir()):
            data = file.read_bytes() + (b"tampered" if file.name == tamper else b"")
            info = tarfile.TarInfo(f"pyodide/{file.name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _fetched() -> tuple[Path, Path]:
    dist = ROOT / "build" / "pyodide" / lite_pyodide.PYODIDE_VERSION
    tarball = ROOT / "build" / "pyodide" / "downloads" / f"pyodide-{lite_pyodide.PYODIDE_VERSION}.tgz"
    if not (dist.is_dir() and tarball.is_file()):
        pytest.skip("needs the verified Pyodide of make lite-offline (tools/fetch_pyodide.py) in build/pyodide")
    return dist, tarball


@pytest.mark.subprocess
def test_the_official_release_archive_is_an_alternative_input_checked_against_npm_lock(tmp_path):
    dist, tarball = _fetched()
    tool = _fetch_tool()
    cache = tmp_path / "cache"
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / tarball.name).symlink_to(tarball)
    release = _release_archive(tmp_path / "pyodide-0.27.7.tar.bz2", dist)
    got = tool.fetch(cache, release)
    assert got == cache / lite_pyodide.PYODIDE_VERSION
    lock = json.loads((got / "pyodide-lock.json").read_text())
    expected = set(lite_pyodide.PYODIDE_CORE_FILES) | {lock["packages"][n]["file_name"] for n in lite_pyodide.needed_packages(lock)}
    assert {p.name for p in got.iterdir()} == expected
    assert not list((cache / "downloads").glob("provisa*")), "the PyPI carrier was fetched anyway"


@pytest.mark.subprocess
def test_a_release_archive_with_a_changed_wheel_is_refused(tmp_path):
    dist, tarball = _fetched()
    tool = _fetch_tool()
    cache = tmp_path / "cache"
    (cache / "downloads").mkdir(parents=True)
    (cache / "downloads" / tarball.name).symlink_to(tarball)
    pandas = next(p.name for p in dist.glob("pandas-*.whl"))
    release = _release_archive(tmp_path / "pyodide-0.27.7.tar.bz2", dist, tamper=pandas)
    with pytest.raises(tool.FetchError, match=f"{pandas} in pyodide-0.27.7.tar.bz2 does not match pyodide-lock.json"):
        tool.fetch(cache, release)
    assert not (cache / lite_pyodide.PYODIDE_VERSION).exists()


# --------------------------------------------------------------------------------------------------
# pandas on demand in the browser kernel (spasm_lib.browser_packages); the fetch itself is run by
# tests/e2e/test_lite.py in Chromium


def test_a_package_asked_for_brings_its_dependencies_first_and_skips_what_is_loaded():
    from spasm_lib.browser_packages import packages_to_load

    lock = {
        "pandas": {"imports": ["pandas"], "depends": ["numpy", "python-dateutil", "pytz"]},
        "numpy": {"imports": ["numpy"], "depends": []},
        "python-dateutil": {"imports": ["dateutil"], "depends": ["six"]},
        "six": {"imports": ["six"], "depends": []},
        "pytz": {"imports": ["pytz"], "depends": []},
        "matplotlib": {"imports": ["matplotlib"], "depends": ["numpy"]},
    }
    assert packages_to_load(lock, "pandas", set()) == ["numpy", "six", "python-dateutil", "pytz", "pandas"]
    assert packages_to_load(lock, "pandas", {"six", "numpy"}) == ["python-dateutil", "pytz", "pandas"]
    assert packages_to_load(lock, "dateutil", set()) == ["six", "python-dateutil"]
    with pytest.raises(ModuleNotFoundError, match="Pyodide has no package for it"):
        packages_to_load(lock, "sklearn", set())


def test_outside_a_browser_require_is_a_plain_import():
    from spasm_lib.browser_packages import require

    assert require("json") is json
    with pytest.raises(ModuleNotFoundError):
        require("no_such_module_spasm")
