"""The folder a class set is built into: which files the build owns, and one build at a time.

Decisions (the "nothing lost" standard applied to a folder an instructor may also keep notes in):

* The build owns exactly the files its manifest lists: ``.spasm-teach-set.json`` in the folder,
  with the SHA-256 of the bytes it wrote for each name. Nothing else in the folder is read, replaced
  or removed. A name without a checksum (``null``, as an earlier version wrote for a name it only
  planned) is not ownership.
* Before any kernel starts, every name the build will write is checked. A file there that the
  manifest does not list, or whose bytes changed since the build wrote it, is the user's: the build
  is refused, naming it. A folder, device, FIFO, socket or symbolic link at such a name is refused
  too. A manifest that is not one this command wrote (bad JSON, or a name that is not a plain file
  name such as ``../x``) is refused rather than trusted.
* A name is claimed only by writing it: before each file is renamed into place, the manifest is
  saved with that file's new checksum (next to the one it had, if an earlier build wrote it), so a
  build killed outright (even by SIGKILL) still owns exactly what it wrote, and a name it only
  planned stays free: a file of the user's put there afterwards is refused, never replaced.
* After a complete build, files an earlier build wrote and this one did not (a notebook left out,
  fewer students, a handout that failed this time) are removed, but only if their bytes are still
  the ones recorded. An interrupted build removes nothing.
* One build at a time: an exclusive ``flock`` on the folder itself, held for the whole build. A
  second build into the same folder is refused at once with one line. The lock belongs to the
  process, so a killed build leaves no stale lock file behind.
* Sub-folders: a name may sit one folder down (``students/index.html``), so that a set keeps its
  student and instructor files apart; the one manifest at the top lists them all by that path.
  A sub-folder is made when its first file is written; one that is there already must be a real
  folder (a file, a symbolic link or a device there is refused before anything runs), and a stale
  file is removed from it only while it still is one. Folders are never removed.
* Moving to another layout is the stale-file rule above: a build whose names moved into
  sub-folders replaces an earlier build's ``index.html`` (if unchanged) and removes the earlier
  build's other top-level files that it recorded and nobody changed; anything else stays.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path

from spasm_lib.inputs import InputError, file_kind

MANIFEST = ".spasm-teach-set.json"
MANIFEST_LIMIT = 16 * 1024 * 1024
"""A manifest larger than this is not one this command wrote (it lists file names and digests)."""


class SetFolderError(InputError):
    """The set cannot be built into this folder as asked: one line naming the file or the folder."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain_part(name: str) -> bool:
    return (name not in ("", ".", "..") and not name.startswith(".")
            and "/" not in name and "\\" not in name and "\0" not in name)


def _plain_name(name: object) -> bool:
    """A file name of the set: ``a.html`` or, one folder down, ``students/a.html`` (no ``..``, no
    hidden part, nothing absolute): a manifest can never point the build outside its folder."""
    return isinstance(name, str) and 0 < len(parts := name.split("/")) <= 2 and all(_plain_part(p) for p in parts)


def _folder_of(name: str) -> str | None:
    """The sub-folder a name sits in (``students``), or None at the top."""
    return name.split("/", 1)[0] if "/" in name else None


