"""Project-wide pytest configuration: nbval's sanitize file, set from the rootpath; traces kept out of the tree.

nbval opens ``--nbval-sanitize-with`` relative to the working directory; setting it here makes
`pytest` work from any folder and keeps the Makefile's command short.

Students' traces (spasm_lib.trace) go beside the notebook, i.e. the kernel's working folder. During
tests (unit tests that click widgets, nbval kernels, papermill runs, which all inherit this
environment) they go to a temporary folder instead, so nothing is ever written into notebooks/ or
the repository.
"""

import os
import tempfile
from pathlib import Path


def pytest_configure(config):
    if getattr(config.option, "nbval_sanitize_with", "unset") is None:
        config.option.nbval_sanitize_with = str(Path(config.rootpath) / "tests" / "nbval_sanitize.cfg")
    if not os.environ.get("SPASM_TRACE_DIR"):
        os.environ["SPASM_TRACE_DIR"] = tempfile.mkdtemp(prefix="spasm-test-traces-")
