# Dân vận: the everyday commands. `make run` serves the app, `make test` runs the suite,
# `make lint` checks style and migrations. Only Python 3.11 is needed to start.

SHELL := /bin/bash
.DEFAULT_GOAL := run

PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Touched after a successful install; pip runs again when a requirements file is newer.
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

# The settings refuse to start without SECRET_KEY when DEBUG is off, so local commands
# default to DEBUG=1 unless the environment, the command line or .env decides.
ifeq ($(origin DEBUG),undefined)
ifeq ($(shell grep -sE '^[[:space:]]*(export[[:space:]]+)?DEBUG[[:space:]]*=' .env),)
export DEBUG := 1
endif
endif

.PHONY: venv run test lint messages chromium clean backup restore bench loadtest

venv: $(STAMP)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
		{ echo "Python 3.11 is required ($(PYTHON) is $$($(PYTHON) --version 2>&1))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: venv
	$(MANAGE) migrate --noinput
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(MANAGE) compilemessages --ignore $(VENV) -v 0; \
	else \
		echo "msgfmt not found (apt-get install gettext): using the committed .mo files."; \
	fi
	@agreements=$$($(MANAGE) shell -v 0 -c \
		"from agreements.models import Agreement; print(Agreement.objects.count())") || exit 1; \
	if [ "$$agreements" = 0 ]; then \
		echo "Empty database: loading the demo data (note the passwords printed below)."; \
		$(MANAGE) loaddemo; \
	else \
		echo "The database already holds $$agreements agreements: demo data not loaded."; \
	fi
	$(MANAGE) runserver 127.0.0.1:8000

# Best effort: the browser tests need Debian's Chromium; without it they are skipped.
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "!! $(CHROMIUM) is missing and apt-get is not available: browser tests will be SKIPPED."; \
		exit 0; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "!! $(CHROMIUM) is missing; run 'sudo apt-get install chromium'. Browser tests will be SKIPPED."; exit 0; fi; \
	echo "Installing Debian's Chromium for the browser tests..."; \
	if $$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null; then \
		echo "Chromium installed: $$($(CHROMIUM) --version 2>/dev/null)"; \
	else \
		echo "!! Could not install chromium with apt-get: browser tests will be SKIPPED."; \
	fi

# DEBUG=1 keeps static storage non-manifest (no collectstatic needed); pytest-django
# still runs the tests with DEBUG off. DATABASE_URL=postgres://... runs them on PostgreSQL.
test: venv chromium
	@status=0; DEBUG=1 $(PY) -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ ! -x $(CHROMIUM) ]; then \
		echo "!! Browser tests (tests/e2e) were SKIPPED: $(CHROMIUM) is not installed."; \
	fi; \
	exit $$status

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# See locale/README.md: vi/overrides.po is merged back after makemessages drops it;
# the last step lists English entries still to translate (fuzzy or empty).
messages: venv
	$(MANAGE) makemessages -l en -l vi --no-obsolete --ignore $(VENV) --ignore tests \
		--ignore staticfiles --ignore media --ignore test-artifacts --ignore loadtest
	msgcat --use-first locale/vi/overrides.po locale/vi/LC_MESSAGES/django.po \
		-o locale/vi/LC_MESSAGES/django.po
	$(MANAGE) compilemessages --ignore $(VENV)
	@todo=$$(msgattrib --untranslated locale/en/LC_MESSAGES/django.po; \
		msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po); \
	if [ -n "$$todo" ]; then echo "$$todo"; echo "!! English entries above need translating."; fi

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache test-artifacts

# Backups: one folder per run, backups/dinvan-YYYYmmdd-HHMMSS (see README, "Sao lưu").
BACKUP_DIR ?= backups
backup: venv
	$(MANAGE) backup --output-dir $(BACKUP_DIR)

# Replaces ALL data of the configured database with the backup's.
restore: venv
	@if [ -z "$(BACKUP)" ]; then \
		echo "Usage: make restore BACKUP=backups/dinvan-YYYYmmdd-HHMMSS"; \
		echo "Replaces ALL data of the database and copies the backup's files into MEDIA_ROOT."; \
		exit 2; \
	fi
	$(MANAGE) restore "$(BACKUP)" --yes

# Benchmark (README, "Hiệu năng / Performance"): synthetic data, gunicorn on 127.0.0.1,
# a bounded load, a Markdown table. SQLite file bench.sqlite3 unless DATABASE_URL is set;
# e.g. make bench BENCH_ARGS="--scale national --output bench-national.md".
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

# Load test (README, "Kiểm thử tải / Load test"): locust on 127.0.0.1, 50 users (editors
# of 10 agencies) for 60 s, then saves = audit records = rows changed. It EMPTIES its
# database: the SQLite file loadtest.sqlite3 unless DATABASE_URL names one with
# "loadtest" in its name; e.g. make loadtest LOADTEST_ARGS="--users 20 --time 2m".
LOADTEST_STAMP := $(VENV)/.installed-loadtest

$(LOADTEST_STAMP): requirements-loadtest.txt requirements-dev.txt requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-loadtest.txt
	@touch $@

loadtest: venv $(LOADTEST_STAMP)
	$(PY) loadtest/run.py $(LOADTEST_ARGS)
