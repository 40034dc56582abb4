"""Every write to registrations goes through these functions (and, for imported lists,
enrollment.import_services): each is atomic and records the registration's history with its
audit entry (history_record); the admin's changes are recorded here too."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import notifications
from portal.audit import audit_record
from portal.models import AuditEvent
from villages.models import Village

from . import changes, eligibility, notices, premiums
from .models import (
    ContributionRate,
    ExportRecord,
    FundedPeriod,
    Participant,
    Registration,
    RegistrationEvent,
)

PARTICIPANT_FIELDS = [
    "nik", "full_name", "birth_date", "sex", "phone", "address", "rt", "rw", "occupation",
    "occupation_group", "category",
]  # fmt: skip
REGISTRATION_FIELDS = [
    "jht", "jp", "declared_income", "employer_name", "funding_source", "funding_company", "agent",
]  # fmt: skip


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


def history_record(registration, action, by, changes=None, note="", **audit) -> RegistrationEvent:
    """One step of a registration's history, and its entry in the audit log (portal.audit):
    every change of a registration, on a page or in the admin, is written here."""
    event = RegistrationEvent.objects.create(
        registration=registration, action=action, by=by, changes=changes or {}, note=note
    )
    audit_record(
        by=by,
        action=AuditEvent.Action.REGISTRATION,
        obj=registration,
        village=registration.village_id,
        history=action,
        **audit,
    )
    return event


def _price(data: dict[str, Any], book=None) -> tuple[premiums.Premium, premiums.RateTable | None]:
    """The premium at registration: this month's, by the registration's scheme."""
    book = book or ContributionRate.objects.price_book()
    return premiums.price_registration(book, data, premiums.month_of(timezone.localdate()))


def registration_create(*, village, entered_by, data: dict[str, Any]) -> Registration:
    """Create the participant and their registration (status submitted) with the premium from
    the rates in force today. Raises DuplicateNik when the NIK exists, even when another user
    registered it between the form's check and this insert."""
    premium, rates = _price(data)
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                village=village, **{field: data[field] for field in PARTICIPANT_FIELDS}
            )
            registration = Registration.objects.create(
                participant=participant,
                village=village,
                rate_id=rates.pk if rates else None,
                monthly_premium=premium.total,
                entered_by=entered_by,
                **{field: data[field] for field in REGISTRATION_FIELDS},
            )
            history_record(registration, RegistrationEvent.Action.CREATED, entered_by)
            changes.announce(after=[changes.fact_of(registration)])
    except IntegrityError as error:
        if Participant.objects.filter(nik=data["nik"]).exists():
            raise DuplicateNik(data["nik"]) from error
        raise
    return registration


def registration_update(*, registration: Registration, by, data: dict[str, Any]) -> Registration:
    """Change a registration that is still submitted; the history keeps old and new values."""
    with transaction.atomic():
        registration = _locked(registration)
        if registration.status != Registration.Status.SUBMITTED:
            raise WrongStatus(registration.status)
        before = changes.fact_of(registration)
        if _apply_changes(registration, by, data):
            changes.announce(before=[before], after=[changes.fact_of(registration)])
    return registration


def registration_send_again(
    *, registration: Registration, by, data: dict[str, Any]
) -> Registration:
    """A rejected (or withdrawn) registration, fixed by its village, goes back to the branch
    office's queue: submitted again with the changes; the history keeps both steps and the
    reason it was rejected for."""
    with transaction.atomic():
        registration = _locked(registration)
        if not registration.is_returned:
            raise WrongStatus(registration.status)
        before = changes.fact_of(registration)
        old_status = registration.status
        _apply_changes(registration, by, data)
        registration.status = Registration.Status.SUBMITTED
        registration.rejection_reason = ""
        registration.save(update_fields=["status", "rejection_reason", "updated_at"])
        history_record(
            registration,
            RegistrationEvent.Action.SENT_AGAIN,
            by,
            {"status": [old_status, Registration.Status.SUBMITTED]},
        )
        changes.announce(before=[before], after=[changes.fact_of(registration)])
    return registration


def registration_withdraw(*, registration: Registration, by) -> Registration:
    """The village takes back a registration waiting for verification or rejected (the person
    does not want to join after all, or was entered by mistake). It counts nowhere; its record
    and history stay, and it can be sent again."""
    with transaction.atomic():
        registration = _locked(registration)
        if not registration.can_be_withdrawn:
            raise WrongStatus(registration.status)
        old_status = registration.status
        registration.status = Registration.Status.WITHDRAWN
        registration.rejection_reason = ""
        registration.save(update_fields=["status", "rejection_reason", "updated_at"])
        history_record(
            registration,
            RegistrationEvent.Action.WITHDRAWN,
            by,
            {"status": [old_status, Registration.Status.WITHDRAWN]},
        )
        _status_changed([registration], old_status)
    return registration


