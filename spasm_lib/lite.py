"""The course as a JupyterLite site: JupyterLab and a Python kernel (Pyodide) in the student's browser.

``spasm-teach lite -o SITE`` builds a static folder that any web server can serve: the notebooks,
this package as a wheel built from the running version, the widget wheels, and JupyterLite itself
(``jupyter lite build``, from the ``lite`` extra). With ``--pyodide DIR`` a local Pyodide
distribution is copied into the site and the site needs no network at all; without it the kernel
loads Pyodide from its usual online location.

How the notebooks run with nothing for the student to type: the stored notebooks stay exactly as
nbval checks them (no ``%pip install`` cell is added). Instead the site tells the Pyodide kernel to
load, as it starts, the wheels of this package, ipywidgets and comm (``loadPyodideOptions.packages``
of the pyodide-kernel settings), and nothing else: no notebook imports numpy, pandas or matplotlib,
and each would cost every student seconds and megabytes at every start. pandas (with numpy) stays
in the offline distribution for a student who asks for a DataFrame: a cell that imports it gets it
from the kernel (Pyodide's ``loadPackagesFromImports``), and ``Facts.frame`` fetches it itself
(:mod:`spasm_lib.browser_packages`). A wheel given by URL is installed as it is, without resolving
its ``Requires-Dist``; that is what we want, since the server-side dependencies (JupyterLab,
papermill, nbconvert) have no place in a browser. The same wheels are also listed for piplite,
with PyPI's fallback switched off, so ``%pip install ipywidgets`` finds them locally and nothing is
fetched from an index.

The site also carries a small script of its own (``static/spasm-teach/lite-helpers.js``, loaded by
the lab page): a "Python is starting" notice while the kernel loads, and a "Start this notebook
again from the original" command (menu *File*), with a confirmation, for JupyterLite's layering of
a student's saved copy over the site's file.

This module only builds; nothing here runs inside Pyodide.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from spasm_lib import __version__
from spasm_lib.records import AUDIENCES

# The versions that were tried together and work (tried here, 2026-11-30; tests/e2e/test_lite.py runs them):
# jupyterlite-core 0.5.1 with jupyterlite-pyodide-kernel 0.5.2 run Pyodide 0.27.x (Python 3.12).
# One Pyodide version for the online and the offline site, so both run the same pandas
# (0.27.7: numpy 2.0.2, pandas 2.2.3). Change it together with the `lite` extra in pyproject.toml,
# PYODIDE_CORE_SHA256 below and tools/fetch_pyodide.py's pinned download hashes.
PYODIDE_VERSION = "0.27.7"
PYODIDE_ONLINE = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

# What the offline distribution carries for a student to ask for, though the kernel never loads it
# at start (the lock names; their dependencies follow): pandas, for ``Facts.frame``.
ON_DEMAND_PACKAGES = ("pandas",)
# What the pyodide kernel loads from Pyodide as it starts (its worker asks piplite for these; the
# rest of its list, ipykernel and pyodide_kernel, ships with the kernel extension, comm with us).
KERNEL_PACKAGES = ("micropip", "ipython", "ssl", "sqlite3")
# Pure-Python wheels from PyPI that the notebooks need and Pyodide does not ship. Their versions
# are the ones installed here, so the kernel side of ipywidgets matches the JupyterLab extension
# (jupyterlab_widgets) that `jupyter lite build` copies from this same environment.
WIDGET_DISTRIBUTIONS = ("ipywidgets", "comm", "jupyterlab_widgets")
# Of those, what the kernel loads at start (jupyterlab_widgets is the browser side; piplite has it).
KERNEL_WIDGET_DISTRIBUTIONS = ("ipywidgets", "comm")

# Pyodide's files that a site needs (the rest of the npm package: type definitions, source maps,
# a console page).
PYODIDE_CORE_FILES = (
    "pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
    "pyodide-lock.json", "package.json",
)
# Their sha256, as they are in the npm package pyodide@0.27.7 (whose archive tools/fetch_pyodide.py
# pins by sha256). The lock's own hash pins, through it, every package wheel's.
PYODIDE_CORE_SHA256 = {
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.mjs": "04c052c815abb0bf2981fa38c2dfa58e3120ee5288c956df2b2a15e301782c5f",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    "package.json": "bf221f60c881626236d3501375a97753672a7fa6fed70e469e083f157c8a30d4",
}

# The files the wheel is built from (pyproject.toml maps data/ and notebooks/ into the package).
_WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "spasm_lib", "data", "notebooks")

SITE_NAME = "spasm-teach"
# The JupyterLite apps the site keeps (``LiteBuildConfig.apps``): the lab, where every notebook runs.
# The others (notebooks, tree, edit, repl, consoles) are pages no link of the site opens.
SITE_APPS = ("lab",)
# Font files that only a browser without WOFF2 fetches (each ``@font-face`` lists WOFF2 before
# them, and a browser takes the first format it supports): every browser that runs Pyodide's
# WebAssembly reads WOFF2, so these are dropped where a ``.woff2`` of the same font is beside them.
LEGACY_FONT_SUFFIXES = (".eot", ".ttf", ".woff", ".svg")
# pyodide's loadPackage resolves a relative URL against the kernel worker's own script, which
# jupyterlite-pyodide-kernel 0.5 serves from this folder of the site.
_WORKER_DIR = Path("extensions", "@jupyterlite", "pyodide-kernel-extension", "static")
_KERNEL_SETTINGS = "@jupyterlite/pyodide-kernel-extension:kernel"
# Fixed file times: the same inputs give the same site (JupyterLite and setuptools both read it).
_SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold
_MAX_LOCK_BYTES = 16 * 2**20  # Pyodide 0.27.7's lock is 0.3 MB


class LiteError(ValueError):
    """Bad input to the site builder (a missing Pyodide file, an output that exists): one line."""


class LiteBuildFailed(RuntimeError):
    """A build step failed (``jupyter lite build``, the wheel build, a download): its output follows."""


@dataclass(frozen=True)
class SiteReport:
    """What was built: where, how big, from which Pyodide, with which notebooks and wheels."""

    output: Path
    size_bytes: int
    pyodide: str  # the folder copied in, or the URL the kernel loads Pyodide from
    notebooks: tuple[str, ...]
    wheels: tuple[str, ...]


# --------------------------------------------------------------------------------------------------
# Pyodide: which of its packages a site needs, and whether a local distribution holds them


def read_lock(folder: Path) -> dict:
    """A Pyodide distribution's ``pyodide-lock.json`` (every package, its file, hash and depends)."""
    path = Path(folder) / "pyodide-lock.json"
    if not path.is_file():
        raise LiteError(f"--pyodide {folder}: no pyodide-lock.json; expected a Pyodide {PYODIDE_VERSION} distribution folder")
    if path.stat().st_size > _MAX_LOCK_BYTES:
        raise LiteError(f"--pyodide {folder}: pyodide-lock.json is over {_MAX_LOCK_BYTES // 2**20} MiB; not a Pyodide lock file")

    def malformed(why: str) -> LiteError:
        return LiteError(f"--pyodide {folder}: pyodide-lock.json is not a Pyodide lock file ({why})")

    try:
        lock = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise malformed("not JSON") from None
    version = lock.get("info", {}).get("version") if isinstance(lock, dict) and isinstance(lock.get("info"), dict) else None
    if not isinstance(version, str):
        raise malformed("no info.version")
    if version != PYODIDE_VERSION:
        raise LiteError(f"--pyodide {folder}: Pyodide {version[:40]}; expected Pyodide {PYODIDE_VERSION}")
    packages = lock.get("packages")
    if not isinstance(packages, dict):
        raise malformed("its packages are not a table")
    for name, entry in packages.items():
        if not isinstance(entry, dict):
            raise malformed(f"package {name[:60]} is not a table")
        for key, kind in (("file_name", str), ("sha256", str), ("depends", list)):
            if not isinstance(entry.get(key), kind):
                raise malformed(f"package {name[:60]} has no {key}")
    return lock


