"""The demo holds payments with some lapses, and Tuban's JKK death claim of 17 Dec 2018."""

import datetime

from campaigns import tally
from campaigns.models import Claim
from enrollment.arrears import PaymentState
from enrollment.models import Payment, Registration
from tools.demo import demo_load


def test_the_demo_has_payments_with_lapses_and_tubans_death_claim(db, seeded_rates):
    demo_load(log=lambda message: None)
    assert Payment.objects.count() > 1000
    members = Registration.objects.all()
    assert members.in_payment_state(PaymentState.LAPSED).exists()
    assert members.in_payment_state(PaymentState.ARREARS).exists()
    assert members.in_payment_state(PaymentState.PAID_UP).exists()
    claim = Claim.objects.get()
    assert (claim.programme, claim.recipient, claim.paid_on) == (
        "jkk", "heirs", datetime.date(2018, 12, 17),
    )  # fmt: skip
    assert claim.event.held_on == datetime.date(2018, 12, 17)
    assert claim.registration.village.name == "Karanglo"
    assert tally.reconcile() == []  # the campaigns' paying members are in step