def _apply_changes(registration: Registration, by, data: dict[str, Any]) -> bool:
    """Set the changed fields (priced with the rates in force today) and record the change;
    False when nothing changed. Inside the caller's transaction, on a locked registration."""
    participant = registration.participant
    changes = {}
    for obj, fields in [(participant, PARTICIPANT_FIELDS), (registration, REGISTRATION_FIELDS)]:
        for field in fields:
            old, new = getattr(obj, field), data[field]
            if old != new:
                changes[field] = [_loggable(old), _loggable(new)]
                setattr(obj, field, new)
    if not changes:
        return False
    premium, rates = _price(
        {
            "category": participant.category,
            "declared_income": registration.declared_income,
            "jht": registration.jht,
            "jp": registration.jp,
            "occupation_group": participant.occupation_group,
            "funding_source": registration.funding_source,
        }
    )
    registration.rate_id = rates.pk if rates else None
    registration.monthly_premium = premium.total
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as error:
        raise DuplicateNik(participant.nik) from error
    registration.save()
    history_record(registration, RegistrationEvent.Action.EDITED, by, changes)
    return True


def registration_verify(*, registration: Registration, kpj: str, by) -> Registration:
    """Branch staff confirm a submitted registration with its 11-digit KPJ membership number."""
    return registrations_verify(pairs=[(registration, kpj)], by=by)[0]


def registrations_verify(*, pairs: Iterable[tuple[Registration, str]], by) -> list[Registration]:
    """Verify several registrations at once, all or none. Raises DuplicateKpj or WrongStatus."""
    verified, events = [], []
    with transaction.atomic():
        for registration, kpj in pairs:
            registration = _locked(registration)
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
            events.append(
                history_record(
                    registration,
                    RegistrationEvent.Action.VERIFIED,
                    by,
                    {"status": ["submitted", "verified"], "kpj": [None, kpj]},
                )
            )
            verified.append(registration)
        _status_changed(verified, Registration.Status.SUBMITTED)
        _tell_the_village(events)
    return verified


def registrations_reject(*, registrations: Iterable[Registration], reason: str, by) -> int:
    """Reject submitted registrations with a reason the village operator will read."""
    rejected, events = [], []
    with transaction.atomic():
        for registration in registrations:
            registration = _locked(registration)
            if registration.status != Registration.Status.SUBMITTED:
                raise WrongStatus(registration)
            registration.status = Registration.Status.REJECTED
            registration.rejection_reason = reason
            registration.save(update_fields=["status", "rejection_reason", "updated_at"])
            events.append(
                history_record(
                    registration,
                    RegistrationEvent.Action.REJECTED,
                    by,
                    {"status": ["submitted", "rejected"]},
                    note=reason,
                )
            )
            rejected.append(registration)
        _status_changed(rejected, Registration.Status.SUBMITTED)
        _tell_the_village(events)
    return len(rejected)


def registration_activate(*, registration: Registration, by) -> Registration:
    """A verified member becomes active (the first premium is paid)."""
    with transaction.atomic():
        registration = _locked(registration)
        if registration.status != Registration.Status.VERIFIED:
            raise WrongStatus(registration)
        registration.status = Registration.Status.ACTIVE
        registration.save(update_fields=["status", "updated_at"])
        history_record(
            registration, RegistrationEvent.Action.ACTIVATED, by, {"status": ["verified", "active"]}
        )
        _status_changed([registration], Registration.Status.VERIFIED)
    return registration


def registration_move(*, registration: Registration, village: Village, by) -> Registration:
    """The participant moved: their registration (and they) now belong to another village.
    Both villages' campaign numbers change with it."""
    with transaction.atomic():
        registration = _locked(registration)
        before = changes.fact_of(registration)
        if registration.village_id == village.pk:
            return registration
        old_village = registration.village_id
        registration.village = village
        registration.save(update_fields=["village", "updated_at"])
        Participant.objects.filter(pk=registration.participant_id).update(village=village)
        history_record(
            registration,
            RegistrationEvent.Action.EDITED,
            by,
            {"village": [old_village, village.pk]},
        )
        changes.announce(before=[before], after=[changes.fact_of(registration)])
    return registration


