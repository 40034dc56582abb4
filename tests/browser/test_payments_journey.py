"""Branch staff upload BPJS's monthly list of contributions paid with a malformed row, see the
preview refuse it, download the error file, upload the corrected file, save it; the member's
page then shows the months as a strip, and uploading the same file again records nothing new."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from enrollment.commission import add_months, month_start
from enrollment.models import Payment

from ..enrollment.factories import RegistrationFactory

pytestmark = pytest.mark.browser


def workbook_file(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["No. KPJ", "Bulan Iuran", "Jumlah Iuran", "Tanggal Bayar"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return str(path)


def test_branch_staff_upload_payments_and_the_member_page_shows_them(
    page, live_server, login, branch_staff, world, tmp_path
):
    member = RegistrationFactory(village=world.socorejo, verified=True)
    last = add_months(month_start(datetime.date.today()), -1)
    before = add_months(last, -1)
    good = [
        [member.kpj, f"{before:%m/%Y}", "Rp16.800", f"10-{before:%m-%Y}"],
        [member.kpj, f"{last:%Y-%m}", "16.800", f"10-{last:%m-%Y}"],
    ]
    login("cabang")
    page.goto(f"{live_server.url}/iuran/")
    page.set_input_files(
        "input[type=file]",
        workbook_file(tmp_path / "iuran.xlsx", [*good, ["1234", "13/2026", "16800", "x"]]),
    )
    page.click("form[enctype] button[type=submit]")
    expect(page.get_by_test_id("error-count")).to_have_text("1")
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_test_id("error-file").click()
    rows = list(load_workbook(io.BytesIO(download_info.value.path().read_bytes())).active.values)
    assert rows[1][0] == "1234" and rows[0][-1] == "Kesalahan"

    page.goto(f"{live_server.url}/iuran/")
    page.set_input_files("input[type=file]", workbook_file(tmp_path / "iuran-2.xlsx", good))
    page.click("form[enctype] button[type=submit]")
    expect(page.get_by_test_id("new-count")).to_have_text("2")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("saved-count")).to_have_text("2")
    assert Payment.objects.count() == 2

    page.goto(f"{live_server.url}{member.get_absolute_url()}")
    expect(page.get_by_test_id("payment-state")).to_have_text("Lunas")
    expect(page.locator(".month-strip .month-paid")).to_have_count(2)

    page.goto(f"{live_server.url}/iuran/")
    page.set_input_files("input[type=file]", workbook_file(tmp_path / "iuran-3.xlsx", good))
    page.click("form[enctype] button[type=submit]")
    expect(page.get_by_test_id("same-count")).to_have_text("2")
    expect(page.get_by_test_id("confirm")).to_have_count(0)
    assert Payment.objects.count() == 2
