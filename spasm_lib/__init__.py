"""spasm-teach: the library behind the back-spasm teaching notebooks.

Educational material for health-science students; not medical advice. The structured facts live in
``data/`` and are loaded by :mod:`spasm_lib.facts`; everything else is pure logic and views over them.
This module imports nothing heavy, so ``import spasm_lib`` stays cheap.
"""

__version__ = "0.1.0"

import sys as _sys

if _sys.platform == "emscripten":  # JupyterLite: read back the files a memory-only kernel keeps in the browser
    from spasm_lib import browser_storage as _browser_storage

    _browser_storage.start()

DISCLAIMER = (  # the one wording: every notebook shows it (views.disclaimer), every handout's header prints it
    "Educational material for health-science students. It is not medical advice and must not be "
    "used to diagnose or treat anyone. A person with back pain should see a qualified clinician. "
    "Numbness or altered feeling around the back passage, genitals or inner thighs, new bladder, bowel "
    "or sexual problems, or pain, numbness or weakness in both legs needs the emergency department at "
    "once; a leg that is getting weaker, or a foot that drops, needs assessment the same day."
)
