# Marginalia: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format bench load clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

run: $(BIN)/activate
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(BIN)/activate
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(BIN)/activate
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(BIN)/activate
	$(BIN)/python tests/bench/run.py
	$(BIN)/python tests/bench/importers.py
	$(BIN)/python tests/bench/formats.py
	$(BIN)/python tests/bench/reanchor.py
	$(BIN)/python tests/bench/revise.py
	$(BIN)/python tests/bench/printing.py
	$(BIN)/python tests/bench/overview.py
	$(BIN)/python tests/bench/scale.py
	$(BIN)/python tests/bench/api.py

load: $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-load.txt
	$(BIN)/python tests/load/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