def needed_packages(lock: Mapping, roots: Iterable[str] = ON_DEMAND_PACKAGES + KERNEL_PACKAGES) -> list[str]:
    """The lock names of ``roots`` and everything they depend on, sorted (what an offline site keeps)."""
    packages = lock["packages"]
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = _canonical(todo.pop())  # depends may spell prompt_toolkit; the key is prompt-toolkit
        if name in seen:
            continue
        if name not in packages:
            raise LiteError(f"Pyodide {PYODIDE_VERSION} has no package {name}")
        seen.add(name)
        todo.extend(packages[name].get("depends", []))
    return sorted(seen)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_pyodide_dir(folder: Path, core_sha256: Mapping[str, str] = PYODIDE_CORE_SHA256) -> list[Path]:
    """The files of a local Pyodide distribution that a site copies, each checked.

    Every core file must be there and match the npm package's (``core_sha256``; the lock among
    them, which pins every package's hash), and every package the kernel and the notebooks need
    must match the sha256 of the lock: a site that lacks one fails in the student's browser, and a
    changed interpreter is not what was tested, so either is refused here instead.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LiteError(f"--pyodide {folder}: no such folder; expected a Pyodide {PYODIDE_VERSION} folder or an http(s) URL")
    lock = read_lock(folder)
    missing = [name for name in PYODIDE_CORE_FILES if not (folder / name).is_file()]
    files = [folder / name for name in PYODIDE_CORE_FILES]
    for name in PYODIDE_CORE_FILES:
        if name not in missing and sha256_of(folder / name) != core_sha256.get(name):
            raise LiteError(f"--pyodide {folder}: {name} does not match the sha256 of the npm package "
                            f"pyodide@{PYODIDE_VERSION}; expected its files unchanged (make lite-offline fetches them)")
    for name in needed_packages(lock):
        entry = lock["packages"][name]
        path = folder / entry["file_name"]
        if not path.is_file():
            missing.append(entry["file_name"])
        elif sha256_of(path) != entry["sha256"]:
            raise LiteError(f"--pyodide {folder}: {entry['file_name']} does not match the sha256 of pyodide-lock.json")
        files.append(path)
    if missing:
        raise LiteError(f"--pyodide {folder}: missing {', '.join(missing)} (make lite-offline fetches them)")
    return files


# --------------------------------------------------------------------------------------------------
# Wheels: this package, built from the running version; the widget wheels, downloaded once


def project_root() -> Path:
    """The source tree of the running package (the site's wheel is built from it)."""
    root = Path(__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "spasm-teach"' not in pyproject.read_text(encoding="utf-8"):
        raise LiteError(
            f"the running spasm_lib ({Path(__file__).parent}) is not in a source tree; build the site from a clone"
        )
    return root


def _run(command: list[str], what: str, temp: Path, env: Mapping[str, str] | None = None, **kwargs) -> None:
    """Run a build step; its temporary files (pip's ``pip-*`` folders) go into ``temp``, the build's
    own temporary folder, so that an interrupted step leaves none behind when that folder goes."""
    env = dict(env if env is not None else os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
    done = subprocess.run(command, capture_output=True, text=True, env=env, **kwargs)
    if done.returncode != 0:
        raise LiteBuildFailed(f"{what} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")


def build_own_wheel(into: Path, temp: Path) -> Path:
    """``pip wheel`` of the running source tree, without build isolation (so it works offline).

    It builds from a fresh copy of the files the wheel is made of: setuptools builds in place and
    reuses ``build/lib`` of the tree, where a file from an earlier build would win over an older
    file of the tree (and end up in the site).
    """
    root = project_root()
    source = into / "source"
    source.mkdir(parents=True)
    for name in _WHEEL_SOURCES:
        path = root / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.is_file():
            shutil.copyfile(path, source / name)
    env = dict(os.environ, SOURCE_DATE_EPOCH=_SOURCE_DATE_EPOCH)
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--quiet", "-w", str(into), str(source)],
        "building the spasm-teach wheel", into, env=env,
    )
    wheels = sorted(into.glob(f"spasm_teach-{__version__}-*.whl"))
    if len(wheels) != 1:
        raise LiteBuildFailed(f"building the spasm-teach wheel gave {[w.name for w in into.iterdir()]}")
    return wheels[0]


def widget_requirements() -> list[str]:
    """``ipywidgets==X`` and friends, at the versions installed in this environment."""
    found = []
    for name in WIDGET_DISTRIBUTIONS:
        try:
            found.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise LiteError(f"{name} is not installed here; install spasm-teach with its dependencies") from None
    return found


def _wheel_prefix(requirement: str) -> str:
    name, version = requirement.split("==")
    return f"{name.replace('-', '_')}-{version}-"


def widget_wheels(cache: Path, temp: Path) -> list[Path]:
    """The widget wheels from ``cache``, downloaded there first if missing (pure Python, from PyPI)."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = widget_requirements()

    def cached() -> dict[str, Path]:
        return {
            r: w for r in wanted for w in sorted(cache.glob(f"{_wheel_prefix(r)}*-none-any.whl"))[:1]
        }

    missing = [r for r in wanted if r not in cached()]
    if missing:
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            _run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", "--quiet", "-d", tmp, *missing],
                f"downloading {', '.join(missing)} into {cache}", temp,
            )
            for wheel in Path(tmp).glob("*.whl"):
                os.replace(wheel, cache / wheel.name)
    found = cached()
    absent = [r for r in wanted if r not in found]
    if absent:
        raise LiteBuildFailed(f"no pure-Python wheel of {', '.join(absent)} in {cache}")
    return [found[r] for r in wanted]


# --------------------------------------------------------------------------------------------------
# The site


def source_notebooks(source: Path) -> list[Path]:
    """The notebooks of ``source`` (``*.ipynb``, not hidden), each read with bounds and validated as
    ``handouts --notebooks`` validates them: a broken one is refused before anything is built."""
    from spasm_lib.inputs import InputError, read_notebook

    found = sorted(p for p in Path(source).glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise LiteError(f"--notebooks {source}: no notebooks (*.ipynb) in that folder")
    for path in found:
        try:
            read_notebook(path, "--notebooks")
        except InputError as exc:
            raise LiteError(str(exc)) from None
    return found


def notebooks_of_site(source: Path, audience: str) -> list[Path]:
    """The notebooks of ``source`` that a site for ``audience`` holds, sorted: all of them for the
    lecturer, all but the lecturer's own (the class debrief) for students. The one list of what a
    site holds: the build copies these, dates the site by them, and the Lite tests run these."""
    from spasm_lib.params import for_students

    return [path for path in source_notebooks(Path(source)) if audience != "student" or for_students(path)]


def site_notebooks(source: Path, into: Path, audience: str) -> list[str]:
    """Copies of the notebooks for the site: as stored, or with ``audience = "instructor"`` injected.

    The instructor copy gets papermill's own injected-parameters cell after the parameters cell
    (as a papermill run would), in the site only; notebooks/ is never touched.
    """
    into.mkdir(parents=True, exist_ok=True)
    names = []
    for path in notebooks_of_site(Path(source), audience):
        target = into / path.name
        if audience == "student":
            shutil.copyfile(path, target)
        else:
            import nbformat
            from papermill.iorw import load_notebook_node
            from papermill.parameterize import parameterize_notebook

            from spasm_lib.params import ParameterError, defaults

            nb = load_notebook_node(str(path))  # as papermill reads it (every cell gets its tags list)
            try:
                has_audience = "audience" in defaults(path)
            except ParameterError:
                has_audience = False
            if has_audience:
                nb = parameterize_notebook(nb, {"audience": audience}, report_mode=False)
            nb.metadata.pop("papermill", None)  # no run record: the site's copy is not a run
            for cell in nb.cells:
                cell.metadata.pop("papermill", None)
            nbformat.write(nb, target)
        names.append(path.name)
    return names


def _wheel_url(wheel_name: str) -> str:
    """Where the kernel worker finds a wheel of the site's ``pypi/`` folder (relative to itself)."""
    up = "/".join(".." for _ in _WORKER_DIR.parts)
    return f"{up}/pypi/{wheel_name}"


def lite_config(wheels: list[Path], pyodide_url: str) -> tuple[dict, dict, dict]:
    """``jupyter_lite_config.json``, ``jupyter-lite.json`` and ``overrides.json`` of the site."""
    build_config = {
        "LiteBuildConfig": {
            # Only the JupyterLab app: students open lab/index.html (the site's root goes there);
            # with it, no_unused_shared_packages drops the code only the other apps use.
            "apps": list(SITE_APPS),
            "contents": ["content"],
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
            # A student's trace (one JSON object a line) is text: without this JupyterLite takes a
            # ``.jsonl`` file for one JSON document, and a kernel's second append to it through the
            # service worker's shared storage fails to parse and leaves the kernel busy.
            "extra_file_types": {
                "jsonl": {"name": "jsonl", "extensions": [".jsonl"], "mimeTypes": ["text/plain"], "fileFormat": "text"},
            },
        },
        "PipliteAddon": {"piplite_urls": [f"wheels/{w.name}" for w in wheels]},
    }
    page_config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": f"{SITE_NAME} (JupyterLite)",
            "disabledExtensions": ["@jupyterlab/apputils-extension:announcements"],
            # lite-helpers.js registers its command on the app (JupyterLite's own option for this).
            "exposeAppInBrowser": True,
            "litePluginSettings": {
                _KERNEL_SETTINGS: {
                    "pyodideUrl": pyodide_url,
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {
                        "packages": [_wheel_url(w.name) for w in wheels if _kernel_loads(w.name)],
                    },
                }
            },
        },
    }
    # Every cell rendered (JupyterLab's default windowing resizes cells as they scroll into view,
    # so a control near the end of a long notebook moves under the pointer).
    overrides = {
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
        # The site's own command (lite-helpers.js), in the File menu beside JupyterLab's "Revert".
        "@jupyterlab/mainmenu-extension:plugin": {
            "menus": [{"id": "jp-mainmenu-file", "items": [{"command": START_AGAIN_COMMAND, "rank": 5}]}]
        },
    }
    return build_config, page_config, overrides


