"""Ctrl-C, SIGTERM and SIGHUP for commands that run kernels: remembered, then acted on in one place.

Why not Python's default (``KeyboardInterrupt`` raised wherever the main thread happens to be, and
death by SIGTERM or SIGHUP): a stop that lands between a handout's rename and its record in the set's
manifest, inside a kernel client's event loop, or in three worker processes at once, leaves files,
kernels and tracebacks behind. :class:`StopSignals` replaces the handlers for the duration of a
command. While :attr:`StopSignals.raising` is True (nothing written yet, e.g. while planning) a
signal raises :class:`Interrupted` at once; otherwise it is only remembered, and the command checks
:attr:`StopSignals.signum` between steps, stops its workers and kernels, and exits with
``128 + signal`` (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP) after one line.
A second signal while stopping is ignored: the stop is already under way.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """A stop signal arrived; :attr:`exit_code` is what the command exits with.

    A :class:`BaseException`, like :class:`KeyboardInterrupt`, so that no ``except Exception``
    (ours or a library's) mistakes the stop for a failure of the run."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"interrupted by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class StopSignals:
    """Handle the stop signals in the main thread while the ``with`` block runs (elsewhere: no-op).

    ``on_stop`` runs once, inside the handler, when the first signal arrives: it must be quick and
    must not wait on anything (for example :meth:`spasm_lib.kernels.HandoutKernel.kill`).
    """

    def __init__(self, on_stop: Callable[[], None] | None = None, *, raising: bool = True) -> None:
        self.on_stop = on_stop
        self.raising = raising
        self.signum: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
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

    def check(self) -> None:
        """Raise :class:`Interrupted` if a stop signal arrived."""
        if self.signum is not None:
            raise Interrupted(self.signum)
