"""The Dana Desa / ADD budget planner: who may open it, and its arithmetic in Rupiah."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..enrollment.factories import RegistrationFactory
from .factories import CampaignFactory

ROLES = ["anonymous", "inactive", "admin", "branch", "other_branch", "operator", "other_operator"]
ROLE_FIXTURES = {
    "inactive": "inactive_user",
    "admin": "admin_user",
    "branch": "branch_staff",
    "other_branch": "other_branch_staff",
    "operator": "operator",
    "other_operator": "other_operator",
}
STATUS = dict(zip(ROLES, [302, 302, 200, 200, 404, 200, 404], strict=True))


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def campaign(world):
    return CampaignFactory(
        slug="desa-sadar-tuban",
        branch_office=world.bojonegoro,
        villages=[world.socorejo, world.karanglo],
    )


def budget_url(campaign, village):
    return reverse("budget_planner", args=[campaign.slug, village.code])


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_exact_answer(client, request, campaign, world, role):
    """Operators plan only for their own village, branch staff for their area; anything else is
    404, as if missing; anonymous and deactivated users are sent to log in."""
    if role != "anonymous":
        client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    response = client.get(budget_url(campaign, world.socorejo))
    assert response.status_code == STATUS[role]
    if role in ("anonymous", "inactive"):
        assert response["Location"].startswith(reverse("login"))


def test_an_operator_cannot_plan_for_another_village_of_the_campaign(client, campaign, operator):
    client.force_login(operator)
    assert (
        client.get(budget_url(campaign, campaign.villages.get(name="Karanglo"))).status_code == 404
    )


def test_a_village_not_taking_part_or_unknown_answers_404(client, world, campaign, branch_staff):
    client.force_login(branch_staff)
    other = CampaignFactory(branch_office=world.bojonegoro, villages=[world.karanglo])
    assert client.get(budget_url(other, world.socorejo)).status_code == 404
    url = reverse("budget_planner", args=[campaign.slug, "35.23.12.9999"])
    assert client.get(url).status_code == 404
    url = reverse("budget_planner", args=["tidak-ada", world.socorejo.code])
    assert client.get(url).status_code == 404


def test_the_budget_of_100_workers_for_12_months(client, campaign, world, operator):
    """100 workers × Rp16.800 × 12 = Rp20.160.000; with JHT 100 × Rp36.800 × 12."""
    client.force_login(operator)
    response = client.get(budget_url(campaign, world.socorejo))
    assert response.context["form"]["workers"].value() == 100
    assert response.context["form"]["months"].value() == 12
    lines = response.context["lines"]
    assert [(line.monthly_premium, line.total) for line in lines] == [
        (16_800, 20_160_000),
        (36_800, 44_160_000),
    ]
    assert "Rp20.160.000".replace(".", ",") in response.text  # English page (issue #20)
    assert "Rp44.160.000".replace(".", ",") in response.text  # English page (issue #20)
    assert "Rp16.800".replace(".", ",") in response.text  # English page (issue #20)


def test_workers_default_to_the_remaining_count(client, campaign, world, branch_staff):
    """Only counted registrations (verified, in the period) lower the default: 3 of 10 leaves 7."""
    campaign.participations.filter(village=world.socorejo).update(target_override=10)
    RegistrationFactory.create_batch(3, village=world.socorejo, verified=True)
    RegistrationFactory(village=world.socorejo)  # submitted: not counted
    client.force_login(branch_staff)
    response = client.get(budget_url(campaign, world.socorejo))
    assert response.context["remaining"] == 7
    assert response.context["lines"][0].total == 7 * 16_800 * 12
    assert "Rp1.411.200".replace(".", ",") in response.text  # English page (issue #20)


def test_workers_and_months_can_be_changed(client, campaign, world, operator):
    client.force_login(operator)
    response = client.get(budget_url(campaign, world.socorejo), {"workers": "50", "months": "6"})
    assert [line.total for line in response.context["lines"]] == [5_040_000, 11_040_000]
    assert "Rp5.040.000".replace(".", ",") in response.text  # English page (issue #20)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"workers": "-1", "months": "12"}, "workers", "greater than or equal to 0"),
        ({"workers": "10", "months": "0"}, "months", "greater than or equal to 1"),
        ({"workers": "banyak", "months": "12"}, "workers", "Enter a whole number."),
    ],
)
def test_bad_numbers_are_told(client, campaign, world, operator, params, field, message):
    client.force_login(operator)
    response = client.get(budget_url(campaign, world.socorejo), params)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["lines"] == []


def test_a_reached_target_plans_for_nobody_by_default(client, campaign, world, operator):
    campaign.participations.filter(village=world.socorejo).update(target_override=2)
    RegistrationFactory.create_batch(3, village=world.socorejo, verified=True)
    client.force_login(operator)
    response = client.get(budget_url(campaign, world.socorejo))
    assert response.context["remaining"] == 0
    assert response.context["lines"][0].total == 0


def test_the_planner_answers_in_bounded_queries(
    client, campaign, world, operator, django_assert_max_num_queries
):
    RegistrationFactory.create_batch(5, village=world.socorejo, verified=True)
    client.force_login(operator)
    # session, user (with the bell's count), session save (3), campaign, criteria, village,
    # its row, the rates
    # 12 since issue 18: the price book reads every rate row and the discounts.
    with django_assert_max_num_queries(12):
        client.get(budget_url(campaign, world.socorejo))


def test_the_planner_prices_each_month_with_the_discount_in_force(
    client, campaign, world, operator
):
    """A discount on every BPU occupation from next month on: the first month at Rp16.800, the
    eleven others at half JKK + JKM (Rp8.400)."""
    from enrollment.commission import add_months
    from enrollment.models import ContributionDiscount
    from enrollment.premiums import month_of

    next_month = add_months(month_of(timezone.localdate()), 1)
    ContributionDiscount.objects.create(
        regulation="PP test", effective_from=next_month, percent=50, programmes=["jkk", "jkm"]
    )
    client.force_login(operator)
    lines = client.get(budget_url(campaign, world.socorejo)).context["lines"]
    assert lines[0].total == 100 * (16_800 + 11 * 8_400)
    assert lines[1].total == 100 * (36_800 + 11 * 28_400)