def _kernel_loads(wheel_name: str) -> bool:
    """Whether the kernel loads this wheel as it starts: ours and the kernel side of the widgets."""
    name = wheel_name.split("-")[0]
    return name == "spasm_teach" or name in {d.replace("-", "_") for d in KERNEL_WIDGET_DISTRIBUTIONS}


def _pyodide_source(pyodide: str | Path | None) -> tuple[str, Path | None]:
    """(pyodideUrl for the site, the local folder to copy or None)."""
    if pyodide is None:
        return PYODIDE_ONLINE + "pyodide.js", None
    text = str(pyodide)
    if text.startswith(("http://", "https://")):
        return text.rstrip("/") + "/pyodide.js", None
    if "://" in text or not text.strip():
        raise LiteError(f"--pyodide {text}: expected a local folder or an http(s) URL")
    return "./static/pyodide/pyodide.js", Path(text)


def package_folders() -> dict[str, Path]:
    """The package's own folders (its source, data and notebooks): never an output."""
    from importlib import resources

    return {
        "source": Path(str(resources.files("spasm_lib"))),
        "data": Path(str(resources.files("spasm_lib.data"))),
        "notebooks": Path(str(resources.files("spasm_lib.notebooks"))),
    }


def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return path == folder or folder in path.parents


def _check_output(output: Path, notebooks: Path | None) -> None:
    """Refused before anything runs: an output that exists, has no parent folder, or lies inside
    the package's own folders or the notebooks the site is built from."""
    shown = f"-o {output}"
    if output.exists() or output.is_symlink():
        raise LiteError(f"{shown} already exists; the site goes into a new folder (remove the old one yourself)")
    if not output.parent.is_dir():
        raise LiteError(f"{shown}: no folder {output.parent} to create it in")
    for what, folder in package_folders().items():
        if _inside(output, folder):
            raise LiteError(f"{shown} is inside the package's {what} folder {folder}; "
                            "expected a folder outside the package (the package's files are never outputs)")
    if notebooks is not None and _inside(output, notebooks):
        raise LiteError(f"{shown} is inside --notebooks {notebooks}; expected a folder outside the site's input")


