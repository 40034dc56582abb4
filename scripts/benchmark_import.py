#!/usr/bin/env python
"""Benchmark the spreadsheet import: the bulk import (check every row with RegistrationForm,
then save in bulk) next to the same rows saved one form at a time, as the registration page
would.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python scripts/benchmark_import.py [--sizes 1000 10000 100000] \\
        [--per-form-up-to 10000] [--format xlsx|csv]

Works in a throw-away database (created next to DATABASE_URL's, dropped at the end). Each
measurement runs in its own process, so the peak memory printed (the process's peak resident
set size, interpreter and Django included) belongs to that measurement alone. Not a test: the
figures depend on the machine.
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

HEADERS = ["NIK", "Nama Lengkap", "No. HP", "Kategori", "JHT", "Penghasilan", "Sumber Dana"]
CATEGORIES = ["Pekerja rentan", "Perangkat desa", "BPU", "Ketua RT/RW"]
FUNDING = ["Dana Desa", "Mandiri", "ADD"]


def rows(size: int):
    """Valid, distinct residents of Socorejo (Jenu, Tuban): NIKs with the district's code, a
    birth date and a serial. Born 1972 to 2004: adults within every scheme's age limits."""
    start = datetime.date(1972, 1, 1)
    for i in range(size):
        born = start + datetime.timedelta(days=i // 9999 * 7 % 12000)
        female = i % 2 == 1
        day = born.day + (40 if female else 0)
        nik = f"352312{day:02d}{born:%m%y}{i % 9999 + 1:04d}"
        yield [
            nik,
            f"Warga {i}",
            f"0812{i:08d}",
            CATEGORIES[i % len(CATEGORIES)],
            "Ya" if i % 5 == 0 else "Tidak",
            f"{1_000_000 + (i % 50) * 100_000}",
            FUNDING[i % len(FUNDING)],
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

    # Written as Excel writes a workbook: text in the shared-strings table, the sheet's
    # dimension first (openpyxl writes every text cell inline, which costs its reader far more
    # per cell than the files villages bring).
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Peserta")
    text = workbook.add_format({"num_format": "@"})  # NIKs and phones kept as text
    sheet.write_row(0, 0, HEADERS)
    for number, row in enumerate(rows(size), start=1):
        sheet.write_row(number, 0, row, text)
    workbook.close()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(method: str, path: Path) -> dict:
    """One measurement, in a fresh process connected to the throw-away database."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.files import File
    from django.db import connection

    from enrollment import import_services, importing, services
    from enrollment.forms import RegistrationForm
    from enrollment.models import ImportBatch
    from portal.models import User
    from villages.models import District, Province, Regency, Village

    settings.IMPORT_MAX_ROWS = 1_000_000
    settings.IMPORT_MAX_BYTES = 1024 * 1024 * 1024
    settings.IMPORT_DAILY_ROWS = 10_000_000  # the day's limit per operator (issue 22) aside
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="benchmark-media-")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE enrollment_registrationevent, enrollment_registration, "
            "enrollment_participant, enrollment_importrow, enrollment_importbatch CASCADE"
        )
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
    operator, _ = User.objects.get_or_create(
        username="benchmark", defaults={"role": User.Role.VILLAGE_OPERATOR, "village": village}
    )
    before = peak_mb()
    started = time.perf_counter()
    if method == "bulk":
        with path.open("rb") as file:
            batch = import_services.import_batch_start(
                upload=File(file, name=path.name), by=operator
            )
        batch = import_services.import_batch_check(batch=batch)
        checked = time.perf_counter()
        assert batch.error_count == 0, batch.rows.filter(status="error").first().errors
        batch = import_services.registrations_import(batch=batch, by=operator)
        created = batch.created_count
        phases = f"check {checked - started:.1f} s + save {time.perf_counter() - checked:.1f} s"
    else:
        created = 0
        phases = ""
        with path.open("rb") as file:
            layout = importing.inspect_file(
                file, name=path.name, size=path.stat().st_size, village_column=False
            )
            for row in importing.read_rows(file, layout):
                data, _problems = importing.form_data(layout.values(row.cells))
                form = RegistrationForm(data, village=village, user=operator)
                assert form.is_valid(), form.errors
                services.registration_create(
                    village=village, entered_by=operator, data=form.cleaned_data
                )
                created += 1
    seconds = time.perf_counter() - started
    ImportBatch.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    return {
        "created": created,
        "seconds": seconds,
        "peak_mb": peak_mb(),
        "before_mb": before,
        "phases": phases,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--per-form-up-to", type=int, default=10_000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--write", nargs=2, metavar=("SIZE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write_file(Path(args.write[1]), int(args.write[0]))
        return
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return

    import django
    import environ

    django.setup()
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    name = f"benchmark_import_{os.getpid()}"
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": name}
    old_config = setup_databases(verbosity=0, interactive=False)
    base = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    url = (
        f"postgres://{base['USER']}:{base['PASSWORD']}@{base['HOST'] or '127.0.0.1'}:"
        f"{base['PORT'] or 5432}/{name}"
    )
    print(f"{'rows':>8} {'method':<9} {'seconds':>8} {'rows/s':>8} {'peak MB':>8}  (idle MB)")
    results = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for size in args.sizes:
                path = Path(folder) / f"warga-{size}.{args.format}"
                # Written by another process: Linux keeps a process's peak memory across the
                # exec of its children, so a large workbook built here would inflate theirs.
                subprocess.run(
                    [sys.executable, __file__, "--write", str(size), str(path)], check=True
                )
                methods = ["bulk"] + (["per-form"] if size <= args.per_form_up_to else [])
                for method in methods:
                    finished = subprocess.run(
                        [sys.executable, __file__, "--child", method, str(path)],
                        env={**os.environ, "DATABASE_URL": url},
                        capture_output=True,
                        text=True,
                    )
                    if finished.returncode:
                        sys.exit(f"{size:,} rows, {method}: failed\n{finished.stderr}")
                    output = finished.stdout
                    result = json.loads(output.strip().splitlines()[-1])
                    assert result["created"] == size, result
                    rate = size / result["seconds"]
                    results[size, method] = rate
                    print(
                        f"{size:>8,} {method:<9} {result['seconds']:>8.1f} {rate:>8,.0f} "
                        f"{result['peak_mb']:>8.0f}  ({result['before_mb']:.0f}) "
                        f"{result['phases']}",
                        flush=True,
                    )
                if (size, "per-form") in results:
                    ratio = results[size, "bulk"] / results[size, "per-form"]
                    print(f"{size:>8,} bulk is {ratio:.0f}x faster than one form at a time")
    finally:
        connection.close()
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
