"""Pyodide packages the browser kernel fetches only when a student asks for them (pandas, for a DataFrame).

Why: the JupyterLite kernel starts with only what the notebooks import (:mod:`spasm_lib.lite`);
pandas and numpy would cost every student seconds and megabytes at every start, for a table no
notebook shows. The kernel loads a package when a cell's own code imports it (Pyodide's
``loadPackagesFromImports``), but ``load_facts().frame(...)`` imports pandas inside this package,
where that does not look. :func:`require` fills the gap: in a browser kernel it fetches the package
and what it depends on from the site's own Pyodide distribution, checks each file against the
sha256 of Pyodide's lock, and unpacks it, before the import. Anywhere else it is a plain import.

The fetch is synchronous (an ``XMLHttpRequest`` in the kernel's web worker, where browsers allow
it), because ``frame()`` is an ordinary function and cannot wait for a promise.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import sys
import sysconfig
import zipfile
from collections.abc import Mapping
from types import ModuleType

IN_BROWSER = sys.platform == "emscripten"
_INSTALLER = "spasm-teach"  # what pyodide's loadedPackages records as the source


def require(module: str) -> ModuleType:
    """``import module``; in a browser kernel, Pyodide's own package for it is fetched first if needed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as missing:
        if not IN_BROWSER or missing.name != module:
            raise
    _load_from_pyodide(module)
    importlib.invalidate_caches()
    return importlib.import_module(module)


def packages_to_load(lock: Mapping[str, Mapping], module: str, loaded: set[str]) -> list[str]:
    """The lock names to fetch for ``module``: its package and every dependency not yet ``loaded``,
    dependencies first."""
    package = next((name for name, entry in lock.items() if module in entry.get("imports", ())), None)
    if package is None:
        raise ModuleNotFoundError(f"No module named {module!r} (Pyodide has no package for it)", name=module)
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order or name in loaded:
            return
        for dependency in lock[name].get("depends", ()):
            visit(dependency)
        order.append(name)

    visit(package)
    return order


def _load_from_pyodide(module: str) -> None:  # pragma: no cover - runs only in a browser kernel
    import pyodide_js

    lock = pyodide_js._api.repodata_packages.to_py()
    base = str(pyodide_js._api.config.indexURL)
    loaded = {name for name in lock if getattr(pyodide_js.loadedPackages, name, None)}
    site_packages = sysconfig.get_path("purelib")
    for name in packages_to_load(lock, module, loaded):
        entry = lock[name]
        data = _fetch(base + entry["file_name"])
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise ImportError(f"{entry['file_name']} from {base} does not match the sha256 of pyodide-lock.json")
        with zipfile.ZipFile(io.BytesIO(data)) as wheel:
            wheel.extractall(site_packages)
        setattr(pyodide_js.loadedPackages, name, _INSTALLER)


def _fetch(url: str) -> bytes:  # pragma: no cover - runs only in a browser kernel
    from js import XMLHttpRequest

    request = XMLHttpRequest.new()
    request.open("GET", url, False)
    request.responseType = "arraybuffer"
    request.send(None)
    if request.status != 200:
        raise ImportError(f"{url}: HTTP {request.status}")
    return request.response.to_bytes()
