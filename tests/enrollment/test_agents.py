import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment.commission import Commission
from enrollment.models import Agent, Payment, Registration

from ..conftest import client_for
from .factories import AgentFactory, RegistrationFactory

TODAY = datetime.date(2026, 11, 23)
JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=JAKARTA)


@pytest.fixture
def today(monkeypatch):
    """The views take today's date from Django's timezone module: pin it."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def recruit(agent, day, *, village=None, hour=12, minute=0, **traits):
    return RegistrationFactory(
        agent=agent,
        village=village or agent.villages.first(),
        created_at=at(day, hour, minute),
        **traits,
    )


def paid(registration, *days, amount=16_800):
    """Payments of the registration's premium, each for the month of its day, paid that day."""
    Payment.objects.bulk_create(
        Payment(
            registration=registration, month=day.replace(day=1), amount=amount,
            premium_due=16_800, paid_on=day,
        )
        for day in days
    )  # fmt: skip


def test_recruits_are_counted_per_month_in_jakarta_time(world):
    """23:30 on 31 October in Jakarta is October, 00:30 on 1 November is November (though both
    are 31 October in UTC); rejected registrations don't count; only verified or active ones
    add premiums."""
    agent = AgentFactory(villages=[world.socorejo])
    recruit(agent, datetime.date(2026, 10, 31), hour=23, minute=30, verified=True)
    recruit(agent, datetime.date(2026, 11, 1), hour=0, minute=30, active=True)
    recruit(agent, datetime.date(2026, 11, 5))
    recruit(agent, datetime.date(2026, 11, 6), rejected=True)
    RegistrationFactory(village=world.socorejo, created_at=at(datetime.date(2026, 11, 7)))

    rows = list(Registration.objects.recruits_by_agent_month(until=TODAY))

    assert rows == [
        {"agent": agent.pk, "month": datetime.date(2026, 10, 1), "recruits": 1, "premiums": 16_800},
        {"agent": agent.pk, "month": datetime.date(2026, 11, 1), "recruits": 2, "premiums": 16_800},
    ]


def test_recruit_counts_are_not_doubled_by_several_villages_in_scope(world, branch_staff):
    """An agent serving Socorejo and Karanglo (both in KC Bojonegoro's area) appears once, with
    each recruit counted once, between the two dates included."""
    agent = AgentFactory(villages=[world.socorejo, world.karanglo])
    recruit(agent, datetime.date(2026, 11, 1), village=world.socorejo)
    recruit(agent, datetime.date(2026, 11, 30), village=world.karanglo, hour=23)
    recruit(agent, datetime.date(2026, 12, 1), village=world.karanglo, hour=0)

    agents = list(
        Agent.objects.for_user(branch_staff).with_recruit_counts(
            datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
        )
    )

    assert [(a.pk, a.recruit_count) for a in agents] == [(agent.pk, 2)]


def test_agents_without_a_new_member_for_three_months_are_flagged(world):
    """With today 23 November, the cut-off is 23 August: a last recruit on 22 August flags the
    agent, one on 23 August does not; a rejected recruit doesn't count as activity; an agent
    who joined after the cut-off is not flagged yet."""
    since = datetime.date(2026, 8, 23)
    quiet = AgentFactory(name="Quiet", villages=[world.socorejo])
    recruit(quiet, datetime.date(2026, 8, 22), verified=True)
    just_active = AgentFactory(name="Just active", villages=[world.socorejo])
    recruit(just_active, since, hour=0)
    rejected_only = AgentFactory(name="Rejected only", villages=[world.socorejo])
    recruit(rejected_only, datetime.date(2026, 11, 20), rejected=True)
    AgentFactory(name="New", villages=[world.socorejo], joined_on=datetime.date(2026, 10, 1))

    flagged = Agent.objects.without_recruits_since(since).order_by("name")

    assert [agent.name for agent in flagged] == ["Quiet", "Rejected only"]


