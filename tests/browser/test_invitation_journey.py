"""Branch staff create accounts for a district's villages and print a slip; the village operator
opens the slip's link on a phone, sets a password and lands on the village page."""

import pytest
from playwright.sync_api import expect

from portal.models import User

from ..factories import VillageFactory

pytestmark = pytest.mark.browser


def test_branch_staff_invite_a_districts_villages_and_an_operator_accepts(
    page, live_server, login, branch_staff, world
):
    for n in (1, 2):
        VillageFactory(code=f"35.23.08.20{n:02d}", district=world.kerek, name=f"Sumberarum {n}")
    login("cabang")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/akun/pengguna/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_test_id("account-bulk-create").click()
    page.select_option("#id_district", "35.23.08")
    page.click("button[name=check]")
    expect(page.get_by_test_id("preview")).to_contain_text("Karanglo")
    page.get_by_test_id("create-accounts").click()

    slips = page.get_by_test_id("slip")
    expect(slips).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert User.objects.filter(village__district=world.kerek).count() == 3
    slip = slips.filter(has_text="Karanglo")
    expect(slip.locator("svg path")).to_have_count(1)
    username = slip.get_by_test_id("slip-username").inner_text()
    link = slip.get_by_test_id("slip-link").inner_text()
    assert username == "karanglo.3523082016"
    assert link.startswith(f"{live_server.url}/undangan/")

    # Printed: the portal's header and the explanations stay off the paper, the slips do not.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(slip).to_be_visible()
    assert page.pdf()[:4] == b"%PDF"
    page.emulate_media(media="screen")

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_test_id("username")).to_have_text(username)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#id_new_password1", "Karanglo-Kerek-2026")
    page.fill("#id_new_password2", "Karanglo-Kerek-2026")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/desa/")
    expect(page.locator("h1")).to_contain_text("Karanglo")

    # The link worked once.
    page.goto(link)
    expect(page.locator("h1")).not_to_contain_text("Karanglo")
    operator = User.objects.get(username=username)
    assert operator.check_password("Karanglo-Kerek-2026")
    assert not operator.must_change_password
