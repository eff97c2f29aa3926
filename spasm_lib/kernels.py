"""Kernels for handouts: jupyter_client's kernels of this environment, each started fresh, forked
from a template where the system allows it, and stopped without leaving a process or a key behind.

* **The current environment's kernel.** A kernel is started from ipykernel's own specification for
  ``sys.executable`` (:func:`_kernel_spec_manager`), never from whatever ``python3`` kernelspec
  happens to be installed elsewhere, and it runs in the notebook's folder.
* **Forked from a template** (Linux): the first kernel of a process starts its kernel template
  (:mod:`spasm_lib.kernel_template`), which has imported ipykernel and the notebooks' modules once;
  every kernel is then a fork of it, through jupyter_client's own provisioner interface
  (:func:`_forking_provisioner`), so jupyter_client still writes the connection file, picks the
  ports, signals and shuts the kernel down. A kernel forked is as fresh as one started from scratch:
  its modules are its own copy.
* **Stopped cleanly.** :meth:`HandoutKernel.close` shuts down and deletes the connection file;
  :meth:`HandoutKernel.kill` is for a signal handler (no message, no event loop) and is safe twice.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing.util
import os
import select
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from spasm_lib.handout_limits import DEFAULT_LIMITS, Limits, RenderError, one_line

KERNEL_NAME = "python3"
START_TIMEOUT = 60


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


class _KernelTemplate:
    """This process's kernel template (:mod:`spasm_lib.kernel_template`): started at the first
    kernel, it forks every later one. One per process; a process forked from this one (a pool's
    worker) starts its own."""

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.process = subprocess.Popen([sys.executable, "-c", _TEMPLATE_MAIN % os.getpid()], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def fork(self, argv: Sequence[str], cwd: str, env: Mapping[str, str]) -> int:
        try:
            self.process.stdin.write(json.dumps({"argv": list(argv), "cwd": cwd, "env": dict(env)}) + "\n")
            self.process.stdin.flush()
            return int(self.process.stdout.readline())
        except (OSError, ValueError):
            self.close()
            raise RenderError("the kernel template stopped") from None

    def close(self) -> None:
        """End the template's input; it waits for its last kernels and exits (killed after 5 s)."""
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()


_TEMPLATE: list[_KernelTemplate] = []
_TEMPLATE_MAIN = "import sys; del sys.path[0]; from spasm_lib.kernel_template import main; main(%d)"
"""The current folder leaves ``sys.path`` before anything is imported (as ``ipykernel_launcher``
does; the kernel's app puts ``''`` back): a ``spasm_lib`` folder where the command runs is not ours."""


def kill_template() -> None:
    """Kill this process's kernel template at once (a worker's stop handler: quick, waits for nothing;
    the parent-death signal alone was seen to leave a template running after a stop)."""
    for template in _TEMPLATE:
        if template.owner == os.getpid():
            template.process.kill()  # Popen.kill: nothing to do for a template that has ended


def close_template() -> None:
    """Close this process's kernel template now (after a one-off ``render``): a command that returns
    leaves no process of its own behind, also when it was called in a long-lived process."""
    for template in [t for t in _TEMPLATE if t.owner == os.getpid()]:
        template.close()
        _TEMPLATE.remove(template)


def _template() -> _KernelTemplate | None:
    """This process's template, started if needed; None where kernels cannot be forked (not Linux)."""
    if not hasattr(os, "pidfd_open"):
        return None
    if _TEMPLATE and (_TEMPLATE[0].owner != os.getpid() or _TEMPLATE[0].process.poll() is not None):
        _TEMPLATE.clear()
    if not _TEMPLATE:
        _TEMPLATE.append(_KernelTemplate())
        # at exit, also of a pool's worker (which runs multiprocessing's finalizers, not atexit), after
        # its kernels are closed: the template is waited for, so its time and memory are counted
        multiprocessing.util.Finalize(_TEMPLATE[0], _TEMPLATE[0].close, exitpriority=5)
    return _TEMPLATE[0]


