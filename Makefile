# The two commands a newcomer types: `make lab` and `make test`. Both create .venv when it is missing.
# A content author's loop: `make check` (seconds), then `make notebooks` and `make test` before a commit.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: lab check test unit notebooks handouts lite-offline bench clean help

help:
	@echo "make lab        open JupyterLab on notebooks/ (creates .venv on first use)"
	@echo "make check      the fast loop (about 30 s): unit, data and notebook-structure tests; no kernel, no browser"
	@echo "make test       run the whole suite: unit tests, strict nbval, browser tests"
	@echo "make notebooks  re-execute the notebooks in place (after changing them or the library)"
	@echo "make handouts   build the offline HTML handout set into build/handouts/"
	@echo "make lite-offline  build the JupyterLite site that needs no network into build/lite/"
	@echo "make bench      print the benchmark table and write build/bench.json"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps record what is installed; they are redone when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install -e ".[test,lite]"
	touch $(VENV)/.installed $(VENV)/.installed-lite $@

$(VENV)/.installed-lite: pyproject.toml | $(PY)
	$(PIP) install -e ".[lite]"
	touch $(VENV)/.installed $@

# The file browser hides what a student has no use for: notebooks/__init__.py (it makes the folder
# a package for `spasm-teach start`), caches, checkpoints and the saved answers (.spasm-trace).
HIDDEN = __init__.py __pycache__ *.pyc *.pyo .ipynb_checkpoints
# The package's own notebooks are trusted first (`jupyter trust`, a signature in this user's Jupyter data):
# JupyterLab shows an untrusted notebook's stored HTML without its <style>, so the views' frames, boxes
# and colours would appear only once a cell runs.
lab: $(VENV)/.installed
	$(VENV)/bin/jupyter trust notebooks/*.ipynb
	$(VENV)/bin/jupyter lab notebooks/ $(foreach g,$(HIDDEN),--ContentsManager.hide_globs='$(g)')

# The tests marked kernel, subprocess or e2e (pyproject.toml) are left to `make test` (a test that starts
# a process unmarked fails: tests/conftest.py); one worker per core. Compiled files are kept even where
# PYTHONDONTWRITEBYTECODE is set: most of a run's start is pytest rewriting the tests' asserts, done once.
check: $(VENV)/.installed-test
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -p no:cacheprovider -q -n auto -m "not e2e and not kernel and not subprocess and not cohort" tests

# Two runs: unit tests and strict nbval in parallel (by file: one notebook's cells stay together),
# then the browser tests on their own, so that one JupyterLab and one Chromium serve them all.
test: $(VENV)/.installed-test
	@# Pyodide for the JupyterLite tests, fetched and verified once (cached in build/pyodide): fetched
	@# first so that the unit tests that read it run instead of skipping; if it cannot be fetched,
	@# those tests say so and the browser tests fail in CI.
	-$(PY) tools/fetch_pyodide.py --cache build/pyodide > /dev/null
	$(PY) -m pytest -p no:cacheprovider -n 2 --dist loadfile --nbval --nbval-current-env -m "not e2e" tests notebooks
	$(PY) -m pytest -p no:cacheprovider -m e2e tests/e2e

unit: $(VENV)/.installed-test
	$(PY) -m pytest -p no:cacheprovider -n 2 --dist loadfile -m "not e2e" tests

notebooks: $(VENV)/.installed
	$(PY) -m spasm_lib.notebook_tools execute notebooks/*.ipynb

handouts: $(VENV)/.installed
	$(VENV)/bin/spasm-teach handouts -o build/handouts

# The offline JupyterLite site: Pyodide fetched and verified once into build/pyodide (tools/fetch_pyodide.py),
# then `spasm-teach lite` into build/lite, which this target owns (and so replaces).
lite-offline: $(VENV)/.installed-lite
	dist=$$($(PY) tools/fetch_pyodide.py --cache build/pyodide) && rm -rf build/lite && \
		$(VENV)/bin/spasm-teach lite -o build/lite --cache build/lite-wheels --pyodide "$$dist"

bench: $(VENV)/.installed-test
	$(PY) benchmarks/run.py

clean:
	rm -rf build dist artifacts *.egg-info
