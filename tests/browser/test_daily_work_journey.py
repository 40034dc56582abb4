"""Daily work without dead ends (issue #20): a village operator on a 360 px phone checks the
premium, changes the income, sees the new premium before anything is saved and is brought to
it; branch staff on a desktop reject it from the queue; the operator hears of it under the
bell, fixes it and sends it again; the branch verifies it by typing its KPJ number."""

import pytest
from playwright.sync_api import expect

from enrollment.models import Registration

from ..enrollment.registering import nik_for, register

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def in_view(page, selector: str, *, whole: bool = True) -> bool:
    """The element is on screen: whole, or (a long summary) from its top."""
    return page.evaluate(
        """([selector, whole]) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            const bottom = whole ? box.bottom : box.top + 40;
            return box.top >= -2 && bottom <= window.innerHeight + 2;
        }""",
        [selector, whole],
    )


def test_the_premium_saved_is_the_one_seen_and_the_page_brings_the_operator_to_it(
    page, live_server, login, operator, world
):
    page.set_viewport_size(PHONE)
    login("socorejo")
    page.goto(f"{live_server.url}/pendaftaran/baru/")
    page.click("button[name=check]")
    # An error: the summary at the top, focused, in view.
    expect(page.locator("#errors")).to_be_focused()
    assert in_view(page, "#errors", whole=False)

    page.fill("#id_nik", nik_for(world.socorejo, birth="120385", female=True, serial=41))
    page.fill("#id_full_name", "Sri Rahayu")
    page.select_option("#id_category", "rentan")
    page.fill("#id_declared_income", "1.000.000")
    page.select_option("#id_funding_source", "dana_desa")
    page.click("button[name=check]")
    expect(page.get_by_test_id("premium")).to_have_text("Rp16.800")
    # Brought to the premium, with the save button in view on the phone.
    expect(page.locator("#premium")).to_be_focused()
    assert in_view(page, "#premium")
    assert in_view(page, "button[name=save]")

    page.fill("#id_declared_income", "2.000.000")
    page.click("button[name=save]")
    expect(page.get_by_test_id("premium")).to_have_text("Rp26.800")
    expect(page.locator("#premium")).to_contain_text("belum ada yang disimpan")
    assert not Registration.objects.exists()
    assert in_view(page, "button[name=save]")
    page.click("button[name=save]")
    expect(page.locator("h1")).to_have_text("Sri Rahayu")
    assert Registration.objects.get().monthly_premium == 26_800


def test_a_rejected_registration_goes_back_to_the_village_and_comes_back_to_the_queue(
    page, live_server, login, operator, branch_staff, world
):
    registration = register(
        world.socorejo, operator, full_name="Sutrisno", declared_income=9_000_000
    )

    page.set_viewport_size(DESKTOP)
    login("cabang")
    page.get_by_role("link", name="Verifikasi").first.click()
    row = page.locator("tr", has_text="Sutrisno")
    row.locator("input[type=checkbox]").check()
    page.fill("#id_reason", "Penghasilan tidak wajar, periksa lagi")
    page.click("button[value=reject]")
    expect(page.locator(".message").first).to_contain_text("1 pendaftaran ditolak")

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login("socorejo")
    expect(page.get_by_test_id("bell-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    notice = page.get_by_test_id("notification").first
    expect(notice).to_contain_text("Penghasilan tidak wajar")
    notice.get_by_role("button", name="Buka").click()
    expect(page.get_by_test_id("rejection-reason")).to_have_text(
        "Penghasilan tidak wajar, periksa lagi"
    )
    page.get_by_role("button", name="Perbaiki dan kirim ulang").click()
    page.fill("#id_declared_income", "1.500.000")
    page.click("button[name=check]")
    page.get_by_role("button", name="Simpan dan kirim ulang").click()
    expect(page.locator(".message").first).to_contain_text("dikirim ulang ke kantor cabang")
    registration.refresh_from_db()
    assert registration.status == "submitted"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    login("cabang")
    expect(page.get_by_test_id("waiting")).to_contain_text("Socorejo")
    page.get_by_role("button", name="Buka antrean verifikasi").click()
    row = page.locator("tr", has_text="Sutrisno")
    # No tick: typing the KPJ number is enough.
    row.locator("input[type=text]").fill("19012345678")
    page.click("button[value=verify]")
    expect(page.locator(".message").first).to_contain_text("1 pendaftaran diverifikasi")
    registration.refresh_from_db()
    assert (registration.status, registration.kpj) == ("verified", "19012345678")


def test_the_queue_narrows_by_regency_district_and_village_from_the_page(
    page, live_server, login, admin_user, operator, world
):
    register(world.socorejo, operator, full_name="Warga Socorejo")
    page.set_viewport_size(DESKTOP)
    login("admin")
    page.goto(f"{live_server.url}/verifikasi/")
    page.select_option("#id_regency", "35.23")
    expect(page.locator("#id_district option[value='35.23.12']")).to_have_count(1)
    page.select_option("#id_district", "35.23.12")
    expect(page.locator("#id_village option[value='35.23.12.2002']")).to_have_count(1)
    page.select_option("#id_village", "35.23.12.2002")
    expect(page.locator("tr", has_text="Warga Socorejo")).to_have_count(1)
    page.select_option("#id_regency", "35.25")
    expect(page.locator("#id_district option[value='35.25.10']")).to_have_count(1)
    expect(page.locator("tr", has_text="Warga Socorejo")).to_have_count(0)
    # Select-all ticks every row.
    page.select_option("#id_regency", "35.23")
    page.locator("[data-select-all]").check()
    expect(page.locator("input[name=selected]:checked")).to_have_count(1)
