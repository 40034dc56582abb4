"""The personal data of the national data set: participants, registrations, their history and
funded periods, and the members' payments, loaded with COPY by writer threads (its rates, not
measured against the ORM: docs/performance.md, "The hand-written pieces and their figures").
"""

from __future__ import annotations

import datetime
import io
import json
import queue
import random
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO

from django.db import connection, connections, transaction
from django.utils import translation
from django.utils.translation import gettext

from enrollment import premiums as premium_rules
from enrollment.commission import add_months
from enrollment.models import (
    ContributionRate,
    FundedPeriod,
    FundingSource,
    Participant,
    Payment,
    Registration,
    RegistrationEvent,
)
from enrollment.premiums import month_of
from portal.models import User

from .common import (
    CATEGORY_SHARES,
    CSR_COMPANIES,
    FEMALE_FIRST,
    FEMALE_LAST,
    FUNDED_MONTHS,
    FUNDING_SHARES,
    INCOMES,
    MALE_FIRST,
    MALE_LAST,
    MILLE,
    NULL,
    OCCUPATIONS,
    PHONE_PREFIXES,
    REJECTION_REASONS,
    VILLAGE_FUNDED,
    F,
    NationalDataError,
    Report,
    share_table,
)
from .offices import VillagePlan

# Personal data --------------------------------------------------------------------------------


def _columns(model, names: list[str]) -> tuple[str, str]:
    """The table and its columns, in `names`' order, checked against the model."""
    columns = [model._meta.get_field(name).column for name in names]
    return model._meta.db_table, ", ".join(columns)


PARTICIPANT_COLUMNS = _columns(
    Participant,
    [
        "id",
        "nik",
        "full_name",
        "birth_date",
        "sex",
        "phone",
        "address",
        "rt",
        "rw",
        "village",
        "occupation",
        "category",
        "created_at",
    ],
)
REGISTRATION_COLUMNS = _columns(
    Registration,
    [
        "id",
        "participant",
        "village",
        "jht",
        "declared_income",
        "rate",
        "monthly_premium",
        "funding_source",
        "funding_company",
        "agent",
        "status",
        "kpj",
        "rejection_reason",
        "entered_by",
        "created_at",
        "updated_at",
        "paid_until",
        "paid_by",
    ],
)
EVENT_COLUMNS = _columns(
    RegistrationEvent, ["registration", "action", "by", "at", "changes", "note"]
)
PERIOD_COLUMNS = _columns(
    FundedPeriod, ["registration", "funding_source", "funding_company", "starts_on", "ends_on"]
)


def kpj_number(index: int) -> str:
    """The index-th generated KPJ: a bijection of 0..10^11-1 (the multiplier is prime to 10),
    so distinct indexes give distinct numbers that do not look sequential."""
    return f"{(index * 3_141_592_653 + 271_828_182) % 10**11:011d}"


class _Writer:
    """Copies chunks on connections of its own, in `writers` threads (so PostgreSQL works while
    Python generates the next chunk), each chunk in one transaction, and keeps per-table
    figures. With no writer thread, chunks are copied at once on the caller's connection."""

    def __init__(self, report: Report, writers: int):
        self.report = report
        self.error: BaseException | None = None
        self.waited = 0.0  # seconds the generator waited for COPY
        self.lock = threading.Lock()
        self.queue: queue.Queue = queue.Queue(maxsize=max(2, writers))
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(writers)]
        for thread in self.threads:
            thread.start()

    def _run(self):
        try:
            while (chunk := self.queue.get()) is not None:
                if self.error is None:
                    self._copy(chunk)
        except BaseException as error:  # handed to the main thread
            self.error = error
            while self.queue.get() is not None:
                pass
        finally:
            connections["default"].close()

    def _copy(self, chunk):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for (table, columns), buffer, rows in chunk:
                started = time.perf_counter()
                buffer.seek(0)
                cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer, 1 << 20)
                with self.lock:
                    stat = self.report.tables[table]
                    stat.seconds += time.perf_counter() - started
                    stat.rows += rows

    def put(self, chunk):
        """Hand over a chunk; blocks while two chunks wait (memory stays bounded)."""
        if self.error is not None:
            raise self.error
        started = time.perf_counter()
        if self.threads:
            self.queue.put(chunk)
        else:
            self._copy(chunk)
        self.waited += time.perf_counter() - started

    def abort(self):
        """Stop after a failure in the generator: chunks waiting are dropped."""
        self.error = self.error or RuntimeError("generation stopped")
        self._stop()

    def close(self):
        self._stop()
        if self.error is not None:
            raise self.error

    def _stop(self):
        for _thread in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()


