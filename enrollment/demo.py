"""Registrations that retell the seeds: Socorejo's 900 members by the MoU of 1 August 2019 and
its 3,000 by the end of November (national first place, 12 December 2019), Karanglo's 2018,
Karanglewas' village officials and its Perisai agents, Gresik's "1 Desa 100 pekerja" in desa.

The people, their names and the agents are illustrative. What holds for every row (and
tests/test_demo_consistency.py checks): adults of 18 to 55 when registered, NIKs whose first six
digits are the village's district and whose digits 7-12 are the birth date (day + 40 for women),
no more officials enrolled than the village has, no Dana Desa or ADD in a kelurahan, and only
registrations of the last days still waiting for verification.

Generated in bulk with a fixed random seed; each village's block is skipped when the village
already has registrations, so running it again changes nothing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from faker import Faker

from villages.models import Village

from . import premiums
from .models import (
    Agent,
    ContributionRate,
    FundedPeriod,
    FundingSource,
    Participant,
    Registration,
    RegistrationEvent,
    WorkerCategory,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
Status = Registration.Status
# Ages of the demo's people when they register, in days: 19 to 54 years, inside 18-55.
ADULT_DAYS = (19 * 366, 54 * 365)
# Registrations of the last days still wait for verification; older ones were decided.
WAITING_DAYS = 10


@dataclass
class Plan:
    """What one demo registration should look like."""

    village: Village
    category: str
    occupation: str
    funding_source: str
    registered_on: datetime.date
    status: str
    income: int = 1_000_000
    jht: bool = False
    funding_company: str = ""
    agent: Agent | None = None
    funded: tuple[str, datetime.date, datetime.date] | None = None


class DemoPeople:
    """Indonesian names and NIKs valid for a village's district, reproducibly."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.faker = Faker("id_ID")
        self.faker.seed_instance(seed)
        self.serials: dict[str, int] = {}
        # A re-run adds only missing blocks: their NIKs must not meet the earlier ones.
        self.taken = set(Participant.objects.values_list("nik", flat=True))
        self.taken_kpj = set(Registration.objects.exclude(kpj=None).values_list("kpj", flat=True))
        self.kpj = 0

    def person(self, village: Village, registered_on: datetime.date) -> dict:
        """Someone of the village aged 19 to 54 on the day they register."""
        sex = self.random.choice("MF")
        birth = registered_on - datetime.timedelta(
            days=self.random.randrange(ADULT_DAYS[0], ADULT_DAYS[1])
        )
        district = village.district_id.replace(".", "")
        day = birth.day + (40 if sex == "F" else 0)
        prefix = f"{district}{day:02d}{birth:%m%y}"
        self.serials[prefix] = self.serials.get(prefix, 0) + 1
        while f"{prefix}{self.serials[prefix]:04d}" in self.taken:
            self.serials[prefix] += 1
        if sex == "M":
            name = f"{self.faker.first_name_male()} {self.faker.last_name_male()}"
        else:
            name = f"{self.faker.first_name_female()} {self.faker.last_name_female()}"
        return {
            "nik": f"{prefix}{self.serials[prefix]:04d}",
            "full_name": name,
            "birth_date": birth,
            "sex": sex,
            "phone": f"628{self.random.randrange(11, 99)}{self.random.randrange(10**7, 10**8)}",
            "rt": f"{self.random.randint(1, 12):03d}",
            "rw": f"{self.random.randint(1, 5):03d}",
            "address": f"Dusun {self.faker.last_name()}",
        }

    def next_kpj(self, prefix: str) -> str:
        self.kpj += 1
        while f"{prefix}{self.kpj:09d}" in self.taken_kpj:
            self.kpj += 1
        return f"{prefix}{self.kpj:09d}"


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=JAKARTA
    )


