"""Backup and restore (docs/backup.md): pg_dump -Fc of the demo data, pg_restore into a fresh
database, and every table of the portal's apps holds exactly the same rows afterwards."""

import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from tools.demo import demo_load

PORTAL_APPS = ["portal", "villages", "enrollment", "campaigns"]
BINARIES = ["pg_dump", "pg_restore", "createdb", "dropdb"]

pytestmark = [
    pytest.mark.skipif(
        missing := [name for name in BINARIES if shutil.which(name) is None],
        reason=f"PostgreSQL client programs not installed: {', '.join(missing)}",
    ),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump/pg_restore round trip needs DATABASE_URL on PostgreSQL",
    ),
]


def portal_tables() -> list[str]:
    """Every table of the portal's apps, many-to-many tables included."""
    tables = set()
    for label in PORTAL_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


def fingerprint(cursor, tables: list[str]) -> dict:
    """Row count and an md5 over all rows (in a fixed order) of each table, and the sequences."""
    result = {}
    for table in tables:
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f'FROM "{table}" t'
        )
        result[table] = cursor.fetchone()
    cursor.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
        "ORDER BY sequencename"
    )
    result["sequences"] = cursor.fetchall()
    return result


def pg_args(settings: dict) -> tuple[list[str], dict]:
    args = ["-h", settings["HOST"] or "127.0.0.1", "-U", settings["USER"] or "postgres"]
    if settings["PORT"]:
        args += ["-p", str(settings["PORT"])]
    env = dict(os.environ)
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command[0]} failed ({done.returncode}): {done.stderr}"


@pytest.mark.django_db(transaction=True)
def test_pg_dump_and_restore_round_trips_the_demo_data_exactly(tmp_path, seeded_rates):
    demo_load(log=lambda message: None)
    settings = connection.settings_dict
    tables = portal_tables()
    with connection.cursor() as cursor:
        original = fingerprint(cursor, tables)
    # The demo really is there: all regions, offices, agreements, accounts and registrations.
    assert original["villages_village"][0] > 80_000
    for table in ("villages_branchoffice", "campaigns_agreement", "portal_user"):
        assert original[table][0] > 0, table
    assert any(table.startswith("enrollment_") and original[table][0] for table in tables)

    args, env = pg_args(settings)
    dump = tmp_path / "portal.dump"
    scratch = f"{settings['NAME'][:40]}_restore_{uuid.uuid4().hex[:8]}"
    # The documented procedure (docs/backup.md): custom-format dump, restore into a new database.
    run(["pg_dump", *args, "-Fc", "--no-owner", "-f", str(dump), settings["NAME"]], env)
    assert dump.stat().st_size > 0
    run(["createdb", *args, scratch], env)
    try:
        run(
            ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "-d", scratch, str(dump)],
            env,
        )
        restored_connection = psycopg2.connect(
            dbname=scratch,
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"] or "postgres",
            password=settings["PASSWORD"] or None,
        )
        try:
            with restored_connection.cursor() as cursor:
                restored = fingerprint(cursor, tables)
                # The fingerprint notices a single changed character in one row.
                cursor.execute(
                    "UPDATE portal_user SET first_name = first_name || 'x' WHERE id = "
                    "(SELECT min(id) FROM portal_user)"
                )
                assert (
                    fingerprint(cursor, ["portal_user"])["portal_user"] != restored["portal_user"]
                )
        finally:
            restored_connection.close()
    finally:
        run(["dropdb", *args, "--if-exists", scratch], env)

    assert restored.keys() == original.keys()
    differing = [name for name in original if restored[name] != original[name]]
    assert not differing, f"differ after restore: {differing}"
