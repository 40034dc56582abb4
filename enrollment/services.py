"""Every write to registrations goes through these functions: each is atomic and records the
registration's history."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import itertools
import json
import time
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import tally
from portal import notifications
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.translated import in_every_language, with_params
from villages.models import Village

from . import eligibility, import_limits, importing, premiums
from .forms import RegistrationForm
from .models import (
    AgeLimit,
    ContributionRate,
    ExportRecord,
    FundedPeriod,
    ImportBatch,
    ImportRow,
    Participant,
    Registration,
    RegistrationEvent,
)
from .nik import parse_nik

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


def _record(registration, action, by, changes=None, note="") -> RegistrationEvent:
    return RegistrationEvent.objects.create(
        registration=registration, action=action, by=by, changes=changes or {}, note=note
    )


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
            _record(registration, RegistrationEvent.Action.CREATED, entered_by)
            tally.registrations_changed(after=[tally.fact_of(registration)])
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
        before = tally.fact_of(registration)
        if _apply_changes(registration, by, data):
            tally.registrations_changed(before=[before], after=[tally.fact_of(registration)])
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
        before = tally.fact_of(registration)
        old_status = registration.status
        _apply_changes(registration, by, data)
        registration.status = Registration.Status.SUBMITTED
        registration.rejection_reason = ""
        registration.save(update_fields=["status", "rejection_reason", "updated_at"])
        _record(
            registration,
            RegistrationEvent.Action.SENT_AGAIN,
            by,
            {"status": [old_status, Registration.Status.SUBMITTED]},
        )
        tally.registrations_changed(before=[before], after=[tally.fact_of(registration)])
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
        _record(
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
    _record(registration, RegistrationEvent.Action.EDITED, by, changes)
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
                _record(
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
                _record(
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
        _record(
            registration, RegistrationEvent.Action.ACTIVATED, by, {"status": ["verified", "active"]}
        )
        _status_changed([registration], Registration.Status.VERIFIED)
    return registration


def registration_move(*, registration: Registration, village: Village, by) -> Registration:
    """The participant moved: their registration (and they) now belong to another village.
    Both villages' campaign numbers change with it."""
    with transaction.atomic():
        registration = _locked(registration)
        before = tally.fact_of(registration)
        if registration.village_id == village.pk:
            return registration
        old_village = registration.village_id
        registration.village = village
        registration.save(update_fields=["village", "updated_at"])
        Participant.objects.filter(pk=registration.participant_id).update(village=village)
        _record(
            registration,
            RegistrationEvent.Action.EDITED,
            by,
            {"village": [old_village, village.pk]},
        )
        tally.registrations_changed(before=[before], after=[tally.fact_of(registration)])
    return registration


def registration_delete(*, registration: Registration) -> None:
    """Delete a registration and its participant (a mistake, or at the participant's request);
    the campaigns' numbers drop with it."""
    with transaction.atomic():
        registration = _locked(registration)
        before = tally.fact_of(registration)
        registration.delete()  # its history, funded periods and follow-ups go with it
        registration.participant.delete()
        tally.registrations_changed(before=[before])


def _tell_the_village(events: list[RegistrationEvent]) -> None:
    """The village's operators hear of a verification or rejection at once, under the bell (in
    the decision's own transaction); the scheduled job mails them and, keyed by the same history
    entry, notifies nothing twice."""
    notifications.notifications_create(notifications.decision_notices(events=events))


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("participant")
        .get(pk=registration.pk)
    )


def _status_changed(registrations: list[Registration], old_status: str) -> None:
    after = [tally.fact_of(registration) for registration in registrations]
    before = [dataclasses.replace(fact, status=old_status) for fact in after]
    tally.registrations_changed(before=before, after=after)


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
        tally.registrations_changed(villages=[registration.village_id])
    return period


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
    """Record an export of personal data where admins look for it: the export list and the
    one searchable audit log, next to the views of full NIKs."""
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


# Spreadsheet imports -------------------------------------------------------------------------

IMPORT_CHECK_CHUNK = 1000
IMPORT_SAVE_CHUNK = 2000
IMPORT_SAVE_ATTEMPTS = 3


