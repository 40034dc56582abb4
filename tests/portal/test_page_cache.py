"""The busiest pages' content is served from the cache, and never after what it shows changed."""

import re

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from campaigns import tally
from campaigns.models import Campaign, CampaignVillage
from enrollment import services
from enrollment.models import Participant
from portal import page_cache
from portal.models import ContentVersion

from ..campaigns.test_dashboard import make_campaign, villages_url
from ..campaigns.test_progress import registered
from ..enrollment.registering import register

CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def progress_values(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'<progress value="(\d+)"', html)]


def without_tokens(html: str) -> str:
    return CSRF_VALUE.sub("", html)


@pytest.fixture
def campaign(world):
    return make_campaign(world, [world.socorejo, world.karanglo], public=True)


def test_a_second_visit_serves_the_same_page_from_the_cache_with_fewer_queries(
    client, admin_user, campaign, operator, django_assert_max_num_queries
):
    registered(campaign.participations.first().village, operator)
    client.force_login(admin_user)
    rendered = client.get(campaign.get_absolute_url())
    assert "totals" in rendered.context  # the view ran
    # the session, the user with the bell's count, the versions
    with django_assert_max_num_queries(3):
        served = client.get(campaign.get_absolute_url())
    assert served.status_code == 200
    assert "totals" not in served.context  # the view did not run
    assert without_tokens(served.text) == without_tokens(rendered.text)
    assert progress_values(served.text)[0] == 1


@pytest.mark.parametrize("decision", ["verify", "reject", "move"])
def test_a_registration_shows_at_once_on_every_cached_page(
    client, admin_user, branch_staff, operator, campaign, world, decision
):
    """Every user exists before the first visit: only the registration changes."""
    pages = {
        "dashboard": (admin_user, campaign.get_absolute_url()),
        "village table": (branch_staff, villages_url(campaign)),
        "leaderboard": (None, reverse("public_leaderboard", args=[campaign.slug])),
        "village page": (operator, reverse("village_home")),
    }
    visitors = {}
    for name, (user, _url) in pages.items():
        visitors[name] = Client()
        if user is not None:
            visitors[name].force_login(user)

    def counted() -> dict[str, int]:
        return {
            name: progress_values(visitors[name].get(url).text)[0]
            for name, (_user, url) in pages.items()
        }

    registration = register(world.socorejo, operator)
    services.registrations_verify(pairs=[(registration, "12345678901")], by=branch_staff)
    assert counted() == dict.fromkeys(pages, 1)
    assert counted() == dict.fromkeys(pages, 1)  # from the cache now
    second = register(world.socorejo, operator)
    if decision == "verify":
        services.registrations_verify(pairs=[(second, "12345678902")], by=branch_staff)
        assert counted() == dict.fromkeys(pages, 2)
    elif decision == "reject":
        services.registrations_reject(registrations=[second], reason="NIK salah", by=branch_staff)
        assert counted() == dict.fromkeys(pages, 1)
    else:  # the first one moves to a village outside the campaign
        services.registration_move(
            registration=registration, village=world.tanggulrejo, by=admin_user
        )
        assert counted() == dict.fromkeys(pages, 0)


def test_the_queue_shows_a_new_registration_and_loses_a_verified_one(
    client, branch_staff, operator, world
):
    client.force_login(branch_staff)
    queue = reverse("verification_queue")
    assert "Sutrisno" not in client.get(queue).text
    registration = register(world.socorejo, operator, full_name="Sutrisno Baru")
    assert "Sutrisno Baru" in client.get(queue).text
    assert "Sutrisno Baru" in client.get(queue).text  # from the cache
    services.registrations_verify(pairs=[(registration, "12345678901")], by=branch_staff)
    assert "Sutrisno Baru" not in client.get(queue).text


def test_a_corrected_name_shows_on_the_village_page(client, operator, campaign, world):
    registration = register(world.socorejo, operator, full_name="Sutrisno")
    client.force_login(operator)
    assert "Sutrisno" in client.get(reverse("village_home")).text
    participant = Participant.objects.get(registration=registration)
    participant.full_name = "Sutrisna"
    participant.save()
    page = client.get(reverse("village_home")).text
    assert "Sutrisna" in page
    assert "Sutrisno" not in page


def test_an_admin_edit_shows_at_once(client, admin_user, campaign):
    client.force_login(admin_user)
    client.get(campaign.get_absolute_url())
    campaign.name = "Desa Sadar Jamsostek Tuban"
    campaign.save()
    assert "Desa Sadar Jamsostek Tuban" in client.get(campaign.get_absolute_url()).text


def test_a_registration_elsewhere_keeps_a_village_page_cached(
    operator, other_operator, world, django_assert_max_num_queries
):
    """Karanglewas takes part in no campaign with Socorejo: its page stays in the cache."""
    make_campaign(world, [world.socorejo], slug="socorejo-2026")
    visitor = Client()
    visitor.force_login(other_operator)
    visitor.get(reverse("village_home"))
    register(world.socorejo, operator)
    # the session, the user with the bell's count, the versions (of the village and its campaigns)
    with django_assert_max_num_queries(3):
        assert visitor.get(reverse("village_home")).status_code == 200


def test_each_area_gets_its_own_content(client, branch_staff, other_branch_staff, operator, world):
    """Branch staff of two offices on the same address: neither sees the other's queue."""
    register(world.socorejo, operator, full_name="Warga Tuban")
    register(world.karanglewas, operator, full_name="Warga Banyumas")
    queue = reverse("verification_queue")
    tuban, banyumas = Client(), Client()
    tuban.force_login(branch_staff)
    banyumas.force_login(other_branch_staff)
    for _ in range(2):  # rendered, then from the cache
        tuban_page, banyumas_page = tuban.get(queue).text, banyumas.get(queue).text
        assert "Warga Tuban" in tuban_page and "Warga Banyumas" not in tuban_page
        assert "Warga Banyumas" in banyumas_page and "Warga Tuban" not in banyumas_page


