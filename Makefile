# The two set-up commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NODE_DIR := tests/interop

.PHONY: run test lint format install node system-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json
	cd $(NODE_DIR) && npm install --no-audit --no-fund --loglevel=error
	@touch $@

node: $(NODE_DIR)/node_modules/.installed

system-deps:
	@bash .ci/system-deps

## start the service with the SQLite default and the sample data on http://127.0.0.1:8000
run: install
	$(BIN)/eauth sandbox serve --host 127.0.0.1 --port 8000

## lint, type-check and run the whole test suite
test: install node system-deps lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff format --check eauth_toolkit pilot_sandbox tests bench examples setup.py
	$(BIN)/ruff check eauth_toolkit pilot_sandbox tests bench examples setup.py
	$(BIN)/mypy

format: install
	$(BIN)/ruff format eauth_toolkit pilot_sandbox tests bench examples
	$(BIN)/ruff check --fix eauth_toolkit pilot_sandbox tests bench examples

bench: install node
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var $(NODE_DIR)/node_modules