class _Progress:
    """A carriage-return progress line on a stream (stderr), at most a few times a second."""

    def __init__(self, total: int, stream: TextIO | None):
        self.total, self.stream = total, stream
        self.started = self.shown = time.perf_counter()

    def update(self, done: int, force: bool = False):
        now = time.perf_counter()
        if self.stream is None or (now - self.shown < 0.5 and not force):
            return
        self.shown = now
        elapsed = now - self.started
        rate = done / elapsed if elapsed else 0
        left = (self.total - done) / rate if rate else 0
        width = 30
        filled = int(width * done / self.total) if self.total else width
        self.stream.write(
            f"\rparticipants [{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,} "
            f"{rate:,.0f}/s, {left:,.0f} s left   "
        )
        self.stream.flush()

    def finish(self, done: int):
        self.update(done, force=True)
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def _encoded(lines) -> io.BytesIO:
    return io.BytesIO("".join(lines).encode())


def _reserve_ids(model, count: int) -> int:
    """Take `count` ids from the table's sequence at once; returns the first."""
    with connection.cursor() as cursor:
        table = model._meta.db_table
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        return cursor.fetchone()[0] - count + 1


@dataclass
class _Calendar:
    """Days of the campaign so far as strings, drawn with a rising pace and quiet weekends."""

    starts_on: datetime.date
    today: datetime.date
    days: list[str] = field(default_factory=list)
    table: list[int] = field(default_factory=list)

    def __post_init__(self):
        count = (self.today - self.starts_on).days + 60  # room for verification dates
        dates = [self.starts_on + datetime.timedelta(days=n) for n in range(count)]
        self.days = [date.isoformat() for date in dates]
        self.today_index = (self.today - self.starts_on).days
        weights = [
            (0.4 + n / self.today_index) * (0.3 if date.weekday() == 6 else 1.0)
            for n, date in enumerate(dates[: self.today_index])
        ]
        total, slots = sum(weights), 10_000
        cumulative = 0.0
        for day, weight in enumerate(weights):
            cumulative += weight
            while len(self.table) < round(cumulative / total * slots):
                self.table.append(day)


