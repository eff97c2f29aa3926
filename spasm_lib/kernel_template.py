"""The kernel template: one process that imports ipykernel and the notebooks' modules once, then
forks a fresh kernel for each handout.

Why (measured, ``docs/benchmarks.md``, handouts): a kernel started from scratch spends about
0.65 s of CPU importing and setting up ipykernel, and the notebooks then spend about 0.5 s more
importing ``spasm_lib``'s views and widgets (ipywidgets). On two cores, with a kernel per handout,
those imports were most of the build. A process forked from a template that has done them starts
with them done; what it runs is its own copy (copy-on-write), so a notebook that changes a module
changes it in its own kernel only, exactly as in a kernel started from scratch. No maintained
library does this (ipykernel's "fork kernel" pull requests were closed unmerged); jupyter_client's
provisioner interface is where it plugs in (:mod:`spasm_lib.kernels`).

Protocol, on the template's stdin and stdout: one JSON line per kernel,
``{"argv": [...ipykernel arguments...], "cwd": "...", "env": {...}}``; the answer is the kernel's
process id on a line. The child leads a session of its own (as a kernel launched by jupyter_client
does), has its standard streams on ``/dev/null``, runs in ``cwd`` with the environment
jupyter_client made for it (not the template's, which may be older), and is IPython's kernel app with those
arguments, its parent the template (``parent_handle``: it exits if the template goes). The
template exits at the end of its input and dies with the process that started it.

Started by :mod:`spasm_lib.kernels` (:data:`~spasm_lib.kernels._TEMPLATE_MAIN`, which calls
:func:`main`); nothing here runs at import.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys
import time
from collections.abc import Iterator

from spasm_lib.stops import die_with_parent

PRELOADED_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # debugpy: the largest part of a kernel's own start
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "faulthandler",
    "pdb",
    "psutil",
    "resource",
    "sqlite3",
    "spasm_lib.params",
    "spasm_lib.facts",
    "spasm_lib.condition",
    "spasm_lib.treatment_pathway",
    "spasm_lib.views.condition",
    "spasm_lib.views.evidence",
    "spasm_lib.views.glossary",
    "spasm_lib.views.objectives",
    "spasm_lib.views.pathway",
    "spasm_lib.widgets.progress",
    "spasm_lib.widgets.quiz",
    "spasm_lib.widgets.risk_factors",
    "spasm_lib.widgets.exam",
    "spasm_lib.widgets.pathway",
    "spasm_lib.widgets.case_study",
)
"""What a kernel imports as it starts (ipykernel's app and kernel, its debugger, IPython's history
and magics), then what the package's notebooks import (their first cells). Imported, never called:
no data is loaded, no thread or event loop started before a fork. A notebook that imports
something else imports it in its own kernel, as usual."""


def _kernel(request: dict, template: int) -> None:
    """In the forked child: become a kernel, as ``python -m ipykernel_launcher ARGV`` would. It dies
    with its template (``template``: a template killed mid-fork leaves no kernel its worker never knew)."""
    code = 1
    try:
        os.setsid()
        die_with_parent(signal.SIGKILL, template)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()  # the environment jupyter_client made for this kernel, not the template's
        os.environ.update(request["env"])
        import tempfile

        tempfile.tempdir = None  # read again from the kernel's environment (TMPDIR)
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    finally:
        os._exit(code)


def main(parent: int) -> None:
    die_with_parent(signal.SIGKILL, parent)
    for name in PRELOADED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # pragma: no cover - a kernel imports what it needs itself
            pass
    # kernels are waited for as they exit: their time and memory count in this process's children,
    # as a started kernel's would
    signal.signal(signal.SIGCHLD, _reap)
    template = os.getpid()
    for line in _requests(parent):
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _kernel(request, template)
        print(pid, flush=True)
    deadline = time.monotonic() + 5  # the end of the input: the kernels were shut down; wait for the last
    while time.monotonic() < deadline and _reap():
        if os.getppid() != parent:  # the worker is gone: its kernels end with it (their parent_handle)
            os._exit(0)
        time.sleep(0.02)


def _requests(parent: int) -> Iterator[bytes]:
    """The request lines on stdin, until its end or until ``parent`` is gone (looked at twice a
    second as well: the parent-death signal alone was seen to leave a template after a stop).
    A buffered ``readline`` is safe: :meth:`spasm_lib.kernels._KernelTemplate.fork` waits for each
    answer before it writes the next line, so no line waits in the buffer unseen by ``select``."""
    while True:
        while not select.select([0], [], [], 0.5)[0]:
            if os.getppid() != parent:
                os._exit(0)
        line = sys.stdin.buffer.readline()
        if not line:
            return
        yield line


def _reap(*_: object) -> bool:
    """Wait for every kernel that has ended; True while some are still running."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
