"""A village operator downloads the template, fills it in with two bad rows (a NIK Excel
turned into a number, a child), uploads it, sees the preview, downloads the error file,
confirms, and finds the good rows in the list."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from enrollment.models import Registration

from ..enrollment.registering import nik_for

pytestmark = pytest.mark.browser


def test_operator_imports_a_spreadsheet_with_two_bad_rows(
    page, live_server, login, operator, world, tmp_path
):
    login("socorejo")
    page.goto(f"{live_server.url}/pendaftaran/")
    page.click("a[href='/pendaftaran/impor/']")
    with page.expect_download() as download_info:
        page.click("a[href='/pendaftaran/impor/templat.xlsx']")
    template = download_info.value
    assert template.suggested_filename == "templat-pendaftaran.xlsx"

    workbook = load_workbook(io.BytesIO(template.path().read_bytes()))
    sheet = workbook["Peserta"]
    good = [
        (nik_for(world.socorejo, birth="120385", female=True, serial=501), "Sri Rahayu"),
        (nik_for(world.socorejo, birth="010180", serial=502), "Bambang Irawan"),
        (nik_for(world.socorejo, birth="170890", serial=503), "Joko Susilo"),
    ]
    for nik, name in good:
        sheet.append([nik, name, None, None, "0813 3000 1234", "Dusun Krajan", "001", "002",
                      "Nelayan", "Pekerja rentan", "Tidak", "1.500.000", "Dana Desa"])  # fmt: skip
    # Excel turned this NIK into a number; this NIK is a child's (born 1 January 2015).
    sheet.append([3523124801900504, "Rusak Angka", None, None, None, None, None, None, None,
                  "Pekerja rentan", "Tidak", 1_000_000, "Mandiri"])  # fmt: skip
    child = nik_for(world.socorejo, birth="010115", serial=505)
    sheet.append([child, "Anak Kecil", None, None, None, None, None, None, None,
                  "Pekerja rentan", "Tidak", "500.000", "Mandiri"])  # fmt: skip
    child_row = sheet.max_row
    filled = tmp_path / "warga-socorejo.xlsx"
    workbook.save(filled)

    page.set_input_files("input[type=file]", str(filled))
    page.click("form[enctype] button[type=submit]")
    expect(page.get_by_test_id("new-count")).to_have_text("3")
    expect(page.get_by_test_id("existing-count")).to_have_text("0")
    expect(page.get_by_test_id("error-count")).to_have_text("2")
    errors = page.get_by_test_id("errors")
    expect(errors).to_contain_text("Ubah format kolom NIK menjadi Teks")
    expect(errors.locator("tr", has_text="belum boleh mendaftar")).to_contain_text(str(child_row))
    assert not Registration.objects.exists()

    page.reload()
    expect(page.get_by_test_id("new-count")).to_have_text("3")

    with page.expect_download() as download_info:
        page.get_by_test_id("error-file").click()
    error_file = download_info.value
    assert error_file.suggested_filename == "warga-socorejo-kesalahan.xlsx"
    rows = list(load_workbook(io.BytesIO(error_file.path().read_bytes())).active.values)
    assert [row[1] for row in rows[1:]] == ["Rusak Angka", "Anak Kecil"]
    assert rows[0][-1] == "Kesalahan"

    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("created-count")).to_have_text("3")

    page.goto(f"{live_server.url}/pendaftaran/")
    for _nik, name in good:
        expect(page.locator("tr", has_text=name)).to_be_visible()
    expect(page.locator("tr", has_text="Anak Kecil")).to_have_count(0)
    assert Registration.objects.count() == 3
    assert set(Registration.objects.values_list("entered_by", flat=True)) == {operator.pk}
