"""?per_page= is bounded on every paginated list (portal.paging): at most 100 rows, the
default for zero or less, junk ignored, never a 500."""

import pytest
from django.urls import reverse

from portal.paging import MAX_PER_PAGE

from ..campaigns.test_dashboard import make_campaign

ASKED = [
    ("-1", 25),
    ("0", 25),
    ("5000", MAX_PER_PAGE),
    ("99999999999999999999", MAX_PER_PAGE),
    ("abc", 25),
    ("1e3", 25),
    ("40", 40),
]


@pytest.mark.parametrize(("asked", "shown"), ASKED)
def test_the_registration_list_bounds_the_page_size(client, branch_staff, asked, shown):
    client.force_login(branch_staff)
    response = client.get(reverse("registration_list"), {"per_page": asked})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == shown


@pytest.mark.parametrize(("asked", "shown"), ASKED)
def test_the_agreement_list_bounds_the_page_size(client, branch_staff, asked, shown):
    client.force_login(branch_staff)
    response = client.get(reverse("agreement_list"), {"per_page": asked})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == shown


@pytest.mark.parametrize(("asked", "shown"), ASKED)
def test_the_campaign_village_table_bounds_the_page_size(client, branch_staff, world, asked, shown):
    campaign = make_campaign(world, [world.socorejo, world.karanglo])
    client.force_login(branch_staff)
    url = reverse("campaign_villages", args=[campaign.slug])
    response = client.get(url, {"per_page": asked, "page": "999999999999"})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == shown
