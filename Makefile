# Two commands: `make run` (set up and serve the demo site) and `make test` (run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint setup bench

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

setup: $(BIN)/.installed

run: export DEBUG ?= 1
run: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py rdm_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Search benchmark on its own PostgreSQL database (see bench/search_bench.py; BENCH_ARGS="--records 20000").
bench: export DATABASE_URL := $(or $(BENCH_DATABASE_URL),postgres://rdm:rdm@127.0.0.1:5432/rdm_bench)
bench: $(BIN)/.installed
	$(BIN)/python bench/search_bench.py $(BENCH_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	SECRET_KEY=lint $(BIN)/python manage.py makemigrations --check --dry-run
