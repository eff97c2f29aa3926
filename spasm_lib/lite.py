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
a student's saved copy over the site's file. Beside it, the views' stylesheet
(``static/spasm-teach/spasm-view.css``, linked by the lab page), so the stored outputs of a notebook
opened untrusted keep their look though the sanitizer drops their ``<style>``.

The builder is split by job: :mod:`spasm_lib.lite_pyodide` (which Pyodide, checked),
:mod:`spasm_lib.lite_wheels` (the wheels), :mod:`spasm_lib.lite_settings` (what the pages are told,
and the helper script), :mod:`spasm_lib.lite_trim` (what the site leaves out); this module checks
the inputs, runs ``jupyter lite build`` and puts the finished site in place atomically. It only
builds; nothing here runs inside Pyodide.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spasm_lib.files import inside, inside_package
from spasm_lib.inputs import read_notebook, writable_folder
from spasm_lib.lite_pyodide import LiteBuildFailed, LiteError, check_pyodide_dir, pyodide_source
from spasm_lib.lite_settings import add_site_helpers, lite_config
from spasm_lib.lite_trim import WORKER_DIR, trim_site
from spasm_lib.lite_wheels import build_own_wheel, run_step, widget_wheels
from spasm_lib.packaged import notebooks_dir
from spasm_lib.vocabulary import AUDIENCES

__all__ = ["SiteReport", "build_site", "notebooks_of_site", "site_notebooks"]


@dataclass(frozen=True)
class SiteReport:
    """What was built: where, how big, from which Pyodide, with which notebooks and wheels."""

    output: Path
    size_bytes: int
    pyodide: str  # the folder copied in, or the URL the kernel loads Pyodide from
    notebooks: tuple[str, ...]
    wheels: tuple[str, ...]


# --------------------------------------------------------------------------------------------------
# The site


def notebooks_of_site(source: Path, audience: str) -> list[Path]:
    """The notebooks of ``source`` (``*.ipynb``, not hidden) that a site for ``audience`` holds,
    sorted: all of them for the lecturer, all but the lecturer's own (the class debrief) for students.
    Each is read with bounds and validated as ``handouts --notebooks`` validates them: a broken one
    is refused before anything is built. The one list of what a site holds: the build copies these,
    dates the site by them, and the Lite tests run these."""
    from spasm_lib.params import for_students

    found = sorted(p for p in Path(source).glob("*.ipynb") if not p.name.startswith("."))
    if not found:
        raise LiteError(f"--notebooks {source}: no notebooks (*.ipynb) in that folder")
    for path in found:
        read_notebook(path, "--notebooks")  # an InputError: bad input, as a LiteError is
    return [path for path in found if audience != "student" or for_students(path)]


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


