"""The teaching data, installed as the package ``spasm_lib.data``.

This file only makes the folder importable, so that :mod:`importlib.resources` finds the CSV files
in a clone, an editable install and a wheel alike (see ``[tool.setuptools]`` in pyproject.toml).
The tables and their columns are described in ``README.md`` beside it.
"""
