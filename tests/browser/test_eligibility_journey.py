"""On a phone, the registration form reads the NIK as it is typed (birth date and sex), warns
when the birth date typed differs, and saves once the operator confirms (issue 18)."""

import datetime

import pytest
from playwright.sync_api import expect

from enrollment.models import Participant

from ..enrollment.registering import nik_for

pytestmark = pytest.mark.browser


def test_operator_sees_what_the_nik_says_and_confirms_a_differing_birth_date(
    page, live_server, login, operator, world
):
    page.set_viewport_size({"width": 360, "height": 740})
    login("socorejo")
    page.get_by_role("link", name="Daftarkan").first.click()
    reading = page.get_by_test_id("nik-reading")
    expect(reading).to_be_hidden()
    nik = nik_for(world.socorejo, birth="120385", female=True, serial=41)
    page.locator("#id_nik").press_sequentially(nik[:10])
    expect(reading).to_be_hidden()  # not a whole NIK yet
    page.locator("#id_nik").press_sequentially(nik[10:])
    expect(reading).to_have_text("Menurut NIK: lahir 12-03-1985, perempuan")

    confirm = page.locator("#id_confirm_differences")
    expect(confirm).to_be_hidden()
    page.fill("#id_birth_date", "1985-03-13")
    expect(page.locator("[data-nik-warning]")).to_be_visible()
    expect(confirm).to_be_visible()

    page.fill("#id_full_name", "Sri Rahayu")
    page.select_option("#id_category", "rentan")
    page.fill("#id_declared_income", "1.000.000")
    page.select_option("#id_funding_source", "mandiri")
    page.click("button[name=check]")
    # Not confirmed: refused with what the NIK says.
    expect(page.locator(".field-error")).to_contain_text("Menurut NIK, lahir 12-03-1985")
    expect(page.get_by_test_id("premium")).to_have_count(0)

    page.locator("#id_confirm_differences").check()
    page.click("button[name=check]")
    expect(page.get_by_test_id("premium")).to_have_text("Rp16.800")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button[name=save]")
    expect(page.locator("h1")).to_have_text("Sri Rahayu")
    participant = Participant.objects.get(nik=nik)
    assert (participant.birth_date, participant.sex) == (datetime.date(1985, 3, 13), "F")
