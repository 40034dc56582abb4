"""An admin records an MoU with its PDF in the Django admin; the branch's staff then see it."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Agreement

from ..campaigns.test_agreements import PDF

pytestmark = pytest.mark.browser


def pick_autocomplete(page, field: str, search: str, option: str):
    page.click(f"#id_{field} ~ .select2 .select2-selection")
    page.fill(".select2-search__field", search)
    page.click(f".select2-results__option:has-text('{option}')")


def test_admin_creates_an_mou_and_branch_staff_see_it(
    page, live_server, login, admin_user, branch_staff, world
):
    login("admin")
    page.goto(f"{live_server.url}/admin/campaigns/agreement/add/")
    page.select_option("#id_kind", "mou")
    page.fill("#id_number", "001/MOU/SCR/2019")
    page.fill("#id_title", "Sinergi jaminan sosial ketenagakerjaan Desa Socorejo")
    page.select_option("#id_branch_office", label="KC Bojonegoro")
    page.select_option("#id_counterpart_kind", "pemdes")
    page.fill("#id_counterpart_name", "Pemerintah Desa Socorejo")
    pick_autocomplete(page, "counterpart_regency", "Tuban", "Kabupaten Tuban")
    pick_autocomplete(page, "counterpart_village", "Socorejo", "Socorejo")
    page.fill("#id_signed_on", "2019-08-01")
    page.fill("#id_place", "Balai Desa Socorejo")
    page.fill("#id_valid_from", "2019-08-01")
    page.fill("#id_signatories-0-name", "Budi Santoso")
    page.fill("#id_signatories-0-position", "Kepala BPJS Ketenagakerjaan Cabang Bojonegoro")
    page.select_option("#id_signatories-0-side", "bpjs")
    page.fill("#id_signatories-1-name", "Arief Rahman Hakim")
    page.fill("#id_signatories-1-position", "Kepala Desa Socorejo")
    page.select_option("#id_signatories-1-side", "counterpart")
    page.set_input_files(
        "#id_document",
        files=[{"name": "mou-socorejo.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_be_visible()

    agreement = Agreement.objects.get()
    assert agreement.counterpart_village_id == "35.23.12.2002"
    assert agreement.signatories.count() == 2

    page.context.clear_cookies()
    login("cabang")
    page.click("text=Perjanjian")
    page.click("text=Sinergi jaminan sosial ketenagakerjaan Desa Socorejo")
    expect(page.locator("h1")).to_have_text("Sinergi jaminan sosial ketenagakerjaan Desa Socorejo")
    expect(page.locator("body")).to_contain_text("Arief Rahman Hakim")
    with page.expect_download() as download_info:
        page.click("a[download]")
    assert download_info.value.suggested_filename == "mou-socorejo.pdf"