def import_batch_start(*, upload, by, default_funding_source: str = "") -> ImportBatch:
    """Store an uploaded spreadsheet as a batch to check, or raise importing.ImportRefused for a
    file that cannot be imported at all. Village operators import for their own village; branch
    staff and admins name each row's village in a village-code column. A file without a Sumber
    Dana column takes `default_funding_source` (chosen on the upload form) for every row."""
    operator = by.is_village_operator
    layout = importing.inspect_file(
        upload,
        name=upload.name,
        size=upload.size,
        village_column=not operator,
        default_funding_source=default_funding_source,
    )
    import_limits.nik_checks_allow(user=by, rows=layout.rows_estimated)
    batch = ImportBatch(
        created_by=by,
        village_id=by.village_id if operator else None,
        original_name=upload.name[-255:],
        file_format=layout.file_format,
        layout=layout.as_json(),
        rows_estimated=layout.rows_estimated,
    )
    upload.seek(0)
    # A random name: the uploaded one often names the village and its people.
    batch.file.save(f"{uuid.uuid4().hex}.{layout.file_format}", upload, save=False)
    batch.save()
    return batch


def import_batch_check(*, batch: ImportBatch, seconds: float | None = None) -> ImportBatch:
    """Check a batch's next rows with RegistrationForm, a thousand at a time, until the file is
    done (status checked) or `seconds` have passed; each call carries on where the last one
    stopped, so a large file shows its progress and a reload loses nothing. A file that turns
    out unusable as a whole (rows for another village, too many rows, damaged further down) is
    refused: its rows and stored file are dropped."""
    deadline = None if seconds is None else time.monotonic() + seconds
    with transaction.atomic():
        locked = (
            ImportBatch.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=batch.pk, status=ImportBatch.Status.CHECKING)
            .select_related("created_by", "village")
            .first()
        )
        if locked is None:  # done, or being checked by another request right now
            batch.refresh_from_db()
            return batch
        try:
            _check_next_rows(locked, deadline)
        except importing.ImportRefused as refusal:
            _refuse(locked, refusal.message)
        locked.save()
    return locked


def import_batch_from_values(
    *, by, village: Village, rows: Iterable[tuple[int, dict[str, Any]]], name: str
) -> ImportBatch:
    """A batch of rows that come from elsewhere than an uploaded spreadsheet (residents picked
    from an OpenSID export), checked at once exactly as a spreadsheet's rows are, for the same
    preview and the same registrations_import(). `rows` are (row number, values) pairs keyed
    like importing.HEADERS; no stored file, so no error file to download."""
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            created_by=by,
            village=village,
            original_name=name[-255:],
            file_format=ImportBatch.Format.XLSX,
            layout=importing.template_layout().as_json(),
        )
        try:
            checker = _RowChecker(batch, importing.template_layout(), _price_book())
            _check_rows(batch, checker, rows, deadline=None)
        except importing.ImportRefused as refusal:
            _refuse(batch, refusal.message)
        else:
            batch.status = ImportBatch.Status.CHECKED
            batch.checked_at = timezone.now()
        batch.save()
    return batch


def _price_book() -> premiums.PriceBook:
    book = ContributionRate.objects.price_book()
    if not book.rates:
        raise importing.ImportRefused(
            gettext_lazy("No contribution rates are set up yet. Ask an administrator."),
            code="no_rates",
        )
    return book


def _check_next_rows(batch: ImportBatch, deadline: float | None) -> None:
    layout = importing.Layout.from_json(batch.layout)
    checker = _RowChecker(batch, layout, _price_book())
    with batch.file.open("rb") as file:
        rows = importing.read_rows(file, layout, after=batch.rows_read)
        _check_rows(
            batch, checker, ((row.number, layout.values(row.cells)) for row in rows), deadline
        )


