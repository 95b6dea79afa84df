# The README's two commands are `make run` and `make test`; both are safe to repeat.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# Django 6.1 needs Python >= 3.12. Try the newest interpreter first; pyenv keeps
# versions outside PATH, so its version folders are searched as well.
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 \
	$(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)) \
	$(sort $(wildcard /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9])) python3
FIND_PYTHON := for c in $(PYTHON_CANDIDATES); do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	v=$$($$p -c 'import sys; print("%d%02d" % sys.version_info[:2]) if sys.version_info >= (3, 12) else None' 2>/dev/null) || continue; \
	[ "$$v" != "None" ] && [ -n "$$v" ] && echo "$$v $$p"; \
	done | sort -rn | head -n 1 | cut -d' ' -f2

# Local development runs with DEBUG on unless the caller says otherwise.
export DEBUG ?= 1

.PHONY: help setup run test lint format bench messages clean serve worker

help:
	@echo "make run    set up, load the 2006 demo data and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up with the dev extra and run the whole test suite"
	@echo "make setup  create $(VENV) and install the app with the dev extra"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make bench  run the benchmark scripts in bench/"
	@echo "make serve  production server (gunicorn, DEBUG off; see README, Deployment)"
	@echo "make worker the background worker for make serve (reports, large imports, reminders, e-mail)"

$(VENV)/.installed-%: pyproject.toml
	@python="$$($(FIND_PYTHON))"; \
	if [ -z "$$python" ]; then \
		echo "error: Python 3.12 or newer is required (Django 6.1); none was found." >&2; \
		echo "Install python3.12 or python3.13 and run make again." >&2; exit 1; \
	fi; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(if $(filter dev,$*),-e '.[dev]',-e .)
	@touch $@

setup: $(VENV)/.installed-dev

run: $(VENV)/.installed-base
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: DEBUG off whatever the environment says. SECRET_KEY and ALLOWED_HOSTS must
# be exported; nothing secret is made up here. The database is migrated separately, once
# per release (README, Deployment), not by each of several app servers at once.
serve worker: export DEBUG := 0
serve: export TASKS_BACKEND ?= database
worker: export TASKS_BACKEND := database
serve: $(VENV)/.installed-base
	@[ -n "$$SECRET_KEY" ] || { echo "error: export SECRET_KEY (50 or more random characters)" >&2; exit 1; }
	@[ -n "$$ALLOWED_HOSTS" ] || { echo "error: export ALLOWED_HOSTS (the site's host names)" >&2; exit 1; }
	$(PY) manage.py collectstatic --no-input -v0
	$(VENV)/bin/gunicorn --config imdi_reporting/gunicorn.conf.py --bind $(HOST):$(PORT) imdi_reporting.wsgi

# Runs the tasks make serve's app servers queue in the database; one or more per site.
worker: $(VENV)/.installed-base
	$(PY) manage.py db_worker

test: $(VENV)/.installed-dev
	$(PY) -m pytest -n auto --dist loadfile

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages --locale nb --locale nn --no-obsolete --no-location \
		--ignore .venv --ignore goals --ignore budget --ignore settlement --ignore tests --ignore bench
	for app in goals budget settlement; do \
		[ -d $$app/locale ] || continue; \
		(cd $$app && ../$(PY) ../manage.py makemessages --locale nb --locale nn --no-obsolete --no-location); \
	done
	$(PY) manage.py compilemessages --locale nb --locale nn --ignore .venv

bench: $(VENV)/.installed-dev
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
