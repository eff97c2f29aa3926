"""Inputs checked at the door: numbers, text, paths and files, before any kernel starts or any output.

Seeds, counts, file names and files come from people (the command line, a YAML parameters file, an
instructor's cases file), and each is refused the same way: one line that names the input, shows the
value *shortened* (a 5000-digit seed or a 1 MB value is never echoed whole) and says what is allowed.

* whole numbers are plain ASCII digits within a stated range (``²`` and Arabic-Indic digits, which
  ``int`` accepts, are refused), the length checked before :func:`int` ever sees the text;
* paths are at most ``MAX_PATH_CHARS`` characters, each part at most ``MAX_NAME_BYTES`` bytes, no NUL;
* a file is read only if it is a regular file (never a folder, ``/dev/zero`` or a FIFO that would
  block) no bigger than the limit of its kind, checked on the open descriptor;
* text for a terminal goes through :func:`terminal_text` (no escape sequences, no bidi overrides).

Only the standard library is imported here, so ``spasm-teach --help`` stays fast.
"""

from __future__ import annotations

import errno
import os
import re
import reprlib
import stat
import warnings
from pathlib import Path
from typing import Any

SEED_MIN, SEED_MAX = 0, 2**32 - 1
"""Seeds of virtual patients and of a class: numpy's seed range."""
MAX_STUDENTS = 1000
"""``handouts --students``: one handout per student; a thousand is several courses."""
MAX_JOBS = 64
"""``handouts --jobs``: handouts built at once."""
MAX_PATH_CHARS, MAX_NAME_BYTES = 4096, 255
MAX_PARAMETERS_FILE_BYTES = 64 * 1024
"""A YAML parameters file holds a few names and values."""
MAX_CASES_FILE_BYTES = 2 * 1024 * 1024
"""An instructor's cases CSV: thousands of cases."""
MAX_TABLE_BYTES = 8 * 1024 * 1024
"""A table of the teaching data (``data/*.csv``)."""
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
"""A notebook given to ``render`` (the packaged ones are well under 5 MiB)."""
MAX_YAML_VALUES, MAX_YAML_DEPTH = 10_000, 50
"""A YAML document that expands (through aliases) to more values, or nests deeper, is refused."""
CELL_SECONDS = 120
"""``--cell-timeout``: the slowest cell of the package's notebooks takes a few seconds."""
HANDOUT_SECONDS = 300
"""``--handout-timeout``: a whole handout."""
MAX_HANDOUT_OUTPUT_BYTES = 40 * 1024 * 1024
"""What one handout's cells may print or display, and the size of the finished page."""
SHOWN_CHARS = 60
PATH_CHARS_SHOWN = 200


class InputError(ValueError):
    """An input refused at the door; the message is one line: what is wrong and what is allowed.
    Every module's refusal of a command's input subclasses it (``DataError``, ``OutputError``,
    ``SetFolderError``, ...), so the command line's one boundary turns it into exit 2.

    ``reason`` is the part after the input's name, for a caller that names the file its own way
    (the data loader gives file, line and column)."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = message if reason is None else reason


def _refuse(what: str, path: Any, reason: str) -> InputError:
    return InputError(f"{what} {shown(str(path))}: {reason}", reason)


# --------------------------------------------------------------------------- showing values

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict = 2, 4, 4, 4
_REPR.maxset = _REPR.maxfrozenset = _REPR.maxdeque = _REPR.maxarray = 4
_REPR.maxstring = _REPR.maxother = SHOWN_CHARS


def shorten(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value as a message shows it: ``'aaaa…' (5000 characters)`` for long text; bounded work always
    (``repr`` of a YAML alias bomb takes minutes, of an int over 4300 digits raises)."""
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        cut = repr(value[:limit])
        return f"{cut[:-1]}…{cut[-1]} ({len(value)} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"{'-' if value < 0 else ''}a whole number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, (bool, int)) or value is None:
        return repr(value)
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still shown as its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 2 * limit else text[: 2 * limit] + "…"


def shown(text: str, limit: int = PATH_CHARS_SHOWN) -> str:
    """A name or path as a message shows it: as it is when short and printable, else :func:`shorten`."""
    return text if len(text) <= limit and text.isprintable() else shorten(text, min(limit, SHOWN_CHARS))


_LONG_QUOTED = re.compile(r"'([^'\n]{%d,})'" % (SHOWN_CHARS + 20))


