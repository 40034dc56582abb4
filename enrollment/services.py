"""Every write to registrations goes through these functions: each is atomic and records the
registration's history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import (
    ContributionRate,
    FundedPeriod,
    Participant,
    Registration,
    RegistrationEvent,
)
from .premiums import compute_premium

PARTICIPANT_FIELDS = [
    "nik", "full_name", "birth_date", "sex", "phone", "address", "rt", "rw", "occupation",
    "category",
]  # fmt: skip
REGISTRATION_FIELDS = ["jht", "declared_income", "funding_source", "funding_company", "agent"]


class DuplicateNik(Exception):
    """The NIK is registered already (possibly by someone else a moment ago)."""


class DuplicateKpj(Exception):
    """The KPJ number belongs to another registration."""


class WrongStatus(Exception):
    """The registration is not in the status this step needs."""


def _loggable(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def _record(registration, action, by, changes=None, note="") -> RegistrationEvent:
    return RegistrationEvent.objects.create(
        registration=registration, action=action, by=by, changes=changes or {}, note=note
    )


def registration_create(*, village, entered_by, data: dict[str, Any]) -> Registration:
    """Create the participant and their registration (status submitted) with the premium from
    the rates in force today. Raises DuplicateNik when the NIK exists, even when another user
    registered it between the form's check and this insert."""
    rate = ContributionRate.objects.in_force()
    premium = compute_premium(
        income=data["declared_income"], include_jht=data["jht"], rates=rate.as_table()
    )
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                village=village, **{field: data[field] for field in PARTICIPANT_FIELDS}
            )
            registration = Registration.objects.create(
                participant=participant,
                village=village,
                rate=rate,
                monthly_premium=premium.total,
                entered_by=entered_by,
                **{field: data[field] for field in REGISTRATION_FIELDS},
            )
            _record(registration, RegistrationEvent.Action.CREATED, entered_by)
    except IntegrityError as error:
        if Participant.objects.filter(nik=data["nik"]).exists():
            raise DuplicateNik(data["nik"]) from error
        raise
    return registration


def registration_update(*, registration: Registration, by, data: dict[str, Any]) -> Registration:
    """Change a registration that is still submitted; the history keeps old and new values."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if not registration.is_editable:
            raise WrongStatus(registration.status)
        participant = registration.participant
        changes = {}
        for obj, fields in [(participant, PARTICIPANT_FIELDS), (registration, REGISTRATION_FIELDS)]:
            for field in fields:
                old, new = getattr(obj, field), data[field]
                if old != new:
                    changes[field] = [_loggable(old), _loggable(new)]
                    setattr(obj, field, new)
        if not changes:
            return registration
        rate = ContributionRate.objects.in_force()
        registration.rate = rate
        registration.monthly_premium = compute_premium(
            income=registration.declared_income, include_jht=registration.jht, rates=rate.as_table()
        ).total
        try:
            participant.save()
        except IntegrityError as error:
            raise DuplicateNik(participant.nik) from error
        registration.save()
        _record(registration, RegistrationEvent.Action.EDITED, by, changes)
    return registration


def registration_verify(*, registration: Registration, kpj: str, by) -> Registration:
    """Branch staff confirm a submitted registration with its 11-digit KPJ membership number."""
    return registrations_verify(pairs=[(registration, kpj)], by=by)[0]


def registrations_verify(*, pairs: Iterable[tuple[Registration, str]], by) -> list[Registration]:
    """Verify several registrations at once, all or none. Raises DuplicateKpj or WrongStatus."""
    verified = []
    with transaction.atomic():
        for registration, kpj in pairs:
            registration = Registration.objects.select_for_update().get(pk=registration.pk)
            if registration.status != Registration.Status.SUBMITTED:
                raise WrongStatus(registration)
            if Registration.objects.filter(kpj=kpj).exists():
                raise DuplicateKpj(kpj)
            registration.status = Registration.Status.VERIFIED
            registration.kpj = kpj
            try:
                with transaction.atomic():
                    registration.save(update_fields=["status", "kpj", "updated_at"])
            except IntegrityError as error:
                raise DuplicateKpj(kpj) from error
            _record(
                registration,
                RegistrationEvent.Action.VERIFIED,
                by,
                {"status": ["submitted", "verified"], "kpj": [None, kpj]},
            )
            verified.append(registration)
    return verified


def registrations_reject(*, registrations: Iterable[Registration], reason: str, by) -> int:
    """Reject submitted registrations with a reason the village operator will read."""
    count = 0
    with transaction.atomic():
        for registration in registrations:
            registration = Registration.objects.select_for_update().get(pk=registration.pk)
            if registration.status != Registration.Status.SUBMITTED:
                raise WrongStatus(registration)
            registration.status = Registration.Status.REJECTED
            registration.rejection_reason = reason
            registration.save(update_fields=["status", "rejection_reason", "updated_at"])
            _record(
                registration,
                RegistrationEvent.Action.REJECTED,
                by,
                {"status": ["submitted", "rejected"]},
                note=reason,
            )
            count += 1
    return count


def registration_activate(*, registration: Registration, by) -> Registration:
    """A verified member becomes active (the first premium is paid)."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != Registration.Status.VERIFIED:
            raise WrongStatus(registration)
        registration.status = Registration.Status.ACTIVE
        registration.save(update_fields=["status", "updated_at"])
        _record(
            registration, RegistrationEvent.Action.ACTIVATED, by, {"status": ["verified", "active"]}
        )
    return registration


def funded_period_add(
    *,
    registration: Registration,
    by,
    funding_source: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    funding_company: str = "",
) -> FundedPeriod:
    """Record who pays the premiums from one date to another."""
    with transaction.atomic():
        period = FundedPeriod.objects.create(
            registration=registration,
            funding_source=funding_source,
            funding_company=funding_company,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        _record(
            registration,
            RegistrationEvent.Action.FUNDED,
            by,
            note=_("%(source)s pays from %(start)s to %(end)s")
            % {
                "source": period.get_funding_source_display(),
                "start": starts_on.strftime("%d-%m-%Y"),
                "end": ends_on.strftime("%d-%m-%Y"),
            },
        )
    return period
