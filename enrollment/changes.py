"""Enrollment announces its changes of registrations; the floors above listen.

Every write to registrations (enrollment.services, import_services, payments, the admin) calls
announce() inside its own transaction, with the changed registrations' facts before and after
the change. The signal is sent synchronously, so a listener (campaigns.tally, connected in its
AppConfig.ready) changes its numbers in the same transaction: exactly when the registrations
change, or not at all, and an error in a listener undoes the change. Enrollment never imports
its listeners.

Two more things the floors above learn from here: which rows belong to the registrations'
family for the page cache (cached_villages_of, declared to portal.content_changes), and what a
waiting registration counts toward, which campaigns supplies (count_toward_with).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.utils import timezone

from .models import Registration

# Sent with before=[Fact, ...], after=[Fact, ...] and villages=[village code, ...]: see announce().
registrations_changed = Signal()


@dataclass(frozen=True)
class Fact:
    """What one registration contributes to the campaigns of its village."""

    village_id: str
    day: datetime.date  # registered on (Asia/Jakarta)
    status: str
    category: str
    jht: bool
    funding_source: str


FACT_FIELDS = [
    "village_id",
    "created_at",
    "status",
    "participant__category",
    "jht",
    "funding_source",
]


def facts(registrations: QuerySet) -> list[Fact]:
    """The facts of the registrations as they are in the database now."""
    zone = timezone.get_current_timezone()
    return [
        Fact(village, timezone.localtime(created, zone).date(), status, category, jht, source)
        for village, created, status, category, jht, source in registrations.values_list(
            *FACT_FIELDS
        )
    ]


def fact_of(registration: Registration) -> Fact:
    """The facts of a registration as it is in memory (its participant is read if not loaded)."""
    return Fact(
        registration.village_id,
        timezone.localtime(registration.created_at).date(),
        registration.status,
        registration.participant.category,
        registration.jht,
        registration.funding_source,
    )


def announce(
    *, before: Iterable[Fact] = (), after: Iterable[Fact] = (), villages: Iterable[str] = ()
) -> None:
    """Tell the listeners about a change of registrations: `before` are the changed
    registrations' facts before the change, `after` after it (a new registration has only after,
    a deleted one only before); `villages` are villages whose other numbers changed (a funded
    period, a payment). Call it inside the transaction that made the change."""
    registrations_changed.send(
        sender=Registration, before=list(before), after=list(after), villages=list(villages)
    )


@contextmanager
def in_step(registrations: QuerySet):
    """Announce whatever the block changes in `registrations` (for changes made outside
    enrollment.services, e.g. in the admin)."""
    with transaction.atomic():
        locked = registrations.select_for_update(of=("self",))
        ids = list(locked.values_list("pk", flat=True))
        before = facts(Registration.objects.filter(pk__in=ids))
        yield
        announce(before=before, after=facts(Registration.objects.filter(pk__in=ids)))


# The rows whose changes show on the verification queue and their village's page only
# (portal.content_changes), besides the registration itself and its participant.
REGISTRATION_FAMILY = {
    "enrollment.fundedperiod",
    "enrollment.registrationevent",
    "enrollment.followup",
}


def cached_villages_of(instance, created: bool) -> list[str] | None:
    """The villages of a row of the registrations' family; None for any other row."""
    label = instance._meta.label_lower
    if label == "enrollment.registration":
        return [instance.village_id]
    if label == "enrollment.participant":
        if created:
            return []  # its registration comes next, and marks its village
        registrations = Registration.objects.filter(participant=instance.pk)
    elif label in REGISTRATION_FAMILY:
        registrations = Registration.objects.filter(pk=instance.registration_id)
    else:
        return None
    return list(registrations.values_list("village_id", flat=True))


# What a waiting registration will count toward once verified (the verification queue shows
# it, so branch staff see what each verification is worth): supplied by the floor that knows
# (campaigns, in its AppConfig.ready), as a function (registrations) -> {pk: [named things]}.
_counted_toward: list[Callable[[list[Registration]], dict[int, list]]] = []


def count_toward_with(function: Callable[[list[Registration]], dict[int, list]]) -> None:
    _counted_toward[:] = [function]


def counted_toward(registrations: Iterable[Registration]) -> dict[int, list]:
    """{registration pk: [what it counts toward once verified]}; {} when nobody says."""
    registrations = list(registrations)
    return _counted_toward[0](registrations) if _counted_toward else {}
