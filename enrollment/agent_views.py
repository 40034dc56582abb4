"""Perisai agents (recruits and pay per month) and funded periods that end soon."""

import datetime
from collections import defaultdict

from django.shortcuts import render
from django.utils import timezone

from portal import progress_math
from portal.access import role_required, scoped_or_404
from portal.phone import display_phone
from portal.roles import ANY_ROLE

from . import payments
from .commission import (
    CommissionTerms,
    add_months,
    agent_months,
    last_months,
    month_end,
)
from .follow_up_views import add_follow_up_details, with_follow_ups
from .models import (
    LAPSING_WITHIN_DAYS,
    Agent,
    CommissionRule,
    ContributionRate,
    FollowUp,
    Payment,
    Registration,
)
from .tables import AgentMonthTable, AgentRecruitsTable, LapsingTable

LIST_MONTHS = 6
DETAIL_MONTHS = 12
RECENT_RECRUITS = 20


@role_required(*ANY_ROLE)
def lapsing_list(request):
    """Registrations of the user's villages whose funded period ends within LAPSING_WITHIN_DAYS
    (with a WhatsApp link and whether the member was reached), and how many kept paying on their
    own after the village stopped."""
    today = timezone.localdate()
    scoped = Registration.objects.for_user(request.user)
    registrations = list(
        with_follow_ups(scoped.lapsing_within(LAPSING_WITHIN_DAYS, today)).select_related(
            "participant", "village"
        )
    )
    book = ContributionRate.objects.price_book()
    for registration in registrations:
        registration.days_left = (registration.paid_until - today).days
        registration.phone_display = display_phone(registration.participant.phone)
        add_follow_up_details(registration, book)
    counts = scoped.continuation_counts(today)
    return render(
        request,
        "enrollment/lapsing_list.html",
        {
            "registrations": registrations,
            "table": LapsingTable(registrations, show_village=not request.user.is_village_operator),
            "today": today,
            "until": today + datetime.timedelta(days=LAPSING_WITHIN_DAYS),
            "days": LAPSING_WITHIN_DAYS,
            "ended": counts["ended"],
            "continued": counts["continued"],
            # Rounded down, as a campaign's retention (the same share, the same rule).
            "continued_percent": progress_math.percent_or_none(
                counts["continued"], counts["ended"]
            ),
            "follow_up_channels": FollowUp.Channel.choices,
        },
    )


@role_required(*ANY_ROLE)
def agent_list(request):
    """Agents serving the user's villages: recruits per month, this month's pay, flags. Three
    queries whatever the number of agents: the rule, the agents, their totals per month."""
    today = timezone.localdate()
    months = last_months(today, LIST_MONTHS)
    this_month = months[-1]
    rule = _rule_in_force(month_end(this_month))
    agents = Agent.objects.for_user(request.user).with_recruit_counts(
        this_month, month_end(this_month)
    )
    if rule is not None:
        agents = agents.with_inactivity(add_months(today, -rule.inactive_after_months))
    agents = list(agents.order_by("-is_active", "-recruit_count", "name"))
    totals = _totals_per_agent_month(
        Payment.objects.filter(registration__agent__in=[agent.pk for agent in agents]),
        months[0],
        month_end(this_month),
    )
    terms = {this_month: CommissionTerms.from_rule(rule)} if rule is not None else {}
    for agent in agents:
        agent.months = agent_months(months=months, per_month=totals[agent.pk], terms_by_month=terms)
        agent.this_month = agent.months[-1]
    return render(
        request,
        "enrollment/agent_list.html",
        {
            "agents": agents,
            "months": months,
            "rule": rule,
            "today": today,
            "this_month_table": AgentMonthTable(agents, rule=rule),
            "recruits_table": AgentRecruitsTable(agents, months=months),
        },
    )


@role_required(*ANY_ROLE)
def agent_detail(request, pk):
    """One agent of the user's area: villages, recruits and pay for 12 months, latest recruits
    (only those registered in villages the user may see)."""
    today = timezone.localdate()
    months = last_months(today, DETAIL_MONTHS)
    rules = _rules_by_month(months)
    rule = rules[months[-1]]
    agents = Agent.objects.with_last_recruit().with_last_activity()
    if rule is not None:
        agents = agents.with_inactivity(add_months(today, -rule.inactive_after_months))
    agent = scoped_or_404(agents, request.user, pk=pk)
    totals = _totals_per_agent_month(
        Payment.objects.filter(registration__agent=agent), months[0], month_end(months[-1])
    )
    history = agent_months(
        months=months,
        per_month=totals[agent.pk],
        terms_by_month={
            month: CommissionTerms.from_rule(rule) for month, rule in rules.items() if rule
        },
    )
    recent = (
        Registration.objects.for_user(request.user)
        .filter(agent=agent)
        .select_related("participant", "village")
        .order_by("-created_at", "-pk")[:RECENT_RECRUITS]
    )
    return render(
        request,
        "enrollment/agent_detail.html",
        {
            "agent": agent,
            "standing": payments.agent_standing(agent, today),
            "phone_display": display_phone(agent.phone),
            "villages": agent.villages.with_names(),
            "history": list(reversed(history)),
            "recruits_total": sum(month.recruits for month in history),
            "rule": rule,
            "recent": recent,
            "recent_limit": RECENT_RECRUITS,
        },
    )


def _totals_per_agent_month(payments, start: datetime.date, until: datetime.date) -> dict:
    """{agent pk: {month: (new members with a first payment, paid)}} in one query."""
    totals = defaultdict(dict)
    for row in payments.by_agent_month(start, until):
        firsts, paid = totals[row["recruiter"]].get(row["period"], (0, 0))
        totals[row["recruiter"]][row["period"]] = (
            firsts + row["first_payments"],
            paid + row["paid"],
        )
    return totals


def _rule_in_force(on: datetime.date) -> CommissionRule | None:
    try:
        return CommissionRule.objects.in_force(on)
    except CommissionRule.DoesNotExist:
        return None


def _rules_by_month(months: list[datetime.date]) -> dict[datetime.date, CommissionRule | None]:
    """The rule in force at the end of each month (as CommissionRule.objects.in_force() picks
    it), in one query instead of one per month."""
    rules = list(
        CommissionRule.objects.filter(effective_from__lte=month_end(months[-1])).order_by(
            "-effective_from"
        )
    )
    return {
        month: next((rule for rule in rules if rule.effective_from <= month_end(month)), None)
        for month in months
    }
