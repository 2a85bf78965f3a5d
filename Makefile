# Chirp: `make run` serves the API with a worker; `make test` runs the suite.
# Both start embedded PostgreSQL and Redis under var/ unless DATABASE_URL / REDIS_URL are set.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test install lint fmt migrations superuser bench bench-quick soak clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) -m config.dev run

test: install
	$(PY) -m config.dev test

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations: install
	$(PY) -m config.dev manage makemigrations

superuser: install
	$(PY) -m config.dev manage createsuperuser

bench: install
	$(PY) -m config.dev bench

bench-quick: install
	$(PY) -m config.dev bench --quick

soak: install
	$(PY) -m config.dev soak

clean:
	rm -rf var/ .pytest_cache