def test_agent_list_shows_commission_at_49_and_50_recruits(client, world, operator, today):
    """In the list, 49 new members who paid for the first time this month earn the premium
    share only (net Rp55.566); 50 earn the Rp500.000 bonus too (net Rp506.700)."""
    short = AgentFactory(name="Short", villages=[world.socorejo])
    enough = AgentFactory(name="Enough", villages=[world.socorejo])
    for _ in range(49):
        paid(recruit(short, datetime.date(2026, 11, 2), verified=True), datetime.date(2026, 11, 9))
    for _ in range(50):
        paid(recruit(enough, datetime.date(2026, 11, 3), verified=True), datetime.date(2026, 11, 9))

    response = client_for(client, operator).get(reverse("agent_list"))

    assert response.status_code == 200
    by_name = {agent.name: agent for agent in response.context["agents"]}
    assert by_name["Short"].recruit_count == 49
    assert by_name["Short"].this_month.commission == Commission(
        bonus=0, premium_share=61_740, gross=61_740, organization_cut=6_174, net=55_566
    )
    assert by_name["Enough"].recruit_count == 50
    assert by_name["Enough"].this_month.commission == Commission(
        bonus=500_000, premium_share=63_000, gross=563_000, organization_cut=56_300, net=506_700
    )
    assert [month.recruits for month in by_name["Enough"].months] == [0, 0, 0, 0, 0, 50]
    assert "Rp506.700" in response.text
    assert "Rp55.566" in response.text


def test_agent_list_flags_the_inactive_agent(client, world, operator, today):
    """The list marks an agent whose last recruit is older than three months."""
    quiet = AgentFactory(name="Quiet", villages=[world.socorejo])
    recruit(quiet, datetime.date(2026, 7, 1), verified=True)
    busy = AgentFactory(name="Busy", villages=[world.socorejo])
    recruit(busy, datetime.date(2026, 11, 1))

    response = client_for(client, operator).get(reverse("agent_list"))

    flags = {agent.name: agent.no_recruits_since for agent in response.context["agents"]}
    assert flags == {"Quiet": True, "Busy": False}
    assert response.text.count('data-testid="inactive-flag"') == 1


def test_agent_list_queries_do_not_grow_with_agents(client, world, branch_staff, today):
    """Five queries (session, user, rule, agents, monthly totals) for 1 agent and for 6."""
    client = client_for(client, branch_staff)
    first = AgentFactory(villages=[world.socorejo, world.karanglo])
    recruit(first, datetime.date(2026, 11, 2), verified=True)
    client.get(reverse("agent_list"))  # the first request after logging in stamps the session
    with CaptureQueriesContext(connection) as one_agent:
        client.get(reverse("agent_list"))
    for _ in range(5):
        agent = AgentFactory(villages=[world.karanglo])
        recruit(agent, datetime.date(2026, 10, 2), verified=True)
    with CaptureQueriesContext(connection) as six_agents:
        response = client.get(reverse("agent_list"))

    assert len(response.context["agents"]) == 6
    assert len(one_agent) == len(six_agents) == 5


def test_agent_detail_shows_twelve_months_with_commission(
    client, world, branch_staff, today, django_assert_max_num_queries
):
    """The detail page lists 12 months, newest first, each with its pay: the 50 members of
    June 2026 pay for the first time that month and bring the bonus, and what they pay each
    month afterwards keeps counting."""
    agent = AgentFactory(villages=[world.socorejo])
    months = [datetime.date(2026, month, 10) for month in range(6, 12)]
    for _ in range(50):
        paid(recruit(agent, datetime.date(2026, 6, 10), verified=True), *months)

    client = client_for(client, branch_staff)
    # 8, plus 3 for the first request after logging in, which stamps the session.
    with django_assert_max_num_queries(8 + 3):
        response = client.get(reverse("agent_detail", args=[agent.pk]))

    history = response.context["history"]
    assert [month.month for month in history][:2] == [
        datetime.date(2026, 11, 1),
        datetime.date(2026, 10, 1),
    ]
    assert len(history) == 12
    june = next(month for month in history if month.month == datetime.date(2026, 6, 1))
    assert (june.recruits, june.premiums_collected) == (50, 840_000)
    assert june.commission.net == 506_700
    assert history[0].recruits == 0
    assert history[0].commission == Commission(
        bonus=0, premium_share=63_000, gross=63_000, organization_cut=6_300, net=56_700
    )
    assert history[-1].commission.net == 0  # December 2025, before the first recruit