def shorten_quoted(message: str) -> str:
    """Every long ``'...'`` value inside a message shortened (the data loader's ``got '...'``,
    argparse's ``invalid choice: '...'``)."""
    return _LONG_QUOTED.sub(lambda m: shorten(m.group(1)), message)


_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clear
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, clipboard (52), hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b.?",  # any other escape
    re.DOTALL,
)
_DROP = {code: None for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)] if code not in (0x09, 0x0A)}
_DROP.update(dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")))
_DROP_KEEP_CR = {k: v for k, v in _DROP.items() if k != 0x0D}


def terminal_text(text: str, *, one_line: bool = False, keep_carriage_return: bool = False) -> str:
    """Text safe to print on a terminal or write to a log: data stays data.

    Removes escape sequences whole (they can retitle a window, clear the screen, write the
    clipboard), then every other control character but tab and newline, and the Unicode controls
    that reorder text. ``one_line`` folds newlines and runs of spaces; a carriage return is kept
    only when asked (a progress bar redraws its line with one)."""
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.translate(_DROP_KEEP_CR if keep_carriage_return else _DROP)
    return " ".join(text.split()) if one_line else text


# --------------------------------------------------------------------------- whole numbers

_ASCII_WHOLE = re.compile(r"-?[0-9]+")


def whole_number(value: Any, low: int, high: int) -> int:
    """``value`` (an int, or text in plain ASCII digits) as an int within ``low..high``, or :class:`InputError`."""
    allowed = f"a whole number from {low} to {high} (digits 0-9 only)"
    if isinstance(value, str) and _ASCII_WHOLE.fullmatch(value.strip()):
        digits = value.strip().lstrip("-").lstrip("0") or "0"
        if len(digits) > max(len(str(abs(low))), len(str(abs(high)))):
            raise InputError(f"got {shorten(value)}, which is out of range; expected {allowed}")
        value = int(value)
    elif isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"got {shorten(value)}; expected {allowed}")
    if not low <= value <= high:
        raise InputError(f"got {shorten(value)}, which is out of range; expected {allowed}")
    return value


def seed(value: Any) -> int:
    """A seed: the one seed rule of the package (:data:`SEED_MIN` to :data:`SEED_MAX`)."""
    return whole_number(value, SEED_MIN, SEED_MAX)


# --------------------------------------------------------------------------- paths and files


def path_text(value: Any, what: str) -> Path:
    """A path given as text, checked for what the system would refuse with a traceback.
    ``what`` names the input in the message (``--cases``, ``parameter 'cases_file'``)."""
    if not isinstance(value, (str, os.PathLike)):
        raise InputError(f"{what}: got {shorten(value)}; expected a file name")
    text = os.fsdecode(os.fspath(value))
    if not text.strip():
        raise InputError(f"{what}: the file name is empty")
    if "\x00" in text:
        raise InputError(f"{what}: {shorten(text)} contains a NUL character; expected a file name")
    if len(text) > MAX_PATH_CHARS:
        raise InputError(f"{what}: the file name is too long ({shorten(text)}); "
                         f"expected at most {MAX_PATH_CHARS} characters")
    for part in Path(text).parts:
        try:
            size = len(os.fsencode(part))
        except UnicodeError:
            raise InputError(f"{what}: {shorten(text)} cannot be encoded as a file name") from None
        if size > MAX_NAME_BYTES:
            raise InputError(f"{what}: the file name is too long ({shorten(part)}); "
                             f"expected at most {MAX_NAME_BYTES} bytes per folder or file name")
    return Path(text)


