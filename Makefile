# Two entry points, both starting from nothing but Python ≥ 3.11 and make:
#   make run    install into .venv and run the built-in Hà Nam 2017 scenario
#   make test   install into .venv (with the test tools) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'

run: install
	$(BIN)/fuelseal run

test: install-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) runs build *.egg-info