def registration_delete(*, registration: Registration) -> None:
    """Delete a registration and its participant (a mistake, or at the participant's request);
    the campaigns' numbers drop with it."""
    with transaction.atomic():
        registration = _locked(registration)
        before = changes.fact_of(registration)
        registration.delete()  # its history, funded periods and follow-ups go with it
        registration.participant.delete()
        changes.announce(before=[before])


def _tell_the_village(events: list[RegistrationEvent]) -> None:
    """The village's operators hear of a verification or rejection at once, under the bell (in
    the decision's own transaction); the scheduled job mails them and, keyed by the same history
    entry, notifies nothing twice."""
    notifications.notifications_create(notices.decision_notices(events=events))


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=registration.pk)
    )


def _status_changed(registrations: list[Registration], old_status: str) -> None:
    after = [changes.fact_of(registration) for registration in registrations]
    before = [dataclasses.replace(fact, status=old_status) for fact in after]
    changes.announce(before=before, after=after)


def funded_period_add(
    *,
    registration: Registration,
    by,
    funding_source: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    funding_company: str = "",
) -> FundedPeriod:
    """Record who pays the premiums from one date to another. Raises ValidationError when
    the village budget is named to pay in a kelurahan (eligibility.check_payer)."""
    eligibility.check_payer(village=registration.village, funding_source=funding_source)
    with transaction.atomic():
        period = FundedPeriod.objects.create(
            registration=registration,
            funding_source=funding_source,
            funding_company=funding_company,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        history_record(registration, RegistrationEvent.Action.FUNDED, by, note=_funded_note(period))
        changes.announce(villages=[registration.village_id])
    return period


def _funded_note(period: FundedPeriod) -> str:
    return _("%(source)s pays from %(start)s to %(end)s") % {
        "source": period.get_funding_source_display(),
        "start": period.starts_on.strftime("%d-%m-%Y"),
        "end": period.ends_on.strftime("%d-%m-%Y"),
    }


# Changes made in the Django admin: its forms save the rows; these write the history and audit.


def admin_change_record(*, before, after, fields: Iterable[str], by) -> None:
    """A registration or participant changed in the admin (`before` as it was read from the
    database, `after` as saved): an edit in the history of each registration concerned, with
    the old and new values of `fields`, and its audit entry."""
    changed = {
        field: [_loggable(getattr(before, field)), _loggable(getattr(after, field))]
        for field in fields
        if getattr(before, field) != getattr(after, field)
    }
    if not changed:
        return
    if isinstance(after, Registration):
        registrations = [after]
    else:
        registrations = list(Registration.objects.filter(participant=after))
    for registration in registrations:
        history_record(
            registration,
            RegistrationEvent.Action.EDITED,
            by,
            changed,
            note=_("Changed in the administration"),
            via="admin",
        )


def admin_funded_periods_record(*, registration: Registration, by, added, changed, removed):
    """Funded periods added, changed or removed on a registration's admin page."""
    for period in added:
        note = _funded_note(period)
        history_record(registration, RegistrationEvent.Action.FUNDED, by, note=note, via="admin")
    for period in changed:
        note = _("Funded period changed: %(period)s") % {"period": _funded_note(period)}
        history_record(registration, RegistrationEvent.Action.EDITED, by, note=note, via="admin")
    for period in removed:
        note = _("Funded period removed: %(period)s") % {"period": _funded_note(period)}
        history_record(registration, RegistrationEvent.Action.EDITED, by, note=note, via="admin")


def admin_deletions_record(*, registrations: Iterable[Registration], by) -> None:
    """Registrations deleted in the admin: their history goes with them, the audit log keeps
    who deleted which."""
    for registration in registrations:
        audit_record(
            by=by,
            action=AuditEvent.Action.REGISTRATION,
            obj=registration,
            village=registration.village_id,
            history="deleted",
            via="admin",
        )


def export_recorded(
    *,
    request,
    file_format: str,
    filters: dict,
    row_count: int,
    dataset: str = "registrations",
    village: Village | None = None,
    audit_format: str | None = None,
) -> ExportRecord:
    """Record an export of personal data: the export's own record (what the file held: dataset,
    format, filters, rows) and its one entry in the audit log (who, when, from where), which
    points at that record."""
    with transaction.atomic():
        record = ExportRecord.objects.create(
            by=request.user,
            dataset=dataset,
            file_format=file_format,
            filters=filters,
            row_count=row_count,
        )
        audit_record(
            request=request,
            action=AuditEvent.Action.EXPORT,
            obj=record,
            village=village,
            format=audit_format or file_format,
            filters=filters,
            rows=row_count,
        )
    return record
