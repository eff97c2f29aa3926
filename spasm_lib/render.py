"""Render one notebook into one offline HTML handout: validate, run with papermill, convert, write.

Why each step is here rather than left to papermill and nbconvert (see ``DESIGN.md``):

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

Kernels can be *warm*: :func:`start_kernel` launches one (the process boots on its own) so that a
batch (:mod:`spasm_lib.handouts`) overlaps the next kernel's start with the current run; and a batch
can fork its kernels from a server that has already imported IPython and the notebooks' libraries
(:class:`KernelForks`, see "forked kernels" below). ``spasm-teach render`` uses one cold kernel.
"""

from __future__ import annotations

import copy
import os
import re
import sys
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from spasm_lib import DISCLAIMER, __version__
from spasm_lib.html import Html, esc
from spasm_lib.params import ParameterError, notebook_key, validate

KERNEL_NAME = "python3"
INSTRUCTOR_ONLY = "instructor-only"
"""Cells with this tag are dropped from the student version and marked in the instructor version."""
REMOVED_TAGS = frozenset({"remove-cell", "remove_cell"})
TEMPLATE_NAME = "spasm_handout"
INJECTED_TAG = "injected-parameters"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
START_TIMEOUT = 60


class RenderError(Exception):
    """A run or a conversion failed; the message is one or two lines naming the cell and the error."""


class ParametersFileError(ValueError):
    """A ``-f PARAMS.yaml`` file that cannot be read, is not YAML, or is not a mapping."""


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


def read_parameters_file(path: str | Path) -> dict[str, Any]:
    """The mapping in a papermill parameters file (YAML). An empty file means no parameters."""
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ParametersFileError(f"parameters file {path}: cannot be read ({reason})") from None
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "malformed"
        raise ParametersFileError(
            f"parameters file {path}: not valid YAML{where} ({problem}); expected a mapping such as 'case: golfer-twist'"
        ) from None
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ParametersFileError(
            f"parameters file {path}: expected a mapping of parameter names to values "
            f"(such as 'case: golfer-twist'); got a {type(values).__name__}"
        )
    return values


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
    cases_file = given.get("cases_file")
    if isinstance(cases_file, str) and cases_file.strip():
        given["cases_file"] = str(Path(cases_file.strip()).resolve())
    full = validate(key, given, facts=facts)
    if explicit and full["interactive"]:
        raise ParameterError(key, "interactive", "got True; a handout is static, so only False is allowed")
    full["interactive"] = False
    return full


# --------------------------------------------------------------------------- the kernel


@cache
def _kernel_classes() -> tuple[type, type]:
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    class CurrentEnvironmentKernelSpecs(KernelSpecManager):
        """Every kernel name resolves to ipykernel's specification for this very interpreter."""

        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: ARG002 - one kernel only
            from ipykernel.kernelspec import RESOURCES, get_kernel_dict

            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())

    class HandoutKernelManager(AsyncKernelManager):
        """Remembers its clients, so that a kernel started ahead of its run is cleaned up fully."""

        def client(self, **kwargs: Any) -> Any:
            kc = super().client(**kwargs)
            self.__dict__.setdefault("_spasm_clients", []).append(kc)
            return kc

    return CurrentEnvironmentKernelSpecs, HandoutKernelManager


def kernel_argv() -> list[str]:
    """The command that starts a handout kernel: this interpreter's ipykernel."""
    from ipykernel.kernelspec import get_kernel_dict

    return list(get_kernel_dict()["argv"])