def _check_rows(batch, checker, rows, deadline: float | None) -> None:
    """Check (row number, values) pairs a thousand at a time, counting them on the batch; stop
    early once `deadline` has passed (the next step carries on after batch.rows_read)."""
    limit = importing.max_rows()
    started = batch.rows_read
    for chunk in itertools.batched(rows, IMPORT_CHECK_CHUNK):
        if batch.rows_read > started and deadline is not None and time.monotonic() > deadline:
            return  # the rows of this chunk are read again by the next step
        if batch.rows_checked + len(chunk) > limit:
            raise importing.too_many_rows()
        checked = _store_rows(checker.check(chunk))
        for row in checked:
            if row.status == ImportRow.Status.NEW:
                batch.new_count += 1
            elif row.status == ImportRow.Status.EXISTING:
                batch.existing_count += 1
            else:
                batch.error_count += 1
        batch.rows_read = chunk[-1][0]
    if not batch.rows_checked:
        raise importing.ImportRefused(
            gettext_lazy("The file has column headings but no rows of residents."), code="no_rows"
        )
    batch.status = ImportBatch.Status.CHECKED
    batch.checked_at = timezone.now()


def _store_rows(rows: list[ImportRow]) -> list[ImportRow]:
    """The checked rows stored: with COPY on PostgreSQL (an INSERT of a thousand rows of JSON
    spends most of its time turning parameters into SQL), else with bulk_create."""
    if connection.vendor != "postgresql":
        return ImportRow.objects.bulk_create(rows)
    fields = [ImportRow._meta.get_field(name) for name in _IMPORT_ROW_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)  # a quoted empty string is not NULL
    for row in rows:
        writer.writerow(
            json.dumps(value, cls=field.encoder) if isinstance(field, JSONField) else value
            for field in fields
            for value in [getattr(row, field.attname)]
        )
    buffer.seek(0)
    columns = ", ".join(field.column for field in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {ImportRow._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer
        )
    return rows


_IMPORT_ROW_COLUMNS = ["batch", "number", "status", "nik", "data", "errors", "warnings"]


def _refuse(batch: ImportBatch, message: str | Promise) -> None:
    """The batch refused as a whole; the reason kept in every language (portal.translated)."""
    batch.rows.all().delete()
    batch.status = ImportBatch.Status.REFUSED
    batch.refusal = in_every_language(message)
    batch.new_count = batch.existing_count = batch.error_count = 0
    if batch.file:
        storage, name = batch.file.storage, batch.file.name
        transaction.on_commit(lambda: storage.delete(name))
        batch.file = ""


def _nik_or_none(value: str) -> str | None:
    try:
        return parse_nik(value).nik
    except ValidationError:
        return None


class _RowChecker:
    """Runs each row through RegistrationForm with what the form would look up per row (rates,
    registered NIKs, villages) fetched once per chunk."""

    def __init__(self, batch: ImportBatch, layout: importing.Layout, book: premiums.PriceBook):
        self.batch = batch
        self.layout = layout
        self.book = book
        self.age_rules = AgeLimit.objects.rules()
        self.user = batch.created_by
        self.villages: dict[str, Village] = {}
        self._forms: dict[str, RegistrationForm] = {}

    def check(self, chunk: Iterable[tuple[int, dict[str, Any]]]) -> list[ImportRow]:
        """ImportRows for (row number, values) pairs; values are keyed by importing.HEADERS'
        field names, as read from a file's cells or handed over by another source."""
        prepared = []
        for number, values in chunk:
            if importing.is_example_row(values):
                continue
            data, problems = importing.form_data(values)
            code = importing.village_code(values.get("village"))
            prepared.append((number, data, problems, code, _nik_or_none(data["nik"])))
        niks = {nik for *_, nik in prepared if nik}
        registered = set(
            Participant.objects.filter(nik__in=niks).values_list("nik", flat=True) if niks else []
        )
        visible = set(
            Registration.objects.for_user(self.user)
            .filter(participant__nik__in=registered)
            .values_list("participant__nik", flat=True)
            if registered
            else []
        )
        first_rows = {}
        earlier = self.batch.rows.filter(nik__in=niks).order_by("number") if niks else []
        for nik, number in earlier.values_list("nik", "number") if niks else []:
            first_rows.setdefault(nik, number)
        self._fetch_villages({code for _n, _d, _p, code, _nik in prepared if code})
        rows = []
        for number, data, problems, code, nik in prepared:
            first = first_rows.setdefault(nik, number) if nik else number
            if nik in visible:
                # The name as the file writes it, so the preview says whom it skipped.
                rows.append(
                    ImportRow(
                        batch=self.batch,
                        number=number,
                        status=ImportRow.Status.EXISTING,
                        nik=nik,
                        data={"full_name": data["full_name"][:150]},
                    )
                )
                continue
            rows.append(self._check_row(number, data, problems, code, nik, first, registered))
        return rows

    def _form_for(self, village, registered) -> RegistrationForm:
        """One form per village (its agents differ), re-bound to each of the village's rows."""
        form = self._forms.get(village.pk)
        if form is None or form.registered_niks is not registered:
            form = RegistrationForm(
                village=village,
                user=self.user,
                book=self.book,
                registered_niks=registered,
                age_rules=self.age_rules,
                differences_are_warnings=True,
            )
            self._forms[village.pk] = form
        return form

    def _check_row(self, number, data, problems, code, nik, first, registered) -> ImportRow:
        errors: list[list[str]] = []
        village = self._village(code, errors)
        form = None
        if village is not None:
            form = self._form_for(village, registered).rebind(data)
            form.is_valid()
            for name, messages in form.errors.as_data().items():
                header = "" if name == NON_FIELD_ERRORS else self.layout.header_for(name)
                errors.extend([header, message] for message in messages)
        for name, message in problems.items():
            if form is None or name not in form.errors:
                errors.append([self.layout.header_for(name), message])
        if first != number:
            errors.append(
                [
                    self.layout.header_for("nik"),
                    with_params(
                        gettext_lazy("This NIK is already on row %(row)d of this file."), row=first
                    ),
                ]
            )
        if errors:
            return ImportRow(
                batch=self.batch,
                number=number,
                status=ImportRow.Status.ERROR,
                nik=nik or "",
                errors=[[header, in_every_language(message)] for header, message in errors],
            )
        cleaned = form.cleaned_data
        stored = {name: cleaned[name] for name in PARTICIPANT_FIELDS + REGISTRATION_FIELDS}
        del stored["agent"]
        stored["birth_date"] = cleaned["birth_date"].isoformat()
        stored["village"] = village.pk
        stored["premium"] = form.premium.total
        stored["rate"] = form.rates.pk if form.rates else None
        stored["priced_in"] = premiums.month_of(timezone.localdate()).isoformat()
        return ImportRow(
            batch=self.batch,
            number=number,
            status=ImportRow.Status.NEW,
            nik=nik,
            data=stored,
            warnings=[in_every_language(warning) for warning in form.warnings],
        )

    def _fetch_villages(self, codes: set[str]) -> None:
        missing = codes - self.villages.keys()
        if missing and self.batch.village_id is None:
            self.villages.update(Village.objects.for_user(self.user).in_bulk(missing))

    def _village(self, code: str, errors: list) -> Village | None:
        own = self.batch.village
        if own is not None:
            if code and code != own.code:
                raise importing.ImportRefused(
                    with_params(
                        gettext_lazy(
                            "The file contains rows for another village (code %(code)s). You "
                            "can import residents of %(village)s only."
                        ),
                        code=code,
                        village=own.name,
                    ),
                    code="other_village",
                )
            return own
        header = self.layout.header_for("village")
        if not code:
            errors.append([header, gettext_lazy("Enter the village code.")])
            return None
        village = self.villages.get(code)
        if village is None:
            # The same answer for a code that does not exist and one outside the user's area.
            message = gettext_lazy("%(code)s is not the code of a village in your area.")
            errors.append([header, with_params(message, code=code)])
        return village


def registrations_import(*, batch: ImportBatch, by) -> ImportBatch:
    """Save a checked batch's valid rows as submitted registrations in one transaction: all of
    them or none. The NIKs are checked against the database again first: one registered since
    the preview is reported (its row becomes "registered meanwhile"), not duplicated; should one
    slip in between that check and the insert, the unique constraint refuses it, nothing is
    kept, and the save is tried again. Premiums are priced with the rates in force today.
    Raises WrongStatus unless the batch is checked and not saved yet."""
    for attempt in range(1, IMPORT_SAVE_ATTEMPTS + 1):
        try:
            return _save_batch(batch, by)
        except IntegrityError:
            if attempt == IMPORT_SAVE_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def _save_batch(batch: ImportBatch, by) -> ImportBatch:
    """Set-based: a few INSERT ... SELECT statements read the checked rows where the check
    stored them, so ten thousand rows cost no more round trips than ten."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportBatch.Status.CHECKED:
            raise WrongStatus(batch.status)
        _reprice(batch, ContributionRate.objects.price_book())
        now = timezone.now()
        fresh = batch.rows.filter(status=ImportRow.Status.NEW)
        meanwhile = fresh.filter(Exists(Participant.objects.filter(nik=OuterRef("nik")))).update(
            status=ImportRow.Status.MEANWHILE
        )
        text = {name: KT(f"data__{name}") for name in PARTICIPANT_FIELDS if name != "nik"}
        # Rows checked before occupation groups existed have none.
        text["occupation_group"] = Coalesce(
            text["occupation_group"], Value("other"), output_field=CharField()
        )
        created = _insert_select(
            Participant,
            fresh,
            {
                **text,
                "nik": F("nik"),
                "birth_date": Cast(KT("data__birth_date"), DateField()),
                "village_id": KT("data__village"),
                "created_at": Value(now, DateTimeField()),
            },
        )
        _insert_select(
            Registration,
            fresh,
            {
                "participant_id": Subquery(
                    Participant.objects.filter(nik=OuterRef("nik")).values("pk")
                ),
                "village_id": KT("data__village"),
                "jht": ExpressionWrapper(Q(data__jht=True), BooleanField()),
                "jp": ExpressionWrapper(Q(data__jp=True), BooleanField()),
                "declared_income": Cast(KT("data__declared_income"), IntegerField()),
                "employer_name": Coalesce(
                    KT("data__employer_name"), Value(""), output_field=CharField()
                ),
                "monthly_premium": Cast(KT("data__premium"), IntegerField()),
                "funding_source": KT("data__funding_source"),
                "funding_company": KT("data__funding_company"),
                "rate_id": Cast(KT("data__rate"), IntegerField()),
                "status": Value(Registration.Status.SUBMITTED),
                "rejection_reason": Value(""),
                "paid_by": Value(""),
                "entered_by_id": Value(by.pk),
                "created_at": Value(now, DateTimeField()),
                "updated_at": Value(now, DateTimeField()),
            },
        )
        _insert_select(
            RegistrationEvent,
            Registration.objects.filter(participant__nik__in=fresh.values("nik")),
            {
                "registration_id": F("pk"),
                "action": Value(RegistrationEvent.Action.CREATED),
                "by_id": Value(by.pk),
                "at": Value(now, DateTimeField()),
                "changes": Value({}, JSONField()),
                "note": Value(_("Imported from %(file)s") % {"file": batch.original_name}),
            },
        )
        tally.registrations_changed(
            after=tally.facts(Registration.objects.filter(participant__nik__in=fresh.values("nik")))
        )
        batch.status = ImportBatch.Status.SAVED
        batch.created_count = created
        batch.meanwhile_count = meanwhile
        batch.confirmed_at = now
        batch.save()
    return batch


def _reprice(batch: ImportBatch, book: premiums.PriceBook) -> None:
    """Premiums were priced when the rows were checked; price again the rows checked in
    another month than this one (its rates or discounts may differ)."""
    month = premiums.month_of(timezone.localdate())
    stale = batch.rows.filter(status=ImportRow.Status.NEW).filter(
        ~Q(data__priced_in=month.isoformat()) | Q(data__priced_in__isnull=True)
    )
    for chunk in itertools.batched(stale.iterator(chunk_size=IMPORT_SAVE_CHUNK), IMPORT_SAVE_CHUNK):
        for row in chunk:
            premium, rates = premiums.price_registration(book, row.data, month)
            row.data["premium"] = premium.total
            row.data["rate"] = rates.pk if rates else None
            row.data["priced_in"] = month.isoformat()
        ImportRow.objects.bulk_update(chunk, ["data"])


def _insert_select(model, rows: QuerySet, columns: dict[str, Any]) -> int:
    """INSERT INTO the model's table one row per row of `rows`, each column computed by its
    expression over that row; returns how many rows were inserted. Django has no INSERT ...
    SELECT, so the SELECT is the ORM's own SQL."""
    select = rows.order_by().values(**{f"c{i}": expr for i, expr in enumerate(columns.values())})
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({names}) {sql}", params)
        return cursor.rowcount
