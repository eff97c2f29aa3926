"""Run a notebook in a kernel (:class:`spasm_lib.kernels.HandoutKernel`) and return the executed copy;
never writes a file.

Standard parts: papermill injects the parameters cell (already validated by
:func:`spasm_lib.params.validate`: papermill itself only *warns* about an unknown parameter), and
nbclient's :class:`~nbclient.NotebookClient` executes the cells in the running kernel, within
:class:`~spasm_lib.handout_limits.Limits` (time per cell and per handout, bytes of output). papermill
writes an output notebook even when a cell fails; here a failing cell, a cell that ends the run
(``SystemExit``, ``exit()``), a dead kernel, a cell or handout over its time or outputs over their
size raise :class:`~spasm_lib.handout_limits.RenderError` naming the cell in the source's numbering.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from spasm_lib.handout_limits import DEFAULT_LIMITS, Limits, RenderError, one_line
from spasm_lib.kernels import KERNEL_NAME, HandoutKernel

INJECTED_TAG = "injected-parameters"


def execute(nb: Any, parameters: Mapping[str, Any], folder: str | Path, kernel: HandoutKernel | None = None,
            limits: Limits = DEFAULT_LIMITS) -> Any:
    """Run a notebook and return the executed notebook.

    ``kernel`` is a :class:`~spasm_lib.kernels.HandoutKernel` to run it in (kept running afterwards,
    within its own limits); without one, a fresh kernel is started in ``folder`` and stopped
    afterwards.
    """
    if kernel is None:
        with HandoutKernel(folder, limits=limits) as own:
            return execute(nb, parameters, folder, own)
    from jupyter_core.utils import run_sync

    kernel.ready_for_run()
    try:
        return run_sync(_run)(kernel, nb, parameters)
    except RenderError:
        kernel.broken = True  # a timeout or an overflow may leave it busy: never reused
        raise


async def _run(kernel: HandoutKernel, source: Any, parameters: Mapping[str, Any]) -> Any:
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

    limits = kernel.limits
    deadline = time.monotonic() + limits.handout_seconds
    budget: dict[str, float] = {}

    def cell_timeout(cell: Any) -> int:
        left = deadline - time.monotonic()
        budget["handout"] = left < limits.cell_seconds
        return max(1, int(min(limits.cell_seconds, left) + 0.999))

    client = _bounded_client_class()(nb, km=kernel.km, timeout_func=cell_timeout, record_timing=False,
                            force_raise_errors=True, on_cell_executed=asked_to_exit,
                            output_limit=limits.output_bytes)
    client.kc = kernel.kc  # the running kernel's client: nbclient neither starts nor stops anything
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and time.monotonic() >= deadline:
            raise RenderError(_over_time(source, index, limits, whole=True))
        try:
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellTimeoutError:
            raise RenderError(_over_time(source, index, limits, whole=budget.get("handout", False))) from None
        except CellExecutionError as exc:
            raise RenderError(_cell_failure(source, index, exc.ename, exc.evalue)) from None
        except Exception as exc:  # a dead kernel or a broken channel: one line, not a traceback
            if not client.overflow:
                if isinstance(exc, DeadKernelError):
                    raise RenderError(f"{_cell(source, index)} failed: the kernel died (a crash, os._exit or out of "
                                      "memory)") from None
                name = type(exc).__name__
                raise RenderError(f"the kernel failed: {name}: {one_line(str(exc)) or name}") from None
        if client.overflow:
            raise RenderError(f"{_cell(source, index)} printed or displayed more than {limits.output_bytes / 1e6:.0f} "
                              "MB of output (the most a handout may hold)")
        if exits:
            raise RenderError(f"{_cell(source, index)} ended the run early: it called exit() or quit()")
    return nb


@cache
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
                self.task_poll_for_reply.cancel()  # set by async_execute_cell before any output is read
                return None
            return super().output(outs, msg, display_id, cell_index)

    return BoundedClient


def _over_time(source: Any, index: int, limits: Limits, *, whole: bool) -> str:
    which = (f"the handout ran longer than {limits.handout_seconds:g} s (the time a handout may take; "
             "--handout-timeout changes it)") if whole else (
             f"ran longer than {limits.cell_seconds:g} s (the time a cell may take; --cell-timeout changes it)")
    return f"{_cell(source, index)} {which}"


def _cell(nb: Any, index: int) -> str:
    """'cell 7 (code cell 4)' in the source's numbering.

    ``index`` counts the executed notebook's cells, where papermill's injected cell sits right
    after the parameters cell (or first, if there is none); the message counts the source's.
    A source that already holds an injected cell (a stored executed notebook) has it replaced in place.
    """
    tags = [c.get("metadata", {}).get("tags", []) for c in nb.cells]
    if not any(INJECTED_TAG in t for t in tags):
        params_at = next((i for i, t in enumerate(tags) if "parameters" in t), -1)
        if index > params_at:
            index -= 1
    index = max(0, min(index, len(nb.cells) - 1))
    code_number = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    return f"cell {index + 1} (code cell {code_number})"


def _cell_failure(nb: Any, index: int, ename: str, evalue: str) -> str:
    """'cell 7 (code cell 4) failed: ZeroDivisionError: division by zero'; a ``SystemExit`` ends the run early."""
    detail = one_line(str(evalue))
    if ename == "SystemExit":
        detail = f": {detail}" if detail else ""
        return f"{_cell(nb, index)} ended the run early: SystemExit{detail} (a handout runs every cell)"
    return f"{_cell(nb, index)} failed: {ename}" + (f": {detail}" if detail else "")
