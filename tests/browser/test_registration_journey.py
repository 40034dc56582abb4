"""A village operator registers a resident on a phone; branch staff verify it; the operator
sees it verified."""

import pytest
from playwright.sync_api import expect

from enrollment.models import Registration

from ..enrollment.registering import nik_for

pytestmark = pytest.mark.browser


def test_operator_registers_on_a_phone_and_branch_staff_verify(
    page, live_server, login, operator, branch_staff, world
):
    page.set_viewport_size({"width": 360, "height": 740})
    login("socorejo")
    page.get_by_role("link", name="Daftarkan").first.click()
    nik = nik_for(world.socorejo, birth="120385", female=True, serial=31)
    page.fill("#id_nik", nik)
    page.fill("#id_full_name", "Sri Rahayu")
    page.fill("#id_phone", "0813 3000 1234")
    page.select_option("#id_category", "rentan")
    page.fill("#id_declared_income", "1.500.000")
    page.select_option("#id_funding_source", "dana_desa")
    page.click("button[name=check]")
    expect(page.get_by_test_id("premium")).to_have_text("Rp21.800")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("button[name=save]")
    expect(page.locator("h1")).to_have_text("Sri Rahayu")
    expect(page.get_by_test_id("nik")).to_have_text(nik)

    page.get_by_role("link", name="Pendaftaran").first.click()
    row = page.locator("tr", has_text="Sri Rahayu")
    expect(row).to_contain_text("Diajukan")
    expect(row).to_contain_text(f"{nik[:6]}******{nik[-4:]}")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    login("cabang")
    page.get_by_role("link", name="Verifikasi").first.click()
    row = page.locator("tr", has_text="Sri Rahayu")
    row.locator("input[type=checkbox]").check()
    row.locator("input[type=text]").fill("19012345678")
    page.click("button[value=verify]")
    expect(page.locator(".message")).to_contain_text("1 pendaftaran diverifikasi")

    page.context.clear_cookies()
    login("socorejo")
    page.goto(f"{live_server.url}/pendaftaran/")
    expect(page.locator("tr", has_text="Sri Rahayu")).to_contain_text("Terverifikasi")
    registration = Registration.objects.get(participant__nik=nik)
    assert registration.kpj == "19012345678"
    assert registration.status == "verified"
