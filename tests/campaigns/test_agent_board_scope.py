"""A campaign's agent board (/kampanye/<slug>/agen/) shows only the agents the viewer may
see, as the agent pages do: a campaign shared with another office shows neither that office's
Perisai agents nor their commissions."""

from django.urls import reverse

from enrollment.models import CommissionRule

from ..enrollment.factories import AgentFactory
from .test_dashboard import make_campaign
from .test_progress import registered


def board(client, user, campaign) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("campaign_agents", args=[campaign.slug]))
    assert response.status_code == 200
    return [row["agent__name"] for row in response.context["agents"]]


def test_each_office_sees_only_its_own_agents_on_a_shared_campaign(
    client, admin_user, branch_staff, other_branch_staff, operator, world
):
    campaign = make_campaign(world, [world.socorejo, world.karanglewas])
    tuban_agent = AgentFactory(name="Sutini Tuban", villages=[world.socorejo])
    banyumas_agent = AgentFactory(name="Darmi Banyumas", villages=[world.karanglewas])
    registered(world.socorejo, operator, agent=tuban_agent)
    registered(world.karanglewas, operator, agent=banyumas_agent)

    assert board(client, branch_staff, campaign) == ["Sutini Tuban"]
    assert board(client, other_branch_staff, campaign) == ["Darmi Banyumas"]
    assert sorted(board(client, admin_user, campaign)) == ["Darmi Banyumas", "Sutini Tuban"]
    # The agent page answers 404 for the other office's agent; the board no longer links it.
    client.force_login(other_branch_staff)
    assert client.get(reverse("agent_detail", args=[tuban_agent.pk])).status_code == 404


def test_the_board_links_each_agent_and_shows_no_commission_without_a_rule(
    client, branch_staff, operator, world
):
    campaign = make_campaign(world, [world.socorejo])
    agent = AgentFactory(name="Sutini Tuban", villages=[world.socorejo])
    registered(world.socorejo, operator, agent=agent)
    CommissionRule.objects.all().delete()
    client.force_login(branch_staff)
    response = client.get(reverse("campaign_agents", args=[campaign.slug]))
    link = reverse("agent_detail", args=[agent.pk])
    assert f'<a href="{link}">Sutini Tuban</a>' in response.text
    [row] = response.context["table"].rows
    assert row.get_cell("commission") == "—"
