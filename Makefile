# K-Means Explorer: `make run` starts the app, `make test` runs every test.
# Both create a virtual environment in .venv and install what they need into it.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test test-fast lint format bench browser clean

run: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev browser
	$(BIN)/python -m pytest

# Everything except the real-browser suite (quicker while developing).
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest -m "not browser"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.runtime
	$(BIN)/python -m bench.core

# The browser tests use Debian's /usr/bin/chromium where it exists, else Playwright's own.
browser: $(VENV)/.dev
	@if [ -x /usr/bin/chromium ]; then echo "Using /usr/bin/chromium"; \
	else $(BIN)/python -m playwright install chromium || echo "No browser: the browser tests will be skipped (they fail under CI=true)."; fi

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
