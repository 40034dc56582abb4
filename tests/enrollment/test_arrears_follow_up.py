"""The lapse follow-up from real arrears: members who missed a month, with the WhatsApp link."""

import urllib.parse

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment.arrears import latest_month_due
from enrollment.commission import add_months
from enrollment.models import FollowUp

from .factories import RegistrationFactory
from .test_payment_state import pay


@pytest.fixture
def due():
    return latest_month_due(timezone.localdate())


@pytest.fixture
def behind(world, due):
    member = RegistrationFactory(
        village=world.socorejo, verified=True, participant__phone="6281234567890"
    )
    pay(member, add_months(due, -2), add_months(due, -1))
    return member


def test_the_list_shows_members_who_missed_a_month_with_a_whatsapp_message(
    client, operator, world, behind, due
):
    paid_up = RegistrationFactory(village=world.socorejo, verified=True)
    pay(paid_up, due)
    never = RegistrationFactory(village=world.socorejo, verified=True)
    client.force_login(operator)
    response = client.get(reverse("arrears_list"))
    assert [r.pk for r in response.context["registrations"]] == [behind.pk]
    assert never.participant.full_name not in response.text
    link = response.context["registrations"][0].whatsapp_url
    message = urllib.parse.unquote(link)
    assert "tercatat dibayar sampai bulan" in message
    assert behind.kpj not in message
    assert behind.participant.nik not in response.text


def test_a_member_reached_about_the_gap_is_marked_until_the_next_gap(client, operator, behind, due):
    client.force_login(operator)
    client.post(reverse("arrears_follow_up", args=[behind.pk]), {"channel": "whatsapp"})
    follow_up = FollowUp.objects.get()
    assert follow_up.last_paid_month == add_months(due, -1)
    response = client.get(reverse("arrears_list"))
    assert 'data-testid="reached"' in response.text


def test_members_of_other_villages_are_neither_listed_nor_followed_up(
    client, other_operator, behind
):
    client.force_login(other_operator)
    assert client.get(reverse("arrears_list")).context["registrations"] == []
    response = client.post(reverse("arrears_follow_up", args=[behind.pk]), {"channel": "visit"})
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_an_unknown_channel_records_nothing(client, operator, behind):
    client.force_login(operator)
    client.post(reverse("arrears_follow_up", args=[behind.pk]), {"channel": "pigeon"})
    assert not FollowUp.objects.exists()


def test_members_covered_through_an_employer_are_in_no_arrears_list(
    client, operator, world, behind, due
):
    """Their employer pays them (issue 18): a gap is not the village's to follow up."""
    employee = RegistrationFactory(
        village=world.socorejo, verified=True, participant__category="pu",
        employer_name="PT Semen", funding_source="perusahaan", monthly_premium=0, rate=None,
    )  # fmt: skip
    pay(employee, add_months(due, -2), add_months(due, -1))
    client.force_login(operator)
    response = client.get(reverse("arrears_list"))
    assert [r.pk for r in response.context["registrations"]] == [behind.pk]


def test_the_arrears_message_names_the_premium_of_the_missed_month(
    client, operator, world, behind, due
):
    """The premium of the month in question (issue 18), not the one stored at registration."""
    behind.monthly_premium = 99_999
    behind.save()
    client.force_login(operator)
    message = urllib.parse.unquote(
        client.get(reverse("arrears_list")).context["registrations"][0].whatsapp_url
    )
    assert "Rp16.800" in message


def test_the_arrears_list_is_a_table_of_cards_whose_queries_do_not_grow(
    client, operator, world, behind, due, django_assert_max_num_queries
):
    """django-tables2 renders it (each cell labelled with its column, a card on a phone), each
    row with its follow-up form; more members, same queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.cookies["django_language"] = "en"
    client.force_login(operator)
    client.get(reverse("arrears_list"))  # the session stamped
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("arrears_list"))
    assert 'class="table-wrap table-cards"' in response.text
    assert 'data-testid="arrears"' in response.text
    assert 'data-label="Months missed">1</td>' in response.text
    assert 'data-label="Village"' not in response.text  # an operator's one village
    assert response.text.count(reverse("arrears_follow_up", args=[behind.pk])) == 1
    for _ in range(3):
        more = RegistrationFactory(village=world.socorejo, verified=True)
        pay(more, add_months(due, -2), add_months(due, -1))
    with django_assert_max_num_queries(len(one)):
        response = client.get(reverse("arrears_list"))
    assert response.text.count('data-label="Follow-up"') == 4