def _check_cache(cache: Path, shown: str) -> None:
    """The wheel cache: a folder that exists or can be made in one that can be written."""
    from spasm_lib.inputs import InputError, kind_of, writable_folder

    if cache.exists() and not cache.is_dir():
        raise LiteError(f"--cache {shown}: is {kind_of(cache.stat().st_mode)}, not a folder; "
                        "expected a folder for downloaded wheels")
    try:
        writable_folder(cache, f"--cache {shown}")
    except InputError as exc:
        raise LiteError(str(exc)) from None


_CLAIM_SUFFIX = ".spasm-lite-building"


@contextlib.contextmanager
def claim_output(output: str | Path) -> Iterator[Path]:
    """Claim ``output`` for one build: a folder ``.NAME.spasm-lite-building`` beside it, locked.

    Making it is the proof, up front, that the folder can be written in; its lock (``flock``,
    released by the kernel when the process dies, however it dies) tells a second, concurrent
    build of the same site to stop at once. A claim that no process holds was left by a build that
    was killed: it holds only what that build staged there, and is taken over. The finished site is
    staged in the claim and renamed into place, so nothing partial ever has the output's name.
    """
    output = Path(output)
    claim = output.parent / f".{output.name}{_CLAIM_SUFFIX}"
    try:
        claim.mkdir()
    except FileExistsError:
        pass
    except OSError as exc:
        raise LiteError(f"-o {output}: cannot write in {output.parent} ({exc.strerror or exc}); "
                        "expected a folder that can be written") from None
    try:
        handle = os.open(claim, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise LiteError(f"-o {output}: {claim} is in the way ({exc.strerror or exc}); remove it") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)  # the claim is the other build's: left as it is
        raise LiteError(f"-o {output}: another spasm-teach lite is building this site now; "
                        "wait for it to finish, or choose another -o") from None
    try:
        for left in claim.iterdir():  # a killed build's staging
            shutil.rmtree(left) if left.is_dir() and not left.is_symlink() else left.unlink()
        yield claim
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(claim)
        os.close(handle)