class SetFolder:
    """Open with :meth:`open` (lock, read the manifest, check and claim the names), write with
    :meth:`write`, end with :meth:`finish`; :meth:`close` (or the ``with`` block) releases the lock."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.manifest_path = self.path / MANIFEST
        self.owned: dict[str, str] = {}
        self.written: dict[str, str] = {}
        self._fd: int | None = None

    # -- opening

    def open(self, names: Iterable[str]) -> SetFolder:
        """Lock the folder (made if missing), then check and claim ``names``; raises
        :class:`SetFolderError` for a refusal and :class:`OSError` for a folder that cannot be
        made or written (a read-only folder)."""
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_dir()):
            raise SetFolderError(f"-o {self.path} is not a folder; expected a folder for the set (made if missing)")
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            self.owned = self._read_manifest()
            names = list(dict.fromkeys(names))
            for sub in dict.fromkeys(f for f in map(_folder_of, names) if f):
                self._check_folder(sub)
            for name in names:
                self._check(name)
        except BaseException:
            self.close()
            raise
        return self

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise SetFolderError(f"another spasm-teach handouts build is writing into {self.path}; "
                                 "wait for it to finish or choose another -o") from None
        self._fd = fd

    def _read_manifest(self) -> dict[str, str]:
        path = self.manifest_path
        refused = f"{path}: not a manifest that spasm-teach wrote"
        advice = "move it away or choose another -o"
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            return {}
        if not stat.S_ISREG(mode):
            raise SetFolderError(f"{refused} (not a regular file); {advice}")
        with open(path, "rb") as fh:
            data = fh.read(MANIFEST_LIMIT + 1)
        if len(data) > MANIFEST_LIMIT:
            raise SetFolderError(f"{refused} (larger than {MANIFEST_LIMIT} bytes); {advice}")
        try:
            files = json.loads(data.decode("utf-8"))["files"]
            if not isinstance(files, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise SetFolderError(f"{refused} (expected JSON with a 'files' mapping); {advice}") from None
        for name, value in files.items():
            if not _plain_name(name) or not (value is None or isinstance(value, str) or (
                    isinstance(value, list) and all(isinstance(v, str) for v in value))):
                raise SetFolderError(f"{refused} (it lists {name!r}, which is not a plain file name); {advice}")
        # a list: the checksums a file may have while a build that was killed was replacing it
        return {name: value for name, value in files.items() if value}

    def _check_folder(self, sub: str) -> None:
        """A sub-folder the set writes into: missing (made on the first write) or a real folder."""
        target = self.path / sub
        with suppress(FileNotFoundError):
            if not stat.S_ISDIR(mode := os.lstat(target).st_mode):
                raise SetFolderError(f"{target} is {file_kind(mode) or 'a file'}, where the set has its {sub}/ folder; "
                                     "move it away or choose another -o")

    def _real_folder(self, name: str) -> bool:
        """Whether the folder ``name`` sits in is a real folder (not a symbolic link, not missing)."""
        sub = _folder_of(name)
        if sub is None:
            return True
        try:
            return stat.S_ISDIR(os.lstat(self.path / sub).st_mode)
        except FileNotFoundError:
            return False

    def _make_folder(self, name: str) -> None:
        """Make the sub-folder ``name`` sits in, if missing; refuse one that is no longer a real folder."""
        sub = _folder_of(name)
        if sub is None:
            return
        with suppress(FileExistsError):
            os.mkdir(self.path / sub)
        if not self._real_folder(name):
            raise NotADirectoryError(errno.ENOTDIR, "not a folder (a symbolic link or a file took its place)", str(self.path / sub))

    def _check(self, name: str) -> None:
        target = self.path / name
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            return
        kind = file_kind(mode)
        if kind is not None:
            raise SetFolderError(f"{target} is {kind}, where the set has a handout; move it away or choose another -o")
        if name not in self.owned:
            raise SetFolderError(f"{target} was not written by spasm-teach (it is not in {MANIFEST}); "
                                 "the build never replaces it: move it away or choose another -o")
        if not self._unchanged(target, self.owned[name]):
            raise SetFolderError(f"{target} was changed after spasm-teach wrote it; "
                                 "the build never replaces it: move it away or choose another -o")

    @staticmethod
    def _unchanged(target: Path, recorded: str | list[str] | None) -> bool:
        if not recorded:  # no checksum on record: not a file the build can vouch for
            return False
        with open(target, "rb") as fh:
            found = digest(fh.read())
        return found in recorded if isinstance(recorded, list) else found == recorded

    # -- writing

    def write(self, name: str, text: str) -> None:
        """Write one file of the set atomically and record its digest."""
        self.write_bytes(name, text.encode("utf-8"))

    def write_bytes(self, name: str, data: bytes) -> None:
        """:meth:`write` for bytes already encoded (a large file need not be decoded first)."""
        self.write_all({name: data}, 1)

    def write_all(self, files: Mapping[str, bytes], workers: int = 8) -> None:
        """Write many files of the set: the manifest is saved once with every new checksum (next to
        the one each had, so a build killed while replacing a file still owns it), then the files
        are written, by a few threads (the time is the file system's), each atomically. Why: a
        manifest saved before each of a thousand files grows with them, and rewriting it each time
        made writing the set quadratic. A name claimed this way but not yet written when the build
        is killed is no risk: a file put there later has other bytes than its checksum, so it is
        refused, never replaced."""
        import concurrent.futures

        from spasm_lib.files import write_bytes_atomically

        new = {name: digest(data) for name, data in files.items()}
        for name in files:
            self._make_folder(name)
        claimed: dict[str, str | list[str]] = {**self.owned, **self.written}
        for name, checksum in new.items():
            before = self.owned.get(name)
            pending = sorted({checksum, *([before] if isinstance(before, str) else before or [])})
            claimed[name] = pending if len(pending) > 1 else checksum
        self._save(claimed)
        order = sorted(files, key=lambda name: -len(files[name]))  # the largest first
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for done in [pool.submit(write_bytes_atomically, self.path / name, files[name]) for name in order]:
                done.result()
        self.written.update(new)

    def finish(self, complete: bool) -> list[str]:
        """Record what this build wrote. After a complete build, also remove the files an earlier
        build wrote and this one did not (if still unchanged); return their names."""
        removed: list[str] = []
        if complete:
            for name, recorded in sorted(self.owned.items()):
                if name in self.written:
                    continue
                target = self.path / name
                if not self._real_folder(name):  # its folder was moved or replaced by a link: not ours to follow
                    continue
                try:
                    if stat.S_ISREG(os.lstat(target).st_mode) and self._unchanged(target, recorded):
                        target.unlink()
                        removed.append(name)
                except FileNotFoundError:
                    pass
            self._save(self.written)
        else:
            self._save({**self.owned, **self.written})
        return removed

    def _save(self, files: dict[str, str | list[str]]) -> None:
        from spasm_lib.files import write_atomically

        text = json.dumps({"about": "Files written by spasm-teach handouts into this folder, with the SHA-256 of "
                                    "their bytes. Only these are replaced or removed by a later build.",
                           "files": dict(sorted(files.items()))}, indent=1)
        write_atomically(self.manifest_path, text + "\n")

    # -- closing

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    def __enter__(self) -> SetFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
