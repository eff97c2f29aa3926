"""Render one notebook into one offline HTML handout: validate, run with papermill, convert, write.

Why each step is here rather than left to papermill and nbconvert (``docs/architecture.md`` places
this module in the whole):

* **Validate first.** papermill only *warns* about an unknown parameter and guesses types from text,
  so every value goes through :func:`spasm_lib.params.validate` before any kernel starts; a bad value
  is one line naming the parameter and what is allowed (:class:`~spasm_lib.params.ParameterError`).
* **The current environment's kernel.** The kernel is started from ipykernel's own specification for
  ``sys.executable`` (:class:`CurrentEnvironmentKernelSpecs`), never from whatever ``python3``
  kernelspec happens to be installed elsewhere, and it runs in the notebook's folder.
* **Never convert a failed run.** papermill writes an output notebook even when a cell fails; here a
  failing cell raises :class:`RenderError` (the cell's number and error) and nothing is written.
* **Our own template.** nbconvert's lab template loads require.js, MathJax and the widget renderer
  from CDNs and inlines ~300 KB of CSS. ``spasm_lib/templates/spasm_handout`` has no script and a
  small print-friendly stylesheet; external links become text with the address printed beside them,
  and an external image or script is an error, so a handout never needs the network.
* **Deterministic bytes.** The page carries no timestamp, no cell id, no random id, no papermill or
  widget metadata (:class:`~nbconvert.preprocessors.ClearMetadataPreprocessor`): the same inputs
  give byte-identical HTML.
* **Atomic writes.** A temporary file in the target folder, then :func:`os.replace`: a reader never
  sees half a handout, and a failed build never leaves one.

Kernels: a class set (:mod:`spasm_lib.handouts`) runs every handout in a :class:`HandoutKernel` of
its own, launched while the previous handout runs; ``spasm-teach render`` uses one fresh kernel.
Every run is bounded (:class:`Limits`: time per cell and per handout, bytes of output and page), and
what a handout may carry is checked: no script, no event handler, no ``javascript:`` link
(:func:`without_active_content`), no raw control or bidirectional-override character.

**Outputs.** :func:`check_output` refuses, before anything runs, an output that is a folder, a
device, a FIFO, a socket, a symbolic link, one of the inputs, a file inside the package's own
files or under ``/proc``, ``/sys``, ``/dev``; a regular file named by ``-o`` is
replaced only once the new handout is complete, and a failed run leaves it as it was.
"""

from __future__ import annotations

import copy
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from spasm_lib import handout_pages
from spasm_lib.handout_pages import handout_footer, handout_header
from spasm_lib.files import write_atomically
from spasm_lib.html import UNSAFE_CHARACTERS, esc
from spasm_lib.inputs import CELL_SECONDS, HANDOUT_SECONDS, MAX_HANDOUT_OUTPUT_BYTES, file_kind
from spasm_lib.params import ParameterError, notebook_key, validate

KERNEL_NAME = "python3"
INSTRUCTOR_ONLY = "instructor-only"
"""Cells with this tag are dropped from the student version and marked in the instructor version."""
REMOVED_TAGS = frozenset({"remove-cell", "remove_cell"})
TEMPLATE_NAME = "spasm_handout"
INJECTED_TAG = "injected-parameters"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
START_TIMEOUT = 60


@dataclass(frozen=True)
class Limits:
    """What one handout's run may take, so that a notebook that loops or prints without end fails
    that handout with one line instead of hanging or filling the build.

    Defaults (:mod:`spasm_lib.inputs`, where every bound lives): a cell may run ``CELL_SECONDS``
    (two minutes; the slowest cell of the package's notebooks takes a few seconds), a whole
    handout ``HANDOUT_SECONDS`` (five minutes), the outputs of one handout (text, HTML, images, as
    the kernel sends them) at most ``MAX_HANDOUT_OUTPUT_BYTES`` (40 MiB), and the finished page as much. ``spasm-teach render`` and
    ``handouts`` change the times with ``--cell-timeout`` and ``--handout-timeout``.
    """

    cell_seconds: float = CELL_SECONDS
    handout_seconds: float = HANDOUT_SECONDS
    output_bytes: int = MAX_HANDOUT_OUTPUT_BYTES
    page_bytes: int = MAX_HANDOUT_OUTPUT_BYTES


DEFAULT_LIMITS = Limits()


class RenderError(Exception):
    """A run or a conversion failed; the message is one or two lines naming the cell and the error."""


# --------------------------------------------------------------------------- inputs


def notebooks_dir() -> Path:
    """The packaged notebooks folder (``notebooks/`` in a clone, ``spasm_lib/notebooks`` in a wheel)."""
    return Path(str(resources.files("spasm_lib.notebooks")))


