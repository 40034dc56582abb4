"""`make run` serves the demo on SQLite, while the suite runs on PostgreSQL: the demo loads
there, payments are recorded there (no COPY), and every role's pages answer. Each step runs
in its own process against a fresh SQLite file, as the run command does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PAGES = {
    "socorejo": ["/", "/desa/", "/pendaftaran/", "/pendaftaran/menunggak/", "/kampanye/"],
    "cabang": ["/cabang/", "/verifikasi/", "/kampanye/", "/iuran/", "/agen/", "/klaim/"],
    "admin": ["/admin/", "/admin/enrollment/registration/", "/admin/enrollment/payment/"],
}

PAGE_CHECK = f"""
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
for username, paths in {PAGES!r}.items():
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    for path in paths:
        status = client.get(path, follow=True).status_code
        print(username, path, status)
        assert status == 200, (username, path, status)
"""


def manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    database = tmp_path_factory.mktemp("run") / "db.sqlite3"
    ok(manage(database, "migrate", "--no-input", "-v", "0"))
    ok(manage(database, "load_demo"))
    return database


def test_the_demo_loads_and_every_roles_pages_answer(demo_database):
    shown = ok(manage(demo_database, "shell", "-v", "0", "-c", PAGE_CHECK))
    assert shown.count(" 200") == sum(len(paths) for paths in PAGES.values())


def test_payments_are_recorded_once_without_copy(demo_database, tmp_path):
    kpj, month, premium = ok(
        manage(
            demo_database,
            "shell",
            "-v",
            "0",
            "-c",
            "import datetime\nfrom enrollment.models import Registration\n"
            "from enrollment.arrears import latest_month_due\n"
            "r = Registration.objects.verified().exclude(kpj='').order_by('pk').first()\n"
            "month = latest_month_due(datetime.date.today())\n"
            "r.payments.filter(month=month).delete()\n"
            "print(r.kpj, month.strftime('%Y-%m'), r.premium_in(month).total)",
        )  # fmt: skip
    ).split()
    payments = tmp_path / "iuran.csv"
    payments.write_text(
        f"KPJ;Bulan Iuran;Jumlah (Rp);Tanggal Bayar\n{kpj};{month};{premium};{month}-05\n"
    )
    assert "1 ditulis" in ok(manage(demo_database, "import_payments", str(payments)))
    assert "0 ditulis" in ok(manage(demo_database, "import_payments", str(payments)))
