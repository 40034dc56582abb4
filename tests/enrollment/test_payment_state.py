"""Each registration knows its months paid: the list filter, the export, the page's strip."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enrollment.arrears import PaymentState, latest_month_due
from enrollment.commission import add_months
from enrollment.models import Payment, Registration
from enrollment.payments import store_months_paid

from .factories import RegistrationFactory


def pay(registration, *months, amount=16_800):
    for month in months:
        Payment.objects.create(
            registration=registration, month=month, amount=amount, premium_due=16_800,
            paid_on=month + datetime.timedelta(days=9),
        )  # fmt: skip
    store_months_paid(Registration.objects.filter(pk=registration.pk))
    registration.refresh_from_db()


@pytest.fixture
def members(world):
    due = latest_month_due(timezone.localdate())
    paid_up, arrears, lapsed, never = (
        RegistrationFactory(village=world.socorejo, verified=True) for _ in range(4)
    )
    pay(paid_up, add_months(due, -1), due)
    pay(arrears, add_months(due, -2), add_months(due, -1))
    pay(lapsed, add_months(due, -4), add_months(due, -3))
    pay(lapsed, add_months(due, -1), amount=5_000)  # a partial payment does not bring it back
    return {"paid_up": paid_up, "arrears": arrears, "lapsed": lapsed, "never_paid": never}


@pytest.mark.parametrize("state", list(PaymentState))
def test_the_registrations_list_filters_by_what_the_payments_say(client, operator, members, state):
    client.force_login(operator)
    response = client.get(reverse("registration_list"), {"payments": state})
    listed = {row.record.pk for row in response.context["table"].page.object_list}
    assert listed == {members[state].pk}


def test_a_member_who_pays_again_after_a_lapse_is_paid_up(members):
    lapsed = members["lapsed"]
    assert lapsed.payment_state() == PaymentState.LAPSED
    pay(lapsed, latest_month_due(timezone.localdate()))
    assert lapsed.payment_state() == PaymentState.PAID_UP
    assert lapsed.months_paid == 3


def test_the_export_carries_the_last_month_paid_as_iuran_terakhir(client, branch_staff, members):
    client.force_login(branch_staff)
    response = client.get(reverse("registration_export", args=["xlsx"]))
    header, *rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    column = header.index("Iuran terakhir")
    by_kpj = {row[header.index("KPJ")]: row[column] for row in rows}
    due = latest_month_due(timezone.localdate())
    assert by_kpj[members["paid_up"].kpj] == f"{due:%Y-%m}"
    assert by_kpj[members["never_paid"].kpj] is None


def test_the_registration_page_shows_the_months_as_a_strip(client, branch_staff, members):
    client.force_login(branch_staff)
    response = client.get(members["arrears"].get_absolute_url())
    paid = response.context["paid"]
    assert paid["state"] == PaymentState.ARREARS
    assert [cell.state for cell in paid["strip"]][-3:] == ["paid", "missed", "due"]
    assert b'class="month-strip"' in response.content