def start_kernel(folder: str | Path, forks: str | None = None) -> Any:
    """Launch a kernel of the current environment in ``folder`` and return its manager at once.

    The kernel process boots on its own; papermill's client waits for it to be ready when the run
    starts. IPython's history goes to memory (no SQLite file shared between parallel kernels), and
    the kernel's own chatter on stderr (a TCP notice) is not shown. With ``forks`` (the socket of a
    :class:`KernelForks` server) the kernel is forked from that warm process instead of started
    cold; if the server cannot be reached, the kernel starts cold.
    """
    import subprocess

    from jupyter_core.utils import run_sync

    specs, manager = _kernel_classes()
    km = manager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs())
    if forks:
        km.kernel_id = km.kernel_id or str(uuid.uuid4())
        km.provisioner = _forked_provisioner_class()(
            kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km, fork_socket=forks
        )
    run_sync(km.start_kernel)(
        cwd=str(folder),
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return km


def stop_kernel(km: Any) -> None:
    """Stop a kernel and its clients; safe on a kernel that already died."""
    from jupyter_core.utils import run_sync

    for kc in km.__dict__.pop("_spasm_clients", []):
        try:
            kc.stop_channels()
        except Exception:  # pragma: no cover - best effort on a broken channel
            pass
    try:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
    finally:
        run_sync(km.cleanup_resources)()


# --------------------------------------------------------------------------- forked kernels
#
# Why: a cold kernel spends most of its start importing (IPython, zmq, then the notebook's numpy,
# pandas and matplotlib), and a class set starts one kernel per handout. A fork server imports all
# that once; each handout still gets its own fresh kernel process (a fresh namespace, its own
# working folder and environment), forked from the warm server in milliseconds. What is preloaded is
# only imported, never run: no facts are loaded and no figure is drawn before the notebook asks.
# ipywidgets is not preloaded: it registers its comm targets only when imported inside a kernel.
# The tests render the same handout through a cold and a forked kernel and compare the bytes.

KERNEL_PRELOAD = (
    # what ipykernel imports while it starts (its debugger, pydevd, the shell's helpers) ...
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "tornado.platform.asyncio",
    "psutil",
    "sqlite3",
    "pydoc",
    # ... and what the notebooks import
    "numpy",
    "pandas",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
)
_NOT_PRELOADED = ("spasm_lib.widgets", "spasm_lib.cli", "spasm_lib.render", "spasm_lib.handouts",
                  "spasm_lib.workspace", "spasm_lib.notebook_tools", "spasm_lib.__main__")


def preload_names() -> list[str]:
    """The modules a fork server imports: the kernel's own, the plotting and data stack, spasm_lib's
    logic and views (found by listing the package folders, which imports nothing)."""
    import pkgutil

    import spasm_lib

    names = list(KERNEL_PRELOAD)
    root = Path(spasm_lib.__file__).parent
    for folder, prefix in ((root, "spasm_lib."), (root / "views", "spasm_lib.views.")):
        for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
            name = prefix + info.name
            if not name.startswith(_NOT_PRELOADED):
                names.append(name)
    return names


def serve_kernel_forks(socket_path: str) -> None:  # pragma: no cover - runs in the server process
    """The fork server's main loop: listen first, preload, then fork one kernel per request."""
    import importlib
    import json
    import signal
    import socket

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
    before = dict(os.environ)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel does
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)
    server.listen(64)  # requests wait in the backlog while the modules load
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    for name in preload_names():
        try:
            importlib.import_module(name)
        except Exception:  # the notebook will import it itself, and report any error
            pass
    # Variables the imports set (debugpy sets one): a cold kernel has them too, so every fork gets them.
    set_by_imports = {k: v for k, v in os.environ.items() if before.get(k) != v}
    while True:
        conn, _ = server.accept()
        with conn:
            request = json.loads(conn.makefile("r", encoding="utf-8").readline() or "{}")
            if "args" not in request:
                if request.get("stop"):
                    return
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                _become_kernel({**request, "env": {**request["env"], **set_by_imports}})
            conn.sendall(f"{pid}\n".encode())


