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
RUN_ENV := TASKTRACK_TODAY=$(TASKTRACK_TODAY)

.PHONY: run test venv system-deps lint migrate-check clean-instance bench

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

system-deps:
	./scripts/install-system-deps.sh

instance:
	mkdir -p instance

run: venv instance
	$(RUN_ENV) $(FLASK) db upgrade
	$(RUN_ENV) $(FLASK) seed --demo
	@echo "tasktrack: http://$(HOST):$(PORT)/  (today = $(or $(TASKTRACK_TODAY),the real date))"
	@# The scheduler runs beside the dev server as its own process (never inside it) and stops with it.
	$(RUN_ENV) $(FLASK) scheduler & sched=$$!; \
	trap 'kill $$sched 2>/dev/null; wait $$sched 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(FLASK) run --host $(HOST) --port $(PORT)

test: venv system-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The province-scale benchmark (bench/README.md): scales 0.1 and 1 on PostgreSQL and SQLite, gunicorn + wrk.
BENCH_ARGS ?=
bench: venv
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	./scripts/install-bench-deps.sh
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check .

clean-instance:
	rm -rf instance
