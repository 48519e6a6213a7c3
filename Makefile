# Headhunter: the README's two commands.
#   make run   set up and start the whole app (embedded defaults, demo data, printed logins)
#   make test  set up and run every check and test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
SYSTEM_PACKAGES := postgresql redis-server chromium chromium-driver

.PHONY: run test lint typecheck migrations-check pytest system-packages venv venv-dev clean

# The stamp files are named after the requirements' content, so a changed pin reinstalls
# and an unchanged one reuses the virtualenv.
REQ_STAMP := $(VENV)/.installed-$(shell cat requirements.txt 2>/dev/null | sha256sum | cut -c1-12)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt 2>/dev/null | sha256sum | cut -c1-12)

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(REQ_STAMP): requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(REQ_STAMP)
venv-dev: $(DEV_STAMP)

run: venv
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	HOST=$(HOST) PORT=$(PORT) bin/run-app

# Debian's PostgreSQL, Redis and Chromium back the integration and browser tests.
system-packages:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "Missing system packages:$$missing (run as root, or: sudo apt-get install$$missing)"; exit 1; \
	  fi; \
	fi

lint: venv-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv-dev
	$(VENV)/bin/mypy .

migrations-check: venv-dev
	$(PY) manage.py makemigrations --check --dry-run

# Two pytest runs: everything on the embedded defaults (SQLite, in-memory layer), then the
# integration tests again in production mode (throwaway PostgreSQL + Redis).
pytest: venv-dev system-packages
	$(VENV)/bin/pytest
	HEADHUNTER_TEST_SERVICES=1 $(VENV)/bin/pytest -m integration

test: lint typecheck migrations-check pytest

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