def file_kind(mode: int) -> str | None:
    """``None`` for a regular file; otherwise what it is, in words: the one wording of file kinds."""
    if stat.S_ISREG(mode):
        return None
    for test, words in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"),  # links: from lstat
                        (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
                        (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return words
    return "not a regular file"


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _regular(what: str, path: Path, info: os.stat_result, limit: int, expected: str) -> None:
    """Refuse a file that is not regular or is bigger than ``limit`` (its size as the system reports it)."""
    kind = file_kind(info.st_mode)
    if kind is not None:
        raise _refuse(what, path, f"is {kind}; expected {expected}")
    if info.st_size > limit:
        raise _refuse(what, path, f"is {info.st_size} bytes; expected {expected} of at most {limit} bytes")


def _unusable(what: str, path: Path, exc: OSError, expected: str) -> InputError:
    if exc.errno == errno.ENOENT:
        return _refuse(what, path, f"no such file; expected {expected}")
    return _refuse(what, path, f"cannot be read ({_reason(exc)}); expected {expected}")


def read_bounded(value: Any, what: str, limit: int, expected: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or :class:`InputError`.

    Opened without blocking (a FIFO would wait forever), checked on the open descriptor (no race
    between check and read), read to at most ``limit + 1`` bytes (a file that grows is still caught)."""
    path = path_text(value, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise _unusable(what, path, exc, expected) from None
    try:
        _regular(what, path, os.fstat(fd), limit, expected)
        chunks, size = [], 0
        while size <= limit:
            try:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            except OSError as exc:
                raise _unusable(what, path, exc, expected) from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _refuse(what, path, f"is more than {limit} bytes; expected {expected} of at most {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def check_file(value: Any, what: str, limit: int, expected: str = "a file") -> Path:
    """A readable regular file of at most ``limit`` bytes, checked but not read: for an input that
    another part reads later (the loader, a kernel), so its message comes before any run."""
    path = path_text(value, what)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unusable(what, path, exc, expected) from None
    _regular(what, path, info, limit, expected)
    if not os.access(path, os.R_OK):
        raise _refuse(what, path, f"cannot be read (permission denied); expected {expected}")
    return path


def _existing_ancestor(path: Path, what: str) -> Path:
    """The nearest part of the absolute ``path`` that exists (at worst the root), refusing a dangling
    link on the way."""
    for part in (path, *path.parents):
        try:
            info = os.lstat(part)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
                raise InputError(f"{what}: {shown(str(part))} cannot be used ({_reason(exc)})") from None
            continue
        if stat.S_ISLNK(info.st_mode):
            try:
                os.stat(part)
            except OSError as exc:
                why = "which does not exist" if exc.errno == errno.ENOENT else f"({_reason(exc)})"
                raise InputError(f"{what}: {shown(str(part))} is a symbolic link to "
                                 f"{shorten(os.readlink(part))}, {why}") from None
        return part
    return part


def writable_folder(value: Any, what: str) -> Path:
    """A folder (its name checked by :func:`path_text`) that exists or can be made, and can be written:
    checked before anything runs."""
    folder = path_text(value, what)
    found = _existing_ancestor(folder.absolute(), what)
    info = os.stat(found)  # it exists: a link to nothing was refused on the way
    if not stat.S_ISDIR(info.st_mode):
        kind = file_kind(info.st_mode) or "a file"
        raise InputError(f"{what}: {shown(str(found))} is {kind}, not a folder; expected a folder that can be written")
    if not os.access(found, os.W_OK | os.X_OK):
        raise InputError(f"{what}: cannot write in {shown(str(found))} (permission denied or read-only); "
                         "expected a folder that can be written")
    return folder


def read_notebook(value: Any, what: str = "notebook") -> Any:
    """A notebook file read with bounds and checked: regular, UTF-8, JSON, a valid nbformat 4 notebook.

    Anything else is one :class:`InputError` line naming the file, never nbformat's ``NotJSONError``
    (which quotes the file's first bytes) or a schema dump."""
    import json

    expected = "a Jupyter notebook (.ipynb)"
    raw = read_bounded(value, what, MAX_NOTEBOOK_BYTES, expected)
    path = os.fspath(value)

    def refuse(why: str) -> InputError:
        return _refuse(what, path, f"{why}; expected {expected}")

    if not raw.strip():
        raise refuse("is empty")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise refuse(f"is not UTF-8 text (byte {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        raise refuse(f"is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise refuse("is JSON nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or not isinstance(data.get("nbformat"), int):
        raise refuse("is JSON but not a notebook (no 'nbformat' number and 'cells' list)")
    if data["nbformat"] != 4:
        raise _refuse(what, path, f"is a notebook of format {shorten(data['nbformat'])}; expected format 4 "
                      "(open and save it in JupyterLab)")
    import nbformat

    invalid: dict[str, Any] = {}
    try:
        with warnings.catch_warnings():  # nbformat warns on stderr about missing cell ids: not one line
            warnings.simplefilter("ignore")
            nb = nbformat.reads(raw.decode("utf-8"), as_version=4, capture_validation_error=invalid)
    except Exception as exc:  # noqa: BLE001 - a converter error on a malformed notebook: one line
        invalid["ValidationError"] = exc
    if invalid:
        exc = invalid["ValidationError"]
        raise refuse(f"is not a valid notebook ({shown(str(getattr(exc, 'message', None) or type(exc).__name__), 120)})")
    return nb
