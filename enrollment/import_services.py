"""Registration lists imported from spreadsheets: a batch stored, its rows checked by
RegistrationForm a chunk at a time (enrollment.tasks carries on in the background), then saved
all at once, the campaigns told in the same transaction (enrollment.changes). The files are read
by enrollment.importing and sheets."""

from __future__ import annotations

import csv
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

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.translated import in_every_language
from sheets.cells import village_code
from sheets.messages import with_params
from villages.models import Village

from . import changes, import_limits, importing, premiums
from .forms import RegistrationForm
from .models import (
    AgeLimit,
    ContributionRate,
    ImportBatch,
    ImportRow,
    Participant,
    Registration,
    RegistrationEvent,
)
from .nik import parse_nik
from .services import PARTICIPANT_FIELDS, REGISTRATION_FIELDS, WrongStatus

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


# Its figure (COPY 150 ms, bulk_create 360–430 ms for 10,000 rows): docs/performance.md,
# "The hand-written pieces and their figures".
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
            code = village_code(values.get("village"))
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
        changes.announce(
            after=changes.facts(
                Registration.objects.filter(participant__nik__in=fresh.values("nik"))
            )
        )
        batch.status = ImportBatch.Status.SAVED
        batch.created_count = created
        batch.meanwhile_count = meanwhile
        batch.confirmed_at = now
        batch.save()
        # One audit entry for the batch; each registration's history says "Imported from".
        audit_record(
            by=by,
            action=AuditEvent.Action.SAVE_IMPORT,
            obj=batch,
            village=batch.village_id,
            file=batch.original_name,
            rows=created,
        )
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
