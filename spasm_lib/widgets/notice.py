"""The one line a student sees when their work cannot be saved where it usually is.

A widget that records adds :func:`notice_line` to its children; the recorder fills it in when the
trace store had to use a fresh file (or could not save at all), or when the browser keeps no files
for a JupyterLite kernel (:func:`spasm_lib.browser_storage.problem`). Empty otherwise.
"""

from __future__ import annotations

import ipywidgets as W

from spasm_lib.html import esc
from spasm_lib.recorder import Recorder


def notice_line(recorder: Recorder | None) -> W.HTML:
    line = W.HTML()
    if recorder is not None:
        def show(text: str) -> None:
            line.value = f'<p class="spasm-trace-notice" role="status"><strong>Note:</strong> {esc(text)}</p>'
        recorder.on_notice = show
        if recorder.notice:  # known already (a browser that keeps no files for the notebook)
            show(recorder.notice)
    return line
