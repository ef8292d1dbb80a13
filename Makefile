# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format bench-seed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

static/vendor/leaflet/leaflet.js:
	scripts/fetch-map-assets

run: $(VENV)/.runtime static/vendor/leaflet/leaflet.js
	$(BIN)/streamlit run server.py

# The suite in TEST_WORKERS processes (pytest-xdist); the browser tests stay together in one of
# them (tests/browser/conftest.py), one after another.
TEST_WORKERS ?= 2

test: $(VENV)/.dev static/vendor/leaflet/leaflet.js
	scripts/ensure-postgres
	scripts/ensure-chromium
	scripts/ensure-citus
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && $(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .
