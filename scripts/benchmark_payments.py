#!/usr/bin/env python
"""Benchmark the import of contributions paid: check every row of a payments file against the
registrations and save it in one transaction (as `manage.py import_payments` does), then the
same file again (which records nothing new).

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python scripts/benchmark_payments.py [--rows 100000] [--format xlsx|csv]

Works in a throw-away database (created next to DATABASE_URL's, dropped at the end). The members
(a quarter as many as rows: each pays four months) are inserted first; each import runs in its own
process, so the peak memory printed (the process's peak resident set size, interpreter and Django
included) belongs to it alone. Not a test: the figures depend on the machine.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

HEADERS = ["No. KPJ", "Bulan Iuran", "Jumlah Iuran", "Tanggal Bayar"]
MONTHS = 4


def kpj(i: int) -> str:
    return f"{30_000_000_000 + i}"


def rows(size: int):
    for i in range(size):
        member, month = divmod(i, MONTHS)
        yield [
            kpj(member),
            f"{month + 1:02d}/2026",
            "Rp16.800",
            f"{10 + month:02d}-0{month + 1}-2026",
        ]


def write_file(path: Path, size: int) -> None:
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file, delimiter=";")
            writer.writerow(HEADERS)
            writer.writerows(rows(size))
        return
    import xlsxwriter

    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Iuran")
    text = workbook.add_format({"num_format": "@"})
    sheet.write_row(0, 0, HEADERS)
    for number, row in enumerate(rows(size), start=1):
        sheet.write_row(number, 0, row, text)
    workbook.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def members(count: int) -> None:
    """`count` verified members of Socorejo with KPJs, inserted in bulk."""
    import django

    django.setup()
    from django.utils import timezone

    from enrollment.models import ContributionRate, Participant, Registration
    from portal.models import User
    from villages.models import District, Province, Regency, Village

    province, _ = Province.objects.get_or_create(code="35", defaults={"name": "Jawa Timur"})
    regency, _ = Regency.objects.get_or_create(
        code="35.23", defaults={"province": province, "name": "Kabupaten Tuban"}
    )
    district, _ = District.objects.get_or_create(
        code="35.23.12", defaults={"regency": regency, "name": "Jenu"}
    )
    village, _ = Village.objects.get_or_create(
        code="35.23.12.2002", defaults={"district": district, "name": "Socorejo"}
    )
    user, _ = User.objects.get_or_create(
        username="benchmark", defaults={"role": User.Role.VILLAGE_OPERATOR, "village": village}
    )
    rate = ContributionRate.objects.in_force()
    now = timezone.now()
    for start in range(0, count, 10_000):
        people = Participant.objects.bulk_create(
            Participant(
                nik=f"3523120101{(start + i) // 10000:02d}{(start + i) % 10000:04d}",
                full_name=f"Warga {start + i}",
                birth_date=datetime.date(1990, 1, 1),
                sex="M",
                village=village,
                created_at=now,
            )
            for i in range(min(10_000, count - start))
        )
        Registration.objects.bulk_create(
            Registration(
                participant=person, village=village, declared_income=1_000_000, rate=rate,
                monthly_premium=16_800, funding_source="participant", status="verified",
                kpj=kpj(start + i), entered_by=user, created_at=now,
            )
            for i, person in enumerate(people)
        )  # fmt: skip


def child(path: Path) -> dict:
    import django

    django.setup()
    from django.conf import settings

    from enrollment import payments

    settings.PAYMENT_IMPORT_MAX_ROWS = 10_000_000
    settings.IMPORT_MAX_BYTES = 1024 * 1024 * 1024
    before = peak_mb()
    started = time.perf_counter()
    with path.open("rb") as file:
        checked, written = payments.payments_import_file(
            file=file, name=path.name, size=path.stat().st_size
        )
    assert not checked.errors, list(checked.errors.items())[:3]
    return {
        "rows": checked.rows,
        "written": written,
        "seconds": time.perf_counter() - started,
        "peak_mb": peak_mb(),
        "before_mb": before,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, metavar=("SIZE", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_file(Path(args.write[1]), int(args.write[0]))
        return
    if args.members:
        members(args.members)
        return
    if args.child:
        print(json.dumps(child(Path(args.child))))
        return

    import django
    import environ

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    name = f"benchmark_payments_{os.getpid()}"
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": name}
    old_config = setup_databases(verbosity=0, interactive=False)
    base = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    url = (
        f"postgres://{base['USER']}:{base['PASSWORD']}@{base['HOST'] or '127.0.0.1'}:"
        f"{base['PORT'] or 5432}/{name}"
    )
    env = {**os.environ, "DATABASE_URL": url}
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"iuran-{args.rows}.{args.format}"
            subprocess.run(
                [sys.executable, __file__, "--write", str(args.rows), str(path)], check=True
            )
            count = -(-args.rows // MONTHS)
            subprocess.run([sys.executable, __file__, "--members", str(count)], env=env, check=True)
            megabytes = path.stat().st_size / 1e6
            print(f"{args.rows:,} rows ({args.format}, {megabytes:.1f} MB), {count:,} members")
            print(
                f"{'run':<8} {'seconds':>8} {'rows/s':>8} {'written':>8} {'peak MB':>8}  (idle MB)"
            )
            for run in ("first", "again"):
                finished = subprocess.run(
                    [sys.executable, __file__, "--child", str(path)], env=env,
                    capture_output=True, text=True,
                )  # fmt: skip
                if finished.returncode:
                    sys.exit(f"{run}: failed\n{finished.stderr}")
                result = json.loads(finished.stdout.strip().splitlines()[-1])
                rate = result["rows"] / result["seconds"]
                print(
                    f"{run:<8} {result['seconds']:>8.1f} {rate:>8,.0f} {result['written']:>8,} "
                    f"{result['peak_mb']:>8.0f}  ({result['before_mb']:.0f})",
                    flush=True,
                )
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
