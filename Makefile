# The README's commands. `make run` and `make test` do all set-up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/riskmgmt
BROKER_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?= -n 2

.PHONY: run test test-pg lint install system-deps services migrate bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

system-deps:
	bash scripts/system-deps.sh

services:
	bash scripts/services.sh

migrate: install
	$(PY) manage.py migrate --noinput -v0

run: install migrate
	$(PY) manage.py compilemessages -v0 --ignore=.venv 2>/dev/null || true
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

test-pg: install system-deps services
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(BROKER_URL) REQUIRE_POSTGRES=1 REQUIRE_BROKER=1 \
		$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run -v0
	@! git grep -nE '\.status\s*=[^=]' -- riskmgmt ':!*/migrations/*' || (echo "Status får bara ändras genom en övergång (ARCHITECTURE.md §4)"; exit 1)

bench: install
	$(PY) -m pytest tests/perf -p no:xdist -s -m bench

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