class _Forked:
    """What jupyter_client's provisioner uses of a ``Popen``, for a kernel forked by the template
    (its child, not ours): watched through a pidfd, so that a reused process id is never mistaken.
    No ``wait`` or streams: only jupyter_client's ``LocalProvisioner.wait`` uses them, and
    ``ForkingProvisioner.wait`` replaces it."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self.fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self.fd, self.returncode = None, 0

    def poll(self) -> int | None:
        """A pidfd is readable once its process has ended (``poll``, not ``select``: any fd number)."""
        if self.returncode is None and self.fd is not None:
            watch = select.poll()
            watch.register(self.fd, select.POLLIN)
            if watch.poll(0):
                os.close(self.fd)
                self.fd, self.returncode = None, 0
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self.fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


async def _answered(kc: Any, timeout: float) -> None:
    """Wait until the kernel answers ``kernel_info`` on its shell channel and its IOPub channel is
    connected: jupyter_client's ``wait_for_ready`` without its last step, which listens to IOPub
    until it has been quiet for 0.2 s (a fixed 0.2 s of every handout, measured; nbclient ignores
    the messages of requests that are not its own, so there is nothing to flush)."""
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = await kc.shell_channel.get_msg(timeout=1)
        except Empty:
            reply = None
        if reply is not None and reply["msg_type"] == "kernel_info_reply":
            try:
                await kc.iopub_channel.get_msg(timeout=0.2)
                return
            except Empty:
                pass
        if not await kc.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


@cache
def _forking_provisioner() -> type:
    from jupyter_client.provisioning import LocalProvisioner

    class ForkingProvisioner(LocalProvisioner):
        """jupyter_client's local provisioner, but the kernel is forked from the template instead of
        started from scratch; everything else (connection file, ports, signals, shutdown) is its own."""

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            template = _template()
            pid = template.fork(cmd[3:], str(kwargs.get("cwd") or os.getcwd()),  # after python -m ipykernel_launcher
                                kwargs.get("env") or os.environ)
            self.process = _Forked(pid)
            self.pid = self.pgid = pid
            self.cwd = kwargs.get("cwd")
            return self.connection_info

        async def wait(self) -> int | None:
            """As jupyter_client's, but looking every 10 ms rather than every 100 ms: a handout's
            kernel is shut down at once (``now``), and the 100 ms were a fixed part of every handout."""
            while self.process is not None and self.process.poll() is None:
                await asyncio.sleep(0.01)
            self.process = None
            return 0

    return ForkingProvisioner


class HandoutKernel:
    """One kernel of the current environment, in one folder, that runs notebooks.

    A class set gives every handout a kernel of its own (:mod:`spasm_lib.handout_pool`): a notebook
    that changes a module (a monkeypatch of ``spasm_lib``, a counter kept in a module) must not reach
    the next student's handout, and ``%reset -f`` keeps imported modules. To keep the start-up off
    the critical path, a kernel can be :meth:`launch`-ed (its process started, not waited for) while
    another one runs a handout; :meth:`ready_for_run` waits for it only when it is needed. A kernel
    can still run several notebooks one after another (:data:`_RESET` in between); the tests use
    that to show what a shared kernel would leak.

    Standard parts only: jupyter_client's :class:`~jupyter_client.manager.AsyncKernelManager`
    starts the kernel (from :func:`_kernel_spec_manager`: ipykernel of ``sys.executable``, never
    another ``python3`` found on the machine; forked from the template where possible), and
    :mod:`spasm_lib.notebook_run` runs notebooks in it, within its :class:`Limits`. The kernel runs in
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
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.close()
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=_kernel_spec_manager()())
        if self.runtime_dir is not None:
            km.connection_file = str(self.runtime_dir / f"kernel-{uuid.uuid4().hex}.json")
        if _template() is not None:
            km.kernel_id = str(uuid.uuid4())
            km.provisioner = _forking_provisioner()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
        self.km = km  # before the launch: kill() finds its connection file even mid-start
        run_sync(km.start_kernel)(
            cwd=str(self.folder),
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
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
            run_sync(_answered)(self.kc, START_TIMEOUT)
        except Exception as exc:
            self.close()
            raise RenderError(f"the kernel did not start: {one_line(str(exc)) or type(exc).__name__}") from None
        self.ready = True

    def start(self) -> None:
        self.launch()
        self.wait_ready()

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

    def ready_for_run(self) -> None:
        """Before a notebook runs: start the kernel if it is not running (or died, or was left busy
        by a timeout), wait for a launched one, clear it if it ran a notebook before.

        A kernel that dies while it boots (a busy machine; nothing of the notebook ran yet) is
        replaced once before the handout fails: seen in a full test run at load 8, "Kernel died
        before replying to kernel_info". A kernel that cannot be cleared is replaced, not reused."""
        from jupyter_core.utils import run_sync

        usable = not self.broken and self.alive()
        if usable and self.ready:
            if self.runs:
                try:
                    reply = run_sync(self.kc.execute_interactive)(
                        _RESET.format(folder=str(self.folder)), silent=True, store_history=False,
                        timeout=START_TIMEOUT, output_hook=lambda msg: None)
                    cleared = reply["content"].get("status") == "ok"
                except Exception:
                    cleared = False
                if not cleared:
                    self.start()
        else:
            try:
                if usable:
                    self.wait_ready()
                else:
                    self.start()
            except RenderError:
                self.start()
        self.runs += 1
