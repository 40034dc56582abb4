"""A village operator, on a phone, uploads the village's OpenSID resident export, filters RT 002,
ticks ten residents and registers them; once the branch has verified them, the operator
downloads the OpenSID aid-programme file that lists them."""

import io

import pytest
from playwright.sync_api import expect

from enrollment import services as enrollment_services
from enrollment.models import Registration
from opensid import demo, programme

from ..campaigns.factories import CampaignFactory

pytestmark = pytest.mark.browser


def test_operator_enrolls_residents_from_opensid_and_hands_the_list_back(
    page, live_server, login, operator, branch_staff, world, tmp_path
):
    CampaignFactory(
        name="Desa Sadar Socorejo", slug="desa-sadar-socorejo", branch_office=world.bojonegoro,
        villages=[world.socorejo],
    )  # fmt: skip
    export = tmp_path / "Penduduk Socorejo.xlsx"
    export.write_bytes(demo.resident_export())

    page.set_viewport_size({"width": 360, "height": 740})
    login("socorejo")
    page.goto(f"{live_server.url}/pendaftaran/impor/")
    page.get_by_role("link", name="Ambil dari ekspor penduduknya").click()
    expect(page.locator("h1")).to_have_text("Impor dari OpenSID")
    page.set_input_files("input[type=file]", str(export))
    page.get_by_role("button", name="Unggah dan baca").click()
    expect(page.locator("h1")).to_have_text("Warga dari OpenSID")
    offered = int(page.get_by_test_id("offered-count").inner_text())
    assert offered > 150

    page.select_option("select[name=rt]", "002")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("[data-testid=candidates] tbody tr")
    expect(rows.first).to_be_visible()
    assert {row.get_attribute("data-rt") for row in rows.all()} == {"002"}
    # Ten residents with a suggested worker category the village may pay for (formal employees
    # are their employer's) and no possible duplicate.
    ticks = page.locator(
        "tr[data-duplicate='0']:not([data-category='']):not([data-category='pu'])"
        " input[name=candidate]"
    )
    assert ticks.count() >= 10
    for index in range(10):
        ticks.nth(index).check()
    page.fill("input[name=declared_income]", "1.000.000")
    page.select_option("select[name=funding_source]", "dana_desa")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_test_id("register").click()
    expect(page.locator(".message-success")).to_contain_text("10 warga didaftarkan")
    expect(page.get_by_test_id("offered-count")).to_have_text(str(offered - 10))

    registrations = list(Registration.objects.select_related("participant"))
    assert len(registrations) == 10
    assert {r.participant.rt for r in registrations} == {"002"}
    assert {r.entered_by for r in registrations} == {operator}
    for registration in registrations:  # the branch office confirms them with their KPJ
        enrollment_services.registration_verify(
            registration=registration, kpj=f"190{registration.pk:08d}", by=branch_staff
        )

    page.get_by_text("Ekspor untuk OpenSID").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("programme-export").first.click()
    download = download_info.value
    assert download.suggested_filename == "program-bantuan-desa-sadar-socorejo-35.23.12.2002.xlsx"
    program, participants = programme.read_programme(io.BytesIO(download.path().read_bytes()))
    assert program["Nama Program"] == "BPJS Ketenagakerjaan - Desa Sadar Socorejo"
    assert sorted(p["NIK"] for p in participants) == sorted(
        r.participant.nik for r in registrations
    )
    assert all(p["No. Peserta"] == "" for p in participants)  # never the KPJ