def drop_legacy_fonts(site: Path) -> list[Path]:
    """Remove the older formats of every font the built site also carries as WOFF2 (about 2.8 MB of
    Font Awesome: EOT, TTF, WOFF and SVG); the files removed, sorted. A font without a WOFF2 keeps
    all its files."""
    removed = []
    for woff2 in sorted(Path(site).rglob("*.woff2")):
        for suffix in LEGACY_FONT_SUFFIXES:
            older = woff2.with_suffix(suffix)
            if older.is_file() and not older.is_symlink():
                older.unlink()
                removed.append(older)
    return sorted(removed)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def build_site(
    output: str | Path,
    pyodide: str | Path | None = None,
    audience: str = "student",
    cache: str | Path | None = None,
    notebooks: str | Path | None = None,
) -> SiteReport:
    """Build the JupyterLite site into ``output`` (a new folder), atomically.

    Every input is checked first. The site is built in a temporary folder under the system's
    temporary directory (never inside the package or the input), copied into the claim beside
    ``output`` and renamed into place at the end, so a failed or interrupted build leaves no
    partial site, and no temporary file of its own or of pip's.
    """
    if audience not in AUDIENCES:
        raise LiteError(f"--audience {audience}: expected one of {', '.join(AUDIENCES)}")
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        raise LiteError("building a site needs the lite extra: pip install 'spasm-teach[lite]'") from None
    output = Path(output)
    notebooks_given = Path(notebooks) if notebooks is not None else None
    _check_output(output, notebooks_given)
    notebooks = notebooks_given if notebooks_given is not None else package_folders()["notebooks"]
    if notebooks_given is not None and not notebooks_given.is_dir():
        raise LiteError(f"--notebooks {notebooks_given}: no such folder; expected a folder of notebooks (*.ipynb)")
    sources = notebooks_of_site(notebooks, audience)
    if not sources:
        raise LiteError(f"--notebooks {notebooks}: only the lecturer's notebooks; "
                        "expected at least one notebook for students (or --audience instructor)")
    pyodide_url, pyodide_dir = _pyodide_source(pyodide)
    pyodide_files = check_pyodide_dir(pyodide_dir) if pyodide_dir is not None else []
    cache_shown = str(cache) if cache is not None else str(default_cache())
    cache = Path(cache).absolute() if cache is not None else default_cache()
    _check_cache(cache, cache_shown)

    with claim_output(output) as claim, tempfile.TemporaryDirectory(prefix="spasm-teach-lite-") as tmp:
        temp = Path(tmp) / "tmp"  # the build steps' own temporary files (pip's)
        temp.mkdir()
        lite_dir = Path(tmp) / "lite"
        wheels_dir = lite_dir / "wheels"
        wheels_dir.mkdir(parents=True)
        names = site_notebooks(notebooks, lite_dir / "content", audience)
        own = build_own_wheel(Path(tmp) / "own", temp)
        wheels = [own] + widget_wheels(cache, temp)
        for wheel in wheels:
            shutil.copyfile(wheel, wheels_dir / wheel.name)
        build_config, page_config, overrides = lite_config(wheels, pyodide_url)
        _write_json(lite_dir / "jupyter_lite_config.json", build_config)
        _write_json(lite_dir / "jupyter-lite.json", page_config)
        _write_json(lite_dir / "overrides.json", overrides)
        if pyodide_dir is not None:
            static = lite_dir / "static" / "pyodide"
            static.mkdir(parents=True)
            for path in pyodide_files:
                shutil.copyfile(path, static / path.name)
        built = Path(tmp) / "site"
        _jupyter_lite_build(lite_dir, built, temp, _notebooks_time(sources))
        if not (built / _WORKER_DIR).is_dir():
            raise LiteBuildFailed(f"the built site has no {_WORKER_DIR}; the kernel could not find the wheels")
        drop_legacy_fonts(built)
        add_site_helpers(built)
        size = folder_size(built)
        staged = claim / "site"
        shutil.copytree(built, staged, symlinks=True)
        if output.exists() or output.is_symlink():  # made by someone else while this one built
            raise LiteError(f"-o {output} appeared while the site was built; it was left as it is")
        os.replace(staged, output)
    return SiteReport(output, size, str(pyodide_dir or pyodide_url), tuple(names), tuple(w.name for w in wheels))