def test_agent_detail_lists_only_recruits_the_user_may_see(client, world, other_operator, today):
    """An agent serving Socorejo and Karanglewas: Karanglewas's operator sees the agent, but
    among the recent recruits only Karanglewas's, with a masked NIK."""
    agent = AgentFactory(villages=[world.socorejo, world.karanglewas])
    socorejo_recruit = recruit(agent, datetime.date(2026, 11, 2), village=world.socorejo)
    own = recruit(agent, datetime.date(2026, 11, 3), village=world.karanglewas)
    paid(socorejo_recruit, datetime.date(2026, 11, 4))
    paid(own, datetime.date(2026, 11, 4))

    response = client_for(client, other_operator).get(reverse("agent_detail", args=[agent.pk]))

    assert response.status_code == 200
    assert list(response.context["recent"]) == [own]
    assert own.participant.masked_nik in response.text
    assert own.participant.nik not in response.text
    assert socorejo_recruit.participant.full_name not in response.text
    assert response.context["recruits_total"] == 2


@pytest.mark.parametrize("user_fixture", ["other_branch_staff", "other_operator"])
def test_agents_outside_the_users_area_are_hidden(client, request, world, user_fixture, today):
    """Staff of KC Purwokerto and Karanglewas's operator get 404 on a Socorejo agent's page,
    the same as for a missing agent, and don't see it in the list."""
    agent = AgentFactory(name="Agen Socorejo", villages=[world.socorejo])
    client = client_for(client, request.getfixturevalue(user_fixture))

    assert client.get(reverse("agent_detail", args=[agent.pk])).status_code == 404
    assert client.get(reverse("agent_detail", args=[agent.pk + 1000])).status_code == 404
    response = client.get(reverse("agent_list"))
    assert response.status_code == 200
    assert list(response.context["agents"]) == []
    assert "Agen Socorejo" not in response.text


@pytest.mark.parametrize("user_fixture", ["admin_user", "branch_staff", "operator"])
def test_agents_in_the_users_area_are_shown(client, request, world, user_fixture, today):
    """Admins, KC Bojonegoro's staff and Socorejo's operator see a Socorejo agent."""
    agent = AgentFactory(name="Agen Socorejo", villages=[world.socorejo])
    client = client_for(client, request.getfixturevalue(user_fixture))

    assert client.get(reverse("agent_detail", args=[agent.pk])).status_code == 200
    assert [a.pk for a in client.get(reverse("agent_list")).context["agents"]] == [agent.pk]


def test_the_commission_of_an_agent_over_six_months_counts_only_what_members_paid(
    client, world, branch_staff, today
):
    """Two members recruited in June: one pays June to November, the other June and July,
    then stops (and pays half in September). Each month the agent earns 7.5 % of what came in
    that month; the bonus is never reached."""
    agent = AgentFactory(villages=[world.socorejo])
    steady = recruit(agent, datetime.date(2026, 6, 1), verified=True)
    paid(steady, *[datetime.date(2026, month, 5) for month in range(6, 12)])
    stopped = recruit(agent, datetime.date(2026, 6, 2), verified=True)
    paid(stopped, datetime.date(2026, 6, 5), datetime.date(2026, 7, 5))
    paid(stopped, datetime.date(2026, 9, 5), amount=8_400)

    response = client_for(client, branch_staff).get(reverse("agent_detail", args=[agent.pk]))

    by_month = {month.month.month: month for month in response.context["history"]}
    assert [(by_month[m].recruits, by_month[m].premiums_collected) for m in range(6, 12)] == [
        (2, 33_600), (0, 33_600), (0, 16_800), (0, 25_200), (0, 16_800), (0, 16_800),
    ]  # fmt: skip
    assert [by_month[m].commission.premium_share for m in range(6, 12)] == [
        2_520, 2_520, 1_260, 1_890, 1_260, 1_260,
    ]  # fmt: skip
    assert by_month[9].commission.net == 1_701  # 1.890 less the organization's 10 %


