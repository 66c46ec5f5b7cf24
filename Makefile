# The two commands a newcomer needs: `make run` and `make test`.
# Everything is installed into .venv from the lock file (uv.lock) by uv, which
# is itself bootstrapped into .tools/ from PyPI.

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# The embedded default: SQLite, Celery tasks run eagerly in-process, no Redis.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test screenshots chromium install lint format schemathesis bench wrk messages messages-check clean

run: install ## Install, load reference and demo data, serve on http://127.0.0.1:8000/
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_reference_data
	$(RUN_ENV) $(MANAGE) seed_demo
	$(RUN_ENV) $(MANAGE) publish_open_data
	@echo "Open http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install chromium ## Install and run the whole test suite (browser tests included)
	$(VENV)/bin/pytest

screenshots: install chromium ## Renew docs/screenshots/ (main pages, desktop and 375 px) from a fresh demo database
	$(PY) -m demo.screenshots

# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
chromium:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

lint: install ## Ruff lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

schemathesis: install ## Property-based API tests against the OpenAPI schema (a live server)
	.ci/schemathesis.sh

bench: install wrk ## Benchmarks on PostgreSQL at 10k and 1M partnerships (bench/run.py); quick: BENCH_SIZES=2000,20000
	$(PY) bench/run.py

# The benchmark's load generator (a Debian package).
wrk:
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq wrk; fi; }

install: $(VENV)/.installed

$(VENV)/.installed: uv.lock pyproject.toml $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed as $(PYTHON)"; exit 1; }
	@$(PYTHON) -m venv .tools || \
		{ echo "Could not create a virtual environment: apt-get install python3-venv"; exit 1; }
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

messages: install ## Update locale/nb from the code (needs gettext), then compile it
	$(MANAGE) makemessages -l nb --no-obsolete --no-location --ignore=.venv --ignore=.tools --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv --ignore=.tools

messages-check: install ## Fail if the code has strings the catalogue lacks (needs gettext)
	$(MANAGE) makemessages -l nb --no-obsolete --no-location --ignore=.venv --ignore=.tools --ignore=bench
	git diff --exit-code -I '^"POT-Creation-Date' -- locale/ || \
		{ echo "locale/nb is out of date: run make messages and translate the new strings"; exit 1; }

clean:
	rm -rf .venv .tools db.sqlite3 staticfiles
