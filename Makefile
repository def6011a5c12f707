# Proposal Desk — the two commands of the README:
#   make run    fresh clone → running app with the TA0207 demo data at http://127.0.0.1:8000/
#   make test   the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
# and for developers and CI:
#   make check  lint, format, types and missing migrations (no tests)

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig poppler-utils
# nginx and redis-server: the cluster test (tests/test_cluster.py, scripts/cluster_test.py).
TEST_PACKAGES := $(RUN_PACKAGES) chromium nginx redis-server

.PHONY: run test check deps sysdeps-run sysdeps-test migrate demo lint clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q --upgrade pip
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

deps: $(VENV)/.installed

sysdeps-run:
	@sh scripts/ensure-system-packages.sh $(RUN_PACKAGES)

sysdeps-test:
	@sh scripts/ensure-system-packages.sh $(TEST_PACKAGES)

migrate: deps
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo $(if $(DEMO_PASSWORD),--password '$(DEMO_PASSWORD)')

# The task worker (volume builds, reminder e-mails) runs beside the server and stops with it; Ctrl-C
# ends both as a normal stop (exit 0), not as "make: *** Error 130".
run: sysdeps-run deps demo
	@echo "Proposal Desk: http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 0' INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: sysdeps-test deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: deps
	$(PY) -m ruff check .

# The same four checks as .pre-commit-config.yaml; CI runs this before the tests.
check: deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(PY) manage.py makemigrations --check --dry-run

# Everything the commands above leave behind (git status --ignored is clean afterwards).
clean:
	rm -rf $(VENV) var test-artifacts .hypothesis .pytest_cache .ruff_cache .mypy_cache build *.egg-info bench/results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