def participants_generate(
    plans: list[VillagePlan],
    *,
    staff_of: dict[str, User],
    agent_of: dict[str, int],
    rate: ContributionRate,
    starts_on: datetime.date,
    today: datetime.date,
    seed: int,
    chunk_size: int,
    report: Report,
    progress: TextIO | None,
    writers: int = 2,
) -> None:
    """Stream every planned participant, their registration, its history and funded periods
    into the database with COPY, village by village (so NIK serials are counted per district
    without keeping every NIK in memory)."""
    rng = random.Random(seed + 2)
    rnd = rng.random
    existing_niks = set(Participant.objects.values_list("nik", flat=True))
    existing_kpjs = set(Registration.objects.exclude(kpj=None).values_list("kpj", flat=True))
    calendar = _Calendar(starts_on, today)
    days, day_table, today_index = calendar.days, calendar.table, calendar.today_index
    clock = [
        f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        for seconds in range(8 * 3600, 20 * 3600)
    ]
    clock_count = len(clock)
    # Aged 24 to 56 today: within every scheme's age limits (enrollment.AgeLimit, BPU up to 56)
    # on any registration day of the national campaign's years, none of them a child then.
    birth_first = datetime.date(today.year - 56, 1, 1)
    birth_days = (datetime.date(today.year - 25, 12, 31) - birth_first).days
    births = [birth_first + datetime.timedelta(days=n) for n in range(birth_days)]
    birth_iso = [date.isoformat() for date in births]
    birth_male = [f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in births]
    birth_female = [f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in births]
    category_table = share_table(CATEGORY_SHARES)
    funding_tables = {cat: share_table(shares) for cat, shares in FUNDING_SHARES.items()}
    # Each category priced by its scheme (BPU, wage earner, employer) in today's month, once
    # per income step; the generator's occupations are all "other" (no transport discount).
    book = ContributionRate.objects.price_book()
    month = month_of(today)
    try:
        rate_ids = {
            scheme: book.rates_on(scheme, month).pk
            for scheme in (premium_rules.BPU, premium_rules.WAGE)
        }
    except premium_rules.NoRatesInForce as missing:
        raise NationalDataError(f"{missing} Run `manage.py migrate`.") from None
    premiums = {
        (category, income, jht): book.price(
            category=category, income=income, jht=jht, month=month
        ).total
        for category, (low, high, _) in INCOMES.items()
        for income in range(low * 100_000, high * 100_000 + 1, 100_000)
        for jht in (False, True)
    }
    rate_of = {
        category: rate_ids.get(premium_rules.scheme_of(category), NULL) for category in INCOMES
    }
    with translation.override("id"):
        funded_note = gettext("%(source)s pays from %(start)s to %(end)s")
        source_labels = {key: str(label) for key, label in FundingSource.choices}
    verified_change = '{"status": ["submitted", "verified"], "kpj": [null, "%s"]}'
    activated_change = json.dumps({"status": ["verified", "active"]})
    rejected_change = json.dumps({"status": ["submitted", "rejected"]})

    total = sum(plan.participants for plan in plans)
    bar = _Progress(total, progress)
    writer = _Writer(report, writers)
    kpj_index = rng.randrange(10**9)
    done = 0
    serials: dict[str, int] = {}
    district = None
    people, registrations, events, periods = [], [], [], []

    def flush():
        nonlocal people, registrations, events, periods
        count = len(people)
        if not count:
            return
        first_participant = _reserve_ids(Participant, count)
        first_registration = _reserve_ids(Registration, count)
        # Rows were built with ids counted from 0: shift them by the reserved blocks. Buffers
        # hold UTF-8 bytes (the connection's encoding): a quarter of a StringIO's memory.
        chunk = [
            (
                PARTICIPANT_COLUMNS,
                _encoded(f"{first_participant + n}\t{row}" for n, row in enumerate(people)),
                count,
            ),
            (
                REGISTRATION_COLUMNS,
                _encoded(
                    f"{first_registration + n}\t{first_participant + n}\t{row}"
                    for n, row in enumerate(registrations)
                ),
                count,
            ),
            (
                EVENT_COLUMNS,
                _encoded(f"{first_registration + n}\t{row}" for n, row in events),
                len(events),
            ),
            (
                PERIOD_COLUMNS,
                _encoded(f"{first_registration + n}\t{row}" for n, row in periods),
                len(periods),
            ),
        ]
        people, registrations, events, periods = [], [], [], []
        writer.put(chunk)

    def stamp(day: int) -> str:
        return f"{days[day]} {clock[int(rnd() * clock_count)]}+07"

    def period_dates(start: int, months: int) -> tuple[datetime.date, datetime.date]:
        start_date = starts_on + datetime.timedelta(days=start)
        return start_date, start_date + datetime.timedelta(days=months * 30 - 1)

    try:
        for plan in plans:
            if plan.info.district_code != district:
                district = plan.info.district_code
                district_digits = district.replace(".", "")
                serials = {}
            village = plan.info.code
            staff_id = staff_of[plan.info.regency_code].pk
            agent_id = agent_of.get(district)
            for _person in range(plan.participants):
                female = rnd() < 0.48
                birth = int(rnd() * birth_days)
                ddmmyy = birth_female[birth] if female else birth_male[birth]
                serial = serials.get(ddmmyy, 0) + 1
                nik = f"{district_digits}{ddmmyy}{serial:04d}"
                while existing_niks and nik in existing_niks:
                    serial += 1
                    nik = f"{district_digits}{ddmmyy}{serial:04d}"
                serials[ddmmyy] = serial
                if female:
                    name = f"{FEMALE_FIRST[int(rnd() * len(FEMALE_FIRST))]} "
                    name += FEMALE_LAST[int(rnd() * len(FEMALE_LAST))]
                else:
                    name = f"{MALE_FIRST[int(rnd() * len(MALE_FIRST))]} "
                    name += MALE_LAST[int(rnd() * len(MALE_LAST))]
                category = category_table[int(rnd() * MILLE)]
                jobs = OCCUPATIONS[category]
                phone = (
                    f"62{PHONE_PREFIXES[int(rnd() * len(PHONE_PREFIXES))]}{int(rnd() * 10**8):08d}"
                    if rnd() < 0.85
                    else ""
                )
                day = day_table[int(rnd() * len(day_table))]
                created = stamp(day)
                people.append(
                    f"{nik}\t{name}\t{birth_iso[birth]}\t{'F' if female else 'M'}\t{phone}\t"
                    f"Dusun {MALE_LAST[int(rnd() * len(MALE_LAST))]}\t{1 + int(rnd() * 12):03d}\t"
                    f"{1 + int(rnd() * 5):03d}\t{village}\t{jobs[int(rnd() * len(jobs))]}\t"
                    f"{category}\t{created}\n"
                )
                source = funding_tables[category][int(rnd() * MILLE)]
                company = CSR_COMPANIES[int(rnd() * len(CSR_COMPANIES))] if source == F.CSR else ""
                low, high, jht_share = INCOMES[category]
                income = (low + int(rnd() * (high - low + 1))) * 100_000
                jht = rnd() * MILLE < jht_share
                recruited = agent_id is not None and rnd() < 0.25
                index = len(people) - 1
                events.append((index, f"created\t{staff_id}\t{created}\t{{}}\t\n"))
                verified_day = day + 1 + int(rnd() * 10)
                outcome = rnd()
                kpj, reason, updated = NULL, "", created
                paid_until, paid_by = NULL, ""
                if verified_day >= today_index or outcome < 0.05:
                    status = "submitted"
                elif outcome < 0.11:
                    status, reason = "rejected", REJECTION_REASONS[int(rnd() * 4)]
                    updated = stamp(verified_day)
                    events.append(
                        (index, f"rejected\t{staff_id}\t{updated}\t{rejected_change}\t{reason}\n")
                    )
                else:
                    kpj_index += 1
                    kpj = kpj_number(kpj_index)
                    while existing_kpjs and kpj in existing_kpjs:
                        kpj_index += 1
                        kpj = kpj_number(kpj_index)
                    updated = stamp(verified_day)
                    events.append(
                        (index, f"verified\t{staff_id}\t{updated}\t{verified_change % kpj}\t\n")
                    )
                    status = "verified"
                    active_day = verified_day + 1 + int(rnd() * 21)
                    if active_day < today_index and rnd() < 0.8:
                        status = "active"
                        updated = stamp(active_day)
                        events.append(
                            (index, f"activated\t{staff_id}\t{updated}\t{activated_change}\t\n")
                        )
                    # Formal employees: their employer pays; no funded period (issue 18).
                    if source != F.EMPLOYER:
                        months = FUNDED_MONTHS[source]
                        start, end = period_dates(verified_day, months)
                        periods.append((index, f"{source}\t{company}\t{start}\t{end}\n"))
                        paid_until, paid_by = end, source
                        note = funded_note % {
                            "source": source_labels[source],
                            "start": start.strftime("%d-%m-%Y"),
                            "end": end.strftime("%d-%m-%Y"),
                        }
                        events.append((index, f"funded\t{staff_id}\t{updated}\t{{}}\t{note}\n"))
                        follow_day = verified_day + months * 30
                        if source in VILLAGE_FUNDED and follow_day < today_index and rnd() < 0.45:
                            start, end = period_dates(follow_day, 6)
                            periods.append((index, f"{F.PARTICIPANT}\t\t{start}\t{end}\n"))
                            paid_until, paid_by = end, F.PARTICIPANT
                            note = funded_note % {
                                "source": source_labels[F.PARTICIPANT],
                                "start": start.strftime("%d-%m-%Y"),
                                "end": end.strftime("%d-%m-%Y"),
                            }
                            events.append(
                                (index, f"funded\t{staff_id}\t{stamp(follow_day)}\t{{}}\t{note}\n")
                            )
                registrations.append(
                    f"{village}\t{'t' if jht else 'f'}\t{income}\t{rate_of[category]}\t"
                    f"{premiums[category, income, jht]}\t{source}\t{company}\t"
                    f"{agent_id if recruited else NULL}\t{status}\t{kpj}\t{reason}\t{staff_id}\t"
                    f"{created}\t{updated}\t{paid_until}\t{paid_by}\n"
                )
                if len(people) >= chunk_size:
                    done += len(people)
                    flush()
                    bar.update(done)
        done += len(people)
        flush()
    except BaseException:
        writer.abort()
        raise
    generated = time.perf_counter()
    writer.close()
    bar.finish(done)
    report.seconds["generating (Python)"] = generated - bar.started - writer.waited
    report.seconds["waiting for COPY"] = writer.waited + time.perf_counter() - generated


