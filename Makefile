# Two commands: `make run` (portal with demo data on SQLite) and `make test` (whole suite on PostgreSQL).
PY := .venv/bin/python
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal

.PHONY: run test lint messages

run: export DEBUG = true
run:
	scripts/setup
	@# A local .env with DEBUG on, so that any later manage.py command works in this checkout.
	@test -f .env || printf 'DEBUG=true\n' > .env
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

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
	.venv/bin/pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

messages:
	$(PY) manage.py makemessages -l id --ignore=.venv
	$(PY) manage.py compilemessages --ignore=.venv
