import datetime
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import FundingSource, Registration
from tools.demo import demo_load

from ..conftest import client_for
from .factories import FundedPeriodFactory, RegistrationFactory
from .periods import assert_paid_until_stored

TODAY = datetime.date(2026, 11, 23)
DAY = datetime.timedelta(days=1)
DANA_DESA, ADD, PARTICIPANT, CSR = (
    FundingSource.DANA_DESA,
    FundingSource.ADD,
    FundingSource.PARTICIPANT,
    FundingSource.CSR,
)


@pytest.fixture
def today(monkeypatch):
    """The views take today's date from Django's timezone module: pin it."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def funded(village, *periods, **traits):
    """A registration with funded periods given as (source, starts_on, ends_on)."""
    registration = RegistrationFactory(village=village, **(traits or {"verified": True}))
    for source, starts_on, ends_on in periods:
        FundedPeriodFactory(
            registration=registration,
            funding_source=source,
            funding_company="PT Semen Indonesia" if source == CSR else "",
            starts_on=starts_on,
            ends_on=ends_on,
        )
    return registration


def ending(village, days: int, source=DANA_DESA, **traits):
    """A registration whose only funded period ends `days` after TODAY."""
    return funded(village, (source, datetime.date(2026, 6, 1), TODAY + days * DAY), **traits)


def test_lapsing_within_keeps_latest_periods_ending_in_the_window(world):
    """Ending today, in 10 and in 30 days: listed, soonest first. In 31 or 40 days, ended
    yesterday, rejected, still submitted, or followed by a later period: not listed."""
    in_10 = ending(world.socorejo, 10)
    on_today = ending(world.socorejo, 0, source=PARTICIPANT, active=True)
    in_30 = ending(world.socorejo, 30)
    ending(world.socorejo, 31)
    ending(world.socorejo, 40)
    ending(world.socorejo, -1)
    ending(world.socorejo, 10, rejected=True)
    ending(world.socorejo, 10, status=Registration.Status.SUBMITTED)
    funded(
        world.socorejo,
        (DANA_DESA, datetime.date(2026, 6, 1), TODAY + 10 * DAY),
        (PARTICIPANT, TODAY + 11 * DAY, TODAY + 200 * DAY),
    )

    lapsing = list(Registration.objects.lapsing_within(30, TODAY))

    assert lapsing == [on_today, in_10, in_30]
    assert [(r.paid_until, r.paid_by) for r in lapsing] == [
        (TODAY, PARTICIPANT),
        (TODAY + 10 * DAY, DANA_DESA),
        (TODAY + 30 * DAY, DANA_DESA),
    ]


def test_paid_until_is_none_without_periods(world):
    """A registration without any funded period has no paid-until date and no payer."""
    registration = RegistrationFactory(village=world.socorejo, verified=True)
    registration.refresh_from_db()
    assert (registration.paid_until, registration.paid_by) == (None, "")


def test_the_latest_period_is_stored_as_periods_are_added_changed_and_deleted(world):
    """paid_until and paid_by follow the latest period through every change: a later period, an
    earlier one, one ending the same day but starting later, an edit, deletions."""
    registration = funded(world.socorejo, (DANA_DESA, datetime.date(2026, 1, 1), TODAY))
    stored = Registration.objects.filter(pk=registration.pk).values_list("paid_until", "paid_by")
    assert stored.get() == (TODAY, DANA_DESA)
    later = FundedPeriodFactory(
        registration=registration,
        funding_source=PARTICIPANT,
        starts_on=TODAY + DAY,
        ends_on=TODAY + 90 * DAY,
    )
    FundedPeriodFactory(
        registration=registration,
        funding_source=ADD,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
    )
    assert stored.get() == (TODAY + 90 * DAY, PARTICIPANT)
    same_end = FundedPeriodFactory(
        registration=registration,
        funding_source=ADD,
        starts_on=TODAY + 30 * DAY,
        ends_on=TODAY + 90 * DAY,
    )
    assert stored.get() == (TODAY + 90 * DAY, ADD)
    same_end.delete()
    assert stored.get() == (TODAY + 90 * DAY, PARTICIPANT)
    later.ends_on = TODAY + 20 * DAY
    later.save()
    assert stored.get() == (TODAY + 20 * DAY, PARTICIPANT)
    later.delete()
    assert stored.get() == (TODAY, DANA_DESA)
    for period in registration.funded_periods.all():
        period.delete()
    assert stored.get() == (None, "")
    assert_paid_until_stored()


def test_the_demo_data_stores_the_latest_periods(db, seeded_rates):
    """The demo writes funded periods in bulk, continuing periods of Gresik included."""
    demo_load(log=lambda message: None)
    assert Registration.objects.exclude(paid_until=None).count() > 100
    assert_paid_until_stored()


def test_continuing_counts_participants_who_pay_after_the_village(world):
    """Of the registrations whose Dana Desa or ADD period ended before today, only those with a
    period paid by the participant starting after it count as continuing: not an overlapping
    own period, not an own period before the village paid, not CSR taking over. Rejected
    registrations and village periods still running are left out."""
    jan, jun_end = datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)
    continued = funded(
        world.socorejo,
        (DANA_DESA, jan, jun_end),
        (PARTICIPANT, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
    )
    continued_after_add = funded(
        world.karanglo,
        (ADD, datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)),
        (PARTICIPANT, datetime.date(2025, 9, 1), datetime.date(2025, 12, 31)),
    )
    funded(world.socorejo, (ADD, jan, jun_end))  # stopped
    funded(
        world.socorejo,
        (DANA_DESA, jan, jun_end),
        (PARTICIPANT, datetime.date(2026, 3, 1), datetime.date(2026, 12, 31)),
    )  # overlapping
    funded(
        world.socorejo,
        (PARTICIPANT, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        (DANA_DESA, jan, jun_end),
    )  # paid alone before
    funded(
        world.socorejo,
        (DANA_DESA, jan, jun_end),
        (CSR, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
    )  # a company took over
    funded(world.socorejo, (PARTICIPANT, jan, datetime.date(2026, 12, 31)))  # never village
    funded(world.socorejo, (DANA_DESA, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)))
    funded(
        world.socorejo,
        (DANA_DESA, jan, jun_end),
        (PARTICIPANT, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
        status=Registration.Status.REJECTED,
        rejection_reason="Duplikat",
    )

    registrations = Registration.objects.all()

    assert set(registrations.continuing()) == {continued, continued_after_add}
    assert registrations.continuation_counts(TODAY) == {"ended": 6, "continued": 2}


def test_lapsing_page_lists_soon_ending_registrations_with_masked_nik(
    client, world, operator, today, django_assert_max_num_queries
):
    """Socorejo's operator sees the registration ending in 10 days (masked NIK, phone, who pays,
    paid-until date), not the one ending in 40 days, and the share that continued on their own."""
    soon = ending(world.socorejo, 10)
    later = ending(world.socorejo, 40)
    funded(
        world.socorejo,
        (DANA_DESA, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        (PARTICIPANT, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
    )
    funded(world.socorejo, (ADD, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)))
    funded(world.socorejo, (ADD, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)))
    client = client_for(client, operator)

    # 4, plus 3 for the first request after logging in, which stamps the session, plus 2 since
    # issue 18: the price book (rates and discounts) for the premium each member pays next.
    with django_assert_max_num_queries(4 + 3 + 2):
        response = client.get(reverse("lapsing_list"))

    assert response.status_code == 200
    assert list(response.context["registrations"]) == [soon]
    text = response.text
    assert soon.participant.masked_nik in text
    assert soon.participant.nik not in text
    assert soon.participant.full_name in text
    assert later.participant.full_name not in text
    assert "03-12-2026" in text
    assert "Dana Desa" in text
    phone = soon.participant.phone  # "62812........"
    assert f"0{phone[2:5]}-{phone[5:9]}-{phone[9:]}" in text
    assert (
        response.context["ended"],
        response.context["continued"],
        response.context["continued_percent"],
    ) == (3, 1, 33)


def test_lapsing_page_without_village_funding_says_so(client, world, operator, today):
    """With no ended Dana Desa or ADD period the page says so instead of a 0 % share."""
    response = client_for(client, operator).get(reverse("lapsing_list"))
    assert response.status_code == 200
    assert response.context["continued_percent"] is None
    assert response.context["registrations"] == []


@pytest.mark.parametrize(
    ("user_fixture", "visible"),
    [
        ("admin_user", True),
        ("branch_staff", True),
        ("operator", True),
        ("other_branch_staff", False),
        ("other_operator", False),
    ],
)
def test_lapsing_page_is_scoped_to_the_users_villages(
    client, request, world, user_fixture, visible, today
):
    """A Socorejo registration ending soon, and Socorejo's continuation figures, appear for
    admins, KC Bojonegoro's staff and Socorejo's operator only."""
    soon = ending(world.socorejo, 10)
    funded(
        world.socorejo,
        (DANA_DESA, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        (PARTICIPANT, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
    )
    client = client_for(client, request.getfixturevalue(user_fixture))

    response = client.get(reverse("lapsing_list"))

    assert response.status_code == 200
    assert (soon in response.context["registrations"]) is visible
    assert (soon.participant.full_name in response.text) is visible
    assert (response.context["ended"], response.context["continued"]) == (
        (1, 1) if visible else (0, 0)
    )


@pytest.mark.django_db(transaction=True)
def test_two_periods_added_at_once_store_the_latest(world, branch_staff):
    """Two staff add periods to one registration at the same moment (two connections): the
    later-ending period is added first and committed while the second is being added; the
    registration still stores the later-ending one."""
    registration = RegistrationFactory(village=world.socorejo, verified=True)
    first_added = threading.Event()
    errors = []

    def add(ends_on, *, hold_open=False):
        try:
            with transaction.atomic():
                services.funded_period_add(
                    registration=registration,
                    by=branch_staff,
                    funding_source=DANA_DESA,
                    starts_on=TODAY,
                    ends_on=ends_on,
                )
                if hold_open:  # the second adds its period before this one commits
                    first_added.set()
                    time.sleep(0.5)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    later = threading.Thread(target=add, args=[TODAY + 200 * DAY], kwargs={"hold_open": True})
    later.start()
    assert first_added.wait(timeout=10)
    sooner = threading.Thread(target=add, args=[TODAY + 100 * DAY])
    sooner.start()
    later.join(timeout=30)
    sooner.join(timeout=30)

    assert errors == []
    assert registration.funded_periods.count() == 2
    stored = Registration.objects.values_list("paid_until", flat=True).get(pk=registration.pk)
    assert stored == TODAY + 200 * DAY
    assert_paid_until_stored()


def test_reconcile_repairs_paid_until_written_behind_the_portals_back(world):
    """Stored latest periods changed or lost by a bulk write are found and repaired; after the
    repair the check passes."""
    two_periods = funded(
        world.socorejo,
        (DANA_DESA, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
        (PARTICIPANT, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
    )
    one_period = ending(world.socorejo, 10)
    no_period = RegistrationFactory(village=world.socorejo)
    ending(world.socorejo, 20)  # in step: not reported
    call_command("reconcile_tallies", "--check", stdout=StringIO())
    Registration.objects.filter(pk=two_periods.pk).update(paid_by=DANA_DESA)
    Registration.objects.filter(pk=one_period.pk).update(paid_until=None, paid_by="")
    Registration.objects.filter(pk=no_period.pk).update(paid_until=TODAY, paid_by=ADD)
    assert set(Registration.objects.paid_until_out_of_step().values_list("pk", flat=True)) == {
        two_periods.pk,
        one_period.pk,
        no_period.pk,
    }
    output = StringIO()
    with pytest.raises(CommandError, match="out of step"):
        call_command("reconcile_tallies", "--check", stdout=output)
    assert "paid_until was out of step on 3 registrations; repaired." in output.getvalue()
    assert_paid_until_stored()
    output = StringIO()
    call_command("reconcile_tallies", "--check", stdout=output)
    assert "Every registration's latest funded period is stored." in output.getvalue()


def test_the_lapsing_page_rounds_its_retention_as_the_campaigns_do(client, world, operator, today):
    """Issue 21: "continued paying on their own" is a retention, rounded down as a campaign's
    (portal.progress_math.percent_or_none): 2 of 3 is 66 %."""
    for _ in range(2):
        funded(
            world.socorejo,
            (DANA_DESA, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)),
            (PARTICIPANT, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31)),
        )
    funded(world.socorejo, (ADD, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)))
    response = client_for(client, operator).get(reverse("lapsing_list"))
    assert (
        response.context["ended"],
        response.context["continued"],
        response.context["continued_percent"],
    ) == (3, 2, 66)
    assert "(66 %)" in response.text
