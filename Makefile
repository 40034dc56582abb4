# `make run` (portal with demo data on SQLite, and the task worker), `make test` (the import
# contracts and the whole suite on PostgreSQL), `make serve` (production: gunicorn and the task
# worker, docs/deployment.md) and `make loadtest` (a bounded load test on loopback,
# scripts/loadtest/).
PY := .venv/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal

.PHONY: run serve loadtest test lint messages

# `make run PORT=8080` when port 8000 is taken.
PORT ?= 8000
run: export DEBUG = true
run: export TASK_WORKER = true
run: export PORTAL_URL ?= http://127.0.0.1:$(PORT)
run:
	scripts/setup
	@# A local .env with DEBUG on, so that any later manage.py command works in this checkout.
	@test -f .env || printf 'DEBUG=true\n' > .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	scripts/run-together "$(PY) manage.py runserver 127.0.0.1:$(PORT)" "$(PY) manage.py db_worker"

# Production settings: DEBUG off, so SECRET_KEY must be set (environment or .env); HTTPS is
# expected at the load balancer (SECURE_SSL_REDIRECT=false to try it over plain HTTP).
WEB_CONCURRENCY ?= 4
BIND ?= 127.0.0.1:8000
serve: export DEBUG = false
serve: export TASK_WORKER = true
serve:
	@test -n "$$SECRET_KEY" || grep -qs '^SECRET_KEY=.' .env || \
		{ echo "make serve needs SECRET_KEY (environment or .env): see docs/deployment.md" >&2; exit 1; }
	scripts/setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	scripts/run-together \
		".venv/bin/gunicorn portal.wsgi --workers $(WEB_CONCURRENCY) --bind $(BIND) --access-logfile -" \
		"$(PY) manage.py db_worker --no-reload"

loadtest:
	scripts/setup loadtest
	$(PY) scripts/loadtest/run.py

test: export DEBUG = false
test: export SECRET_KEY = test-only-not-a-secret
test: export DATABASE_URL = $(TEST_DATABASE_URL)
test: export DJANGO_ALLOW_ASYNC_UNSAFE = true
# Production settings (DEBUG off), served over plain HTTP by the test live server.
test: export SECURE_SSL_REDIRECT = false
test:
	scripts/setup test
	scripts/test-services
	$(PY) manage.py makemigrations --check --dry-run
	.venv/bin/ruff check .
	@# The floors (pyproject.toml, [tool.importlinter]): no module imports a floor above it.
	.venv/bin/lint-imports
	.venv/bin/pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

# No source locations and sorted entries: parallel branches rarely touch the same lines.
messages:
	$(PY) manage.py makemessages -l id --no-location --ignore=.venv
	msgattrib --sort-output --no-location -o locale/id/LC_MESSAGES/django.po locale/id/LC_MESSAGES/django.po
	$(PY) manage.py compilemessages --ignore=.venv
