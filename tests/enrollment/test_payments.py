"""Contributions paid: the file, the command and what each registration then knows."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from enrollment import payments
from enrollment.models import Payment, PaymentUpload

from .factories import RegistrationFactory
from .payments_files import payments_csv, payments_xlsx, row


@pytest.fixture(autouse=True)
def _english():
    """The command speaks the active language; the tests read its English."""
    with translation.override("en"):
        yield


@pytest.fixture
def member(world):
    return RegistrationFactory(village=world.socorejo, verified=True)


def run(tmp_path, content: bytes, name="iuran.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_payments", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_file_of_payments_records_each_month_and_the_registration_knows_it(tmp_path, member):
    """KPJ, month as MM/YYYY or YYYY-MM, amount the Indonesian way, payment date."""
    content = payments_csv(
        [row(member, "01/2026"), row(member, "2026-02", amount="16.800"), row(member, "03/2026")]
    )
    out, _ = run(tmp_path, content)
    assert "3 new payments" in out
    assert list(member.payments.values_list("month", "amount")) == [
        (datetime.date(2026, 1, 1), 16_800),
        (datetime.date(2026, 2, 1), 16_800),
        (datetime.date(2026, 3, 1), 16_800),
    ]
    member.refresh_from_db()
    assert member.last_paid_month == datetime.date(2026, 3, 1)
    assert member.months_paid == 3
    upload = PaymentUpload.objects.get()
    assert set(member.payments.values_list("upload", flat=True)) == {upload.pk}


def test_the_same_file_twice_records_nothing_new(tmp_path, member):
    content = payments_csv([row(member, "01/2026"), row(member, "02/2026")])
    run(tmp_path, content)
    first = list(Payment.objects.values_list("pk", "recorded_at"))
    out, _ = run(tmp_path, content)
    assert "0 new payments, 0 corrected, 2 already recorded; 0 written" in out
    assert list(Payment.objects.values_list("pk", "recorded_at")) == first


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (["1234567890", "01/2026", "16800", "10-01-2026", ""], "11 digits"),
        (["99999999999", "01/2026", "16800", "10-01-2026", ""], "No member with KPJ 99999999999"),
        (["KPJ", "13/2026", "16800", "10-01-2026", ""], "month cannot be read"),
        (["KPJ", "Jan", "16800", "10-01-2026", ""], "month cannot be read"),
        (["KPJ", "01/2026", "-16800", "10-01-2026", ""], "for a refund write 0"),
        (["KPJ", "01/2026", "16800", "kemarin", ""], "payment date"),
    ],
)
def test_a_malformed_row_fails_the_command_and_saves_nothing(tmp_path, member, bad_row, message):
    bad_row = [member.kpj if cell == "KPJ" else cell for cell in bad_row]
    content = payments_csv([row(member, "12/2025"), bad_row])
    with pytest.raises(CommandError, match="1 of 2 rows have errors; nothing was saved"):
        call_command(
            "import_payments", str(_write(tmp_path, content)), stderr=(err := io.StringIO())
        )
    assert "Row 3:" in err.getvalue()
    assert message in err.getvalue()
    assert not Payment.objects.exists()
    assert not PaymentUpload.objects.exists()


def _write(tmp_path, content, name="iuran.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_a_file_that_cannot_be_read_fails_the_command(tmp_path, world):
    with pytest.raises(CommandError, match="Columns missing: No. KPJ"):
        run(tmp_path, payments_csv([["x"]], header=["Nama", "Bulan", "Jumlah", "Tanggal"]))
    with pytest.raises(CommandError, match="No file"):
        call_command("import_payments", str(tmp_path / "missing.csv"))


def test_the_same_kpj_and_month_twice_in_one_file_is_an_error(tmp_path, member):
    content = payments_csv([row(member, "01/2026"), row(member, "2026-01")])
    with pytest.raises(CommandError):
        run(tmp_path, content)
    assert not Payment.objects.exists()


def test_a_nik_that_is_not_the_members_is_an_error(tmp_path, world, member):
    other = RegistrationFactory(village=world.socorejo, verified=True)
    content = payments_csv([row(member, "01/2026", nik=other.participant.nik)])
    with pytest.raises(CommandError):
        run(tmp_path, content)
    out, _ = run(tmp_path, payments_csv([row(member, "01/2026", nik=member.participant.nik)]))
    assert "1 new payments" in out


def test_an_amount_other_than_the_premium_due_is_a_warning_and_a_partial_month_is_not_paid(
    tmp_path, member
):
    """Rp16.800 is due (minimum income, no JHT); Rp10.000 is recorded but leaves the month
    unpaid: paid until stays at the last month paid in full."""
    content = payments_csv([row(member, "01/2026"), row(member, "02/2026", amount="Rp10.000")])
    out, _ = run(tmp_path, content)
    assert "Row 3 (warning): Rp10,000 paid for 2026-02; the premium due is Rp16,800." in out
    member.refresh_from_db()
    assert member.last_paid_month == datetime.date(2026, 1, 1)
    assert member.months_paid == 1
    assert Payment.objects.get(month=datetime.date(2026, 2, 1)).premium_due == 16_800


def test_a_correction_file_changes_the_amount_and_a_refund_unpays_the_month(tmp_path, member):
    run(tmp_path, payments_csv([row(member, "01/2026"), row(member, "02/2026", amount="10000")]))
    out, _ = run(
        tmp_path,
        payments_csv([row(member, "02/2026", amount="16800"), row(member, "01/2026", amount="0")]),
    )
    assert "Corrects 2026-02: Rp10,000 recorded, now Rp16,800." in out
    assert "2 corrected" in out
    member.refresh_from_db()
    assert member.last_paid_month == datetime.date(2026, 2, 1)
    assert member.months_paid == 1
    assert Payment.objects.get(month=datetime.date(2026, 1, 1)).amount == 0


def test_an_xlsx_export_with_a_title_row_and_numbers_is_read(tmp_path, member):
    content = payments_xlsx(
        [[int(member.kpj), datetime.datetime(2026, 3, 1), 16800, datetime.date(2026, 3, 9)]],
        header=["No KPJ", "Periode Iuran", "Nominal Iuran", "Tgl Bayar"],
        title="Laporan iuran BPU Maret 2026",
    )
    out, _ = run(tmp_path, content, name="iuran.xlsx")
    assert "1 new payments" in out
    payment = Payment.objects.get()
    assert (payment.month, payment.paid_on) == (
        datetime.date(2026, 3, 1),
        datetime.date(2026, 3, 9),
    )


def test_premium_due_applies_the_rates_of_the_month_to_the_registration(member):
    member.jht = True
    member.declared_income = 2_000_000
    assert payments.premium_due(member, datetime.date(2026, 1, 1)) == 20_000 + 6_800 + 40_000


def test_a_file_over_the_row_limit_is_refused_whole(tmp_path, member, settings):
    settings.PAYMENT_IMPORT_MAX_ROWS = 1
    with pytest.raises(CommandError, match="more than 1 rows"):
        run(tmp_path, payments_csv([row(member, "01/2026"), row(member, "02/2026")]))
    assert not Payment.objects.exists()


def test_a_payment_file_may_run_longer_than_a_registration_import(tmp_path, world, settings):
    """Payments have their own row limit (a branch's month is larger than a village's list):
    the spreadsheet reader's bound on how far down a sheet goes follows it, for CSV and XLSX."""
    settings.IMPORT_MAX_ROWS = 10  # the reader would stop a registration file at row 120
    members = RegistrationFactory.create_batch(150, village=world.socorejo, verified=True)
    content = payments_csv([row(member, "01/2026") for member in members])
    out, _ = run(tmp_path, content)
    assert "150 new payments" in out
    content = payments_xlsx([row(member, "02/2026") for member in members])
    out, _ = run(tmp_path, content, name="iuran.xlsx")
    assert "150 new payments" in out


def test_an_empty_or_headings_only_file_is_refused(tmp_path, world):
    with pytest.raises(CommandError, match="no rows of payments"):
        run(tmp_path, payments_csv([]))
    with pytest.raises(CommandError, match="empty"):
        run(tmp_path, b"")


def test_a_correction_of_the_payment_date_says_so(tmp_path, member):
    """The same amount with another payment date: the warning names the dates, not twice the
    same amount."""
    run(tmp_path, payments_csv([row(member, "01/2026", paid_on="05-01-2026")]))
    out, _ = run(tmp_path, payments_csv([row(member, "01/2026", paid_on="07-01-2026")]))
    assert "Corrects 2026-01: paid on 05-01-2026 recorded, now 07-01-2026." in out
    assert Payment.objects.get().paid_on == datetime.date(2026, 1, 7)
