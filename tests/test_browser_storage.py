"""The files a memory-only JupyterLite kernel keeps in the browser (spasm_lib.browser_storage).

Pyodide is not here: its file system is a fake that records each mount and each sync, and lets the
test decide when IndexedDB answers. What matters is the order: the kept files are read back before
anything is written back (IDBFS makes the browser's copy equal to memory's, so a write back first
would drop them), a write asked for meanwhile follows the read back, and only one write runs at a time.
"""

from __future__ import annotations

import sys
import types

import pytest

from spasm_lib import browser_storage


class FakeFS:
    def __init__(self):
        self.mounts: list[str] = []
        self.filesystems = types.SimpleNamespace(IDBFS="IDBFS")

    def mount(self, kind, _options, where):
        assert kind == "IDBFS"
        self.mounts.append(where)


@pytest.fixture
def pyodide(monkeypatch, tmp_path):
    """A Pyodide kernel working in memory; its syncs are recorded and answered by the test."""
    fs = FakeFS()
    fs.syncs = []  # (read_back, done)
    monkeypatch.setattr(sys, "platform", "emscripten")
    monkeypatch.chdir(tmp_path)  # a working folder that is not /drive: memory only
    monkeypatch.setattr(browser_storage, "KEPT_FOLDER", tmp_path / "kept")
    monkeypatch.setitem(sys.modules, "pyodide_js", types.SimpleNamespace(FS=fs))
    monkeypatch.setitem(sys.modules, "js", types.SimpleNamespace(Object=types.SimpleNamespace(new=dict)))
    ffi = types.ModuleType("pyodide.ffi")
    ffi.create_once_callable = lambda f: f
    monkeypatch.setitem(sys.modules, "pyodide", types.ModuleType("pyodide"))
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    monkeypatch.setattr(browser_storage, "_sync", lambda read_back, done: fs.syncs.append((read_back, done)))
    for name, value in vars(browser_storage._State).items():
        if not name.startswith("__") and name != "read_back_hooks":  # the hooks modules registered at import stay
            monkeypatch.setattr(browser_storage._State, name, [] if isinstance(value, list) else value)
    monkeypatch.delenv("SPASM_TRACE_DIR", raising=False)
    return fs


