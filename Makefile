# perfmon: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
COUNCIL ?= derby

.PHONY: run test lint fmt bench loadtest worker beat assets install install-dev migrate demo check-deploy clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.dev-installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static/dist/.built: node_modules/.package-lock.json $(shell find frontend -type f 2>/dev/null)
	npm run build
	touch $@

assets: static/dist/.built

migrate: install
	$(PY) manage.py migrate

demo: migrate
	$(PY) manage.py load_demo --council $(COUNCIL)

run: install assets demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev assets
	@echo "Database: $${DATABASE_URL:-SQLite (set DATABASE_URL=postgres://... to test against PostgreSQL)}"
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	if [ -f ../shared/tools/check_layers.py ]; then python3 ../shared/tools/check_layers.py; fi

fmt: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev assets
	$(PY) -m pytest benchmarks -q -s -p no:cacheprovider

# Real gunicorn and PostgreSQL under Locust; sizes from LOADTEST_* (benchmarks/loadtest/config.py).
loadtest: install-dev assets
	$(PY) -m benchmarks.loadtest.run

worker: install
	$(VENV)/bin/celery -A perfmon worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A perfmon beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") \
	ALLOWED_HOSTS=perfmon.example.gov.uk REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules static/dist staticfiles
