"""The course as a JupyterLite site: JupyterLab and a Python kernel (Pyodide) in the student's browser.

``spasm-teach lite -o SITE`` builds a static folder that any web server can serve: the notebooks,
this package as a wheel built from the running version, the widget wheels, and JupyterLite itself
(``jupyter lite build``, from the ``lite`` extra). With ``--pyodide DIR`` a local Pyodide
distribution is copied into the site and the site needs no network at all; without it the kernel
loads Pyodide from its usual online location.

How the notebooks run with nothing for the student to type: the stored notebooks stay exactly as
nbval checks them (no ``%pip install`` cell is added). Instead the site tells the Pyodide kernel to
load, as it starts, Pyodide's own numpy, pandas and matplotlib and the wheels of this package and
of ipywidgets (``loadPyodideOptions.packages`` of the pyodide-kernel settings). A wheel given by
URL is installed as it is, without resolving its ``Requires-Dist``; that is what we want, since the
server-side dependencies (JupyterLab, papermill, nbconvert) have no place in a browser. The same
wheels are also listed for piplite, with PyPI's fallback switched off, so ``%pip install ipywidgets``
finds them locally and nothing is fetched from an index.

This module only builds; nothing here runs inside Pyodide.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from spasm_lib import __version__
from spasm_lib.records import AUDIENCES

# The versions that were tried together and work (DESIGN.md, "JupyterLite, offline"):
# jupyterlite-core 0.5.1 with jupyterlite-pyodide-kernel 0.5.2 run Pyodide 0.27.x (Python 3.12).
# One Pyodide version for the online and the offline site, so both run the same numpy, pandas and
# matplotlib (0.27.7: numpy 2.0.2, pandas 2.2.3, matplotlib 3.8.4). Change it together with the
# `lite` extra in pyproject.toml and tools/fetch_pyodide.py's pinned download hashes.
PYODIDE_VERSION = "0.27.7"
PYODIDE_ONLINE = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"

# What the library imports that Pyodide itself provides (the lock names; their dependencies follow).
LIBRARY_PACKAGES = ("numpy", "pandas", "matplotlib")
# What the pyodide kernel loads from Pyodide as it starts (its worker asks piplite for these; the
# rest of its list, ipykernel and pyodide_kernel, ships with the kernel extension, comm with us).
KERNEL_PACKAGES = ("micropip", "ipython", "ssl", "sqlite3")
# Pure-Python wheels from PyPI that the notebooks need and Pyodide does not ship. Their versions
# are the ones installed here, so the kernel side of ipywidgets matches the JupyterLab extension
# (jupyterlab_widgets) that `jupyter lite build` copies from this same environment.
WIDGET_DISTRIBUTIONS = ("ipywidgets", "comm", "jupyterlab_widgets")

# Pyodide's files that a site needs (the rest of the npm package: type definitions, source maps,
# a console page).
PYODIDE_CORE_FILES = (
    "pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
    "pyodide-lock.json", "package.json",
)

# The files the wheel is built from (pyproject.toml maps data/ and notebooks/ into the package).
_WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "spasm_lib", "data", "notebooks")

SITE_NAME = "spasm-teach"
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
    try:
        lock = json.loads(path.read_text(encoding="utf-8"))
        version = lock["info"]["version"]
        packages = lock["packages"]
    except (ValueError, KeyError, TypeError):
        raise LiteError(f"--pyodide {folder}: pyodide-lock.json is not a Pyodide lock file") from None
    if version != PYODIDE_VERSION or not isinstance(packages, dict):
        raise LiteError(f"--pyodide {folder}: Pyodide {version}; expected Pyodide {PYODIDE_VERSION}")
    return lock


def needed_packages(lock: Mapping, roots: Iterable[str] = LIBRARY_PACKAGES + KERNEL_PACKAGES) -> list[str]:
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


def check_pyodide_dir(folder: Path) -> list[Path]:
    """The files of a local Pyodide distribution that a site copies, each checked.

    Every core file must be there, and every package the notebooks and the kernel need, each
    matching the sha256 of the lock: a site that lacks one fails in the student's browser, so it
    is refused here instead.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LiteError(f"--pyodide {folder}: no such folder; expected a Pyodide {PYODIDE_VERSION} folder or an http(s) URL")
    lock = read_lock(folder)
    missing = [name for name in PYODIDE_CORE_FILES if not (folder / name).is_file()]
    files = [folder / name for name in PYODIDE_CORE_FILES]
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


def _run(command: list[str], what: str, **kwargs) -> None:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise LiteBuildFailed(f"{what} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-4000:]}")


def build_own_wheel(into: Path) -> Path:
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
        "building the spasm-teach wheel", env=env,
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


def widget_wheels(cache: Path) -> list[Path]:
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
                f"downloading {', '.join(missing)} into {cache}",
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