def registrations_create_demo(
    plans: list[Plan], *, people: DemoPeople, entered_by, verified_by, kpj_prefix: str
) -> int:
    """Insert the planned registrations with their history and funded periods, in bulk."""
    book = ContributionRate.objects.price_book()
    participants, registrations, events, periods = [], [], [], []
    for plan in plans:
        participants.append(
            Participant(
                village=plan.village,
                category=plan.category,
                occupation=plan.occupation,
                **people.person(plan.village, plan.registered_on),
            )
        )
    Participant.objects.bulk_create(participants)
    for plan, participant in zip(plans, participants, strict=True):
        registered_at = _moment(plan.registered_on, people.random)
        premium, rates = premiums.price_registration(
            book,
            {
                "category": plan.category,
                "declared_income": plan.income,
                "jht": plan.jht,
                "funding_source": plan.funding_source,
            },
            premiums.month_of(plan.registered_on),
        )
        has_kpj = plan.status in Status.members()
        registrations.append(
            Registration(
                participant=participant,
                village=plan.village,
                jht=plan.jht,
                declared_income=plan.income,
                rate_id=rates.pk if rates else None,
                monthly_premium=premium.total,
                funding_source=plan.funding_source,
                funding_company=plan.funding_company,
                agent=plan.agent,
                status=plan.status,
                entered_by=entered_by,
                kpj=people.next_kpj(kpj_prefix) if has_kpj else None,
                rejection_reason="NIK tidak sesuai KTP" if plan.status == Status.REJECTED else "",
                created_at=registered_at,
            )
        )
    Registration.objects.bulk_create(registrations)
    for plan, registration in zip(plans, registrations, strict=True):
        events.append(
            RegistrationEvent(
                registration=registration,
                action="created",
                by=entered_by,
                at=registration.created_at,
            )
        )
        later = registration.created_at + datetime.timedelta(days=people.random.randint(1, 6))
        if registration.kpj:
            events.append(
                RegistrationEvent(
                    registration=registration,
                    action="verified",
                    by=verified_by,
                    at=later,
                    changes={"status": ["submitted", "verified"], "kpj": [None, registration.kpj]},
                )
            )
        if plan.status == Status.ACTIVE:
            events.append(
                RegistrationEvent(
                    registration=registration,
                    action="activated",
                    by=verified_by,
                    at=later + datetime.timedelta(days=3),
                    changes={"status": ["verified", "active"]},
                )
            )
        if plan.status == Status.REJECTED:
            events.append(
                RegistrationEvent(
                    registration=registration,
                    action="rejected",
                    by=verified_by,
                    at=later,
                    changes={"status": ["submitted", "rejected"]},
                    note=registration.rejection_reason,
                )
            )
        if plan.funded:
            source, starts_on, ends_on = plan.funded
            periods.append(
                FundedPeriod(
                    registration=registration,
                    funding_source=source,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
            )
    RegistrationEvent.objects.bulk_create(events)
    funded_periods_create(periods)
    return len(registrations)


def funded_periods_create(periods) -> None:
    """Write funded periods in bulk and store each registration's latest one on it."""
    periods = FundedPeriod.objects.bulk_create(periods)
    registrations = {period.registration_id for period in periods}
    Registration.objects.filter(pk__in=registrations).store_paid_until()


SOCOREJO_WORK = [
    (WorkerCategory.INFORMAL, "Nelayan", FundingSource.JIMPITAN, 30),
    (WorkerCategory.INFORMAL, "Petani/pekebun", FundingSource.PARTICIPANT, 18),
    (WorkerCategory.VULNERABLE, "Buruh harian lepas", FundingSource.CSR, 25),
    (WorkerCategory.INFORMAL, "Pedagang", FundingSource.BANK_SAMPAH, 10),
    (WorkerCategory.INFORMAL, "Wiraswasta", FundingSource.PARTICIPANT, 9),
]
# Socorejo's story in numbers (seeds: the MoU of 1 Aug 2019; bloktuban.com, 13 Dec 2019).
SOCOREJO_AT_MOU = 900
SOCOREJO_TARGET = 3000
SOCOREJO_OFFICIALS = 15
# Its RT and RW heads (Dana Desa pays): a village has a few dozen, never hundreds (illustrative).
SOCOREJO_RT_RW_HEADS = 24


def _weekly_days(rng, start: datetime.date, end: datetime.date, count: int, ramp: float = 1.5):
    """`count` days between start and end, denser toward the end (the campaign picks up)."""
    span = (end - start).days
    return sorted(
        start + datetime.timedelta(days=int(span * rng.random() ** (1 / ramp)))
        for _ in range(count)
    )


def officials_plans(rng, village, start, end, count, *, status=Status.ACTIVE) -> list[Plan]:
    """The village's officials (perangkat desa), paid by the village budget (ADD): never more
    than the village has."""
    assert village.official_count is None or count <= village.official_count, village
    return [
        Plan(
            village=village,
            category=WorkerCategory.VILLAGE_OFFICIAL,
            occupation="Perangkat desa",
            funding_source=FundingSource.ADD,
            registered_on=day,
            status=status,
            income=2_000_000,
        )
        for day in _weekly_days(rng, start, end, count)
    ]


def _socorejo_member(rng, village, day) -> Plan:
    weights = [w for *_, w in SOCOREJO_WORK]
    category, occupation, source, _ = rng.choices(SOCOREJO_WORK, weights)[0]
    return Plan(
        village=village,
        category=category,
        occupation=occupation,
        funding_source=source,
        funding_company="CSR perusahaan ring satu Jenu" if source == FundingSource.CSR else "",
        registered_on=day,
        status=Status.VERIFIED if rng.random() < 0.6 else Status.ACTIVE,
        jht=rng.random() < 0.1,
    )


def socorejo_plans(rng, village) -> list[Plan]:
    """900 members when the MoU was signed (1 Aug 2019), enrolled since February, its 15
    officials and 24 RT/RW heads first; then the nightly socialisation brings the rest of the
    3,000 by the end of November, before the national award of 12 December 2019. Three more
    were rejected."""
    plans = officials_plans(
        rng, village, datetime.date(2019, 2, 4), datetime.date(2019, 3, 29), SOCOREJO_OFFICIALS
    )
    for day in _weekly_days(
        rng, datetime.date(2019, 2, 4), datetime.date(2019, 4, 30), SOCOREJO_RT_RW_HEADS
    ):
        plans.append(
            Plan(
                village=village,
                category=WorkerCategory.RT_RW_HEAD,
                occupation="Ketua RT/RW",
                funding_source=FundingSource.DANA_DESA,
                registered_on=day,
                status=Status.ACTIVE,
            )
        )
    before_mou = SOCOREJO_AT_MOU - len(plans)
    for day in _weekly_days(rng, datetime.date(2019, 2, 4), datetime.date(2019, 7, 31), before_mou):
        plans.append(_socorejo_member(rng, village, day))
    after_mou = SOCOREJO_TARGET - SOCOREJO_AT_MOU
    for day in _weekly_days(rng, datetime.date(2019, 8, 2), datetime.date(2019, 11, 30), after_mou):
        plans.append(_socorejo_member(rng, village, day))
    for day in (datetime.date(2019, 8, 14), datetime.date(2019, 9, 25), datetime.date(2019, 11, 6)):
        rejected = _socorejo_member(rng, village, day)
        rejected.status = Status.REJECTED
        plans.append(rejected)
    return plans


def karanglewas_plans(rng, village, agents) -> list[Plan]:
    """All 14 village officials enrolled before the declaration of 11 Sep 2019 (village budget);
    then the Perisai agents recruit informal workers, some village-funded for six months, a few
    of whom run out within the coming weeks."""
    plans = officials_plans(
        rng, village, datetime.date(2019, 7, 1), datetime.date(2019, 9, 6), village.official_count
    )
    for day in _weekly_days(rng, datetime.date(2019, 9, 12), datetime.date(2020, 3, 31), 60, 0.8):
        plans.append(
            Plan(
                village=village,
                category=WorkerCategory.INFORMAL,
                occupation=rng.choice(["Petani/pekebun", "Pedagang", "Peternak"]),
                funding_source=FundingSource.PARTICIPANT,
                registered_on=day,
                status=Status.ACTIVE,
                agent=rng.choice(agents),
            )
        )
    today = datetime.date.today()
    for offset in range(8):
        starts_on = today - datetime.timedelta(days=170 + offset * 3)
        plans.append(
            Plan(
                village=village,
                category=WorkerCategory.VULNERABLE,
                occupation="Buruh tani",
                funding_source=FundingSource.DANA_DESA,
                registered_on=starts_on - datetime.timedelta(7),
                status=Status.ACTIVE,
                agent=agents[0],
                funded=(
                    FundingSource.DANA_DESA,
                    starts_on,
                    starts_on + datetime.timedelta(days=182),
                ),
            )
        )
    return plans


def gresik_plans(rng, villages) -> list[Plan]:
    """ "1 Desa 100 pekerja" (2023), in desa only (a kelurahan has no Dana Desa): vulnerable
    workers and RT/RW heads, JKK + JKM from Dana Desa for six months; about a third then
    continue on their own. Villages move at their own pace toward their share of the 7,863 (23
    or 24 each): some pass it, most are on the way."""
    plans = []
    for village in villages:
        count = rng.choice([6, 12, 18, 22, 24, 26, 30])
        for day in _weekly_days(rng, datetime.date(2023, 2, 1), datetime.date(2023, 11, 30), count):
            starts_on = day.replace(day=1)
            plans.append(
                Plan(
                    village=village,
                    category=rng.choice(
                        [WorkerCategory.VULNERABLE] * 4 + [WorkerCategory.RT_RW_HEAD]
                    ),
                    occupation=rng.choice(["Buruh harian lepas", "Nelayan", "Petani", "Pedagang"]),
                    funding_source=FundingSource.DANA_DESA,
                    registered_on=day,
                    status=rng.choices([Status.VERIFIED, Status.ACTIVE], [4, 6])[0],
                    funded=(
                        FundingSource.DANA_DESA,
                        starts_on,
                        starts_on + datetime.timedelta(days=181),
                    ),
                )
            )
    return plans


def steady_plans(rng, villages, start, end, counts, categories, funding_source) -> list[Plan]:
    """Registrations spread over a period, for ranking and trend demos: those of the last days
    wait for verification, the older ones were verified (and some activated) within days."""
    plans = []
    waiting_since = datetime.date.today() - datetime.timedelta(days=WAITING_DAYS)
    for village, count in zip(villages, counts, strict=True):
        for day in _weekly_days(rng, start, end, count, 1.2):
            decided = rng.choices([Status.VERIFIED, Status.ACTIVE], [4, 5])[0]
            plans.append(
                Plan(
                    village=village,
                    category=rng.choice(categories),
                    funding_source=funding_source,
                    occupation=rng.choice(["Petani", "Nelayan", "Pedagang", "Buruh harian lepas"]),
                    registered_on=day,
                    status=Status.SUBMITTED if day > waiting_since else decided,
                )
            )
    return plans


def demo_registrations(*, users: dict, log=print) -> None:
    people = DemoPeople(seed=2019)
    rng = people.random
    socorejo = Village.objects.get(code="35.23.12.2002")
    karanglewas = Village.objects.get(code="33.02.03.2003")
    gresik = list(Village.objects.desa().filter(district__regency_id="35.25").order_by("code")[::6])
    jenu = list(Village.objects.filter(district_id="35.23.12").exclude(pk=socorejo.pk)[:5])
    karanglo = Village.objects.get(code="35.23.08.2016")
    kerek = Village.objects.filter(district_id="35.23.08").exclude(pk=karanglo.pk)[:3]
    tuban_2026 = [socorejo, karanglo, *jenu[:3], *kerek]
    with transaction.atomic():
        if not socorejo.registrations.exists():
            count = registrations_create_demo(
                socorejo_plans(rng, socorejo),
                people=people,
                entered_by=users["socorejo"],
                verified_by=users["cabang"],
                kpj_prefix="19",
            )
            log(f"Socorejo: {count} registrations.")
        if not karanglewas.registrations.exists():
            agents = []
            for name, phone in [
                ("Sri Wahyuni", "6281327001122"),
                ("Bambang Riyanto", "6285726003344"),
            ]:
                agent, _ = Agent.objects.get_or_create(
                    name=name,
                    defaults={
                        "phone": phone,
                        "organization": "Koperasi Karya Mandiri",
                        "joined_on": datetime.date(2019, 9, 11),
                    },
                )
                agent.villages.add(karanglewas)
                agents.append(agent)
            plans = karanglewas_plans(rng, karanglewas, agents)
            count = registrations_create_demo(
                plans,
                people=people,
                entered_by=users["karanglewas"],
                verified_by=users["admin"],
                kpj_prefix="29",
            )
            log(f"Karanglewas: {count} registrations, {len(agents)} Perisai agents.")
        if not Registration.objects.filter(village__in=gresik).exists():
            count = registrations_create_demo(
                gresik_plans(rng, gresik),
                people=people,
                entered_by=users["admin"],
                verified_by=users["admin"],
                kpj_prefix="35",
            )
            continuing = FundedPeriod.objects.filter(
                registration__village__in=gresik, registration__status__in=Status.members()
            ).order_by("pk")[::3]
            funded_periods_create(
                FundedPeriod(
                    registration_id=period.registration_id,
                    funding_source=FundingSource.PARTICIPANT,
                    starts_on=period.ends_on + datetime.timedelta(days=1),
                    ends_on=period.ends_on + datetime.timedelta(days=180),
                )
                for period in continuing
            )
            log(f"Gresik: {count} registrations in {len(gresik)} villages.")
        if not karanglo.registrations.exists():
            # All its officials first (the 2018 goal), then 408 workers: 420 by the ranking.
            officials = officials_plans(
                rng,
                karanglo,
                datetime.date(2018, 2, 1),
                datetime.date(2018, 3, 30),
                karanglo.official_count,
            )
            count = registrations_create_demo(
                officials
                + steady_plans(
                    rng,
                    [karanglo],
                    datetime.date(2018, 2, 1),
                    datetime.date(2018, 11, 30),
                    [420 - len(officials)],
                    [WorkerCategory.INFORMAL, WorkerCategory.VULNERABLE],
                    FundingSource.PARTICIPANT,
                ),
                people=people,
                entered_by=users["admin"],
                verified_by=users["cabang"],
                kpj_prefix="18",
            )
            log(f"Karanglo: {count} registrations in 2018.")
        if not Registration.objects.filter(village__in=jenu).exists():
            count = registrations_create_demo(
                steady_plans(
                    rng,
                    jenu,
                    datetime.date(2019, 3, 1),
                    datetime.date(2019, 11, 30),
                    [44, 61, 35, 58, 30],
                    [WorkerCategory.INFORMAL, WorkerCategory.VULNERABLE],
                    FundingSource.PARTICIPANT,
                ),
                people=people,
                entered_by=users["admin"],
                verified_by=users["cabang"],
                kpj_prefix="20",
            )
            log(f"Jenu: {count} registrations in 2019.")
        if not Registration.objects.filter(created_at__year=2026, village__in=tuban_2026).exists():
            count = registrations_create_demo(
                steady_plans(
                    rng,
                    tuban_2026,
                    datetime.date(2026, 8, 3),
                    # Up to yesterday (nothing registered later today), within the campaign.
                    min(
                        datetime.date.today() - datetime.timedelta(days=1),
                        datetime.date(2026, 12, 31),
                    ),
                    [120, 64, 35, 28, 52, 18, 40, 22],
                    [WorkerCategory.INFORMAL, WorkerCategory.VULNERABLE],
                    FundingSource.PARTICIPANT,
                ),
                people=people,
                entered_by=users["admin"],
                verified_by=users["cabang"],
                kpj_prefix="26",
            )
            log(f"Tuban 2026: {count} registrations in {len(tuban_2026)} villages.")
