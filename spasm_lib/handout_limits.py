"""What one handout's run may take (:class:`Limits`) and how a failed run is told (:class:`RenderError`).

Shared by the three steps of a handout, none of which imports another's module for it: the kernel
(:mod:`spasm_lib.kernels`), the run of the cells (:mod:`spasm_lib.notebook_run`) and the page
(:mod:`spasm_lib.handout_export`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spasm_lib.inputs import CELL_SECONDS, HANDOUT_SECONDS, MAX_HANDOUT_OUTPUT_BYTES


@dataclass(frozen=True)
class Limits:
    """What one handout's run may take, so that a notebook that loops or prints without end fails
    that handout with one line instead of hanging or filling the build.

    Defaults (:mod:`spasm_lib.inputs`, where every bound lives): a cell may run ``CELL_SECONDS``
    (two minutes; the slowest cell of the package's notebooks takes a few seconds), a whole
    handout ``HANDOUT_SECONDS`` (five minutes), the outputs of one handout (text, HTML, images, as
    the kernel sends them) at most ``MAX_HANDOUT_OUTPUT_BYTES`` (40 MiB), and the finished page as
    much. ``spasm-teach render`` and ``handouts`` change the times with ``--cell-timeout`` and
    ``--handout-timeout``.
    """

    cell_seconds: float = CELL_SECONDS
    handout_seconds: float = HANDOUT_SECONDS
    output_bytes: int = MAX_HANDOUT_OUTPUT_BYTES
    page_bytes: int = MAX_HANDOUT_OUTPUT_BYTES


DEFAULT_LIMITS = Limits()


class RenderError(Exception):
    """A run or a conversion failed; the message is one or two lines naming the cell and the error."""


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (colour codes and runs of blanks removed), at most ``limit`` characters."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
