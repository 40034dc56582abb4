"""The public front door: from the login page anyone finds the public campaigns, their
progress and their socialization events; no personal data, cached, a bounded query count."""

import pytest
from django.urls import reverse

from enrollment import services
from tests.enrollment.registering import register

from .factories import CampaignFactory, SocializationEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigns(world, operator, branch_staff):
    registration = register(world.socorejo, operator, full_name="Wagiyem Tersembunyi")
    services.registration_verify(registration=registration, kpj="19099990009", by=branch_staff)
    public = CampaignFactory(
        name="Desa Sadar Tuban", branch_office=world.bojonegoro, is_public=True,
        villages=[world.socorejo, world.karanglo],
    )  # fmt: skip
    private = CampaignFactory(
        name="Kampanye Internal", branch_office=world.bojonegoro, villages=[world.socorejo]
    )
    SocializationEventFactory(campaign=public, village=world.socorejo, place="Balai Socorejo")
    SocializationEventFactory(campaign=private, village=world.socorejo, place="Rapat tertutup")
    return public, private


def test_the_login_page_leads_to_the_public_campaigns(client, world):
    response = client.get(reverse("login"))
    assert f'href="{reverse("public_campaigns")}"' in response.text


def test_anyone_sees_the_public_campaigns_their_progress_and_events(client, campaigns):
    """Anonymous: the public campaign with its progress bar, a link to its village ranking and
    its events; nothing of a campaign that is not public, no participant's name."""
    public, _private = campaigns
    response = client.get(reverse("public_campaigns"))
    assert response.status_code == 200
    assert "Desa Sadar Tuban" in response.text
    assert reverse("public_leaderboard", args=[public.slug]) in response.text
    assert "<progress" in response.text
    assert "Balai Socorejo" in response.text
    assert "Kampanye Internal" not in response.text
    assert "Rapat tertutup" not in response.text
    assert "Wagiyem" not in response.text


def test_the_front_door_is_cached_and_its_queries_bounded(
    client, campaigns, world, django_assert_max_num_queries
):
    """A few queries however many campaigns are public; the second visit is served from the
    page cache (only the scopes' one query)."""
    for index in range(5):
        CampaignFactory(name=f"Terbuka {index}", is_public=True, villages=[world.karanglo])
    with django_assert_max_num_queries(6):
        client.get(reverse("public_campaigns"))
    with django_assert_max_num_queries(2):
        response = client.get(reverse("public_campaigns"))
    assert "Terbuka 4" in response.text


def test_a_wrong_password_reads_right_in_indonesian(client, operator):
    """Django's Indonesian says "nama pengguna nama pengguna"; the portal's says it once."""
    response = client.post(reverse("login"), {"username": "socorejo", "password": "salah"})
    assert "Masukkan nama pengguna dan kata sandi yang benar." in response.text
    assert "nama pengguna nama pengguna" not in response.text
