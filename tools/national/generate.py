"""A national data set for benchmarks: every village, branch offices covering every regency, a
national Desa Sadar campaign and millions of participants with registrations and their history.

Personal data goes in with PostgreSQL's COPY, in chunks built from Python strings (no model
objects; memory stays flat at any size), copied by writer threads on connections of their own
while the next chunk is being generated. Rows bypass the services, so every rule the database
or the services keep is kept here by construction: NIKs valid for the village's district and
unique, 11-digit unique KPJs for verified and active members, a reason for every rejection, a
company for CSR funding, premiums computed by enrollment.premiums with the rates in force, and
a history entry for every step. The campaign numbers kept in step by the services are
reconciled at the end. Reference data (offices, campaigns, accounts) goes through the ORM and
is found by a natural key, so a second run changes nothing.
"""

from __future__ import annotations

import importlib.util
import resource
import sys
import time
from collections.abc import Callable
from typing import TextIO

from django.db import connection
from django.utils import timezone

from enrollment.models import (
    Agent,
    ContributionRate,
    Payment,
    Registration,
)
from villages.models import BranchOffice

from .common import PERSONAL_TABLES, SEED, USERNAME_PREFIX, NationalDataError, Report, TableStat
from .offices import (
    campaign_window,
    national_agents,
    national_campaigns,
    national_offices,
    village_facts_fill,
    village_plans,
)
from .people import national_payments, participants_generate
from .regions import national_villages, synthetic_villages


def _reconcile() -> str:
    """Summary tables kept in step with registrations must be rebuilt after COPY, which
    bypassed the services that keep them."""
    # RECONCILE CALL SITE: campaigns.tally.reconcile() recounts every campaign's numbers.
    if importlib.util.find_spec("campaigns.tally") is None:
        return "campaigns.tally not found: no summary table to reconcile."
    from campaigns import tally

    started = time.perf_counter()
    repaired = tally.reconcile()
    return (
        f"Campaign numbers reconciled in {time.perf_counter() - started:.1f} s "
        f"({len(repaired):,} stored numbers set)."
    )


def generated_registrations() -> int:
    return Registration.objects.filter(entered_by__username__startswith=USERNAME_PREFIX).count()


def national_generate(
    *,
    participants: int = 1_000_000,
    synthetic: int | None = None,
    reset: bool = False,
    seed: int = SEED,
    chunk_size: int = 50_000,
    progress: TextIO | None = sys.stderr,
    log: Callable[[str], None] = print,
    writers: int = 2,
) -> Report:
    """Generate the national data set (see the module's docstring). Without `reset`, a second
    run with the same figures changes nothing, and a run asking for another number of
    participants is refused; `reset` first empties every personal-data table (participants,
    registrations, their history and funded periods, agents)."""
    if connection.vendor != "postgresql":
        raise NationalDataError(
            "generate_national needs PostgreSQL (it loads with COPY); DATABASE_URL points at "
            f"{connection.vendor}."
        )
    if participants < 0:
        raise NationalDataError("The number of participants cannot be negative.")
    report = Report()
    started = time.perf_counter()
    today = timezone.localdate()
    villages = synthetic_villages(synthetic) if synthetic else national_villages(log)
    if not villages:
        raise NationalDataError("No villages to generate data for.")
    try:
        rate = ContributionRate.objects.in_force(today)
    except ContributionRate.DoesNotExist:
        raise NationalDataError("No contribution rate in force: run `manage.py migrate`.") from None
    plans = village_plans(villages, participants, seed)
    regencies = sorted({info.regency_code for info in villages})
    head, staff_of = national_offices(regencies)
    village_facts_fill(plans)
    campaigns = national_campaigns(plans, head, staff_of, today)
    report.villages, report.regencies, report.campaigns = (
        len(villages),
        len(regencies),
        len(campaigns),
    )
    report.offices = BranchOffice.objects.count()
    report.seconds["reference data"] = time.perf_counter() - started

    if reset:
        step = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(PERSONAL_TABLES)} RESTART IDENTITY CASCADE")
        report.seconds["reset"] = time.perf_counter() - step
    existing = generated_registrations()
    report.participants = participants
    if existing == participants and existing:
        report.skipped = True
    elif existing:
        raise NationalDataError(
            f"The database already holds {existing:,} generated registrations; run with --reset "
            f"to generate {participants:,}."
        )
    else:
        step = time.perf_counter()
        starts_on, _ = campaign_window(today)
        agent_of = national_agents(plans, seed, starts_on)
        report.tables[Agent._meta.db_table] = TableStat(len(agent_of), time.perf_counter() - step)
        step = time.perf_counter()
        participants_generate(
            plans,
            staff_of=staff_of,
            agent_of=agent_of,
            rate=rate,
            starts_on=starts_on,
            today=today,
            seed=seed,
            chunk_size=chunk_size,
            report=report,
            progress=progress,
            writers=writers,
        )
        report.seconds["personal data"] = time.perf_counter() - step
        step = time.perf_counter()
        report.tables[Payment._meta.db_table] = TableStat(
            national_payments(today), time.perf_counter() - step
        )
        report.seconds["payments"] = time.perf_counter() - step
        report.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        step = time.perf_counter()
        with connection.cursor() as cursor:
            for table in PERSONAL_TABLES:
                # As autovacuum would soon after a load: statistics for the planner, and the
                # visibility map that lets index-only scans skip the table.
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        report.seconds["analyze"] = time.perf_counter() - step
    for line in report.lines():
        log(line)
    step = time.perf_counter()
    report.reconciled = _reconcile()
    log(report.reconciled)
    report.seconds["reconcile"] = time.perf_counter() - step
    report.seconds["total"] = time.perf_counter() - started
    log(report.timing())
    return report
