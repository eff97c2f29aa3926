"""A student's files kept in the browser when JupyterLite's kernel works in memory only.

Why: JupyterLite's Pyodide kernel works in the site's own file storage (``/drive``, kept in the
browser's IndexedDB) only when the browser lets the site run its service worker (or the page is
cross-origin isolated). Without one (a private window, a browser or a page that refuses service
workers) its working folder is memory only, and a kernel restart loses every file written there:
the student's number, trace and case-study answers with it, while the worksheet says they are kept.

Then the trace folder (:func:`spasm_lib.trace.trace_folder`) is :data:`KEPT_FOLDER`, mounted on
Emscripten's IDBFS (the browser's IndexedDB, on the student's machine; nothing is sent anywhere):
read back once as the package is imported (:func:`start`, asynchronous, as IndexedDB is), and
written back after each change (:func:`persist`), one write at a time and never before the read
back has finished. Each sync only adds and updates (:func:`_sync`): every notebook's kernel shares
the one database, and none may drop what another kept.

Everywhere else (CPython, JupyterLite with its drive) every function here does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

KEPT_FOLDER = Path("/home/pyodide/spasm-teach-kept")
"""Where the files go in a memory-only browser kernel (an IndexedDB database of this name and site)."""
DRIVE = Path("/drive")
"""Where JupyterLite mounts the site's file storage when it can (its kernels then work there)."""


class _State:
    mounted = False
    restored = False
    writing = False
    write_again = False
    problem: str | None = None
    waiting: list[Callable[[], None]] = []
    read_back_hooks: list[Callable[[], None]] = []


def after_read_back(hook: Callable[[], None]) -> None:
    """Run ``hook`` once the files kept in the browser are read back (now, if they already are).
    :mod:`spasm_lib.identity` registers the stored student number this way, so this module needs
    neither it nor :mod:`spasm_lib.trace` (no import circle)."""
    _State.read_back_hooks.append(hook)
    if _State.restored:
        hook()


def memory_only() -> bool:
    """A Pyodide kernel whose working folder is not JupyterLite's drive (files gone on a restart)."""
    if sys.platform != "emscripten":
        return False
    cwd = Path.cwd()
    return cwd != DRIVE and DRIVE not in cwd.parents


def _fs():
    import pyodide_js  # only in Pyodide

    return pyodide_js.FS


def start() -> None:
    """Mount :data:`KEPT_FOLDER` on IndexedDB and read the kept files back (once per kernel)."""
    if _State.mounted or not memory_only():
        return
    try:
        import js
        from pyodide.ffi import create_once_callable

        fs = _fs()
        KEPT_FOLDER.mkdir(parents=True, exist_ok=True)
        fs.mount(fs.filesystems.IDBFS, js.Object.new(), str(KEPT_FOLDER))
        _State.mounted = True
        _sync(True, create_once_callable(_read_back))
    except Exception as error:  # no IndexedDB (the browser refuses it): files stay in memory
        _State.problem = f"This browser keeps no files for the notebook ({error}); your work lasts until the kernel restarts."


def _read_back(error=None) -> None:
    _State.restored = True
    if error:
        _State.problem = f"Your earlier work kept in this browser could not be read back ({error})."
    for hook in _State.read_back_hooks:  # the student number saved before the restart (spasm_lib.identity)
        hook()
    waiting, _State.waiting = _State.waiting, []
    for callback in waiting:
        callback()
    persist()  # anything written meanwhile


def kept_folder() -> Path | None:
    """:data:`KEPT_FOLDER` when this kernel keeps its files there, else None (use the working folder)."""
    start()
    return KEPT_FOLDER if _State.mounted else None


def problem() -> str | None:
    """Why the files are not kept in the browser, in a student's words (None when they are, or need not be)."""
    return _State.problem


def restored() -> bool:
    """Whether the kept files are back (always, where nothing needs reading back)."""
    return _State.restored or not _State.mounted


def when_restored(callback: Callable[[], None]) -> None:
    """Call ``callback`` once the kept files are back: now, or when the read back finishes."""
    if restored():
        callback()
    else:
        _State.waiting.append(callback)


def persist() -> None:
    """Write the kept folder back to IndexedDB (after the read back; one write at a time)."""
    if not _State.mounted or not _State.restored:
        return
    if _State.writing:
        _State.write_again = True
        return
    from pyodide.ffi import create_once_callable

    _State.writing, _State.write_again = True, False
    _sync(False, create_once_callable(_written))


def _sync(read_back: bool, done) -> None:
    """IDBFS's own sync (``FS.syncfs``) of the kept folder, that only adds and updates: a file is
    never removed, and never replaced by an older copy. The notebooks' kernels, each with its
    files in memory, share one database: a file another kernel wrote since (the student number,
    another notebook's trace) is left as it is there, and a file written here before the read back
    stays here."""
    import js
    from pyodide.ffi import create_once_callable

    fs = _fs()
    idbfs = fs.filesystems.IDBFS
    mount = fs.lookupPath(str(KEPT_FOLDER)).node.mount

    def got_local(error, local):
        if error:
            return done(error)

        def got_remote(error, remote):
            if error:
                return done(error)
            source, target = (remote, local) if read_back else (local, remote)
            for key in list(js.Object.keys(target.entries)):
                mine = js.Reflect.get(source.entries, key)
                theirs = js.Reflect.get(target.entries, key)
                if mine is None:
                    js.Reflect.deleteProperty(target.entries, key)  # not removed
                elif mine.timestamp.getTime() < theirs.timestamp.getTime():
                    js.Reflect.deleteProperty(source.entries, key)  # the newer copy is kept
                    js.Reflect.deleteProperty(target.entries, key)
            idbfs.reconcile(source, target, done)

        idbfs.getRemoteSet(mount, create_once_callable(got_remote))

    idbfs.getLocalSet(mount, create_once_callable(got_local))


def _written(error=None) -> None:
    _State.writing = False
    if error:
        _State.problem = f"Your work could not be kept in this browser ({error}); it lasts until the kernel restarts."
    if _State.write_again:
        persist()
