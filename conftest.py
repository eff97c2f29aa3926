"""Project-wide pytest configuration: nbval's sanitize file, set from the rootpath.

nbval opens ``--nbval-sanitize-with`` relative to the working directory; setting it here makes
`pytest` work from any folder and keeps the Makefile's command short.
"""

from pathlib import Path


def pytest_configure(config):
    if getattr(config.option, "nbval_sanitize_with", "unset") is None:
        config.option.nbval_sanitize_with = str(Path(config.rootpath) / "tests" / "nbval_sanitize.cfg")
