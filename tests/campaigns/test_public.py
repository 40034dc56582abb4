"""The public leaderboard: only for public campaigns, open to anyone, no personal data at all."""

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from campaigns.templatetags.progress_cells import progress_bar

from ..enrollment.factories import ParticipantFactory, RegistrationFactory
from ..factories import VillageFactory
from .factories import CampaignFactory


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def public_campaign(world):
    return CampaignFactory(
        name="Desa Sadar Tuban 2026",
        slug="desa-sadar-tuban-2026",
        branch_office=world.bojonegoro,
        is_public=True,
        villages=[world.socorejo, world.karanglo],
    )


@pytest.mark.parametrize("role", ["anonymous", "admin_user", "branch_staff", "operator"])
def test_anyone_sees_a_public_leaderboard(client, request, public_campaign, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("public_leaderboard", args=[public_campaign.slug]))
    assert response.status_code == 200
    assert "Desa Sadar Tuban 2026" in response.text


@pytest.mark.parametrize("role", ["anonymous", "admin_user", "branch_staff", "operator"])
def test_a_campaign_that_is_not_public_answers_404_to_everyone(client, request, world, role):
    campaign = CampaignFactory(branch_office=world.bojonegoro, villages=[world.socorejo])
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("public_leaderboard", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("public_leaderboard", args=["tidak-ada"])).status_code == 404


def test_the_page_shows_no_personal_data(client, world, operator, public_campaign):
    """Names, NIKs (whole or masked), phone numbers, KPJ numbers and addresses of registered
    people, and the operator's user name, appear nowhere in the HTML."""
    people = [
        RegistrationFactory(
            village=world.socorejo,
            participant=ParticipantFactory(
                village=world.socorejo,
                full_name="Siti Rahmawati Sutrisno",
                phone="6281234567890",
                address="Dusun Krajan Rahasia",
            ),
            verified=True,
        ),
        RegistrationFactory(
            village=world.karanglo,
            participant=ParticipantFactory(
                village=world.karanglo, full_name="Bambang Wicaksono", phone="6285799988877"
            ),
            entered_by=operator,
        ),
    ]
    response = client.get(reverse("public_leaderboard", args=[public_campaign.slug]))
    html = response.text
    for registration in people:
        participant = registration.participant
        for secret in filter(
            None,
            [
                participant.full_name,
                participant.nik,
                participant.masked_nik,
                participant.phone,
                participant.phone[2:],
                participant.address,
            ],
        ):
            assert secret not in html
        if registration.kpj:
            assert registration.kpj not in html
    assert operator.username not in html
    assert operator.first_name not in html
    assert "Socorejo" in html and "Karanglo" in html


def test_the_ranking_follows_the_score(client, world, public_campaign):
    """Karanglo with 2 of 100 ranks above Socorejo with 1 of 100; the totals add up."""
    RegistrationFactory.create_batch(2, village=world.karanglo, verified=True)
    RegistrationFactory(village=world.socorejo, verified=True)
    response = client.get(reverse("public_leaderboard", args=[public_campaign.slug]))
    rows = list(response.context["rows"])
    assert [(row.rank, row.village.name, row.counted) for row in rows] == [
        (1, "Karanglo", 2),
        (2, "Socorejo", 1),
    ]
    total = response.context["total"]
    assert (total.counted, total.target) == (3, 200)
    assert "Share of the target reached" not in response.text  # no criteria: the default rule
    assert "the share of the target reached" in response.text


@pytest.mark.parametrize("villages", [10, 120])
def test_the_page_is_paginated_in_bounded_queries(
    client, world, django_assert_max_num_queries, villages
):
    campaign = CampaignFactory(
        branch_office=world.bojonegoro,
        is_public=True,
        villages=[
            VillageFactory(code=f"35.23.12.{2100 + n}", district=world.jenu)
            for n in range(villages)
        ],
    )
    with django_assert_max_num_queries(6):
        response = client.get(reverse("public_leaderboard", args=[campaign.slug]))
    assert len(response.context["rows"]) == min(villages, 50)
    if villages > 50:
        assert "Page 1 of 3" in response.text
        page3 = client.get(reverse("public_leaderboard", args=[campaign.slug]), {"page": 3})
        assert [row.rank for row in page3.context["rows"]][:1] == [1]  # all tied at 0
        assert len(page3.context["rows"]) == 20


@pytest.mark.parametrize(
    ("context", "shown"),
    [
        ({"counted": 900, "target": 3000}, "30&nbsp;%"),
        ({"counted": 2999, "target": 3000}, "99&nbsp;%"),
        ({"counted": 3500, "target": 3000}, "117&nbsp;%"),
        ({"counted": 0, "target": 0}, "0&nbsp;%"),
        ({"counted": 1999, "target": 3000, "percent": 66}, "66&nbsp;%"),
    ],
)
def test_the_progress_bar_shows_a_percentage_that_does_not_overstate(context, shown):
    """Rounded, but never 100 % below the target; a given percent (rounded down) wins."""
    html = progress_bar(**context)
    assert f"· {shown}</small>" in html
    assert f'max="{context["target"] or 1}"' in html


def test_the_progress_bar_tag_groups_thousands_and_escapes_its_label():
    """In templates: "1.234 / 3.000" in Indonesian, and a village name is text, not markup."""
    template = Template("{% load progress_cells %}{% progress_bar counted target label=name %}")
    with translation.override("id"):
        html = template.render(Context({"counted": 1234, "target": 3000, "name": "<b>Ds</b>"}))
    assert "<strong>1.234</strong> / 3.000 · 41&nbsp;%" in html
    assert 'aria-label="&lt;b&gt;Ds&lt;/b&gt;"' in html
