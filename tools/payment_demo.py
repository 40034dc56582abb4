"""The demo's payments and benefits: members who pay month after month, some who stop (lapses),
a few partial payments; and Tuban's JKK death claim handed to a member's heirs at the FGD of
17 December 2018. Amounts and who stops are illustrative; the claim's date and event are the
seed's (domain.md). Called by tools.demo.demo_load after the campaigns and their events, the
claim before the payments (its member pays no month after the death)."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from campaigns.models import Claim, SocializationEvent
from enrollment.arrears import latest_month_due
from enrollment.commission import add_months, month_start
from enrollment.models import ContributionRate, Payment, Registration
from enrollment.payments import premium_due, store_months_paid

CLAIM_DAY = datetime.date(2018, 12, 17)
# Months paid after registering, for the older demo members (later ones pay up to today).
OLD_MEMBERS_MONTHS = 12


def demo_payments(*, log=print) -> None:
    if Payment.objects.exists():
        return
    rng = random.Random(2018)
    today = timezone.localdate()
    last_due = latest_month_due(today)
    payments = []
    # Only members (verified or active) pay, from the month they registered, never before the
    # day they registered, none after their last funded period (village-funded months, then
    # their own if they continue); a member whose heirs received a death claim paid until the
    # month before it, never after.
    members = Registration.objects.verified().order_by("pk")
    died = dict(
        Claim.objects.filter(recipient=Claim.Recipient.HEIRS).values_list(
            "registration_id", "paid_on"
        )
    )
    book = ContributionRate.objects.price_book()
    # Members covered through an employer pay through it: the village's file has none of theirs.
    for registration in members.not_employer_covered().select_related("participant"):
        registered_on = timezone.localtime(registration.created_at).date()
        first = month_start(registered_on)
        last = min(last_due, add_months(first, OLD_MEMBERS_MONTHS - 1))
        if registration.paid_until:  # funded periods: paid while one covers the month
            last = min(last, month_start(registration.paid_until))
        roll = rng.random()
        if registration.pk in died:
            last = min(last, add_months(month_start(died[registration.pk]), -1))
        elif roll < 0.12:  # stops after one to three months: a lapse
            last = min(last, add_months(first, rng.randint(0, 2)))
        elif roll < 0.22:  # missed last month: in arrears
            last = min(last, add_months(last_due, -1))
        month = first
        while month <= last:
            due = premium_due(registration, month, book=book)
            amount = due // 2 if rng.random() < 0.01 else due  # now and then a partial payment
            paid_on = max(month + datetime.timedelta(days=rng.randint(2, 20)), registered_on)
            payments.append(
                Payment(
                    registration_id=registration.pk, month=month, amount=amount,
                    premium_due=due, paid_on=min(paid_on, today),
                )
            )  # fmt: skip
            month = add_months(month, 1)
    with transaction.atomic():
        Payment.objects.bulk_create(payments, batch_size=5000)
        store_months_paid(Registration.objects.filter(payments__isnull=False).distinct())
    log(f"Payments: {len(payments)} months paid by {members.count()} members, some lapsed.")


def demo_claims(*, log=print) -> None:
    """Tuban's JKK death claim, handed to the heirs at the FGD of 17 December 2018: a Karanglo
    member registered that year, months before (which member, and the amount of 48 times the
    declared income, are illustrative)."""
    if Claim.objects.exists():
        return
    event = SocializationEvent.objects.filter(held_on=CLAIM_DAY, kind="fgd").first()
    member = (
        Registration.objects.verified()
        .filter(village_id="35.23.08.2016", created_at__date__lt=datetime.date(2018, 10, 1))
        .order_by("created_at", "pk")
        .first()
    )
    if member is None:
        return
    Claim.objects.create(
        registration=member,
        village_id=member.village_id,
        programme=Claim.Programme.JKK,
        recipient=Claim.Recipient.HEIRS,
        amount=48 * member.declared_income,
        paid_on=CLAIM_DAY,
        event=event,
        notes="Santunan kematian akibat kecelakaan kerja, diserahkan kepada ahli waris pada FGD "
        "Pemkab Tuban (ilustratif: peserta dan jumlahnya).",
    )
    log("Claims: Tuban's JKK death claim of 17 December 2018.")
