"""Ctrl-C, SIGTERM and SIGHUP for commands that run kernels: remembered, then acted on in one place.

Python's default (``KeyboardInterrupt`` wherever the main thread is; death by SIGTERM or SIGHUP) can
land between a handout's rename and its record in the set's manifest, inside a kernel client's event
loop, or in three worker processes at once, leaving files, kernels and tracebacks behind. While
:attr:`StopSignals.raising` is True (nothing written yet) a signal raises :class:`Interrupted` at once;
otherwise it is only remembered (:attr:`StopSignals.signum`), and the command looks at it between
steps, stops its workers and kernels, and exits with ``128 + signal`` (130, 143, 129) after one line. A second
signal while stopping is ignored: the stop is already under way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """A stop signal arrived; a :class:`BaseException`, like :class:`KeyboardInterrupt`, so that no
    ``except Exception`` (ours or a library's) mistakes the stop for a failure of the run."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum


class StopSignals:
    """Handle the stop signals in the main thread while the ``with`` block runs (elsewhere: no-op).

    ``on_stop`` runs once, inside the handler, when the first signal arrives: it must be quick and
    must not wait on anything (for example :meth:`spasm_lib.kernels.HandoutKernel.kill`)."""

    def __init__(self, on_stop: Callable[[], None] | None = None, *, raising: bool = True) -> None:
        self.on_stop, self.raising = on_stop, raising
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            self._previous = {signum: signal.signal(signum, self._handle) for signum in STOP_SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            # After a stop the program is on its way out: a second signal must not cut its clean-up
            # short (the default action would kill it mid-way, exit -15 instead of 143).
            signal.signal(signum, signal.SIG_IGN if self.signum is not None else handler)  # type: ignore[arg-type]
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:  # noqa: ARG002
        if self.signum is not None:
            return
        self.signum = signum
        if self.on_stop is not None:
            self.on_stop()
        if self.raising:
            self.raising = False
            raise Interrupted(signum)


def die_with_parent(signum: int, parent: int | None = None) -> None:
    """Linux: ``signum`` to this process when the one that started it dies, however it dies
    (``PR_SET_PDEATHSIG``): a pool's worker (SIGTERM: it stops its kernels), a kernel template or a
    kernel (SIGKILL). With ``parent``, exit at once if that parent is already gone (it died before
    this was set). Elsewhere nothing: the stop handlers and exit hooks remain."""
    import ctypes
    import os
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signum))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - no prctl
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(0)
