# qapps-nb developer commands. Every target creates .venv and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev

.PHONY: demo test test-floors lint lab bench bench-quick browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

## Run the quickstart notebook on the embedded sandbox (no AWS account needed).
demo: $(STAMP)
	$(PY) -m qapps_nb.demo

## Lint, type-check and run every test (browser tests need Debian's chromium).
test: $(STAMP) lint
	$(PY) -m pytest

## The declared minimum versions on the oldest supported Python (pyenv's 3.10), then the
## tests without the browser ones; FLOORS_PYTHON=/path/to/python3.10 to use another.
test-floors:
	$(PYTHON) .ci/floors.py $(if $(FLOORS_PYTHON),--python $(FLOORS_PYTHON))

lint: $(STAMP)
	$(PY) -m ruff check qapps_nb tests benchmarks .ci
	$(PY) -m mypy qapps_nb

## Open the quickstart in JupyterLab.
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/quickstart.ipynb

## Full benchmarks (1 GiB files; several minutes); bench-quick is the tiny version that
## make test runs (tests/test_benchmarks.py) and CI shows.
bench: $(STAMP)
	$(PY) -m benchmarks

bench-quick: $(STAMP)
	$(PY) -m benchmarks --quick

## Debian's Chromium for the browser tests (root).
browser-deps:
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
