# tasktrack — `make run` serves the app, `make test` runs the whole suite (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# The seed is the 2024 plan: by default the demo runs on a day inside it. `TASKTRACK_TODAY= make run` uses the real date.
TASKTRACK_TODAY ?= 2024-07-18
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test pytest venv venv-dev instance-env system-deps lint migrate-check clean-instance bench

# Two stamps: running needs requirements.txt only; `make test` adds the test toolchain (pytest, Playwright, ruff, mypy).
$(BIN)/.installed-run: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed-run
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed-run

venv-dev: $(BIN)/.installed-dev

system-deps:
	./scripts/install-system-deps.sh

instance:
	mkdir -p instance

# The instance's day, read by the server and by every `flask --app wsgi …` typed in this checkout (config.py).
instance-env: instance
	@printf '%s\n' '# Written by make run: the day this demo instance runs on (empty: the real date).' \
	  'TASKTRACK_TODAY=$(TASKTRACK_TODAY)' > instance/tasktrack.env

run: venv instance-env
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	@echo "tasktrack: http://$(HOST):$(PORT)/  (today = $(or $(TASKTRACK_TODAY),the real date), in instance/tasktrack.env)"
	@# The scheduler runs beside the dev server as its own process (never inside it) and stops with it.
	$(FLASK) scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null; wait $$sched 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

PYTEST := $(BIN)/python -m pytest -q -p no:cacheprovider

test: venv-dev system-deps
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(PYTEST) $(PYTEST_ARGS)

# The suite without ruff and mypy: CI's PostgreSQL pass, beside `make test` on SQLite, which lints once for both.
pytest: venv-dev system-deps
	$(PYTEST) $(PYTEST_ARGS)

# The province-scale benchmark (bench/README.md): scales 0.1 and 1 on PostgreSQL and SQLite, gunicorn + wrk.
BENCH_ARGS ?=
bench: venv-dev
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	./scripts/install-bench-deps.sh
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

clean-instance:
	rm -rf instance
