"""spasm-teach: the library behind the back-spasm teaching notebooks.

Educational material for health-science students; not medical advice. The structured facts live in
``data/`` and are loaded by :mod:`spasm_lib.facts`; everything else is pure logic and views over them.
This module imports nothing heavy, so ``import spasm_lib`` stays cheap.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "Educational material for health-science students. It is not medical advice and must not be "
    "used to diagnose or treat anyone. A person with back pain should see a qualified clinician; "
    "numbness around the buttocks or groin, new bladder or bowel trouble, or leg weakness needs "
    "same-day emergency care."
)
