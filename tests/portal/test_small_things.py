"""Small things users notice (issue #20, point 13): a favicon, `make run` on another port,
print buttons on the invitation slips and the budget, the invitation greeting by name."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse

from portal import accounts

from ..campaigns.factories import CampaignFactory

ROOT = Path(settings.BASE_DIR)


def test_every_page_links_the_vendored_favicon_and_the_portals_script(client, world, operator):
    client.force_login(operator)
    page = client.get(reverse("registration_list")).text
    assert 'rel="icon" href="/static/img/favicon.svg"' in page
    assert '<script src="/static/js/portal.js" defer></script>' in page
    for name in ("img/favicon.svg", "img/favicon.png", "img/favicon.ico", "js/portal.js"):
        assert finders.find(name), name


def test_favicon_ico_is_answered_for_pages_without_the_link(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.ico"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_takes_the_port_from_port():
    def dry_run(*args):
        return subprocess.run(
            ["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout

    assert "runserver 127.0.0.1:8000" in dry_run()
    assert "runserver 127.0.0.1:8123" in dry_run("PORT=8123")
    assert "PORT=8080" in (ROOT / "README.md").read_text()


def test_the_invitation_slips_and_the_budget_have_a_print_button(
    client, world, branch_staff, operator
):
    """A print button (shown by static/js/portal.js, which calls window.print())."""
    account, _ = accounts.operator_account_create(village=world.karanglo, by=branch_staff)
    client.force_login(branch_staff)
    slips = client.post(reverse("invitation_slips"), {"accounts": [account.pk]}).text
    assert "data-print" in slips
    campaign = CampaignFactory(branch_office=world.bojonegoro, villages=[world.socorejo])
    client.force_login(operator)
    budget = client.get(reverse("budget_planner", args=[campaign.slug, world.socorejo.code]))
    assert "data-print" in budget.text
    assert "window.print()" in Path(finders.find("js/portal.js")).read_text()


def test_the_invitation_email_greets_the_person_by_name(
    world, branch_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.operator_account_create(
            village=world.socorejo,
            by=branch_staff,
            first_name="Kasun",
            last_name="Wijaya",
            email="kasun@example.org",
            link_for=lambda token: f"http://testserver/undangan/{token}/",
        )
    [message] = mail.outbox
    assert message.body.startswith("Halo Kasun Wijaya,")


def test_the_invitation_email_without_a_name_says_hello(
    world, branch_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accounts.operator_account_create(
            village=world.socorejo,
            by=branch_staff,
            email="desa@example.org",
            link_for=lambda token: f"http://testserver/undangan/{token}/",
        )
    [message] = mail.outbox
    assert message.body.startswith("Halo,")