def test_an_agent_with_no_new_member_and_no_premium_for_three_months_cannot_be_chosen(world, today):
    """Cut-off 23 August: Quiet's last member registered on 22 August and paid nothing since;
    Paying's member registered in May still paid on 1 October; New joined in October."""
    from enrollment.forms import RegistrationForm

    quiet = AgentFactory(name="Quiet", villages=[world.socorejo])
    paid(recruit(quiet, datetime.date(2026, 8, 22), verified=True), datetime.date(2026, 8, 22))
    paying = AgentFactory(name="Paying", villages=[world.socorejo])
    paid(recruit(paying, datetime.date(2026, 5, 2), verified=True), datetime.date(2026, 10, 1))
    AgentFactory(name="New", villages=[world.socorejo], joined_on=datetime.date(2026, 10, 1))

    form = RegistrationForm(village=world.socorejo, user=None)
    assert sorted(agent.name for agent in form.fields["agent"].queryset) == ["New", "Paying"]


def test_the_agent_page_says_why_an_agent_was_dropped_and_when_they_may_rejoin(
    client, world, branch_staff, today
):
    agent = AgentFactory(villages=[world.socorejo])
    paid(recruit(agent, datetime.date(2026, 4, 2), verified=True), datetime.date(2026, 5, 20))

    response = client_for(client, branch_staff).get(reverse("agent_detail", args=[agent.pk]))

    standing = response.context["standing"]
    assert standing.dropped_on == datetime.date(2026, 8, 20)
    assert standing.may_rejoin_on == datetime.date(2027, 2, 20)
    assert 'data-testid="dropped"' in response.text


def test_a_dropped_agent_may_rejoin_six_months_later_not_sooner(world, today):
    from enrollment.admin import AgentAdminForm

    """Joined 1 January 2026 and brought nothing: dropped on 1 April, may rejoin (a new joining
    date in the admin) from 1 October."""
    agent = AgentFactory(villages=[world.socorejo], joined_on=datetime.date(2026, 1, 1))
    data = {"name": agent.name, "phone": "", "organization": "", "is_active": True,
            "villages": [world.socorejo.pk]}  # fmt: skip
    too_soon = AgentAdminForm({**data, "joined_on": "2026-09-30"}, instance=agent)
    assert not too_soon.is_valid()
    assert "joined_on" in too_soon.errors
    agent.joined_on = datetime.date(2026, 1, 1)
    later = AgentAdminForm({**data, "joined_on": "2026-10-01"}, instance=agent)
    assert later.is_valid(), later.errors


def test_agent_list_tables_show_the_agent_and_one_column_per_month(client, world, operator, today):
    """The first table links the agent's name (the organization under it, not linked); the
    second has one column per month of the last six, oldest first."""
    agent = AgentFactory(name="Sutini", organization="Koperasi Jenu", villages=[world.socorejo])
    paid(recruit(agent, datetime.date(2026, 11, 2), verified=True), datetime.date(2026, 11, 9))

    response = client_for(client, operator).get(reverse("agent_list"))

    assert f'<a href="{agent.get_absolute_url()}">Sutini</a><br><small>Koperasi Jenu</small>' in (
        response.text
    )
    headers = [column.header for column in response.context["recruits_table"].columns]
    assert headers[1:] == ["Jun 2026", "Jul 2026", "Agu 2026", "Sep 2026", "Okt 2026", "Nov 2026"]
    [row] = response.context["recruits_table"].rows
    assert list(row)[1:] == [0, 0, 0, 0, 0, 1]
