"""The branch home shows what waits (issue #20, point 6): registrations waiting for
verification per village, the running campaigns' progress, agreements ending soon."""

import datetime

from django.urls import reverse
from django.utils import timezone

from enrollment import services

from ..campaigns.factories import CampaignFactory
from ..enrollment.registering import register
from ..factories import AgreementFactory, UserFactory


def test_the_branch_home_lists_waiting_registrations_per_village(
    client, world, branch_staff, operator
):
    """Per village of the area: how many wait and since when, linking to the queue narrowed to
    the village; a verified registration no longer waits; other branches' villages are absent."""
    karanglo_operator = UserFactory(username="karanglo", village=world.karanglo)
    first, _second = register(world.socorejo, operator), register(world.socorejo, operator)
    register(world.karanglo, karanglo_operator)
    register(world.karanglewas, UserFactory(username="kl", village=world.karanglewas))
    services.registration_verify(registration=first, kpj="19000000001", by=branch_staff)
    client.force_login(branch_staff)
    response = client.get(reverse("branch_home"))
    waiting = {row["village__name"]: row["count"] for row in response.context["waiting"]}
    assert waiting == {"Socorejo": 1, "Karanglo": 1}
    assert f"{reverse('verification_queue')}?village=35.23.12.2002" in response.text


def test_the_branch_home_shows_running_campaigns_with_their_progress(
    client, world, branch_staff, operator
):
    running = CampaignFactory(
        name="Desa Sadar Tuban",
        branch_office=world.bojonegoro,
        villages=[world.socorejo],
        counts="submitted",
    )
    CampaignFactory(
        name="Kampanye 2019",
        branch_office=world.bojonegoro,
        villages=[world.socorejo],
        starts_on=datetime.date(2019, 1, 1),
        ends_on=datetime.date(2019, 12, 31),
    )
    register(world.socorejo, operator)
    client.force_login(branch_staff)
    response = client.get(reverse("branch_home"))
    [(campaign, total)] = response.context["campaigns"]
    assert campaign == running
    assert (total.counted, total.target) == (1, 100)
    assert "Desa Sadar Tuban" in response.text
    assert "Kampanye 2019" not in response.text


def test_the_branch_home_lists_agreements_ending_within_90_days(client, world, branch_staff):
    today = timezone.localdate()
    soon = AgreementFactory(
        title="PKS Socorejo",
        branch_office=world.bojonegoro,
        valid_until=today + datetime.timedelta(days=30),
    )
    AgreementFactory(
        title="MoU Panjang",
        branch_office=world.bojonegoro,
        valid_until=today + datetime.timedelta(days=400),
    )
    AgreementFactory(
        title="MoU Usai",
        branch_office=world.bojonegoro,
        valid_until=today - datetime.timedelta(days=1),
    )
    client.force_login(branch_staff)
    response = client.get(reverse("branch_home"))
    assert list(response.context["ending"]) == [soon]


def test_the_branch_home_stays_within_its_query_bound(
    client, world, branch_staff, operator, django_assert_max_num_queries
):
    CampaignFactory(branch_office=world.bojonegoro, villages=[world.socorejo])
    AgreementFactory(
        branch_office=world.bojonegoro,
        valid_until=timezone.localdate() + datetime.timedelta(days=10),
    )
    for _ in range(3):
        register(world.socorejo, operator)
    client.force_login(branch_staff)
    client.get(reverse("branch_home"))
    with django_assert_max_num_queries(10):
        assert client.get(reverse("branch_home")).status_code == 200