def test_each_language_gets_its_own_content(client, admin_user, campaign):
    client.force_login(admin_user)
    url = campaign.get_absolute_url()
    client.cookies["django_language"] = "id"
    assert "Terdaftar" in client.get(url).text
    client.cookies["django_language"] = "en"
    page = client.get(url).text
    assert "Registered" in page and "Terdaftar" not in page


def test_a_cached_page_gets_a_fresh_working_csrf_token(branch_staff, operator, world):
    registration = register(world.socorejo, operator)
    verifier = Client(enforce_csrf_checks=True)
    verifier.force_login(branch_staff)
    queue = reverse("verification_queue")
    verifier.get(queue)
    served = verifier.get(queue)
    assert "totals" not in served.context  # from the cache
    assert page_cache.CSRF_PLACEHOLDER not in served.text
    token = CSRF_VALUE.search(served.text).group(1)
    response = verifier.post(
        queue,
        {
            "csrfmiddlewaretoken": token,
            "selected": [registration.pk],
            f"kpj-{registration.pk}": "12345678901",
        },
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "verified"


def test_only_a_successful_answer_is_kept(client, operator, campaign, other_operator):
    """An operator of a village outside the campaign gets 404, and so does the next one."""
    client.force_login(other_operator)
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert client.get(campaign.get_absolute_url()).status_code == 404
    client.force_login(operator)
    assert client.get(campaign.get_absolute_url()).status_code == 200


def test_pages_render_when_the_cache_is_down(client, admin_user, campaign, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client.force_login(admin_user)
    for _ in range(2):
        response = client.get(campaign.get_absolute_url())
        assert response.status_code == 200
        assert "totals" in response.context


def test_a_login_changes_no_version(client, operator, campaign):
    before = dict(ContentVersion.objects.values_list("scope", "token"))
    client.post(reverse("login"), {"username": operator.username, "password": "demo12345"})
    assert client.session.get("_auth_user_id") == str(operator.pk)
    assert dict(ContentVersion.objects.values_list("scope", "token")) == before


def tokens() -> dict[str, int]:
    return dict(ContentVersion.objects.values_list("scope", "token"))


@pytest.mark.django_db(transaction=True)
def test_versions_change_when_the_transaction_commits():
    with transaction.atomic():
        page_cache.changed("campaign:a")
        page_cache.changed("campaign:a", "village:b")
        assert tokens() == {}  # not yet: readers would cache the old content under a new one
    after_commit = tokens()
    assert set(after_commit) == {"campaign:a", "village:b"}

    with transaction.atomic():
        page_cache.changed("campaign:a")
        transaction.set_rollback(True)
    assert tokens() == after_commit  # rolled back: nothing changed

    with transaction.atomic():  # the rolled-back mark left nothing behind that loses this one
        page_cache.changed("village:b")
    assert tokens()["village:b"] != after_commit["village:b"]
    assert tokens()["campaign:a"] == after_commit["campaign:a"]


@pytest.mark.django_db(transaction=True)
def test_a_registration_committed_by_another_connection_shows(world, seeded_rates):
    """Written through the service in its own transaction, read as a new visitor would."""
    from tests.factories import UserFactory

    operator = UserFactory(username="socorejo", village=world.socorejo)
    campaign = make_campaign(world, [world.socorejo], public=True)
    leaderboard = reverse("public_leaderboard", args=[campaign.slug])
    assert progress_values(Client().get(leaderboard).text)[0] == 0
    registered(world.socorejo, operator)
    assert not connections["default"].in_atomic_block
    assert progress_values(Client().get(leaderboard).text)[0] == 1


def test_another_villages_registrations_change_a_village_pages_rank_at_once(
    client, admin_user, branch_staff, operator, campaign, world
):
    """Socorejo's page shows its rank in the campaign: Karanglo's members move it, although
    nothing of Socorejo's changed (the page depends on its campaigns' versions)."""
    ours = register(world.socorejo, operator)
    services.registrations_verify(pairs=[(ours, "12345678901")], by=branch_staff)
    client.force_login(operator)

    def rank() -> str:
        return re.search(r'data-testid="rank">([^<]+)<', client.get(reverse("village_home")).text)[
            1
        ]

    assert rank() == "Peringkat 1 dari 2" == rank()  # the second from the cache
    theirs = [register(world.karanglo, admin_user) for _ in range(2)]
    services.registrations_verify(
        pairs=[(theirs[0], "12345678902"), (theirs[1], "12345678903")], by=branch_staff
    )
    assert rank() == "Peringkat 2 dari 2"


def test_a_village_joining_a_campaign_sees_it_at_once(client, operator, campaign, world):
    """Added as the campaign's setup pages add villages: rows in bulk, then a recount."""
    later = make_campaign(world, [], slug="desa-sadar-2027")
    later.name = "Desa Sadar 2027"
    Campaign.objects.filter(pk=later.pk).update(name=later.name)  # no signal: nothing marked
    client.force_login(operator)
    assert "Desa Sadar 2027" not in client.get(reverse("village_home")).text
    assert "Desa Sadar 2027" not in client.get(reverse("village_home")).text  # cached
    CampaignVillage.objects.create(campaign=later, village=world.socorejo)
    tally.campaign_recount(later)
    assert "Desa Sadar 2027" in client.get(reverse("village_home")).text
