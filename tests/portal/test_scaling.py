"""Beyond one machine: the settings that REDIS_URL, DATABASE_REPLICA_URL and TASK_WORKER turn
on, sessions in Redis (and through a Redis outage), and the read-replica router."""

import os
import runpy
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.core.cache import caches
from django.urls import reverse

SETTINGS_FILE = Path(settings.BASE_DIR, "portal", "settings.py")
SCALING_VARIABLES = ("REDIS_URL", "DATABASE_REPLICA_URL", "TASK_WORKER")
REDIS = "redis://127.0.0.1:6379/15"
RUN_TOGETHER = str(Path(settings.BASE_DIR, "scripts", "run-together"))


def settings_with(monkeypatch, **variables) -> dict:
    """portal/settings.py as it comes out of these environment variables (the settings in use
    are left alone)."""
    for name in SCALING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_without_the_variables_one_server_keeps_djangos_defaults(monkeypatch):
    loaded = settings_with(monkeypatch)
    assert "CACHES" not in loaded  # a memory cache per process
    assert "SESSION_ENGINE" not in loaded  # sessions in the database
    assert list(loaded["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in loaded
    assert "TASKS" not in loaded  # the immediate backend: imports checked by the pages


def test_the_variables_turn_on_redis_the_replica_and_the_task_worker(monkeypatch):
    loaded = settings_with(
        monkeypatch,
        REDIS_URL="redis://cache.internal:6379/0",
        DATABASE_REPLICA_URL="postgres://reader@replica.internal:5432/portal",
        TASK_WORKER="true",
    )
    cache = loaded["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://cache.internal:6379/0"
    assert loaded["SESSION_ENGINE"] == "portal.sessions"
    replica = loaded["DATABASES"]["replica"]
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == (
        "replica.internal",
        "reader",
        "portal",
    )
    assert replica["TEST"] == {"MIRROR": "default"}
    assert loaded["DATABASE_ROUTERS"] == ["portal.db_routers.ReplicaRouter"]
    assert loaded["TASKS"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


@pytest.fixture
def redis_sessions(settings):
    """Sessions in the local Redis, as REDIS_URL sets them up, under a key prefix of their own
    (removed afterwards)."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "portal.sessions"
    yield caches["default"]
    client = caches["default"]._cache.get_client(write=True)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_a_session_lives_in_redis_and_survives_losing_it(client, operator, redis_sessions):
    """Logged in through Redis; with the Redis copy gone (restart, eviction) the database still
    has the session: nobody is logged out."""
    client.force_login(operator)
    key = KEY_PREFIX + client.session.session_key
    assert redis_sessions.get(key)["_auth_user_id"] == str(operator.pk)
    assert client.get(reverse("registration_list")).status_code == 200
    redis_sessions.delete(key)
    assert client.get(reverse("registration_list")).status_code == 200
    assert redis_sessions.get(key) is not None  # read from the database, cached again


def test_with_redis_down_pages_and_logins_still_work(client, operator, settings, caplog):
    """A Redis nobody answers at (a closed port): the pages carry on from the database."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SESSION_ENGINE = "portal.sessions"
    operator.set_password("rahasia-desa-123")
    operator.save()
    response = client.post(
        reverse("login"), {"username": operator.username, "password": "rahasia-desa-123"}
    )
    assert response.status_code == 302
    assert client.get(reverse("registration_list")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("registration_list")).status_code == 302  # logged out
    assert "Session cache unavailable" in caplog.text


def test_dashboards_and_exports_read_from_a_replica():
    """replica_checks.py, in a pytest of its own with DATABASE_REPLICA_URL set: the replica
    alias (a TEST MIRROR of the default database) exists only when the settings load with it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the test suite runs on PostgreSQL (DATABASE_URL)")
    base, mark, query = url.partition("?")
    own = f"{base}_replica{mark}{query}"  # its own test database, next to this run's
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/portal/replica_checks.py"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": own, "DATABASE_REPLICA_URL": own},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "5 passed" in result.stdout


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def long_command(tmp_path) -> tuple[str, Path]:
    """A command that runs for a minute, writing its process id first."""
    pid_file = tmp_path / "pid"
    return f"sh -c 'echo $$ > {pid_file}; exec sleep 60'", pid_file


def wait_for(path: Path) -> int:
    for _ in range(100):
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path} never written")


def test_the_run_commands_stop_together_when_one_of_them_ends(tmp_path):
    """`make run` and `make serve` start the web server and the task worker together: when one
    ends, the other is stopped and the first one's exit status is returned."""
    command, pid_file = long_command(tmp_path)
    result = subprocess.run(
        [sys.executable, RUN_TOGETHER, command, "sh -c 'sleep 0.5; exit 3'"], timeout=30
    )
    assert result.returncode == 3
    assert not alive(wait_for(pid_file))


def test_stopping_the_run_commands_stops_everything_they_started(tmp_path):
    command, pid_file = long_command(tmp_path)
    runner = subprocess.Popen([sys.executable, RUN_TOGETHER, command, "sleep 60"])
    pid = wait_for(pid_file)
    assert alive(pid)
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=20) == 0
    assert not alive(pid)