def _become_kernel(request: dict) -> None:  # pragma: no cover - runs in the forked kernel
    """In the forked child: a new session, the caller's folder and environment, then ipykernel."""
    import runpy
    import signal

    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.chdir(request["cwd"])
        env = dict(request["env"])
        env["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits if the server goes away
        os.environ.clear()
        os.environ.update(env)
        sys.argv = ["ipykernel_launcher", *request["args"]]
        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
    finally:
        os._exit(0)


class KernelForks:
    """A warm process that forks kernels: start it early, pass :attr:`socket_path` to the workers.

    The constructor returns once the server listens (a fraction of a second); it loads its modules
    afterwards, while the first requests wait. If it cannot start, :attr:`socket_path` is None and
    kernels start cold.
    """

    def __init__(self, timeout: float = 30) -> None:
        import select
        import subprocess

        self._folder = tempfile.mkdtemp(prefix="spasm-kernels-")
        path = os.path.join(self._folder, "forks.sock")
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from spasm_lib.render import serve_kernel_forks; serve_kernel_forks({path!r})"],
            cwd=self._folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        listening = bool(ready) and self.process.stdout.readline().strip() == b"listening"
        self.process.stdout.close()
        self.socket_path: str | None = path if listening else None

    def close(self) -> None:
        import shutil
        import socket

        if self.process.poll() is None:
            try:
                if self.socket_path is None:
                    raise OSError("not listening")
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                    conn.settimeout(5)
                    conn.connect(self.socket_path)
                    conn.sendall(b'{"stop": true}\n')
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> KernelForks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def request_fork(socket_path: str, args: Sequence[str], cwd: str, env: Mapping[str, str], timeout: float = 60) -> int:
    """Ask the fork server for a kernel; return its process id."""
    import json
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        conn.connect(socket_path)
        conn.sendall((json.dumps({"args": list(args), "cwd": cwd, "env": dict(env)}) + "\n").encode())
        reply = conn.makefile("r", encoding="utf-8").readline()
    if not reply.strip().isdigit():
        raise OSError("the kernel fork server did not answer")
    return int(reply)


class _ForkedProcess:
    """What jupyter_client needs of a Popen, for a kernel that is the fork server's child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import subprocess
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


@cache
def _forked_provisioner_class() -> type:
    from jupyter_client.provisioning import LocalProvisioner
    from traitlets import Unicode

    class ForkedKernelProvisioner(LocalProvisioner):
        """jupyter_client's local provisioner, except that the process is forked by the server."""

        fork_socket = Unicode("")

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            if cmd[:3] != [sys.executable, "-m", "ipykernel_launcher"] or not self.fork_socket:
                return await super().launch_kernel(cmd, **kwargs)
            try:
                pid = request_fork(self.fork_socket, cmd[3:], str(kwargs.get("cwd") or os.getcwd()),
                                   kwargs.get("env") or os.environ)
            except OSError:
                return await super().launch_kernel(cmd, **kwargs)  # no server: a cold kernel
            self.process = _ForkedProcess(pid)
            self.pid = self.pgid = pid  # the child called setsid(): its own process group
            return self.connection_info

    return ForkedKernelProvisioner


# --------------------------------------------------------------------------- running


def read_notebook(path: str | Path) -> Any:
    import nbformat

    return nbformat.read(str(path), as_version=4)


def execute(nb: Any, parameters: Mapping[str, Any], folder: str | Path, km: Any = None) -> Any:
    """Run a notebook with papermill and return the executed notebook; never writes a file.

    ``km`` is a kernel from :func:`start_kernel` (warm); without one a kernel is started here. The
    kernel is always stopped afterwards. A failing cell raises :class:`RenderError` naming the cell's
    position in the source notebook (papermill's injected parameters cell not counted).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    own = km is None
    if own:
        km = start_kernel(folder)
    try:
        return papermill.execute_notebook(
            nb,
            None,
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            start_timeout=START_TIMEOUT,
            cwd=str(folder),
            km=km,
        )
    except PapermillExecutionError as exc:
        raise RenderError(_cell_failure(nb, exc)) from None
    except Exception as exc:  # a dead kernel, a timeout: one line, not a traceback
        name = type(exc).__name__
        raise RenderError(f"the kernel failed: {name}: {_one_line(str(exc)) or name}") from None
    finally:
        stop_kernel(km)


def _cell_failure(nb: Any, exc: Any) -> str:
    """'cell 7 (code cell 4): ZeroDivisionError: division by zero' in the source's numbering."""
    tags = [c.get("metadata", {}).get("tags", []) for c in nb.cells]
    index = exc.cell_index
    if not any(INJECTED_TAG in t for t in tags):
        # papermill inserted its cell right after the parameters cell (or first, if there is none).
        params_at = next((i for i, t in enumerate(tags) if "parameters" in t), -1)
        if index > params_at:
            index -= 1
    index = max(0, min(index, len(nb.cells) - 1))
    code_number = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    detail = _one_line(str(exc.evalue))
    return f"cell {index + 1} (code cell {code_number}) failed: {exc.ename}" + (f": {detail}" if detail else "")


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
EXTERNAL_REFERENCE = re.compile(
    r"""(?:\b(?:src|href|srcset|action|poster|data|xlink:href)\s*=\s*["']?\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//)"""
    r"""|@import|url\(\s*["']?\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//""",
    re.IGNORECASE,
)
"""Anything a browser would fetch from elsewhere: an attribute pointing at ``//host`` or a scheme."""


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
    return f"{title}: {case_for(facts, str(case_id), int(parameters.get('seed') or 0)).title}"


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


def _parameter_text(name: str, value: Any) -> str:
    """How the header shows a parameter. A file shows by its name only: a handout that travels to
    students must not carry the instructor's folders, and the bytes must not depend on them."""
    if name.endswith("_file") and isinstance(value, str) and value:
        return Path(value).name
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) if value else "(none)"
    if value == "":
        return "(none)"
    return str(value)