def test_nothing_happens_outside_pyodide(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert browser_storage.memory_only() is False
    assert browser_storage.kept_folder() is None
    assert browser_storage.restored() is True
    called = []
    browser_storage.when_restored(lambda: called.append(1))
    assert called == [1]
    browser_storage.persist()  # no Pyodide module to call: it must not try


def test_the_kept_folder_is_read_back_before_anything_is_written_back(pyodide, tmp_path):
    from spasm_lib.trace import trace_folder

    assert trace_folder() == tmp_path / "kept"
    assert pyodide.mounts == [str(tmp_path / "kept")]
    assert [populate for populate, _ in pyodide.syncs] == [True]  # the read back, not yet answered
    filled = []
    browser_storage.when_restored(lambda: filled.append("filled"))
    browser_storage.persist()  # a write asked for now must wait
    assert [populate for populate, _ in pyodide.syncs] == [True]
    assert filled == [] and browser_storage.restored() is False
    pyodide.syncs[0][1](None)  # IndexedDB answers: the files are back
    assert filled == ["filled"] and browser_storage.restored() is True
    assert [populate for populate, _ in pyodide.syncs] == [True, False]  # then the write back
    browser_storage.persist()
    browser_storage.persist()
    assert len(pyodide.syncs) == 2  # one write at a time; the next follows it
    pyodide.syncs[1][1](None)
    assert [populate for populate, _ in pyodide.syncs] == [True, False, False]
    assert trace_folder() == tmp_path / "kept" and pyodide.mounts == [str(tmp_path / "kept")]  # mounted once


def test_the_student_number_kept_in_the_browser_is_used_once_read_back(pyodide, tmp_path, monkeypatch):
    from spasm_lib import identity, recorder, trace  # identity registers its hook when imported (no import circle)

    told = []
    monkeypatch.setattr(recorder, "use_student", told.append)
    assert trace.trace_folder() == tmp_path / "kept"
    (tmp_path / "kept" / identity.IDENTITY_FILE).write_text('{"student": "s017"}\n', encoding="utf-8")
    assert told == []  # not before IndexedDB answers
    pyodide.syncs[0][1](None)
    assert told == ["s017"]
    browser_storage.after_read_back(lambda: told.append("late"))  # a hook registered afterwards runs at once
    assert told == ["s017", "late"]


def test_in_the_drive_the_working_folder_is_kept(pyodide, monkeypatch):
    monkeypatch.setattr(browser_storage, "DRIVE", browser_storage.Path.cwd())
    from spasm_lib.trace import trace_folder

    assert trace_folder() == browser_storage.Path.cwd()
    assert pyodide.mounts == [] and pyodide.syncs == []


class Stamp:
    def __init__(self, t):
        self.t = t

    def getTime(self):  # noqa: N802 - JavaScript's Date
        return self.t


def entry(t):
    """An IDBFS entry: ``{timestamp: Date}``."""
    return types.SimpleNamespace(timestamp=Stamp(t))


def test_a_sync_only_adds_and_updates_never_removes_or_puts_an_older_copy_back(monkeypatch):
    """IDBFS's sets of entries (path -> timestamp), local (this kernel) and remote (the browser's)."""
    local = types.SimpleNamespace(entries={"/k": entry(1), "/k/mine": entry(5), "/k/both": entry(3), "/k/old": entry(2)})
    remote = types.SimpleNamespace(entries={"/k": entry(1), "/k/theirs": entry(4), "/k/both": entry(1), "/k/old": entry(9)})
    reconciled = []

    def reconcile(source, target, done):
        reconciled.append((sorted(source.entries), sorted(target.entries)))
        done(None)

    idbfs = types.SimpleNamespace(
        getLocalSet=lambda mount, cb: cb(None, local),
        getRemoteSet=lambda mount, cb: cb(None, remote),
        reconcile=reconcile,
    )
    fs = types.SimpleNamespace(filesystems=types.SimpleNamespace(IDBFS=idbfs),
                               lookupPath=lambda path: types.SimpleNamespace(node=types.SimpleNamespace(mount="m")))
    js = types.SimpleNamespace(
        Object=types.SimpleNamespace(keys=lambda d: list(d)),
        Reflect=types.SimpleNamespace(get=lambda d, k: d.get(k), deleteProperty=lambda d, k: d.pop(k, None)),
    )
    ffi = types.ModuleType("pyodide.ffi")
    ffi.create_once_callable = lambda f: f
    monkeypatch.setitem(sys.modules, "js", js)
    monkeypatch.setitem(sys.modules, "pyodide", types.ModuleType("pyodide"))
    monkeypatch.setitem(sys.modules, "pyodide.ffi", ffi)
    monkeypatch.setitem(sys.modules, "pyodide_js", types.SimpleNamespace(FS=fs))
    done = []
    browser_storage._sync(False, done.append)  # a write back: local -> remote
    # "/k/theirs" (another kernel's) is not removed; "/k/old" is newer there and left; "/k/mine" and
    # "/k/both" (newer here) go. IDBFS's reconcile writes what differs in source and removes what
    # target has beyond it: so target keeps only entries source has.
    assert reconciled == [(["/k", "/k/both", "/k/mine"], ["/k", "/k/both"])]
    assert done == [None]


def test_a_browser_that_keeps_nothing_is_said_on_the_recording_widgets(pyodide, monkeypatch, tmp_path):
    from spasm_lib.recorder import Recorder
    from spasm_lib.widgets.notice import notice_line

    why = "This browser keeps no files for the notebook (no IndexedDB); your work lasts until the kernel restarts."
    monkeypatch.setattr(browser_storage._State, "problem", why)
    recorder = Recorder("00_start_here", folder=tmp_path, enabled=True)
    assert recorder.notice == why
    assert why in notice_line(recorder).value
    monkeypatch.setattr(browser_storage._State, "problem", None)
    assert Recorder("00_start_here", folder=tmp_path, enabled=True).notice is None
    assert notice_line(Recorder("00_start_here", folder=tmp_path, enabled=True)).value == ""
