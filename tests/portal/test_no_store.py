"""Personal-data pages and exports carry `Cache-Control: no-store` (portal.no_store): village
offices share computers, and the next person must not find them in the browser's cache."""

import pytest
from django.urls import reverse

from ..campaigns.test_dashboard import make_campaign
from ..enrollment.registering import register


@pytest.fixture
def registration(world, operator):
    return register(world.socorejo, operator)


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("role", "name", "kwargs"),
    [
        ("operator", "registration_list", {}),
        ("operator", "registration_detail", {"pk": "registration"}),
        ("operator", "registration_export", {"fmt": "csv"}),
        ("operator", "registration_export", {"fmt": "xlsx"}),
        ("operator", "lapsing_list", {}),
        ("operator", "lapsing_print", {}),
        ("operator", "notification_list", {}),
        ("branch_staff", "verification_queue", {}),
        ("branch_staff", "registration_detail", {"pk": "registration"}),
        ("branch_staff", "registration_export", {"fmt": "bpjs"}),
    ],
)
def test_personal_data_pages_and_exports_are_not_stored(
    client, request, registration, role, name, kwargs
):
    kwargs = {k: registration.pk if v == "registration" else v for k, v in kwargs.items()}
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert no_store(response)
    assert "private" in response["Cache-Control"]


def test_the_public_leaderboard_stays_cacheable_for_anonymous_visitors(client, world):
    campaign = make_campaign(world, [world.socorejo], public=True)
    response = client.get(reverse("public_leaderboard", args=[campaign.slug]))
    assert response.status_code == 200
    assert not no_store(response)