def site_notebooks(source: Path, into: Path, audience: str) -> list[str]:
    """Copies of the notebooks for the site: as stored, or with ``audience = "instructor"`` injected.

    The instructor copy gets papermill's own injected-parameters cell after the parameters cell
    (as a papermill run would), in the site only; notebooks/ is never touched.
    """
    into.mkdir(parents=True, exist_ok=True)
    names = []
    from spasm_lib.params import for_students

    for path in sorted(Path(source).glob("*.ipynb")):
        if audience == "student" and not for_students(path):
            continue  # the class debrief is the lecturer's
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
    if not names:
        raise LiteError(f"no notebooks (*.ipynb) in {source}")
    return names


def _wheel_url(wheel_name: str) -> str:
    """Where the kernel worker finds a wheel of the site's ``pypi/`` folder (relative to itself)."""
    up = "/".join(".." for _ in _WORKER_DIR.parts)
    return f"{up}/pypi/{wheel_name}"


def lite_config(wheels: list[Path], pyodide_url: str) -> tuple[dict, dict, dict]:
    """``jupyter_lite_config.json``, ``jupyter-lite.json`` and ``overrides.json`` of the site."""
    build_config = {
        "LiteBuildConfig": {
            "contents": ["content"],
            "no_sourcemaps": True,
            "no_unused_shared_packages": True,
        },
        "PipliteAddon": {"piplite_urls": [f"wheels/{w.name}" for w in wheels]},
    }
    page_config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": f"{SITE_NAME} (JupyterLite)",
            "disabledExtensions": ["@jupyterlab/apputils-extension:announcements"],
            "litePluginSettings": {
                _KERNEL_SETTINGS: {
                    "pyodideUrl": pyodide_url,
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {
                        "packages": list(LIBRARY_PACKAGES) + [_wheel_url(w.name) for w in wheels],
                    },
                }
            },
        },
    }
    # Every cell rendered (JupyterLab's default windowing resizes cells as they scroll into view,
    # so a control near the end of a long notebook moves under the pointer).
    overrides = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}
    return build_config, page_config, overrides


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


def _check_output(output: Path) -> None:
    if output.exists() or output.is_symlink():
        raise LiteError(f"-o {output} already exists; the site goes into a new folder (remove the old one yourself)")
    if not output.parent.is_dir():
        raise LiteError(f"-o {output}: no folder {output.parent} to create it in")


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

    Everything is built in a temporary folder beside ``output`` and renamed into place at the end,
    so a failed or interrupted build leaves no partial site.
    """
    if audience not in AUDIENCES:
        raise LiteError(f"--audience {audience}: expected one of {', '.join(AUDIENCES)}")
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        raise LiteError("building a site needs the lite extra: pip install 'spasm-teach[lite]'") from None
    output = Path(output)
    _check_output(output)
    output = output.absolute()  # jupyter lite build runs in a folder of its own
    pyodide_url, pyodide_dir = _pyodide_source(pyodide)
    pyodide_files = check_pyodide_dir(pyodide_dir) if pyodide_dir is not None else []
    if notebooks is None:
        from importlib import resources

        notebooks = Path(str(resources.files("spasm_lib.notebooks")))
    cache = Path(cache).absolute() if cache is not None else default_cache()

    with tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as tmp:
        lite_dir = Path(tmp) / "lite"
        wheels_dir = lite_dir / "wheels"
        wheels_dir.mkdir(parents=True)
        names = site_notebooks(Path(notebooks), lite_dir / "content", audience)
        own = build_own_wheel(Path(tmp) / "own")
        wheels = [own] + widget_wheels(cache)
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
        _jupyter_lite_build(lite_dir, built)
        if not (built / _WORKER_DIR).is_dir():
            raise LiteBuildFailed(f"the built site has no {_WORKER_DIR}; the kernel could not find the wheels")
        size = folder_size(built)
        os.replace(built, output)
    return SiteReport(output, size, str(pyodide_dir or pyodide_url), tuple(names), tuple(w.name for w in wheels))


def default_cache() -> Path:
    """Where downloaded wheels are kept between builds (``$XDG_CACHE_HOME/spasm-teach``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spasm-teach" / "lite-wheels"


def _write_json(path: Path, value: dict) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _jupyter_lite_build(lite_dir: Path, output: Path) -> None:
    """``jupyter lite build`` in ``lite_dir``, with this environment's extensions and nothing of the user's.

    Its own config, data and runtime folders are empty temporary ones, so extensions or settings a
    user installed elsewhere do not end up in the site; the federated extensions come from this
    environment (``sys.prefix``): the pyodide kernel and jupyterlab_widgets.
    """
    home = lite_dir.parent / "jupyter-home"
    env = dict(
        os.environ,
        SOURCE_DATE_EPOCH=_SOURCE_DATE_EPOCH,
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    for variable in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH"):
        env.pop(variable, None)
    _run(
        [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir), "--output-dir", str(output)],
        "jupyter lite build", cwd=lite_dir, env=env,
    )
