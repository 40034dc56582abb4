"""Contributions actually paid: the premium due for a month, checking and saving a file of
payments (the upload page and `manage.py import_payments` share it), and keeping each
registration's months paid in step.

A file is saved all or nothing: one malformed row (a KPJ not of 11 digits, an unknown KPJ, a
month that cannot be read...) and nothing is saved. The same file twice records nothing new: a
month already recorded with the same amount and date is left alone; with another amount it is
corrected (a refund is an amount of 0), and the preview says so.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import uuid
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.translated import in_every_language, in_reader_language
from sheets.messages import with_params

from . import changes, importing, payment_rows
from .models import ContributionRate, Payment, PaymentUpload, Registration
from .models.payments import FULL_PAYMENT
from .premiums import NoRatesInForce, Premium, PriceBook, format_rupiah

CHUNK = 5000
ERRORS_KEPT = 200  # on the upload, for the preview; the error file lists every one


def premium_due(registration, month: datetime.date, *, book: PriceBook | None = None) -> int:
    """The premium due for a registration's month: the rates and discount in force that month
    applied to the member (Registration.premium_in, or a Member's). The one place payments ask
    the pricing; pass `book` (ContributionRate.objects.price_book()) to price a long file
    without a query per row. Where no rates were in force, the premium at registration."""
    book = book or ContributionRate.objects.price_book()
    try:
        return registration.premium_in(month, book).total
    except NoRatesInForce:
        return registration.monthly_premium


@dataclass
class Member:
    """What checking a payment needs to know of the registration a KPJ belongs to."""

    pk: int
    nik: str
    declared_income: int
    jht: bool
    monthly_premium: int
    jp: bool = False
    funding_source: str = ""
    category: str = ""
    occupation_group: str = ""

    def premium_in(self, month: datetime.date, book: PriceBook) -> Premium:
        return book.price(
            category=self.category,
            income=self.declared_income,
            jht=self.jht,
            jp=self.jp,
            occupation_group=self.occupation_group,
            payer=self.funding_source,
            month=month,
        )


@dataclass
class Checked:
    """The outcome of checking a file: counts, the first errors and warnings, and the payments
    to write as CSV lines for COPY."""

    rows: int = 0
    new: int = 0
    corrected: int = 0
    same: int = 0
    errors: dict[int, str] = field(default_factory=dict)
    error_list: list[list] = field(default_factory=list)
    warnings: list[list] = field(default_factory=list)
    warning_count: int = 0
    to_write: io.StringIO = field(default_factory=io.StringIO)

    def error(self, number: int, problems: list[list[str]]) -> None:
        # Messages are kept in every language for the preview; the error file is written at
        # once, for the person downloading it.
        problems = [[column, in_every_language(message)] for column, message in problems]
        text = "; ".join(
            f"{column}: {in_reader_language(message)}" if column else in_reader_language(message)
            for column, message in problems
        )
        self.errors[number] = text
        if len(self.error_list) < ERRORS_KEPT:
            self.error_list.extend([number, column, message] for column, message in problems)

    def warn(self, number: int, message) -> None:
        self.warning_count += 1
        if len(self.warnings) < ERRORS_KEPT:
            self.warnings.append([number, in_every_language(message)])


def check_file(file: IO[bytes], layout: importing.Layout, *, user=None) -> Checked:
    """Check every row of a payments file against the registrations (those the user may see;
    all of them without a user, for the command), streaming, CHUNK rows at a time."""
    checked = Checked()
    writer = csv.writer(checked.to_write)
    seen: dict[tuple[str, datetime.date], int] = {}
    book = ContributionRate.objects.price_book()
    members = Registration.objects.all() if user is None else Registration.objects.for_user(user)
    for chunk in itertools.batched(payment_rows.rows(file, layout), CHUNK):
        if checked.rows + len(chunk) > max_rows():
            raise too_many_rows()
        checked.rows += len(chunk)
        lines = []
        for number, values in chunk:
            line, problems = payment_rows.read_line(number, values, layout.header_for)
            if problems:
                checked.error(number, problems)
            else:
                lines.append(line)
        by_kpj = _members(members, {line.kpj for line in lines})
        recorded = _recorded({m.pk for m in by_kpj.values()}, {line.month for line in lines})
        for line in lines:
            _check_line(line, layout, checked, writer, seen, by_kpj, recorded, book)
    if not checked.rows:
        raise importing.ImportRefused(
            gettext_lazy("The file has column headings but no rows of payments."), code="no_rows"
        )
    return checked


def _check_line(line, layout, checked, writer, seen, by_kpj, recorded, book) -> None:
    header = layout.header_for
    member = by_kpj.get(line.kpj)
    if member is None:
        # The same answer for a KPJ that does not exist and one outside the user's area.
        checked.error(
            line.number,
            [
                [
                    header("kpj"),
                    with_params(
                        gettext_lazy("No member with KPJ %(kpj)s in your area."), kpj=line.kpj
                    ),
                ]
            ],
        )
        return
    if line.nik and line.nik != member.nik:
        checked.error(
            line.number,
            [[header("nik"), gettext_lazy("This NIK is not the one of the member with this KPJ.")]],
        )
        return
    first = seen.setdefault((line.kpj, line.month), line.number)
    if first != line.number:
        message = with_params(
            gettext_lazy("This KPJ and month are already on row %(row)d of this file."), row=first
        )
        checked.error(line.number, [[header("month"), message]])
        return
    due = premium_due(member, line.month, book=book)
    before = recorded.get((member.pk, line.month))
    if before == (line.amount, line.paid_on):
        checked.same += 1
        return
    if before is None:
        checked.new += 1
    else:
        checked.corrected += 1
        if before[0] != line.amount:
            correction = with_params(
                gettext_lazy("Corrects %(month)s: %(before)s recorded, now %(amount)s."),
                month=payment_rows.month_text(line.month),
                before=format_rupiah(before[0]),
                amount=format_rupiah(line.amount),
            )
        else:
            correction = with_params(
                gettext_lazy("Corrects %(month)s: paid on %(before)s recorded, now %(paid_on)s."),
                month=payment_rows.month_text(line.month),
                before=before[1].strftime("%d-%m-%Y"),
                paid_on=line.paid_on.strftime("%d-%m-%Y"),
            )
        checked.warn(line.number, correction)
    if line.amount and line.amount != due:
        checked.warn(
            line.number,
            with_params(
                gettext_lazy("%(amount)s paid for %(month)s; the premium due is %(due)s."),
                amount=format_rupiah(line.amount),
                month=payment_rows.month_text(line.month),
                due=format_rupiah(due),
            ),
        )
    writer.writerow([member.pk, line.month.isoformat(), line.amount, due, line.paid_on.isoformat()])


def _members(registrations, kpjs: set[str]) -> dict[str, Member]:
    if not kpjs:
        return {}
    fields = (
        "kpj", "pk", "participant__nik", "declared_income", "jht", "monthly_premium", "jp",
        "funding_source", "participant__category", "participant__occupation_group",
    )  # fmt: skip
    return {
        kpj: Member(*rest)
        for kpj, *rest in registrations.filter(kpj__in=kpjs).order_by().values_list(*fields)
    }


def _recorded(registration_ids: set[int], months: set[datetime.date]) -> dict:
    if not registration_ids:
        return {}
    return {
        (registration, month): (amount, paid_on)
        for registration, month, amount, paid_on in Payment.objects.filter(
            registration__in=registration_ids, month__in=months
        )
        .order_by()
        .values_list("registration", "month", "amount", "paid_on")
    }


def max_rows() -> int:
    return settings.PAYMENT_IMPORT_MAX_ROWS


def too_many_rows() -> importing.ImportRefused:
    limit = f"{max_rows():,}".replace(",", ".")
    return importing.ImportRefused(
        with_params(
            gettext_lazy(
                "The file has more than %(limit)s rows. Split it into files of at most "
                "%(limit)s rows."
            ),
            limit=limit,
        ),
        code="too_many_rows",
    )


# Saving ----------------------------------------------------------------------------------------


def payment_upload_create(*, upload, by) -> PaymentUpload:
    """Check an uploaded file of payments and keep it, checked, for the preview. Raises
    importing.ImportRefused for a file that cannot be read at all."""
    layout = payment_rows.inspect(upload, name=upload.name, size=upload.size)
    checked = check_file(upload, layout, user=by)
    record = PaymentUpload(
        created_by=by,
        original_name=upload.name[-255:],
        file_format=layout.file_format,
        layout=layout.as_json(),
    )
    _count(record, checked)
    upload.seek(0)
    record.file.save(f"{uuid.uuid4().hex}.{layout.file_format}", upload, save=False)
    record.save()
    return record


def _count(record: PaymentUpload, checked: Checked) -> None:
    record.row_count = checked.rows
    record.new_count = checked.new
    record.corrected_count = checked.corrected
    record.same_count = checked.same
    record.error_count = len(checked.errors)
    record.errors = checked.error_list
    record.warnings = checked.warnings
    record.warning_count = checked.warning_count


class NotSaved(Exception):
    """The upload has errors, or is not waiting for confirmation."""


def payments_import(*, upload: PaymentUpload, by=None) -> PaymentUpload:
    """Save a checked upload's payments in one transaction, checked again against the
    registrations as they are now: every row or none. Raises NotSaved when a row has an error
    (then nothing is saved) or the upload is not waiting for confirmation."""
    with transaction.atomic():
        upload = PaymentUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != PaymentUpload.Status.CHECKED:
            raise NotSaved(upload.status)
        layout = importing.Layout.from_json(upload.layout)
        with upload.file.open("rb") as file:
            checked = check_file(file, layout, user=by)
        _count(upload, checked)
        if checked.errors:
            raise NotSaved("errors")
        upload.saved_count = save_checked(checked, upload=upload)
        upload.status = PaymentUpload.Status.SAVED
        upload.saved_at = timezone.now()
        upload.save()
        # One audit entry for the file, like an import of registrations (payments have their
        # own record, the upload, and no registration history).
        audit_record(
            by=by,
            action=AuditEvent.Action.SAVE_PAYMENTS,
            obj=upload,
            file=upload.original_name,
            rows=upload.saved_count,
        )
    return upload


def payments_import_file(*, file: IO[bytes], name: str, size: int) -> tuple[Checked, int]:
    """The command's import: check the whole file and, when no row has an error, save it in
    one transaction. Returns what the check found and how many payments were written (none
    when any row has an error)."""
    layout = payment_rows.inspect(file, name=name, size=size)
    with transaction.atomic():
        checked = check_file(file, layout)
        if checked.errors:
            return checked, 0
        upload = PaymentUpload(
            original_name=name[-255:],
            file_format=layout.file_format,
            layout=layout.as_json(),
            status=PaymentUpload.Status.SAVED,
            saved_at=timezone.now(),
        )
        _count(upload, checked)
        upload.save()
        upload.saved_count = save_checked(checked, upload=upload)
        upload.save(update_fields=["saved_count"])
    return checked, upload.saved_count


# Its figure (the whole import, not COPY against the ORM): docs/performance.md, "The
# hand-written pieces and their figures" and "Payments import".
def save_checked(checked: Checked, *, upload: PaymentUpload | None) -> int:
    """Write the checked payments: new months inserted, changed ones corrected, unchanged ones
    left alone; then the registrations' months paid follow. Returns the payments written."""
    checked.to_write.seek(0)
    if connection.vendor != "postgresql":
        return _save_with_the_orm(checked, upload=upload)
    quote = connection.ops.quote_name
    table = quote(Payment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE payment_in (registration_id bigint, month date, "
            "amount integer, premium_due integer, paid_on date) ON COMMIT DROP"
        )
        cursor.copy_expert("COPY payment_in FROM STDIN WITH (FORMAT csv)", checked.to_write)
        cursor.execute(
            f"INSERT INTO {table} (registration_id, month, amount, premium_due, paid_on, "
            "upload_id, recorded_at) "
            "SELECT registration_id, month, amount, premium_due, paid_on, %s, %s FROM payment_in "
            "ON CONFLICT (registration_id, month) DO UPDATE SET amount = EXCLUDED.amount, "
            "premium_due = EXCLUDED.premium_due, paid_on = EXCLUDED.paid_on, "
            "upload_id = EXCLUDED.upload_id, recorded_at = EXCLUDED.recorded_at "
            f"WHERE ({table}.amount, {table}.paid_on) IS DISTINCT FROM "
            "(EXCLUDED.amount, EXCLUDED.paid_on)",
            [upload.pk if upload else None, timezone.now()],
        )
        written = cursor.rowcount
        touched = Registration.objects.filter(
            pk__in=RawSQL("SELECT DISTINCT registration_id FROM payment_in", [])
        )
        _months_paid_follow(touched, written=written)
        cursor.execute("DROP TABLE payment_in")
    return written


def _save_with_the_orm(checked: Checked, *, upload: PaymentUpload | None) -> int:
    """save_checked where there is no COPY (SQLite, the run command's demo database): the same
    rows written with an upsert, slower but the same result."""
    now = timezone.now()
    payments = [
        Payment(
            registration_id=int(registration), month=datetime.date.fromisoformat(month),
            amount=int(amount), premium_due=int(due), paid_on=datetime.date.fromisoformat(paid_on),
            upload=upload, recorded_at=now,
        )
        for registration, month, amount, due, paid_on in csv.reader(checked.to_write)
    ]  # fmt: skip
    Payment.objects.bulk_create(
        payments,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["registration", "month"],
        update_fields=["amount", "premium_due", "paid_on", "upload", "recorded_at"],
    )
    touched = Registration.objects.filter(pk__in={p.registration_id for p in payments})
    _months_paid_follow(touched, written=len(payments))
    return len(payments)


def _months_paid_follow(touched: QuerySet, *, written: int) -> None:
    """After payments are written: the registrations' months paid, and (when anything was
    written) the campaigns' members who paid and their retention, in this transaction."""
    store_months_paid(touched)
    if written:
        changes.announce(
            villages=touched.order_by().values_list("village_id", flat=True).distinct()
        )


def store_months_paid(registrations: QuerySet) -> int:
    """Store on each registration the latest month paid in full and how many were: what the
    lists filter and the export show without reading the payments."""
    return registrations.update(**months_paid_expressions())


def months_paid_expressions() -> dict:
    """The last month paid in full and how many were, as expressions over a registration."""
    full = Payment.objects.filter(FULL_PAYMENT, registration=OuterRef("pk")).order_by()
    return {
        "last_paid_month": Subquery(
            full.values("registration").annotate(last=Max("month")).values("last")
        ),
        "months_paid": Coalesce(
            Subquery(full.values("registration").annotate(n=Count("pk")).values("n")), Value(0)
        ),
    }


# Reading ----------------------------------------------------------------------------------------


def payment_summary(registration: Registration, today: datetime.date | None = None) -> dict:
    """What the registration page shows of the payments: the state, paid until, months paid
    and the last twelve months as a strip."""
    from . import arrears
    from .commission import month_end

    today = today or timezone.localdate()
    recorded = {
        month: (amount, due)
        for month, amount, due in registration.payments.values_list(
            "month", "amount", "premium_due"
        )
    }
    start = min(recorded, default=timezone.localtime(registration.created_at).date())
    last = registration.last_paid_month
    return {
        "state": registration.payment_state(today),
        "paid_until": month_end(last) if last else None,
        "months_paid": registration.months_paid,
        "strip": arrears.month_strip(recorded, start=start, today=today),
    }


@dataclass(frozen=True)
class AgentStanding:
    """Whether a Perisai agent is dropped, since when, why, and from when they may rejoin."""

    last_activity: datetime.date | None
    dropped_on: datetime.date | None  # None while the agent is active
    may_rejoin_on: datetime.date | None
    inactive_months: int


def agent_standing(agent, today: datetime.date | None = None) -> AgentStanding | None:
    """The agent's standing by the commission rule in force (None without a rule); `agent`
    annotated with AgentQuerySet.with_last_activity()."""
    from .commission import add_months, dropped_on
    from .models import CommissionRule

    today = today or timezone.localdate()
    try:
        rule = CommissionRule.objects.in_force(today)
    except CommissionRule.DoesNotExist:
        return None
    day = dropped_on(
        joined_on=agent.joined_on,
        last_activity=agent.last_activity,
        inactive_months=rule.inactive_after_months,
    )
    if day > today:
        return AgentStanding(agent.last_activity, None, None, rule.inactive_after_months)
    return AgentStanding(
        agent.last_activity,
        day,
        add_months(day, rule.rejoin_after_months),
        rule.inactive_after_months,
    )