def _check_output(output: Path, notebooks: Path | None) -> None:
    """Refused before anything runs: an output that exists, has no parent folder, or lies inside
    the package's own folders or the notebooks the site is built from."""
    shown = f"-o {output}"
    if output.exists() or output.is_symlink():
        raise LiteError(f"{shown} already exists; the site goes into a new folder (remove the old one yourself)")
    if not output.parent.is_dir():
        raise LiteError(f"{shown}: no folder {output.parent} to create it in")
    package = inside_package(output)
    if package is not None:
        raise LiteError(f"{shown} is inside the package's own files ({package}); "
                        "expected a folder outside the package (the package's files are never outputs)")
    if notebooks is not None and inside(output, [notebooks.resolve()]):
        raise LiteError(f"{shown} is inside --notebooks {notebooks}; expected a folder outside the site's input")


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

    Every input is checked first. The site is built in the claim beside ``output`` (its working
    files, pip's among them, in a temporary folder under the system's temporary directory: never
    inside the package or the input) and renamed into place at the end, so a failed or interrupted
    build leaves no partial site, and no temporary file of its own or of pip's.
    """
    if audience not in AUDIENCES:
        raise LiteError(f"--audience {audience}: expected one of {', '.join(AUDIENCES)}")
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        raise LiteError("building a site needs the lite extra: pip install 'spasm-teach[lite]'") from None
    output = Path(output)
    given = Path(notebooks) if notebooks is not None else None
    _check_output(output, given)
    if given is not None and not given.is_dir():
        raise LiteError(f"--notebooks {given}: no such folder; expected a folder of notebooks (*.ipynb)")
    notebooks = given or notebooks_dir()
    sources = notebooks_of_site(notebooks, audience)
    if not sources:
        raise LiteError(f"--notebooks {notebooks}: only the lecturer's notebooks; "
                        "expected at least one notebook for students (or --audience instructor)")
    pyodide_url, pyodide_dir = pyodide_source(pyodide)
    pyodide_files = check_pyodide_dir(pyodide_dir) if pyodide_dir is not None else []
    cache_shown = cache if cache is not None else default_cache()
    cache = Path(cache_shown).absolute()
    writable_folder(cache, f"--cache {cache_shown}")  # the wheel cache: a folder, or one that can be made

    with claim_output(output) as claim, tempfile.TemporaryDirectory(prefix="spasm-teach-lite-") as tmp:
        temp = Path(tmp) / "tmp"  # the build steps' own temporary files (pip's)
        temp.mkdir()
        lite_dir = Path(tmp) / "lite"
        wheels_dir = lite_dir / "wheels"
        wheels_dir.mkdir(parents=True)
        names = site_notebooks(notebooks, lite_dir / "content", audience)
        wheels = [build_own_wheel(Path(tmp) / "own", temp)] + widget_wheels(cache, temp)
        for wheel in wheels:
            shutil.copyfile(wheel, wheels_dir / wheel.name)
        for name, value in zip(("jupyter_lite_config.json", "jupyter-lite.json", "overrides.json"),
                               lite_config(wheels, pyodide_url)):
            (lite_dir / name).write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if pyodide_dir is not None:
            static = lite_dir / "static" / "pyodide"
            static.mkdir(parents=True)
            for path in pyodide_files:
                shutil.copyfile(path, static / path.name)
        site = claim.absolute() / "site"  # the build runs in lite_dir: a relative -o would land there
        # The files' time: when the newest notebook of the site last changed (the lecturer's debrief
        # does not date a student site), so the file browser says when the course was updated (not
        # 1980) and the same notebooks still give the same site.
        _jupyter_lite_build(lite_dir, site, temp, max(int(path.stat().st_mtime) for path in sources))
        if not (site / WORKER_DIR).is_dir():
            raise LiteBuildFailed(f"the built site has no {WORKER_DIR}; the kernel could not find the wheels")
        trim_site(site)
        add_site_helpers(site)
        size = folder_size(site)
        if output.exists() or output.is_symlink():  # made by someone else while this one built
            raise LiteError(f"-o {output} appeared while the site was built; it was left as it is")
        os.replace(site, output)
    return SiteReport(output, size, str(pyodide_dir or pyodide_url), tuple(names), tuple(w.name for w in wheels))


def default_cache() -> Path:
    """Where downloaded wheels are kept between builds (``$XDG_CACHE_HOME/spasm-teach``)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "spasm-teach" / "lite-wheels"


def _jupyter_lite_build(lite_dir: Path, output: Path, temp: Path, files_time: int) -> None:
    """``jupyter lite build`` in ``lite_dir``, with this environment's extensions and nothing of the user's.

    Its own config, data and runtime folders are empty temporary ones, so extensions or settings a
    user installed elsewhere do not end up in the site; the federated extensions come from this
    environment (``sys.prefix``): the pyodide kernel and jupyterlab_widgets.
    """
    home = lite_dir.parent / "jupyter-home"
    env = {name: value for name, value in os.environ.items() if name not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH")}
    env.update(SOURCE_DATE_EPOCH=str(files_time), JUPYTER_PLATFORM_DIRS="1", JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    run_step(
        [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir), "--output-dir", str(output)],
        "jupyter lite build", temp, env=env, cwd=lite_dir,
    )

