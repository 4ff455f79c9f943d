# Two entry points, both starting from nothing but Python ≥ 3.11 and make:
#   make run    install into .venv and run the built-in Hà Nam 2017 scenario
#   make test   install into .venv (with the test tools) and run the whole test suite (what CI runs)
#   make notebook    install with JupyterLab and open the analyst notebooks (notebooks/)
#   make test-fast   the tests not marked slow, for day-to-day work (hypothesis searches, notebooks,
#                    real signals and subprocesses, Dask clusters are the slow ones)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast install install-test install-web install-notebooks notebook catalogue reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'

install-web: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[web]'

install-notebooks: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[notebooks,evaluate]'

notebook: install-notebooks
	$(BIN)/jupyter lab notebooks/

run: install
	$(BIN)/fuelseal run

test: install-test
	$(BIN)/python -m pytest -n auto --dist worksteal

test-fast: install-test
	$(BIN)/python -m pytest -m "not slow" -n auto

reference: install
	$(BIN)/python -c "from simulator.scenario.reference import markdown; open('docs/scenario-reference.md', 'w', encoding='utf-8').write(markdown())"

catalogue: install-test
	$(BIN)/python tools/catalogue.py

clean:
	rm -rf $(VENV) runs build *.egg-info