def resolve_notebook(name: str | Path) -> Path:
    """A notebook given as a path, a stem (``01_risk_factors``) or a kebab name (``01-risk-factors``).

    An existing path wins; otherwise the name must be one of the package's notebooks.
    Raises :class:`ParameterError` (parameter ``notebook``) for an unknown name.
    """
    path = Path(name)
    if path.suffix == ".ipynb" or len(path.parts) > 1:
        if not path.is_file():
            raise ParameterError(str(name), "notebook", "no such notebook file; expected a path, a stem "
                                 "such as 01_risk_factors or a name such as 01-risk-factors")
        notebook_key(path)  # a notebook without a parameter specification cannot be rendered
        return path.resolve()
    key = notebook_key(name)
    packaged = notebooks_dir() / f"{key}.ipynb"
    if not packaged.is_file():
        raise ParameterError(str(name), "notebook", f"no such notebook file: {packaged}")
    return packaged


def handout_parameters(
    notebook: str | Path, values: Mapping[str, Any], audience: str | None = None, facts: Any = None
) -> dict[str, Any]:
    """Every parameter of a handout run, validated, defaults filled in, ``interactive`` False.

    A handout has no kernel behind it, so ``interactive`` is always False; asking for True is an
    error rather than being silently ignored. ``audience`` (the ``--audience`` option) wins over a
    value in ``values``. A relative ``cases_file`` is made absolute, because the kernel runs in the
    notebook's folder, not in the caller's.
    """
    key = notebook_key(notebook)
    given = dict(values)
    if audience is not None:
        given["audience"] = audience
    explicit = "interactive" in given
    for name in ("cases_file", "traces"):  # files the kernel reads from the notebook's folder
        value = given.get(name)
        if isinstance(value, str) and value.strip():
            given[name] = str(Path(value.strip()).resolve())
    full = validate(key, given, facts=facts)
    if explicit and full["interactive"]:
        raise ParameterError(key, "interactive", "got True; a handout is static, so only False is allowed")
    full["interactive"] = False
    return full


# --------------------------------------------------------------------------- the kernel


@cache
def _kernel_spec_manager() -> type:
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class CurrentEnvironmentKernelSpecs(KernelSpecManager):
        """Every kernel name resolves to ipykernel's specification for this very interpreter."""

        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: ARG002 - one kernel only
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    return CurrentEnvironmentKernelSpecs


_RESET = (
    "import os as _spasm_os, sys as _spasm_sys\n"
    "_spasm_os.chdir({folder!r})\n"
    "%reset -f\n"
)
"""Run between two notebooks in one kernel: back to the notebook's folder and an
empty user namespace (``%reset -f``). Imported modules stay: that is the point of sharing."""


PRELOADED_MODULES = ("numpy", "matplotlib", "spasm_lib.facts")
"""Imported by every handout kernel as it starts, before it answers: the notebooks' heaviest imports
(about half a second), paid while the kernel boots in the background rather than in the handout's
first cells. The same for every kernel, and outside the user's namespace (``exec`` in a dict of its
own), so a handout's bytes and names are as without it."""
_PRELOAD = ("--IPKernelApp.exec_lines=" + repr([
    f"exec({'import importlib' + chr(10) + 'for m in ' + repr(PRELOADED_MODULES) + ': importlib.import_module(m)'!r}, {{}})"
]))


