"""Inputs checked at the door: numbers, text, paths and files, before any kernel starts or any output.

Why one module: seeds, counts, file names and files come from people (the command line, a YAML
parameters file, an instructor's cases file), and each must be refused the same way: one line that
names the input, shows the value *shortened* (a 5000-digit seed or a 1 MB value is never echoed
whole) and says what is allowed. Every subcommand of ``spasm-teach`` and every notebook (through
:mod:`spasm_lib.params`) use these checks, so one rule holds everywhere:

* whole numbers are plain ASCII digits ``0-9`` within a stated range (``²`` and Arabic-Indic digits,
  which Python's ``str.isdigit`` and ``int`` accept, are refused); the range is checked on the
  text's length first, so a huge number never reaches :func:`int`;
* seeds are ``SEED_MIN`` to ``SEED_MAX`` (0 to 2^32 - 1: numpy's seed range, plenty of patients);
* paths are at most ``MAX_PATH_CHARS`` characters, each part at most ``MAX_NAME_BYTES`` bytes, with
  no NUL character;
* a file is read only if it is a regular file (never a folder, a device such as ``/dev/zero`` or a
  FIFO that would block) and no bigger than the limit of its kind, checked on the open file before
  anything is read whole;
* text shown on a terminal or written to a log goes through :func:`terminal_text`, which removes
  control characters (escape sequences can retitle a window, clear the screen or write the
  clipboard) and the invisible Unicode controls that reorder text.

This module imports only the standard library, so the command line's ``--help`` stays fast.
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

SEED_MIN = 0
SEED_MAX = 2**32 - 1
"""Seeds of virtual patients and of a class: 0 to 4294967295."""

MAX_STUDENTS = 1000
"""``handouts --students``: one handout per student; a thousand is several courses."""

MAX_JOBS = 64
"""``handouts --jobs``: handouts built at once."""

MAX_PATH_CHARS = 4096
MAX_NAME_BYTES = 255
MAX_PARAMETERS_FILE_BYTES = 64 * 1024
"""A YAML parameters file holds a few names and values: 64 KiB is far more than enough."""
MAX_CASES_FILE_BYTES = 2 * 1024 * 1024
"""An instructor's cases CSV: 2 MiB is thousands of cases."""
MAX_TABLE_BYTES = 8 * 1024 * 1024
"""A table of the teaching data (``data/*.csv``)."""
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
"""A notebook given to ``render`` (the packaged ones, stored with figures, are well under 5 MiB)."""
MAX_YAML_VALUES = 10_000
"""A YAML document that expands (through aliases) to more values than this is refused."""
MAX_YAML_DEPTH = 50

CELL_SECONDS = 120
"""A handout's cell may run this long (``--cell-timeout``); the slowest cell of the package's
notebooks takes a few seconds."""
HANDOUT_SECONDS = 300
"""A whole handout may run this long (``--handout-timeout``)."""
MAX_HANDOUT_OUTPUT_BYTES = 40 * 1024 * 1024
"""What one handout's cells may print or display, and the size of the finished page."""

SHOWN_CHARS = 60


class InputError(ValueError):
    """An input refused at the door. The message is one line: what is wrong and what is allowed.

    ``reason`` is the part after the input's name (``is a folder; expected a CSV file``), for a
    caller that reports the file its own way (the data loader names file, line and column).
    """

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason if reason is not None else message


def _refuse(what: str, path: Any, reason: str) -> InputError:
    return InputError(f"{what} {shown(str(path))}: {reason}", reason)


# --------------------------------------------------------------------------- showing values


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict = 2, 4, 4, 4
_REPR.maxset = _REPR.maxfrozenset = _REPR.maxdeque = _REPR.maxarray = 4
_REPR.maxstring = _REPR.maxother = SHOWN_CHARS


def shorten(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value as a message shows it: ``'aaaa…' (5000 characters)`` for long text, bounded work always.

    ``repr`` of a YAML alias bomb takes minutes and gigabytes, and ``repr`` of an int of more than
    4300 digits raises; this never walks more than a few items and never prints more than a line.
    Control characters come out escaped (``'\\x1b'``), as ``repr`` shows them.
    """
    if isinstance(value, str):
        if len(value) <= limit:
            return repr(value)
        shown = repr(value[:limit])
        return f"{shown[:-1]}…{shown[-1]} ({len(value)} characters)"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() > 64:
            digits = int(value.bit_length() * 0.30103) + 1
            return f"{'-' if value < 0 else ''}a whole number of about {digits} digits"
        return repr(value)
    try:
        text = _REPR.repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still shown as its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 2 * limit else text[: 2 * limit] + "…"


PATH_CHARS_SHOWN = 200


def shown(text: str, limit: int = PATH_CHARS_SHOWN) -> str:
    """A name or path as a message shows it: as it is when short and printable, else :func:`shorten`."""
    return text if len(text) <= limit and text.isprintable() else shorten(text, min(limit, SHOWN_CHARS))


_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, screen clear
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, clipboard (52), hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b.?",  # any other escape
    re.DOTALL,
)
_BIDI_AND_INVISIBLE = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP = {code: None for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if code not in (0x09, 0x0A)}
_DROP.update({ord(ch): None for ch in _BIDI_AND_INVISIBLE})
_DROP_KEEP_CR = {k: v for k, v in _DROP.items() if k != 0x0D}


def terminal_text(text: str, *, one_line: bool = False, keep_carriage_return: bool = False) -> str:
    """Text safe to print on a terminal or write to a log: data stays data.

    Removes escape sequences whole, then every other control character (C0 but tab and newline, DEL,
    C1) and the Unicode controls that reorder or hide text (bidirectional overrides and isolates).
    ``one_line`` also folds newlines and runs of spaces into one space. A carriage return is kept only
    when asked (a progress bar on a terminal redraws its line with one).
    """
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.translate(_DROP_KEEP_CR if keep_carriage_return else _DROP)
    if one_line:
        text = " ".join(text.split())
    return text


# --------------------------------------------------------------------------- whole numbers


_ASCII_WHOLE = re.compile(r"-?[0-9]+")


def whole_number(value: Any, low: int, high: int) -> int:
    """``value`` (an int, or text in plain ASCII digits) as an int within ``low..high``.

    Raises :class:`InputError` whose message says what is allowed and shows the value shortened.
    Text is checked by its length before :func:`int` ever sees it.
    """
    allowed = f"a whole number from {low} to {high} (digits 0-9 only)"
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InputError(f"got {shorten(value)}; expected {allowed}")
    if isinstance(value, str):
        text = value.strip()
        if not _ASCII_WHOLE.fullmatch(text):
            raise InputError(f"got {shorten(value)}; expected {allowed}")
        digits = text.lstrip("-").lstrip("0") or "0"
        if len(digits) > max(len(str(abs(low))), len(str(abs(high)))):
            raise InputError(f"got {shorten(value)}, which is out of range; expected {allowed}")
        number = int(text)
    else:
        number = value
    if not low <= number <= high:
        raise InputError(f"got {shorten(number)}, which is out of range; expected {allowed}")
    return number


def seed(value: Any) -> int:
    """A seed: a whole number from :data:`SEED_MIN` to :data:`SEED_MAX`. The one seed rule of the package."""
    return whole_number(value, SEED_MIN, SEED_MAX)


def count(value: Any, high: int, low: int = 0) -> int:
    """A count (students, patients, jobs): a whole number from ``low`` to ``high``."""
    return whole_number(value, low, high)


# --------------------------------------------------------------------------- paths and files


def path_text(value: Any, what: str) -> Path:
    """A path given as text, checked for what the system would refuse with a traceback.

    ``what`` names the input in the message (``--cases``, ``parameter 'cases_file'``).
    """
    if not isinstance(value, (str, os.PathLike)):
        raise InputError(f"{what}: got {shorten(value)}; expected a file name")
    text = os.fspath(value)
    if not isinstance(text, str):
        text = os.fsdecode(text)
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


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words (``a folder``, ``a FIFO (named pipe)``):
    the one wording of file kinds in every message of the package."""
    if stat.S_ISLNK(mode):  # only from os.lstat: an output must not be a link
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def file_kind(mode: int) -> str | None:
    """``None`` for a regular file; otherwise what it is, in words (:func:`kind_of`)."""
    return None if stat.S_ISREG(mode) else kind_of(mode)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def read_bounded(value: Any, what: str, limit: int, expected: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or :class:`InputError`.

    The file is opened without blocking (a FIFO would otherwise wait forever), checked on the open
    descriptor (no race between the check and the read) and read to at most ``limit + 1`` bytes.
    """
    path = path_text(value, what)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise _refuse(what, path, f"no such file; expected {expected}") from None
        if exc.errno == errno.EISDIR:
            raise _refuse(what, path, f"is a folder; expected {expected}") from None
        raise _refuse(what, path, f"cannot be read ({_reason(exc)}); expected {expected}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(what, path, f"is {kind_of(info.st_mode)}; expected {expected}")
        too_big = f"expected {expected} of at most {limit} bytes"
        if info.st_size > limit:
            raise _refuse(what, path, f"is {info.st_size} bytes; {too_big}")
        chunks, size = [], 0
        while size <= limit:
            try:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            except OSError as exc:
                raise _refuse(what, path, f"cannot be read ({_reason(exc)}); expected {expected}") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise _refuse(what, path, f"is more than {limit} bytes; {too_big}")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _existing_ancestor(path: Path, what: str) -> Path:
    """The nearest part of ``path`` that exists, refusing a file or a dangling link on the way."""
    current = path
    while True:
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            parent = current.parent
            if parent == current:
                return current
            current = parent
            continue
        except OSError as exc:
            if exc.errno == errno.ENOTDIR:
                current = current.parent
                continue
            raise InputError(f"{what}: {shown(str(current))} cannot be used ({_reason(exc)})") from None
        if stat.S_ISLNK(info.st_mode):
            try:
                os.stat(current)
            except OSError as exc:
                target = os.readlink(current)
                why = "which does not exist" if exc.errno == errno.ENOENT else f"({_reason(exc)})"
                raise InputError(f"{what}: {shown(str(current))} is a symbolic link to "
                                 f"{shorten(target)}, {why}") from None
        return current


def writable_folder(folder: Path, what: str) -> None:
    """A folder that exists or can be made, and can be written: checked before anything runs."""
    found = _existing_ancestor(folder, what)
    try:
        info = os.stat(found)
    except OSError as exc:
        raise InputError(f"{what}: {shown(str(found))} cannot be used ({_reason(exc)})") from None
    if not stat.S_ISDIR(info.st_mode):
        kind = "a file" if stat.S_ISREG(info.st_mode) else kind_of(info.st_mode)
        raise InputError(f"{what}: {shown(str(found))} is {kind}, not a folder; expected a folder that can be written")
    if not os.access(found, os.W_OK | os.X_OK):
        raise InputError(f"{what}: cannot write in {shown(str(found))} (permission denied or read-only); "
                         "expected a folder that can be written")


def check_file(value: Any, what: str, limit: int, expected: str = "a file") -> Path:
    """A file that exists, is a regular file and is at most ``limit`` bytes (checked, not read).

    For inputs that are read later by another part (the loader, a kernel): the message comes now,
    before any run. :func:`read_bounded` checks again on the open file when it is read.
    """
    path = path_text(value, what)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse(what, path, f"no such file; expected {expected}") from None
    except OSError as exc:
        raise _refuse(what, path, f"cannot be used ({_reason(exc)}); expected {expected}") from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(what, path, f"is {kind_of(info.st_mode)}; expected {expected}")
    if info.st_size > limit:
        raise _refuse(what, path, f"is {info.st_size} bytes; expected {expected} of at most {limit} bytes")
    if not os.access(path, os.R_OK):
        raise _refuse(what, path, f"cannot be read (permission denied); expected {expected}")
    return path


_LONG_QUOTED = re.compile(r"'([^'\n]{%d,})'" % (SHOWN_CHARS + 20))


def shorten_quoted(message: str) -> str:
    """Every long ``'...'`` value inside a message shortened (``'aaaa…' (5000 characters)``).

    For messages built by code that quotes a value as it is (the data loader's ``got '...'``, argparse's
    ``invalid choice: '...'``): the line stays short, whatever the value.
    """
    return _LONG_QUOTED.sub(lambda m: shorten(m.group(1)), message)


def read_notebook(value: Any, what: str = "notebook") -> Any:
    """A notebook file read with bounds and checked: a regular file, UTF-8, JSON, a valid notebook.

    Returns the notebook (nbformat 4). Anything else is one :class:`InputError` line naming the file:
    an empty file, text that is not JSON, JSON that is not a notebook, a notebook that does not
    validate; never nbformat's ``NotJSONError`` (which quotes the file's first bytes) or a schema dump.
    """
    import json

    expected = "a Jupyter notebook (.ipynb)"
    raw = read_bounded(value, what, MAX_NOTEBOOK_BYTES, expected)
    path = os.fspath(value)
    if not raw.strip():
        raise _refuse(what, path, f"is empty; expected {expected}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _refuse(what, path, f"is not UTF-8 text (byte {exc.start + 1}); expected {expected}") from None
    except json.JSONDecodeError as exc:
        raise _refuse(what, path, f"is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                      f"expected {expected}") from None
    except RecursionError:
        raise _refuse(what, path, f"is JSON nested too deeply; expected {expected}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list) or not isinstance(data.get("nbformat"), int):
        raise _refuse(what, path, f"is JSON but not a notebook (no 'nbformat' number and 'cells' list); expected {expected}")
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
        detail = getattr(exc, "message", None) or type(exc).__name__
        raise _refuse(what, path, f"is not a valid notebook ({shown(str(detail), 120)}); expected {expected}") from None
    return nb


def mix_argument(parser: "argparse.ArgumentParser") -> None:
    """``--mix``: how a class's patients are chosen, for every command that names a class
    (:mod:`spasm_lib.class_mix` owns the words)."""
    from spasm_lib.class_mix import DEFAULT_MIX, MIX_HELP, MIXES

    told = "; ".join(f"{name}{' (the default)' if name == DEFAULT_MIX else ''}: {MIX_HELP[name]}" for name in MIXES)
    parser.add_argument("--mix", choices=MIXES, default=DEFAULT_MIX, help=f"how the students' patients are chosen: {told}")
