# Opportunità — the two commands are `make run` and `make test`; the rest are their steps.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := FLASK_APP=marketplace $(BIN)/flask
TRANSLATIONS := marketplace/translations

.PHONY: run test install assets translations i18n-update services services-down browser lint serve-full worker

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) assets translations

assets:
	scripts/build-assets.sh

translations: $(STAMP)
	$(BIN)/pybabel compile -d $(TRANSLATIONS) -f

# After changing visible strings: refresh the catalog, then translate the new entries.
i18n-update: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".venv node_modules static .git instance" \
		-o marketplace/translations/messages.pot .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d $(TRANSLATIONS)

# The embedded default: SQLite under instance/, jobs in-process, search from the database.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo seed --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite against real PostgreSQL, Redis, Elasticsearch and Chromium.
test: install services browser
	set -a && eval "$$(scripts/services.sh env)" && set +a && $(BIN)/pytest $(PYTEST_ARGS)

services:
	scripts/services.sh up

services-down:
	scripts/services.sh down

browser:
	scripts/install-browser.sh

lint: $(STAMP)
	$(BIN)/ruff check marketplace search jobs tests benchmarks
	$(BIN)/ruff format --check marketplace search jobs tests benchmarks

# Full stack by hand: `make services`, then these two in separate terminals.
serve-full: install
	set -a && eval "$$(scripts/services.sh env)" && set +a && $(FLASK) db upgrade && \
		$(BIN)/gunicorn -w 4 --timeout 120 -b 127.0.0.1:8000 'marketplace:create_app()'

worker: install
	set -a && eval "$$(scripts/services.sh env)" && set +a && $(BIN)/python -m jobs.worker
