# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The .mo files the app reads: build output, not in git (setup.py makes them for a wheel).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard advocacy/translations/*/LC_MESSAGES/*.po))

.PHONY: run test lint messages catalogs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the project's dependencies change.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed-run

# After the install, which brings Babel: make builds prerequisites in order.
run: $(VENV)/.installed-run catalogs
	$(BIN)/advocacy db upgrade
	$(BIN)/advocacy demo
	$(BIN)/advocacy serve --port $(PORT)

test: $(VENV)/.installed-test catalogs
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Ruff and mypy, configured in pyproject.toml; CI runs this after the tests.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

# Compile the catalogs whose .po is newer than their .mo (the editable
# install reads them from the checkout; the app never compiles them).
catalogs: $(CATALOGS)

%.mo: %.po
	$(BIN)/python scripts/compile_catalogs.py $<

# Extract new strings into the catalogs (then translate the French ones).
messages: $(VENV)/.installed-run
	$(BIN)/python scripts/update_messages.py
