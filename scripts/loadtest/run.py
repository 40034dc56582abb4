"""A bounded load test on loopback: gunicorn with several workers against PostgreSQL, many
simulated users (locust, headless) reading dashboards and lists and registering residents.

It creates a fresh database (dropped at the end, whatever happens), loads the demo data and
the test accounts, starts gunicorn on a free loopback port with production settings (DEBUG
off), runs locust for --run-time seconds (at most 120) and prints requests per second,
p50/p95/p99 and the errors. It passes (exit 0) only with no 5xx answer, at least one
registration saved, and as many new registrations in the database as saves that answered
with their redirect: nothing lost, nothing doubled.

Usage: python scripts/loadtest/run.py [--users 60] [--run-time 60] [--workers 4] [--redis]
(`make loadtest`). Needs PostgreSQL at --server (default postgres://postgres@127.0.0.1:5432)."""

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MAX_RUN_TIME = 120


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=60, help="simulated users (default 60)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--run-time", type=int, default=60, help="seconds, at most 120")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", action="store_true", help="sessions in Redis (REDIS_URL)")
    parser.add_argument(
        "--conn-max-age", type=int, default=0, help="keep database connections (seconds)"
    )
    args = parser.parse_args()
    if not 1 <= args.run_time <= MAX_RUN_TIME:
        parser.error(f"--run-time must be between 1 and {MAX_RUN_TIME} seconds")
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def admin_sql(server: str, statement: str) -> None:
    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def registration_count(database_url: str) -> int:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM enrollment_registration")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def manage(env: dict, *command: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )
    return result.stdout or ""


def wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn ended at start ({server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz/ in time")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def report(result: dict, created: int, args: argparse.Namespace, seconds: dict) -> bool:
    server_errors = result["statuses"].get("5xx", 0)
    saved = result["registrations_saved"]
    print()
    print(f"{'endpoint':<44}{'requests':>10}{'failures':>10}{'p50 ms':>9}{'p95 ms':>9}")
    for entry in result["endpoints"]:
        print(
            f"{entry['name'][:43]:<44}{entry['requests']:>10}{entry['failures']:>10}"
            f"{entry['p50']:>9.0f}{entry['p95']:>9.0f}"
        )
    print()
    print(f"machine load average before/after the run: {seconds['load'][0]:.1f} / "
          f"{seconds['load'][1]:.1f} (2 cores; other work on the machine counts too)")  # fmt: skip
    print(f"setup: database and demo {seconds['setup']:.0f} s; run {seconds['run']:.0f} s, "
          f"{args.users} users, {args.workers} gunicorn workers"
          f"{', sessions in Redis' if args.redis else ''}"
          f"{f', conn_max_age={args.conn_max_age}' if args.conn_max_age else ''}")  # fmt: skip
    for label, figures in (("all requests", result), ("after all logins", result["steady"])):
        print(f"{label}: {figures['requests']} requests, {figures['rps']:.1f} per second; "
              f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
              f"p99 {figures['p99']:.0f} ms, max {figures['max']:.0f} ms")  # fmt: skip
    print(f"answers: {json.dumps(result['statuses'], sort_keys=True)}")
    print(f"failures: {result['failures']}")
    for error in result["errors"]:
        print(f"  {error['count']} × {error['name']}: {error['error'][:160]}")
    print(f"registrations: {saved} saves answered with their redirect, "
          f"{created} new rows in the database")  # fmt: skip
    checks = {
        "no 5xx answer": server_errors == 0,
        "registrations were saved": saved > 0,
        "database rows = successful saves": created == saved,
    }
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}: {name}")
    return all(checks.values())


def main() -> int:
    args = arguments()
    database = f"portal_loadtest_{os.getpid()}"
    database_url = f"{args.server}/{database}"
    workdir = Path(tempfile.mkdtemp(prefix="portal-loadtest-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"{database_url}?conn_max_age={args.conn_max_age}",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_TO_CONSOLE": "true",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    env.pop("TASK_WORKER", None)
    if args.redis:
        env["REDIS_URL"] = "redis://127.0.0.1:6379/14"
    else:
        env.pop("REDIS_URL", None)
    password = secrets.token_urlsafe(12)
    server = None
    started = time.monotonic()
    admin_sql(args.server, f'CREATE DATABASE "{database}"')
    try:
        print(f"Database {database}: migrate, demo data, accounts …", flush=True)
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        manage(env, "load_demo")
        operators = max(1, args.users * 4 // 5)
        accounts = json.loads(
            subprocess.run(
                [sys.executable, str(HERE / "prepare.py"), str(operators),
                 str(max(1, args.users - operators)), password],
                cwd=ROOT, env=env, check=True, text=True, stdout=subprocess.PIPE,
            ).stdout
        )  # fmt: skip
        accounts_file = workdir / "accounts.json"
        accounts_file.write_text(json.dumps({**accounts, "password": password}))
        print(f"Starting gunicorn ({args.workers} workers) at {url}", flush=True)
        log_file = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 (open while it runs)
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "portal.wsgi", "--workers", str(args.workers),
             "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, start_new_session=True, stdout=log_file, stderr=log_file,
        )  # fmt: skip
        wait_until_healthy(url, server)
        before = registration_count(database_url)
        setup_seconds = time.monotonic() - started
        print(f"Load: {args.users} users for {args.run_time} s", flush=True)
        result_file = workdir / "result.json"
        run_started, load_before = time.monotonic(), os.getloadavg()[0]
        subprocess.run(
            [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
             "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
             "--run-time", f"{args.run_time}s", "--stop-timeout", "10", "--host", url,
             "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT,
            env={**env, "LOADTEST_ACCOUNTS": str(accounts_file),
                 "LOADTEST_RESULT": str(result_file), "LOADTEST_USERS": str(args.users)},
            timeout=args.run_time + 120,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        run_seconds, load_after = time.monotonic() - run_started, os.getloadavg()[0]
        created = registration_count(database_url) - before
        if args.redis:  # this run's sessions (a fresh database's: of no use to anyone after it)
            cache = redis.Redis.from_url(env["REDIS_URL"])
            for key in cache.scan_iter("*django.contrib.sessions.cached_db*"):
                cache.delete(key)
        stop(server)
        log = (workdir / "gunicorn.log").read_text()
        if "Traceback" in log:
            print("gunicorn logged errors (the last of them):\n" + log[-4000:])
        result = json.loads(result_file.read_text())
        seconds = {"setup": setup_seconds, "run": run_seconds, "load": (load_before, load_after)}
        passed = report(result, created, args, seconds)
        return 0 if passed else 1
    finally:
        stop(server)
        admin_sql(args.server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    sys.exit(main())