class HandoutKernel:
    """One kernel of the current environment, in one folder, that runs notebooks.

    A class set gives every handout a kernel of its own (:mod:`spasm_lib.handouts`): a notebook
    that changes a module (a monkeypatch of ``spasm_lib``, a counter kept in a module) must not reach
    the next student's handout, and ``%reset -f`` keeps imported modules. To keep the start-up off
    the critical path, a kernel can be :meth:`launch`-ed (its process started, not waited for) while
    another one runs a handout; :meth:`run` waits for it only when it is needed. A kernel can still
    run several notebooks one after another (:data:`_RESET` in between); the tests use that to show
    what a shared kernel would leak.

    Standard parts only: jupyter_client's :class:`~jupyter_client.manager.AsyncKernelManager`
    starts the kernel (from :func:`_kernel_spec_manager`: ipykernel of ``sys.executable``, never
    another ``python3`` found on the machine), papermill injects the parameters, and nbclient's
    :class:`~nbclient.NotebookClient` executes the cells, within :class:`Limits`. The kernel runs in
    ``folder`` (the notebook's), in its own session, so a Ctrl-C typed at the terminal reaches the
    command, which then stops its kernels itself; IPython's history goes to memory (no SQLite file
    shared between parallel kernels). Its connection file (which holds the kernel's key) goes into
    ``runtime_dir`` when one is given: a folder of the build that the command removes on every exit.
    """

    def __init__(self, folder: str | Path, *, runtime_dir: str | Path | None = None,
                 limits: Limits = DEFAULT_LIMITS) -> None:
        self.folder = Path(folder).resolve()
        self.runtime_dir = Path(runtime_dir) if runtime_dir is not None else None
        self.limits = limits
        self.km: Any = None
        self.kc: Any = None
        self.runs = 0
        self.starts = 0
        self.ready = False
        self.broken = False

    # -- life

    def launch(self) -> HandoutKernel:
        """Start the kernel's process and return at once (it boots while the caller does other work)."""
        import subprocess
        import uuid

        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.close()
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=_kernel_spec_manager()())
        if self.runtime_dir is not None:
            km.connection_file = str(self.runtime_dir / f"kernel-{uuid.uuid4().hex}.json")
        self.km = km  # before the launch: kill() finds its connection file even mid-start
        run_sync(km.start_kernel)(
            cwd=str(self.folder),
            extra_arguments=["--HistoryManager.hist_file=:memory:", _PRELOAD],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.starts += 1
        self.runs = 0
        self.ready = self.broken = False
        self.kc = km.client()
        self.kc.start_channels()
        return self

    def wait_ready(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
        except Exception as exc:
            self.close()
            raise RenderError(f"the kernel did not start: {_one_line(str(exc)) or type(exc).__name__}") from None
        self.ready = True

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def _make_ready(self) -> None:
        """A kernel ready to run: a launched one waited for, else a new one. A kernel that dies while
        it boots (a busy machine; nothing of the notebook ran yet) is replaced once before the handout
        fails: seen in a full test run at load 8, "Kernel died before replying to kernel_info"."""
        for attempt in range(2):
            try:
                if self.km is None or self.broken or not self.alive():
                    self.start()
                else:
                    self.wait_ready()
                return
            except RenderError:
                if attempt:
                    raise
                self.broken = True

    @property
    def pid(self) -> int | None:
        return getattr(getattr(self.km, "provisioner", None), "pid", None)

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def close(self) -> None:
        """Shut the kernel down and delete its connection file; safe on a kernel that died."""
        from jupyter_core.utils import run_sync

        km, kc = self.km, self.kc
        self.km = self.kc = None
        self.ready = False
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # pragma: no cover - best effort on a broken channel
                pass
        if km is None:
            return
        try:
            if run_sync(km.is_alive)():
                run_sync(km.shutdown_kernel)(now=True)  # also deletes the connection file
            else:
                run_sync(km.cleanup_resources)()
        finally:
            if km.connection_file:
                Path(km.connection_file).unlink(missing_ok=True)

    def kill(self) -> None:
        """Stop at once, from a signal handler: kill the kernel's process group, reap it, delete
        its connection file. No message to the kernel and no event loop: nothing that can hang.
        Safe to call twice (a second signal): the second call finds nothing to do."""
        import signal

        km, pid = self.km, self.pid
        self.km = self.kc = None
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session and process group
            except (ProcessLookupError, PermissionError):
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if km is not None and km.connection_file:
            Path(km.connection_file).unlink(missing_ok=True)

    def __enter__(self) -> HandoutKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running

    def run(self, nb: Any, parameters: Mapping[str, Any]) -> Any:
        """Run a notebook with papermill's parameters cell and return the executed copy.

        Starts the kernel if it is not running (or died, or was left busy by a timeout); waits for
        a launched one; clears it first if it ran a notebook before. A failing cell, a cell that
        ends the run (``SystemExit``, ``exit()``), a dead kernel, a cell or handout over its time or
        outputs over their size raise :class:`RenderError` naming the cell in the source's numbering.
        """
        from jupyter_core.utils import run_sync

        if self.km is None or self.broken or not self.alive() or not self.ready:
            self._make_ready()
        elif self.runs:
            try:
                run_sync(self._reset)()
            except Exception:  # a kernel that cannot be cleared is replaced, not reused
                self.start()
        self.runs += 1
        try:
            return run_sync(self._run)(nb, parameters)
        except RenderError:
            self.broken = True  # a timeout or an overflow may leave it busy: never reused
            raise

    async def _reset(self) -> None:
        reply = await self.kc.execute_interactive(
            _RESET.format(folder=str(self.folder)), silent=True, store_history=False,
            timeout=START_TIMEOUT, output_hook=lambda msg: None,
        )
        if reply["content"].get("status") != "ok":
            raise RenderError(f"the kernel could not be cleared: {reply['content'].get('ename', 'error')}")

    async def _run(self, source: Any, parameters: Mapping[str, Any]) -> Any:
        import time

        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
        from papermill.parameterize import parameterize_notebook

        nb = copy.deepcopy(source)
        nb.metadata.setdefault("papermill", {})  # what papermill's own loader adds before injecting
        for cell in nb.cells:
            cell.metadata.setdefault("tags", [])
        nb = parameterize_notebook(nb, dict(parameters), kernel_name=KERNEL_NAME, language="python")
        exits: list[int] = []

        def asked_to_exit(cell: Any, cell_index: int, execute_reply: Any) -> None:
            payloads = (execute_reply or {}).get("content", {}).get("payload", [])
            if any(p.get("source") == "ask_exit" for p in payloads):
                exits.append(cell_index)

        limits = self.limits
        deadline = time.monotonic() + limits.handout_seconds
        budget: dict[str, float] = {}

        def cell_timeout(cell: Any) -> int:
            left = deadline - time.monotonic()
            budget["handout"] = left < limits.cell_seconds
            return max(1, int(min(limits.cell_seconds, left) + 0.999))

        client = _BoundedClient(nb, km=self.km, timeout_func=cell_timeout, record_timing=False,
                                force_raise_errors=True, on_cell_executed=asked_to_exit,
                                output_limit=limits.output_bytes)
        client.kc = self.kc  # the running kernel's client: nbclient neither starts nor stops anything
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and time.monotonic() >= deadline:
                raise RenderError(_over_time(source, index, limits, whole=True))
            try:
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except CellTimeoutError:
                raise RenderError(_over_time(source, index, limits, whole=budget.get("handout", False))) from None
            except CellExecutionError as exc:
                raise RenderError(_cell_failure(source, index, exc.ename, exc.evalue)) from None
            except DeadKernelError:
                if client.overflow:
                    raise RenderError(_too_much_output(source, index, limits)) from None
                raise RenderError(_cell_failure(source, index, "the kernel died", "")) from None
            except Exception as exc:  # a broken channel: one line, not a traceback
                if client.overflow:
                    raise RenderError(_too_much_output(source, index, limits)) from None
                name = type(exc).__name__
                raise RenderError(f"the kernel failed: {name}: {_one_line(str(exc)) or name}") from None
            if client.overflow:
                raise RenderError(_too_much_output(source, index, limits)) from None
            if exits:
                raise RenderError(_cell_failure(source, index, "the cell asked the kernel to exit", "")) from None
        return nb


def _bounded_client_class() -> type:
    from nbclient import NotebookClient

    class BoundedClient(NotebookClient):
        """nbclient's client that counts the bytes of the outputs it receives and, past the limit,
        stops waiting for the cell (the kernel is then discarded, never reused)."""

        def __init__(self, *args: Any, output_limit: int, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.output_limit = output_limit
            self.output_seen = 0
            self.overflow = False

        def output(self, outs: Any, msg: Any, display_id: Any, cell_index: int) -> Any:
            if self.overflow:
                return None
            content = msg.get("content", {})
            size = len(content.get("text", "") or "")
            for value in (content.get("data") or {}).values():
                size += len(value) if isinstance(value, str) else len(str(value))
            self.output_seen += size
            if self.output_seen > self.output_limit:
                self.overflow = True
                task = getattr(self, "task_poll_for_reply", None)
                if task is not None:
                    task.cancel()
                return None
            return super().output(outs, msg, display_id, cell_index)

    return BoundedClient


class _LazyBoundedClient:
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _bounded_client_class()(*args, **kwargs)


_BoundedClient = _LazyBoundedClient()


def _over_time(source: Any, index: int, limits: Limits, *, whole: bool) -> str:
    which = (f"the handout ran longer than {limits.handout_seconds:g} s (the time a handout may take; "
             "--handout-timeout changes it)") if whole else (
             f"ran longer than {limits.cell_seconds:g} s (the time a cell may take; --cell-timeout changes it)")
    return _cell_failure(source, index, which, "", raw=True)


def _too_much_output(source: Any, index: int, limits: Limits) -> str:
    return _cell_failure(source, index, f"printed or displayed more than {limits.output_bytes / 1e6:.0f} MB "
                         "of output (the most a handout may hold)", "", raw=True)


def execute(nb: Any, parameters: Mapping[str, Any], folder: str | Path, kernel: HandoutKernel | None = None,
            limits: Limits = DEFAULT_LIMITS) -> Any:
    """Run a notebook and return the executed notebook; never writes a file.

    ``kernel`` is a :class:`HandoutKernel` to run it in (kept running afterwards); without one, a
    fresh kernel is started in ``folder`` and stopped afterwards.
    """
    if kernel is not None:
        return kernel.run(nb, parameters)
    with HandoutKernel(folder, limits=limits) as own:
        return own.run(nb, parameters)


def read_notebook(path: str | Path) -> Any:
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _cell_failure(nb: Any, index: int, ename: str, evalue: str, *, raw: bool = False) -> str:
    """'cell 7 (code cell 4) failed: ZeroDivisionError: division by zero' in the source's numbering.

    ``index`` counts the executed notebook's cells, where papermill's injected cell sits right
    after the parameters cell (or first, if there is none); the message counts the source's.
    """
    tags = [c.get("metadata", {}).get("tags", []) for c in nb.cells]
    if not any(INJECTED_TAG in t for t in tags):
        params_at = next((i for i, t in enumerate(tags) if "parameters" in t), -1)
        if index > params_at:
            index -= 1
    index = max(0, min(index, len(nb.cells) - 1))
    code_number = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    detail = _one_line(str(evalue))
    what = f"failed: {ename}" + (f": {detail}" if detail else "")
    if raw:
        what = ename
    elif ename == "the kernel died":
        what = "failed: the kernel died (a crash, os._exit or out of memory)"
    elif ename == "the cell asked the kernel to exit":
        what = "ended the run early: it called exit() or quit()"
    elif ename == "SystemExit":
        what = f"ended the run early: SystemExit{': ' + detail if detail else ''} (a handout runs every cell)"
    return f"cell {index + 1} (code cell {code_number}) {what}"


def _one_line(text: str, limit: int = 300) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


# --------------------------------------------------------------------------- converting

_TITLE_LINE = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EXTERNAL_ANCHOR = re.compile(
    r"<a\b[^>]*?\bhref\s*=\s*([\"'])\s*((?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^\"']*)\1[^>]*>(.*?)</a\s*>",
    re.DOTALL | re.IGNORECASE,
)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_URL_ATTRIBUTES = frozenset({
    "src", "href", "srcset", "imagesrcset", "action", "formaction", "poster", "data", "xlink:href", "background",
    "cite", "longdesc", "manifest", "icon", "codebase", "archive", "ping", "lowsrc", "dynsrc", "profile",
})
_ELSEWHERE = re.compile(r"^\s*(?:(?:[a-z][a-z0-9+.-]*:)?[\\/]{2}|(?:https?|ftps?|wss?|file):)", re.IGNORECASE)
_CSS_FETCH = re.compile(
    r"""@import|url\(\s*["']?\s*(?:(?:[a-z][a-z0-9+.-]*:)?[\\/]{2}|(?:https?|ftps?|file):)"""
    r"""|image-set\(\s*["']\s*(?:[a-z][a-z0-9+.-]*:)?//""",
    re.IGNORECASE,
)
_SCRIPT_FETCH = re.compile(r"""["'`]\s*(?:[a-z][a-z0-9+.-]*:)?//[^"'`\s]""", re.IGNORECASE)


def network_reference(page: str) -> str | None:
    """What in ``page`` a browser would fetch from elsewhere, shown briefly, or None.

    Looks at the *markup*, as a browser reads it: URL attributes (``src``, ``href``, ``srcset``,
    ``action``, ``poster``, ``data``, ``xlink:href``, ...), a refresh ``<meta>``, CSS in ``<style>``
    and ``style`` attributes (``@import``, ``url(//host)``), and string URLs in a ``<script>``.
    Text is never markup: a case story that *mentions* ``<a href=https://x>`` reaches the page
    escaped (``&lt;a href=https://x&gt;``) and is not a reference. Entities in attribute values are
    decoded first, so ``src="&#104;ttps://x"`` is one.
    """
    from html.parser import HTMLParser

    found: list[str] = []

    def note(tag: str, what: str) -> None:
        if not found:
            found.append(f"<{tag}> {_one_line(what, 120)}")

    class Finder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.inside: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            values = {name.lower(): value or "" for name, value in attrs}
            for name, value in values.items():
                if name in _URL_ATTRIBUTES:
                    candidates = [c.strip().split(" ")[0] for c in value.split(",")] if "srcset" in name else [value]
                    if any(_ELSEWHERE.match(c) for c in candidates):
                        note(tag, f'{name}="{value}"')
                elif name == "style" and _CSS_FETCH.search(value):
                    note(tag, f'style="{value}"')
            if tag == "meta" and values.get("http-equiv", "").lower() == "refresh" and "url" in values.get("content", "").lower():
                note(tag, f'content="{values["content"]}"')
            if tag in ("style", "script"):
                self.inside = tag

        handle_startendtag = handle_starttag

        def handle_endtag(self, tag: str) -> None:
            if tag == self.inside:
                self.inside = None

        def handle_data(self, data: str) -> None:
            if self.inside == "style" and _CSS_FETCH.search(data):
                note("style", _CSS_FETCH.search(data).group(0))
            elif self.inside == "script" and _SCRIPT_FETCH.search(data):
                note("script", _SCRIPT_FETCH.search(data).group(0))

    finder = Finder()
    finder.feed(page)
    finder.close()
    return found[0] if found else None


_ACTIVE_ELEMENTS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base"})
"""Elements that run code or load a page inside the handout: dropped whole (a script with its content)."""
_ACTIVE_URL = re.compile(r"^(?:javascript|vbscript|data:text/html|data:application)", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def without_active_content(page: str) -> str:
    """``page`` without the markup that would make a handout run code (pure; unchanged if clean).

    A handout promises no script, yet a notebook's own markdown or an output's HTML can carry one:
    ``<script>`` (and ``<iframe>``, ``<object>``, ``<embed>``, ``<base>``) elements are removed,
    event-handler attributes (``onerror=``, ``onclick=``, every ``on*``) and ``srcdoc`` are removed
    from their tags, and a ``javascript:``/``vbscript:``/``data:text/html`` address in a URL
    attribute is dropped (entities decoded and blanks ignored first, as a browser reads it), as is a
    refresh ``<meta>``. Everything else is left byte for byte. Text is never markup: an escaped
    ``&lt;script&gt;`` in a story is left as the text it is.
    """
    from html.parser import HTMLParser

    if not re.search(r"<\s*(?:script|iframe|frame|object|embed|applet|base|meta)|\bon[a-z]+\s*=|javascript|vbscript"
                     r"|data:text/html|data:application|srcdoc", page, re.IGNORECASE):
        return page
    starts = [0]
    for line in page.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    edits: list[tuple[int, int, str]] = []

    class Cleaner(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.open_at: int | None = None
            self.open_tag: str | None = None

        def _offset(self) -> int:
            line, column = self.getpos()
            return starts[line - 1] + column

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            raw = self.get_starttag_text() or ""
            at = self._offset()
            if self.open_tag is not None:
                return
            if tag in _ACTIVE_ELEMENTS:
                if tag in ("script", "iframe", "object", "applet", "frameset") and not raw.rstrip().endswith("/>"):
                    self.open_at, self.open_tag = at, tag
                else:
                    edits.append((at, at + len(raw), ""))
                return
            kept, changed = [], False
            for name, value in attrs:
                lowered = name.lower()
                if lowered.startswith("on") or lowered == "srcdoc":
                    changed = True
                elif value is not None and lowered in _URL_ATTRIBUTES and _ACTIVE_URL.match(_URL_NOISE.sub("", value)):
                    changed = True
                elif tag == "meta" and lowered == "http-equiv" and (value or "").strip().lower() == "refresh":
                    edits.append((at, at + len(raw), ""))
                    return
                else:
                    kept.append((name, value))
            if changed:
                import html as _html

                rebuilt = "".join(f" {n}" if v is None else f' {n}="{_html.escape(v, quote=True)}"' for n, v in kept)
                close = "/>" if raw.rstrip().endswith("/>") else ">"
                edits.append((at, at + len(raw), f"<{tag}{rebuilt}{close}"))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)

        def handle_endtag(self, tag: str) -> None:
            at = self._offset()
            end = page.find(">", at) + 1 or len(page)
            if self.open_tag is not None:
                if tag == self.open_tag:
                    edits.append((self.open_at or 0, end, ""))
                    self.open_at = self.open_tag = None
            elif tag in _ACTIVE_ELEMENTS:
                edits.append((at, end, ""))

    cleaner = Cleaner()
    cleaner.feed(page)
    cleaner.close()
    if cleaner.open_tag is not None:  # an element never closed: everything after it goes
        edits.append((cleaner.open_at or 0, len(page), ""))
    if not edits:
        return page
    out, last = [], 0
    for start, end, text in sorted(edits):
        if start < last:
            continue
        out.append(page[last:start])
        out.append(text)
        last = end
    out.append(page[last:])
    return "".join(out)


def notebook_title(nb: Any, fallback: str) -> str:
    """The text of the notebook's first ``#`` heading (markdown links and emphasis removed)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = _TITLE_LINE.search(cell.source)
            if match:
                return _plain(match.group(1)) or fallback
    return fallback


def handout_title(title: str, parameters: Mapping[str, Any], facts: Any = None) -> str:
    """The handout's title: the notebook's title (:func:`notebook_title`), and the patient's title
    when the handout is about one patient (a ``case`` parameter), so that every case handout says
    whose case it is. ``render`` and ``handouts`` both title pages with it, so the same parameters
    give the same page.
    """
    case_id = parameters.get("case")
    if not case_id:
        return title
    from spasm_lib.facts import load_facts
    from spasm_lib.virtual_patients import case_for

    facts = facts if facts is not None else load_facts(cases_file=parameters.get("cases_file") or None)
    case = case_for(facts, str(case_id), int(parameters.get("seed") or 0))
    return handout_pages.page_title(title, handout_pages.patient_label(parameters, case.title))


def _plain(markdown: str) -> str:
    text = _MD_LINK.sub(r"\1", markdown)
    return " ".join(re.sub(r"[*`]|(?<!\w)_|_(?!\w)", "", text).split())


def _without_title(nb: Any) -> Any:
    """Drop the first ``#`` heading line: the handout header shows the title as the page's h1."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = _TITLE_LINE.search(cell.source)
            if match:
                rest = (cell.source[: match.start()] + cell.source[match.end():]).strip()
                if rest:
                    cell.source = rest
                else:
                    del nb.cells[index]
                return nb
    return nb


@cache
def stylesheet() -> str:
    return (template_dir() / TEMPLATE_NAME / "handout.css").read_text(encoding="utf-8")


def template_dir() -> Path:
    return Path(str(resources.files("spasm_lib") / "templates"))


@cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(template_dir())],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        anchor_link_text="",
    )


def _prepare(nb: Any, audience: str) -> Any:
    """Remove what a reader must not see, and drop volatile metadata. Returns a copy."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor, TagRemovePreprocessor

    nb = handout_pages.for_handout(copy.deepcopy(nb))  # live-only cells out or replaced by their handout wording
    remove = set(REMOVED_TAGS) | ({INSTRUCTOR_ONLY} if audience != "instructor" else set())
    nb, _ = TagRemovePreprocessor(
        remove_cell_tags=remove,
        remove_all_outputs_tags={"remove-output", "remove_output"},
        remove_input_tags={"remove-input", "remove_input"},
    ).preprocess(nb, {})
    nb.cells = [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                continue
            if WIDGET_VIEW in output.get("data", {}) and not set(output["data"]) & {"text/html", "image/png"}:
                raise RenderError(
                    f"cell {number} shows a live widget, which is blank without a kernel; "
                    "with interactive = False the cell must display a static view"
                )
            kept.append(output)
        cell.outputs = kept
        cell.execution_count = None
    nb, _ = ClearMetadataPreprocessor(
        clear_cell_metadata=True,
        clear_notebook_metadata=True,
        preserve_cell_metadata_mask={"tags"},
        preserve_nb_metadata_mask=set(),
    ).preprocess(nb, {})
    return nb


def _external_links_as_text(page: str) -> str:
    """``<a href="https://x">Guide</a>`` becomes ``Guide (https://x)``: readable offline and on paper."""
    return _EXTERNAL_ANCHOR.sub(lambda m: f'{m.group(3)} <span class="url">({m.group(2)})</span>', page)


def handout_html(
    executed: Any,
    *,
    audience: str,
    parameters: Mapping[str, Any],
    title: str,
    folder: str | Path | None = None,
    notebook: str | Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> str:
    """The handout page of an executed notebook (pure: notebook in, HTML text out).

    ``notebook`` (the source's path) places the page in the set's reading order: its "next
    handout" link (:func:`spasm_lib.handout_pages.finish_handout`).

    Markup that would run code (:func:`without_active_content`) and raw control characters are
    removed. Raises :class:`RenderError` if the page would still reference anything outside itself,
    or would be larger than ``limits.page_bytes``.
    """
    nb = _without_title(_prepare(executed, audience))
    resources_ = {
        "metadata": {"path": str(folder) if folder else "", "name": "handout"},
        "spasm": {
            "title": esc(title),
            "css": stylesheet(),
            "audience": esc(audience),
            "header": handout_header(title, audience, parameters).markup,
            "footer": handout_footer().markup,
        },
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources_)
    body = without_active_content(UNSAFE_CHARACTERS.sub("", body))
    page = _ANCHOR_LINK.sub("", _external_links_as_text(body)).rstrip() + "\n"
    page = handout_pages.finish_handout(page, notebook=notebook, audience=audience)
    if len(page.encode("utf-8")) > limits.page_bytes:
        raise RenderError(f"the handout would be {len(page.encode('utf-8')) / 1e6:.0f} MB, more than the "
                          f"{limits.page_bytes / 1e6:.0f} MB a handout may be; show less in the notebook's outputs")
    found = network_reference(page)
    if found:
        raise RenderError(
            f"the handout would load something from the network ({found}); "
            "embed images as data (spasm_lib.views.svg.svg_figure) instead"
        )
    return page


# --------------------------------------------------------------------------- writing


class WriteFailed(Exception):
    """The handout was made but could not be written (a full disk, a read-only folder); one line."""


class OutputError(ValueError):
    """An output path that must not be written: one line naming it and what is allowed."""


def check_output(path: str | Path, inputs: Sequence[str | Path] = (), *, option: str = "-o") -> Path:
    """Refuse, before anything runs, an output the command must not write to.

    Allowed: a path that does not exist yet (its folders are made), or an existing regular file,
    which is replaced only when the new file is complete. Refused with :class:`OutputError`: a
    folder, a device, a FIFO, a socket, a symbolic link (writing would replace the link, not what it
    points to), any of ``inputs`` (the notebook, a parameters or cases file): a handout must
    never take the place of what it was made from, anything inside the package's own files
    (:func:`spasm_lib.files.inside_package`: ``data/``, ``notebooks/``, the source), and anything
    under ``/proc``, ``/sys`` or ``/dev``.
    """
    from spasm_lib.files import inside_package

    path = Path(path)
    package = inside_package(path)
    if package is not None:
        raise OutputError(f"{option} {path} is inside the package's own files ({package}); "
                          "expected a file outside them, in a folder of your own")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot be checked ({exc.strerror}); expected a file name such as "
                          "handout.html") from None
    if mode is not None:
        kind = file_kind(mode)
        if kind is not None:
            raise OutputError(f"{option} {path} is {kind}; expected a new or regular file such as handout.html")
        for source in inputs:
            try:
                same = os.path.samefile(path, source)
            except OSError:
                same = False
            if same:
                raise OutputError(f"{option} {path} is an input of this run ({source}); "
                                  "expected another file name such as handout.html")
    special = _special_folder(path)
    if special is not None:
        raise OutputError(f"{option} {path} is inside {special}, which holds no ordinary files; "
                          "expected a file in a folder of your own, such as handout.html")
    return path


_SPECIAL_FOLDERS = ("/proc", "/sys", "/dev")


def _special_folder(path: Path) -> str | None:
    """``/proc``, ``/sys`` or ``/dev`` if ``path`` lies in one: file systems of the kernel and its
    devices, where a handout cannot be written (the write fails only after the run otherwise)."""
    resolved = Path(os.path.abspath(path))
    try:
        resolved = resolved.resolve()
    except (OSError, RuntimeError):
        pass
    for folder in _SPECIAL_FOLDERS:
        if resolved == Path(folder) or Path(folder) in resolved.parents:
            return folder
    return None


def write_error(path: str | Path, exc: OSError) -> str:
    """One line for a write that failed: the path and the system's reason."""
    return f"cannot write {path}: {exc.strerror or type(exc).__name__}"


@dataclass(frozen=True)
class Rendered:
    """What a render produced: where, with which title, audience and parameters."""

    path: Path
    title: str
    audience: str
    parameters: Mapping[str, Any]


def render_page(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    *,
    nb: Any = None,
    kernel: HandoutKernel | None = None,
    title: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[str, str]:
    """Run one notebook with already validated parameters; return the handout page and its title.

    ``nb`` is the source notebook if the caller has read it already (a batch reads each notebook
    once); ``kernel`` a running :class:`HandoutKernel` (else a fresh one). Writes nothing; a failure
    raises :class:`RenderError`.
    """
    path = Path(notebook)
    source = nb if nb is not None else read_notebook(path)
    executed = execute(source, parameters, path.parent, kernel=kernel, limits=limits)
    audience = str(parameters.get("audience", "student"))
    page_title = title or handout_title(notebook_title(source, notebook_key(path)), parameters)
    page = handout_html(executed, audience=audience, parameters=parameters, title=page_title, folder=path.parent,
                        notebook=path, limits=kernel.limits if kernel is not None else limits)
    return page, page_title


def render(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    output: str | Path,
    *,
    nb: Any = None,
    kernel: HandoutKernel | None = None,
    title: str | None = None,
) -> Rendered:
    """:func:`render_page`, then write the page atomically to ``output`` (checked first with
    :func:`check_output`). On failure nothing is written and an earlier file at ``output`` stays."""
    output = check_output(output, [notebook, *(p for k, p in parameters.items() if k.endswith("_file") and p)])
    page, page_title = render_page(notebook, parameters, nb=nb, kernel=kernel, title=title)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(output, page)
    except OSError as exc:
        raise WriteFailed(write_error(output, exc)) from None
    return Rendered(output, page_title, str(parameters.get("audience", "student")), dict(parameters))


def parse_pairs(pairs: Sequence[Sequence[str]] | None) -> dict[str, str]:
    """``-p NAME VALUE`` pairs as a mapping (a later pair wins, as in papermill)."""
    return {name: value for name, value in (pairs or [])}


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: spasm-teach render NOTEBOOK -o OUT.html")