PAYMENT_MONTHS = 6


def national_payments(today: datetime.date) -> int:
    """Payments of the generated members, set-based in PostgreSQL: each verified or active
    member paid the premium for every month from registering (at most the last PAYMENT_MONTHS)
    to the latest month due; one in seven stopped one to four months earlier (in arrears or
    lapsed). Then the registrations' months paid are stored. Returns the payments written."""
    from enrollment.arrears import latest_month_due

    last = latest_month_due(today)
    first = add_months(last, 1 - PAYMENT_MONTHS)
    payment = Payment._meta.db_table
    registration = Registration._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {payment} (registration_id, month, amount, premium_due, paid_on,
                                   recorded_at)
            SELECT r.id, m.month::date, r.monthly_premium, r.monthly_premium,
                   (m.month + interval '9 days')::date, now()
            FROM {registration} r
            CROSS JOIN LATERAL generate_series(
                greatest(date_trunc('month', r.created_at AT TIME ZONE 'Asia/Jakarta'), %s),
                %s::timestamp - (CASE WHEN r.id %% 7 = 0 THEN (r.id / 7) %% 4 + 1 ELSE 0 END)
                    * interval '1 month',
                interval '1 month'
            ) AS m(month)
            WHERE r.status = ANY(%s)
            ON CONFLICT DO NOTHING
            """,
            [first, last, Registration.Status.members()],
        )
        written = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE {registration} r SET last_paid_month = s.last, months_paid = s.n
            FROM (SELECT registration_id, max(month) AS last, count(*) AS n FROM {payment}
                  WHERE amount > 0 AND amount >= premium_due GROUP BY registration_id) s
            WHERE r.id = s.registration_id
            """
        )
    return written