def _notebooks_time(sources: list[Path]) -> int:
    """The time the site's files carry (``SOURCE_DATE_EPOCH``): when the newest of the notebooks
    the site holds last changed (the lecturer's debrief does not date a student site), so the file
    browser says when the course was updated (not 1980) and the same notebooks still give the same site."""
    return max(int(path.stat().st_mtime) for path in sources)


def default_cache() -> Path:
    """Where downloaded wheels are kept between builds (``$XDG_CACHE_HOME/spasm-teach``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spasm-teach" / "lite-wheels"


def _write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _jupyter_lite_build(lite_dir: Path, output: Path, temp: Path, files_time: int) -> None:
    """``jupyter lite build`` in ``lite_dir``, with this environment's extensions and nothing of the user's.

    Its own config, data and runtime folders are empty temporary ones, so extensions or settings a
    user installed elsewhere do not end up in the site; the federated extensions come from this
    environment (``sys.prefix``): the pyodide kernel and jupyterlab_widgets.
    """
    home = lite_dir.parent / "jupyter-home"
    env = dict(
        os.environ,
        SOURCE_DATE_EPOCH=str(files_time),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    for variable in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        env.pop(variable, None)
    _run(
        [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir), "--output-dir", str(output)],
        "jupyter lite build", temp, env=env, cwd=lite_dir,
    )


# --------------------------------------------------------------------------------------------------
# The site's own helpers: a script the lab page loads (no JupyterLab extension to build)

START_AGAIN_COMMAND = "spasm-teach:start-again"
HELPERS_FOLDER = Path("static", "spasm-teach")
HELPERS_SCRIPT = "lite-helpers.js"
# About how long Python takes to start in a student's browser on a first visit, in seconds: the
# empty-notebook floor of `make bench` was 11 s on an idle machine and 29 to 40 s on two busy cores.
# The page then shows the last real start time on that computer instead.
KERNEL_START_SECONDS = 20


def add_site_helpers(site: Path) -> None:
    """Copy ``lite-helpers.js`` into the built site and load it from the lab page (once)."""
    from importlib import resources

    script = resources.files("spasm_lib").joinpath(HELPERS_SCRIPT).read_text(encoding="utf-8")
    script = script.replace("__KERNEL_START_SECONDS__", str(KERNEL_START_SECONDS))
    script = script.replace("__START_AGAIN_COMMAND__", START_AGAIN_COMMAND)
    folder = site / HELPERS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HELPERS_SCRIPT).write_text(script, encoding="utf-8")
    page = site / "lab" / "index.html"
    html = page.read_text(encoding="utf-8")
    tag = f'<script src="../{HELPERS_FOLDER.as_posix()}/{HELPERS_SCRIPT}" defer></script>'
    if "</head>" not in html:
        raise LiteBuildFailed(f"{page} has no </head>; the site's helpers could not be added")
    page.write_text(html.replace("</head>", f"  {tag}\n  </head>", 1), encoding="utf-8")
