from django.db import connection


def test_suite_runs_on_postgresql(db):
    """The suite runs on PostgreSQL, the real database (make test sets DATABASE_URL)."""
    assert connection.vendor == "postgresql", (
        "Run the tests with `make test` (DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal)"
    )
