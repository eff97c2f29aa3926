"""The wheels a JupyterLite site carries: this package, built from the running source tree, and the
widget wheels (ipywidgets, comm, jupyterlab_widgets), downloaded once into a cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from spasm_lib import __version__
from spasm_lib.lite_pyodide import LiteBuildFailed, LiteError

# Pure-Python wheels from PyPI that the notebooks need and Pyodide does not ship. Their versions
# are the ones installed here, so the kernel side of ipywidgets matches the JupyterLab extension
# (jupyterlab_widgets) that `jupyter lite build` copies from this same environment.
WIDGET_DISTRIBUTIONS = ("ipywidgets", "comm", "jupyterlab_widgets")
# Of those, what the kernel loads at start (jupyterlab_widgets is the browser side; piplite has it).
KERNEL_WIDGET_DISTRIBUTIONS = ("ipywidgets", "comm")

# The files the wheel is built from (pyproject.toml maps data/ and notebooks/ into the package).
_WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "spasm_lib", "data", "notebooks")
# Fixed file times: the same inputs give the same site (JupyterLite and setuptools both read it).
_SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold


def project_root() -> Path:
    """The source tree of the running package (the site's wheel is built from it)."""
    root = Path(__file__).resolve().parents[1]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or 'name = "spasm-teach"' not in pyproject.read_text(encoding="utf-8"):
        raise LiteError(
            f"the running spasm_lib ({Path(__file__).parent}) is not in a source tree; build the site from a clone"
        )
    return root


def run_step(command: list[str], what: str, temp: Path, env: Mapping[str, str] | None = None, **kwargs) -> None:
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
    run_step(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--disable-pip-version-check", "--quiet", "-w", str(into), str(source)],
        "building the spasm-teach wheel", into, env=env,
    )
    wheels = sorted(into.glob(f"spasm_teach-{__version__}-*.whl"))
    if len(wheels) != 1:
        raise LiteBuildFailed(f"building the spasm-teach wheel gave {[w.name for w in into.iterdir()]}")
    return wheels[0]


def widget_wheels(cache: Path, temp: Path) -> list[Path]:
    """The widget wheels from ``cache``, downloaded there first if missing (pure Python, from PyPI),
    at the versions installed in this environment."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for name in WIDGET_DISTRIBUTIONS:  # no '-' in these names: a wheel's file name spells them the same
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            raise LiteError(f"{name} is not installed here; install spasm-teach with its dependencies") from None
        wanted[f"{name}=={version}"] = f"{name}-{version}-*-none-any.whl"

    def cached() -> dict[str, Path]:
        return {r: w for r, pattern in wanted.items() for w in sorted(cache.glob(pattern))[:1]}

    missing = [r for r in wanted if r not in cached()]
    if missing:
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            run_step(
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
    return list(found.values())
