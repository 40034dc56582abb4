"""On a 360 px phone nothing hides off-screen and the menu is one button; every page of every
role passes axe-core (vendored: tests/browser/vendor/axe.min.js) with no critical or serious
violation; the menu and a list work from the keyboard."""

from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.urls import reverse
from playwright.sync_api import Error, expect

from ..access_objects import socorejo_objects  # noqa: F401 (fixture)
from ..test_access_matrix import MATRIX, ROLE_FIXTURES, urls_for

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
# The pages people walk through on a phone (operators) and at a desk.
PHONE_PAGES = ["village_home", "registration_list", "campaign_list", "lapsing_list",
               "campaign_villages", "agent_list", "notification_list"]  # fmt: skip


@pytest.fixture
def browser_context_args(browser_context_args):
    # axe is injected as a script tag: the portal's CSP (rightly) refuses it otherwise.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def people(request, world):
    found = {role: request.getfixturevalue(name) for role, name in ROLE_FIXTURES.items()}
    return SimpleNamespace(**found)


def page_urls(socorejo, people, names=None) -> list[str]:
    return [
        url
        for name, (method, _expected) in MATRIX.items()
        if method == "get" and (names is None or name in names)
        for url in urls_for(name, socorejo, people)
        if "." not in url.rsplit("/", 1)[-1]  # downloads are not pages
    ]


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations
                .filter(v => v.impact === 'critical' || v.impact === 'serious')
                .map(v => v.id + ': '
                    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }"""
    )


def pages_with_violations(page, base, urls) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        try:
            response = page.goto(base + url)
        except Error:  # a download (an export, an agreement's PDF): not a page
            continue
        if response is None or response.status != 200:
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        violations = serious_violations(page)
        if violations:
            found[url] = violations
    return found


@pytest.mark.parametrize(
    ("role", "viewport"),
    [("operator", PHONE), ("branch", DESKTOP), ("admin", DESKTOP), ("anonymous", PHONE)],
)
def test_every_page_of_every_role_passes_axe(page, live_server, login, people, socorejo, role,
                                             viewport):  # fmt: skip
    """axe-core finds no critical or serious violation (contrast included) on any page a role
    opens: operators on a phone, staff and administrators at a desk, anyone on the front door."""
    page.set_viewport_size(viewport)
    if role != "anonymous":
        login(getattr(people, role).username)
    urls = page_urls(socorejo, people)
    urls += ["/accounts/login/"] if role == "anonymous" else []
    urls += ["/admin/", "/admin/enrollment/registration/"] if role == "admin" else []
    assert pages_with_violations(page, live_server.url, urls) == {}


def admin_urls(*, views=("changelist", "add", "change")) -> list[str]:
    """Every registered model's admin pages (read from the admin's registry, so a model
    registered later is covered too): its list, its add form and, when the test world has one,
    its first object's change form."""
    urls = []
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        obj = model._default_manager.order_by("pk").first()
        for view in views:
            if view == "change":
                if obj is not None:
                    urls.append(reverse(f"{info}_change", args=[obj.pk]))
            else:
                urls.append(reverse(f"{info}_{view}"))
    return urls


@pytest.mark.parametrize(
    ("viewport", "views"),
    [(DESKTOP, ("changelist", "add", "change")), (PHONE, ("changelist",))],
    ids=["desktop", "phone"],
)
def test_every_admin_page_passes_axe(page, live_server, login, people, socorejo,
                                     viewport, views):  # fmt: skip
    """Every registered model's list, add form and a change form pass axe-core at a desk, and
    the lists on a 360 px phone too."""
    page.set_viewport_size(viewport)
    login(people.admin.username)
    urls = ["/admin/", *admin_urls(views=views)]
    assert pages_with_violations(page, live_server.url, urls) == {}


def test_at_360_px_the_admin_lists_hide_no_column(page, live_server, login, people, socorejo):
    """An administrator on a phone: every model's list fits the screen, its rows read as cards
    of "column: value" instead of a table scrolling sideways."""
    page.set_viewport_size(PHONE)
    login(people.admin.username)
    too_wide = {}
    for url in admin_urls(views=("changelist",)):
        page.goto(live_server.url + url)
        widths = page.evaluate(
            """() => [document.documentElement,
                      ...document.querySelectorAll('#changelist .results')]
                .filter(box => box.scrollWidth > box.clientWidth + 1)
                .map(box => box.id || box.className || 'page')"""
        )
        if widths:
            too_wide[url] = widths
    assert too_wide == {}
    page.goto(live_server.url + "/admin/enrollment/registration/")
    cell = page.locator("#result_list tbody td[data-label]").nth(1)
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"').endswith(": ")


def test_the_axe_check_sees_what_it_looks_for(page):
    """A control: a picture without text and pale text are reported, so a clean run means
    something."""
    page.set_content(
        '<html lang="id"><title>x</title><main><img src="x.png">'
        '<p style="color:#ccc;background:#fff">pucat</p></main></html>'
    )
    found = " ".join(serious_violations(page))
    assert "image-alt" in found
    assert "color-contrast" in found


def test_at_360_px_nothing_hides_off_screen_and_the_menu_is_one_button(
    page, live_server, login, people, socorejo
):
    """A village operator's phone: no page is wider than the screen (lists become cards of
    "label: value"), the menu is one row with a button that opens it."""
    page.set_viewport_size(PHONE)
    login("socorejo")
    too_wide = {}
    for url in page_urls(socorejo, people, PHONE_PAGES):
        page.goto(live_server.url + url)
        # The page, and every scrolling box in it (a table scrolled sideways hides columns too).
        widths = page.evaluate(
            """() => [document.documentElement, ...document.querySelectorAll('.table-wrap')]
                .filter(box => box.scrollWidth > box.clientWidth + 1)
                .map(box => box.className || 'page')"""
        )
        if widths:
            too_wide[url] = widths
    assert too_wide == {}

    page.goto(live_server.url + "/pendaftaran/")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 90  # one row: the brand and the menu button
    registrations = page.get_by_role("link", name="Pendaftaran", exact=True)
    expect(registrations).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(registrations).to_be_visible()
    # A list row reads as a card: each cell labelled with its column.
    cell = page.locator(".table-cards td[data-label]").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label.strip('"').endswith(": ")


def test_the_menu_and_a_list_work_from_the_keyboard(page, live_server, login, people, socorejo):
    """On a phone, Tab reaches the menu button, Enter opens it, and Tab then reaches its links
    and the page's list."""
    page.set_viewport_size(PHONE)
    login("socorejo")
    page.goto(live_server.url + "/pendaftaran/")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("href", "/desa/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desa/")


def test_at_a_desk_the_menu_is_a_row_of_links(page, live_server, login, people, socorejo):
    """Wider screens show the links at once, no button."""
    page.set_viewport_size(DESKTOP)
    login("cabang")
    page.goto(live_server.url + "/pendaftaran/")
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name="Verifikasi", exact=True)).to_be_visible()