def handout_header(title: str, audience: str, parameters: Mapping[str, Any], version: str = __version__) -> Html:
    """The top of every handout: kind, title, the parameters used, the package version, the disclaimer.

    Every value is escaped: a parameter or a case title is data, never markup.
    """
    kind = "Instructor version" if audience == "instructor" else "Student version"
    rows = "".join(
        f"<dt>{esc(name)}</dt><dd>{esc(_parameter_text(name, value))}</dd>" for name, value in parameters.items()
    )
    banner = (
        '<p class="answer-banner">Contains the answers: for the instructor, not for students.</p>'
        if audience == "instructor"
        else ""
    )
    return Html(
        '<header class="handout-header">'
        f'<p class="kicker">Back spasms: a teaching handout &middot; {esc(kind)} &middot; spasm-teach {esc(version)}</p>'
        f"<h1>{esc(title)}</h1>{banner}"
        f'<dl class="params" aria-label="Parameters of this handout">{rows}</dl>'
        f'<p class="disclaimer" role="note"><strong>Not medical advice.</strong> {esc(DISCLAIMER)}</p>'
        "</header>",
        "handout header",
    )


def handout_footer(version: str = __version__) -> Html:
    return Html(
        f"<footer><p>Made with spasm-teach {esc(version)}. Educational material, not medical advice: "
        "see the note at the top.</p></footer>",
        "handout footer",
    )


def standalone_page(title: str, body: Html, *, kicker: str, audience: str = "instructor") -> str:
    """A page of the set that is not a notebook (the index, the answer key): same look, same rules."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{stylesheet()}</style>\n</head>\n"
        f'<body class="audience-{esc(audience)}">\n<header class="handout-header">'
        f'<p class="kicker">{esc(kicker)}</p><h1>{esc(title)}</h1>'
        f'<p class="disclaimer" role="note"><strong>Not medical advice.</strong> {esc(DISCLAIMER)}</p></header>\n'
        f"<main>\n{body.markup}\n</main>\n{handout_footer().markup}\n</body>\n</html>\n"
    )


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

    nb = copy.deepcopy(nb)
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
) -> str:
    """The handout page of an executed notebook (pure: notebook in, HTML text out).

    Raises :class:`RenderError` if the page would still reference anything outside itself.
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
    page = _ANCHOR_LINK.sub("", _external_links_as_text(body)).rstrip() + "\n"
    found = EXTERNAL_REFERENCE.search(page)
    if found:
        start = max(0, found.start() - 40)
        raise RenderError(
            f"the handout would load something from the network ({_one_line(page[start:found.end() + 60])}); "
            "embed images as data (spasm_lib.html.figure_html) instead"
        )
    return page


# --------------------------------------------------------------------------- writing


def write_atomically(path: str | Path, text: str) -> None:
    """Write text through a temporary file in the same folder, then rename: never half a file."""
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Rendered:
    """What a render produced: where, with which title, audience and parameters."""

    path: Path
    title: str
    audience: str
    parameters: Mapping[str, Any]


def render(
    notebook: str | Path,
    parameters: Mapping[str, Any],
    output: str | Path,
    *,
    nb: Any = None,
    km: Any = None,
    title: str | None = None,
) -> Rendered:
    """Run one notebook with already validated parameters and write its handout atomically.

    ``nb`` is the source notebook if the caller has read it already (a batch reads each notebook
    once); ``km`` a warm kernel. On failure nothing is written and :class:`RenderError` is raised.
    """
    path = Path(notebook)
    source = nb if nb is not None else read_notebook(path)
    executed = execute(source, parameters, path.parent, km=km)
    audience = str(parameters.get("audience", "student"))
    page_title = title or handout_title(notebook_title(source, notebook_key(path)), parameters)
    page = handout_html(executed, audience=audience, parameters=parameters, title=page_title, folder=path.parent)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(output, page)
    return Rendered(output, page_title, audience, dict(parameters))


def parse_pairs(pairs: Sequence[Sequence[str]] | None) -> dict[str, str]:
    """``-p NAME VALUE`` pairs as a mapping (a later pair wins, as in papermill)."""
    return {name: value for name, value in (pairs or [])}


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: spasm-teach render NOTEBOOK -o OUT.html")
