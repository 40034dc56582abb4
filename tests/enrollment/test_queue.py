"""The verification queue as branch staff use it every day (issue #20, point 5): narrowing by
regency, district and village from the page itself, pages past the first batch, verifying by
typing a KPJ number, and which campaign each registration counts toward."""

import datetime

from django.urls import reverse
from django.utils import timezone

from enrollment import views
from enrollment.models import Registration

from ..campaigns.factories import CampaignFactory
from .registering import register


def _choices(response, name):
    return [code for code, _label in response.context["filter"].form.fields[name].choices if code]


def test_choosing_a_regency_fills_its_districts_and_a_district_its_villages(
    client, admin_user, world
):
    """The choices come from the server for the chosen regency and district (the page
    re-submits on change; without scripts the filter button does)."""
    client.force_login(admin_user)
    url = reverse("verification_queue")
    page = client.get(url)
    assert "35.23" in _choices(page, "regency")
    assert _choices(page, "district") == []
    page = client.get(url, {"regency": "35.23"})
    assert _choices(page, "district") == ["35.23.12", "35.23.08"]  # Jenu, Kerek by name
    assert 'data-narrows="district village"' in page.text
    page = client.get(url, {"regency": "35.23", "district": "35.23.12"})
    assert _choices(page, "village") == ["35.23.12.2002"]


def test_a_district_of_another_regency_is_dropped_when_the_regency_changes(
    client, admin_user, operator, world
):
    """Regency changed to Gresik with Jenu still chosen: Gresik's districts, and the queue
    narrowed by the regency alone (not emptied by the stale district)."""
    register(world.socorejo, operator)
    client.force_login(admin_user)
    page = client.get(
        reverse("verification_queue"),
        {"regency": "35.25", "district": "35.23.12", "village": "35.23.12.2002"},
    )
    assert _choices(page, "district") == ["35.25.10"]
    assert page.context["rows"] == []
    page = client.get(reverse("verification_queue"), {"regency": "35.23", "district": "35.25.10"})
    assert len(page.context["rows"]) == 1


def test_the_queue_pages_past_the_first_batch(client, operator, branch_staff, world, monkeypatch):
    """Oldest first, a batch a page; the next page's link keeps the filters."""
    monkeypatch.setattr(views, "QUEUE_BATCH", 2)
    registrations = [register(world.socorejo, operator) for _ in range(5)]
    start = timezone.now() - datetime.timedelta(days=10)
    for days, registration in enumerate(registrations):
        Registration.objects.filter(pk=registration.pk).update(
            created_at=start + datetime.timedelta(days=days)
        )
    client.force_login(branch_staff)
    url = reverse("verification_queue")
    first = client.get(url, {"village": world.socorejo.pk})
    assert f"?village={world.socorejo.pk}&amp;page=2" in first.text
    second = client.get(url, {"village": world.socorejo.pk, "page": 2})
    assert [row["registration"] for row in second.context["rows"]] == registrations[2:4]
    assert "baris 3 sampai 4 ditampilkan" in second.text
    third = client.get(url, {"page": 3})
    assert [row["registration"] for row in third.context["rows"]] == registrations[4:]
    assert third.context["next_url"] == ""
    assert client.get(url, {"page": "abc"}).context["page"] == 1


def test_typing_a_kpj_number_verifies_the_row_without_a_tick(client, operator, branch_staff, world):
    first, second = (register(world.socorejo, operator) for _ in range(2))
    client.force_login(branch_staff)
    response = client.post(
        reverse("verification_queue"),
        {"action": "verify", f"kpj-{first.pk}": " 19000000011 ", f"kpj-{second.pk}": ""},
    )
    assert response.status_code == 302
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "verified", second.pk: "submitted"}


def test_rejecting_still_needs_ticks_and_a_typed_kpj_alone_rejects_nothing(
    client, operator, branch_staff, world
):
    registration = register(world.socorejo, operator)
    client.force_login(branch_staff)
    client.post(
        reverse("verification_queue"),
        {"action": "reject", "reason": "Data ganda", f"kpj-{registration.pk}": "19000000011"},
    )
    registration.refresh_from_db()
    assert registration.status == "submitted"


def test_the_queue_offers_select_all_for_the_ticks(client, operator, branch_staff, world):
    register(world.socorejo, operator)
    client.force_login(branch_staff)
    assert 'data-select-all="selected"' in client.get(reverse("verification_queue")).text


def test_each_row_says_which_campaign_it_counts_toward(client, operator, branch_staff, world):
    """A running campaign of the village counts the registration once verified; an ended one,
    or one counting other worker categories, does not."""
    running = CampaignFactory(
        name="Desa Sadar Tuban", branch_office=world.bojonegoro, villages=[world.socorejo]
    )
    CampaignFactory(
        name="Kampanye Lama",
        branch_office=world.bojonegoro,
        villages=[world.socorejo],
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2019, 12, 31),
    )
    CampaignFactory(
        name="Perangkat Saja",
        branch_office=world.bojonegoro,
        villages=[world.socorejo],
        categories=["perangkat"],
    )
    registration = register(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.get(reverse("verification_queue"))
    [row] = response.context["rows"]
    assert row["campaigns"] == [running]
    assert "Desa Sadar Tuban" in response.text
    assert "Kampanye Lama" not in response.text
    assert registration.get_absolute_url() in response.text


def test_the_queue_stays_within_its_query_bound(
    client, operator, branch_staff, world, django_assert_max_num_queries
):
    CampaignFactory(branch_office=world.bojonegoro, villages=[world.socorejo, world.karanglo])
    for _ in range(30):
        register(world.socorejo, operator)
    client.force_login(branch_staff)
    client.get(reverse("verification_queue"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("verification_queue"), {"page": 2, "regency": "35.23"})
    assert len(response.context["rows"]) == 5
