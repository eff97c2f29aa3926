"""spasm_lib.stops: a stop signal is handled once, and a second one cannot cut the clean-up short."""

from __future__ import annotations

import os
import signal
import time

from spasm_lib.stops import StopSignals


def _wait_for(stops: StopSignals) -> None:
    deadline = time.monotonic() + 5
    while stops.signum is None and time.monotonic() < deadline:
        time.sleep(0.01)


def test_without_a_stop_the_previous_handlers_come_back():
    before = signal.getsignal(signal.SIGTERM)
    with StopSignals(raising=False):
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before


def test_after_a_stop_a_second_signal_is_ignored_until_the_program_ends():
    before = signal.getsignal(signal.SIGTERM)
    try:
        with StopSignals(raising=False) as stops:
            os.kill(os.getpid(), signal.SIGTERM)
            _wait_for(stops)
            os.kill(os.getpid(), signal.SIGTERM)  # inside the handler's reach: noted once
        assert stops.signum == signal.SIGTERM
        # the program is stopping: a second SIGTERM now (its clean-up) must not kill it with -15
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_IGN
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGTERM, before)
