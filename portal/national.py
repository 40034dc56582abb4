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

import datetime
import importlib.util
import io
import json
import math
import queue
import random
import resource
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from faker.providers.person.id_ID import Provider as IndonesianNames

from campaigns.models import Campaign, CampaignVillage, ScoreCriterion, SocializationEvent
from enrollment import premiums as premium_rules
from enrollment.commission import add_months
from enrollment.models import (
    Agent,
    ContributionRate,
    FundedPeriod,
    FundingSource,
    Participant,
    Payment,
    Registration,
    RegistrationEvent,
    WorkerCategory,
)
from enrollment.nik import PROVINCE_CODES
from enrollment.premiums import month_of
from portal.models import User
from villages.models import BranchOffice, Coverage, District, Province, Regency, Village
from villages.regions import DATA_DIR
from villages.services import regions_load

USERNAME_PREFIX = "nasional-"
NATIONAL_SLUG = "desa-sadar-nasional"
NATIONAL_NAME = "Desa Sadar Jaminan Sosial Ketenagakerjaan"
HEAD_OFFICE = "Kantor Pusat BPJS Ketenagakerjaan"
AGENT_ORGANIZATION = "Koperasi Perisai Nusantara"
COVERED_FROM = datetime.date(2016, 1, 1)
CAMPAIGN_WEEKS_SO_FAR = 40
DEFAULT_TARGET = 20
REGENCIES_PER_BRANCH = 4
REGIONAL_OFFICES = 11
SEED = 2025

# The personal-data tables --reset empties (TRUNCATE ... CASCADE).
PERSONAL_TABLES = [
    Payment._meta.db_table,
    RegistrationEvent._meta.db_table,
    FundedPeriod._meta.db_table,
    Registration._meta.db_table,
    Participant._meta.db_table,
    Agent.villages.through._meta.db_table,
    Agent._meta.db_table,
]


class NationalDataError(Exception):
    """The data set cannot be generated here; the message says why and what to do."""


@dataclass
class TableStat:
    rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class Report:
    villages: int = 0
    regencies: int = 0
    offices: int = 0
    campaigns: int = 0
    participants: int = 0
    skipped: bool = False
    peak_mb: float = 0.0  # the process's peak resident memory once the data was copied
    reconciled: str = ""
    tables: dict[str, TableStat] = field(default_factory=lambda: defaultdict(TableStat))
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """What was generated, with the rows per second of each table's COPY."""
        lines = [
            f"Villages {self.villages:,}, regencies {self.regencies:,}, branch offices "
            f"{self.offices:,}, campaigns {self.campaigns:,}.",
        ]
        if self.skipped:
            lines.append(f"{self.participants:,} generated participants already present.")
        for table, stat in self.tables.items():
            lines.append(
                f"  {table:<30} {stat.rows:>12,} rows {stat.seconds:>8.1f} s "
                f"{stat.rate:>10,.0f} rows/s"
            )
        return lines

    def timing(self) -> str:
        timing = "Time: " + ", ".join(
            f"{step} {seconds:.1f} s" for step, seconds in self.seconds.items()
        )
        return timing + (f". Peak memory {self.peak_mb:,.0f} MB." if self.peak_mb else ".")


# Names and words ------------------------------------------------------------------------------

MALE_FIRST = list(IndonesianNames.first_names_male)
FEMALE_FIRST = list(IndonesianNames.first_names_female)
MALE_LAST = list(IndonesianNames.last_names_male)
FEMALE_LAST = list(IndonesianNames.last_names_female)
PLACE_START = ["Suka", "Karang", "Sumber", "Tanjung", "Mekar", "Sido", "Banyu", "Wono", "Kali"]
PLACE_END = ["maju", "jaya", "makmur", "rejo", "sari", "mulya", "harjo", "agung", "asri", "luhur"]
OCCUPATIONS = {
    WorkerCategory.VULNERABLE: [
        "Buruh tani",
        "Nelayan",
        "Pedagang kaki lima",
        "Buruh harian lepas",
        "Pemulung",
        "Tukang ojek",
    ],
    WorkerCategory.INFORMAL: [
        "Petani",
        "Pedagang",
        "Peternak",
        "Pengrajin",
        "Penjahit",
        "Sopir",
        "Montir",
    ],
    WorkerCategory.VILLAGE_OFFICIAL: [
        "Kepala Desa",
        "Sekretaris Desa",
        "Kepala Dusun",
        "Kaur Keuangan",
        "Kasi Pemerintahan",
    ],
    WorkerCategory.RT_RW_HEAD: ["Ketua RT", "Ketua RW"],
    WorkerCategory.CONTRACT: ["Guru honorer", "Tenaga kesehatan honorer", "Staf honorer desa"],
    WorkerCategory.FORMAL: ["Karyawan swasta", "Buruh pabrik"],
}
# Share of participants per category (per mille).
CATEGORY_SHARES = {
    WorkerCategory.VULNERABLE: 340,
    WorkerCategory.INFORMAL: 300,
    WorkerCategory.RT_RW_HEAD: 100,
    WorkerCategory.VILLAGE_OFFICIAL: 80,
    WorkerCategory.CONTRACT: 80,
    WorkerCategory.FORMAL: 100,
}
F = FundingSource
# Who pays, per category (per mille): village officials mostly from the village budget, the
# self-employed mostly themselves.
FUNDING_SHARES = {
    WorkerCategory.VILLAGE_OFFICIAL: {F.DANA_DESA: 550, F.ADD: 350, F.PARTICIPANT: 100},
    WorkerCategory.RT_RW_HEAD: {F.DANA_DESA: 400, F.ADD: 200, F.APBD: 200, F.PARTICIPANT: 200},
    WorkerCategory.VULNERABLE: {
        F.DANA_DESA: 250,
        F.ADD: 100,
        F.APBD: 150,
        F.CSR: 100,
        F.JIMPITAN: 50,
        F.BANK_SAMPAH: 50,
        F.PARTICIPANT: 250,
        F.OTHER: 50,
    },
    WorkerCategory.INFORMAL: {
        F.PARTICIPANT: 800,
        F.JIMPITAN: 50,
        F.BANK_SAMPAH: 50,
        F.CSR: 50,
        F.OTHER: 50,
    },
    WorkerCategory.CONTRACT: {F.APBD: 500, F.ADD: 200, F.PARTICIPANT: 300},
    # Formal employees are their employer's: it registers and pays them (issue 18).
    WorkerCategory.FORMAL: {F.EMPLOYER: 1000},
}
# Declared monthly income in Rp 100,000 steps (low, high) and the share choosing JHT (per mille).
INCOMES = {
    WorkerCategory.VULNERABLE: (10, 15, 50),
    WorkerCategory.INFORMAL: (10, 50, 200),
    WorkerCategory.VILLAGE_OFFICIAL: (10, 30, 100),
    WorkerCategory.RT_RW_HEAD: (10, 12, 50),
    WorkerCategory.CONTRACT: (10, 30, 100),
    WorkerCategory.FORMAL: (20, 80, 300),
}
CSR_COMPANIES = [
    "PT Semen Indonesia (Persero) Tbk",
    "PT Pertamina (Persero)",
    "PT Petrokimia Gresik",
    "PT Pupuk Indonesia (Persero)",
    "PT PLN (Persero)",
    "PT Telkom Indonesia (Persero) Tbk",
]
REJECTION_REASONS = [
    "NIK tidak sesuai KTP",
    "Sudah terdaftar sebagai peserta dengan KPJ lain",
    "Usia di luar ketentuan kepesertaan",
    "Foto KTP tidak terbaca",
]
PHONE_PREFIXES = ["811", "812", "813", "821", "822", "852", "853", "857", "877", "878", "895"]
# Months each funding source pays at a time.
FUNDED_MONTHS = {
    F.DANA_DESA: 6,
    F.ADD: 6,
    F.APBD: 12,
    F.CSR: 12,
    F.JIMPITAN: 3,
    F.BANK_SAMPAH: 3,
    F.PARTICIPANT: 3,
    F.OTHER: 3,
}
VILLAGE_FUNDED = set(FundingSource.village_funded())
MILLE = 1000
NULL = "\\N"  # COPY's text format for NULL


def _table(shares: dict) -> list:
    """A lookup table of 1000 entries: table[int(random() * 1000)] draws by the shares."""
    table = [key for key, share in shares.items() for _ in range(share)]
    assert len(table) == MILLE, shares
    return table


def _copy_safe(*lists) -> None:
    """COPY's text format gives tabs, newlines and backslashes a meaning: none may appear."""
    for words in lists:
        for word in words:
            assert not any(char in word for char in "\t\n\r\\"), word


_copy_safe(MALE_FIRST, FEMALE_FIRST, MALE_LAST, FEMALE_LAST, CSR_COMPANIES, REJECTION_REASONS)


# Regions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageInfo:
    code: str
    district_code: str

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def is_kelurahan(self) -> bool:
        return self.code[9] == "1"


def _region_file_villages() -> int | None:
    path = DATA_DIR / "villages.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8-sig") as handle:
        return sum(1 for line in handle if line.strip()) - 1


def national_villages(log: Callable[[str], None]) -> list[VillageInfo]:
    """Every village of the national regions file, loading the regions first when the
    database holds fewer villages than the file."""
    expected = _region_file_villages()
    if expected is None:
        raise NationalDataError(
            f"The regions data is absent ({DATA_DIR / 'villages.csv'}): use --synthetic N."
        )
    if Village.objects.count() < expected:
        log(f"Loading the national regions ({expected:,} villages) ...")
        regions_load()
    return [
        VillageInfo(code, district)
        for code, district in Village.objects.order_by("code").values_list("code", "district_id")
    ]


PLACE_SIDE = ["", " Utara", " Selatan", " Barat", " Timur", " Tengah"]


def _place_name(number: int) -> str:
    """ "Sukamaju", "Karangrejo Utara", ...: 540 different names, then again."""
    start, end = divmod(number, len(PLACE_END))
    side = start // len(PLACE_START) % len(PLACE_SIDE)
    return PLACE_START[start % len(PLACE_START)] + PLACE_END[end] + PLACE_SIDE[side]


def synthetic_villages(count: int) -> list[VillageInfo]:
    """`count` villages with well-formed Kemendagri codes over provinces in use, shaped like the
    country (about 12 villages per district, 14 districts per regency; fewer for small sets so
    they still span several regencies). Existing regions with the same codes are kept."""
    per_district = min(12, max(5, count // 7285))
    per_regency = per_district * min(14, max(3, count // (514 * per_district)))
    provinces = sorted(PROVINCE_CODES)
    regency_count = math.ceil(count / per_regency)
    if regency_count > len(provinces) * 98:
        raise NationalDataError(f"Too many synthetic villages: {count:,}.")
    villages, districts, regencies = [], {}, {}
    for index in range(count):
        regency_index, rest = divmod(index, per_regency)
        district_index, village_index = divmod(rest, per_district)
        province = provinces[regency_index % len(provinces)]
        number = regency_index // len(provinces) + 1
        number = number if number <= 69 else number + 1  # cities are 71-99
        regency = f"{province:02d}.{number:02d}"
        district = f"{regency}.{district_index + 1:02d}"
        kelurahan = village_index % 8 == 7
        village = f"{district}.{(1001 if kelurahan else 2001) + village_index}"
        regencies[regency] = (
            f"{'Kota' if number > 70 else 'Kabupaten'} {_place_name(regency_index)}"
        )
        districts[district] = (regency, _place_name(index // per_district * 7 + 3))
        villages.append(Village(code=village, district_id=district, name=_place_name(index)))
    with transaction.atomic():
        Province.objects.bulk_create(
            [
                Province(code=code, name=f"Provinsi {code}")
                for code in sorted({code[:2] for code in regencies})
            ],
            ignore_conflicts=True,
        )
        Regency.objects.bulk_create(
            [
                Regency(code=code, province_id=code[:2], name=name)
                for code, name in regencies.items()
            ],
            ignore_conflicts=True,
        )
        District.objects.bulk_create(
            [
                District(code=code, regency_id=regency, name=name)
                for code, (regency, name) in districts.items()
            ],
            ignore_conflicts=True,
        )
        Village.objects.bulk_create(villages, batch_size=5000, ignore_conflicts=True)
    return [VillageInfo(village.code, village.district_id) for village in villages]


# Offices, accounts, campaigns -----------------------------------------------------------------


def _short_name(regency_name: str) -> str:
    for prefix in ("Kabupaten ", "Kota Administrasi ", "Kota "):
        if regency_name.startswith(prefix):
            return regency_name[len(prefix) :]
    return regency_name


def national_offices(regency_codes: list[str]) -> tuple[BranchOffice, dict[str, User]]:
    """The head office (organiser of the national campaign), regional offices over groups of
    provinces, a branch office (KC) per four regencies of a province and a pioneer office (KCP)
    under it for every third regency, each KC with a staff account. Returns the head office and
    the staff account entering and verifying each regency's registrations."""
    regencies = Regency.objects.filter(code__in=regency_codes).select_related("province")
    by_province: dict[str, list[Regency]] = defaultdict(list)
    for regency in regencies.order_by("code"):
        by_province[regency.province_id].append(regency)
    head, _ = BranchOffice.objects.get_or_create(
        name=HEAD_OFFICE, defaults={"kind": BranchOffice.Kind.REGIONAL, "address": "Jakarta"}
    )
    provinces = sorted(by_province)
    group_size = math.ceil(len(provinces) / REGIONAL_OFFICES)
    regional_of = {}
    for start in range(0, len(provinces), group_size):
        first = by_province[provinces[start]][0].province
        office, _ = BranchOffice.objects.get_or_create(
            name=f"Kanwil {first.name}",
            defaults={"kind": BranchOffice.Kind.REGIONAL, "address": first.name},
        )
        for code in provinces[start : start + group_size]:
            regional_of[code] = office
    staff_of: dict[str, User] = {}
    taken = set(BranchOffice.objects.values_list("name", flat=True))
    coverages = []
    for province in provinces:
        members = by_province[province]
        for start in range(0, len(members), REGENCIES_PER_BRANCH):
            group = members[start : start + REGENCIES_PER_BRANCH]
            name = _office_name("KC", group[0], taken)
            office, _ = BranchOffice.objects.get_or_create(
                name=name,
                defaults={
                    "kind": BranchOffice.Kind.BRANCH,
                    "parent": regional_of[province],
                    "address": _short_name(group[0].name),
                },
            )
            staff, _ = User.objects.get_or_create(
                username=f"{USERNAME_PREFIX}{slugify(name)}",
                defaults={
                    "role": User.Role.BRANCH_STAFF,
                    "branch_office": office,
                    "first_name": "Petugas",
                    "last_name": name,
                    "password": make_password(None),
                },
            )
            for position, regency in enumerate(group):
                staff_of[regency.code] = staff
                coverages.append(
                    Coverage(branch_office=office, regency=regency, valid_from=COVERED_FROM)
                )
                if position == 2:
                    pioneer, _ = BranchOffice.objects.get_or_create(
                        name=_office_name("KCP", regency, taken),
                        defaults={
                            "kind": BranchOffice.Kind.PIONEER,
                            "parent": office,
                            "address": _short_name(regency.name),
                        },
                    )
                    coverages.append(
                        Coverage(branch_office=pioneer, regency=regency, valid_from=COVERED_FROM)
                    )
    Coverage.objects.bulk_create(coverages, ignore_conflicts=True)
    return head, staff_of


def _office_name(kind: str, regency: Regency, taken: set[str]) -> str:
    """ "KC Tuban"; "KC Kota Mojokerto" when a regency of the same short name took "KC
    Mojokerto". Names already in the database are reused (a second run finds its own)."""
    name = f"{kind} {_short_name(regency.name)}"
    if (
        name in taken
        and not Coverage.objects.filter(branch_office__name=name, regency=regency).exists()
    ):
        name = f"{kind} {regency.name}"
    taken.add(name)
    return name


@dataclass
class VillagePlan:
    """What the generator draws for each village (the same for the same seed)."""

    info: VillageInfo
    population: int
    working_age: int
    officials: int | None
    participants: int = 0
    target: int | None = None


def village_plans(villages: list[VillageInfo], participants: int, seed: int) -> list[VillagePlan]:
    """Population, working-age residents and officials per village, and how many of the
    `participants` live there: proportional to the working-age residents and the village's
    zeal (log-normal), rounded so the total is exact."""
    rng = random.Random(seed)
    plans, weights = [], []
    for info in villages:
        population = max(300, int(rng.lognormvariate(math.log(4000), 0.6)))
        working_age = int(population * rng.uniform(0.6, 0.7))
        officials = None if info.is_kelurahan else rng.randint(8, 16)
        plans.append(VillagePlan(info, population, working_age, officials))
        weights.append(working_age * rng.lognormvariate(0, 0.8))
    total = sum(weights) or 1
    exact = [weight * participants / total for weight in weights]
    for plan, share in zip(plans, exact, strict=True):
        plan.participants = int(share)
    short = participants - sum(plan.participants for plan in plans)
    by_remainder = sorted(range(len(plans)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    for index in by_remainder[:short]:
        plans[index].participants += 1
    for plan in plans:
        if rng.random() < 0.4:
            plan.target = max(10, round(plan.working_age * 0.01 / 5) * 5)
    return plans


def village_facts_fill(plans: list[VillagePlan]) -> int:
    """Give villages without any count the drawn population, working-age residents and
    officials (existing counts are never overwritten). Returns the villages changed."""
    buffer = io.StringIO()
    for plan in plans:
        officials = NULL if plan.officials is None else plan.officials
        buffer.write(f"{plan.info.code}\t{plan.population}\t{plan.working_age}\t{officials}\n")
    buffer.seek(0)
    table = Village._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE national_facts (code varchar(13), population integer, "
            "working_age integer, officials smallint) ON COMMIT DROP"
        )
        cursor.copy_expert("COPY national_facts FROM STDIN", buffer)
        cursor.execute(
            f"UPDATE {table} v SET population = f.population, "
            "working_age_population = f.working_age, official_count = f.officials "
            "FROM national_facts f WHERE v.code = f.code AND v.population IS NULL "
            "AND v.working_age_population IS NULL AND v.official_count IS NULL"
        )
        return cursor.rowcount


def campaign_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The national campaign started on a Monday 40 weeks ago and runs a year."""
    monday = today - datetime.timedelta(days=today.weekday())
    starts_on = monday - datetime.timedelta(weeks=CAMPAIGN_WEEKS_SO_FAR)
    return starts_on, starts_on + datetime.timedelta(days=364)


def national_campaigns(
    plans: list[VillagePlan],
    head: BranchOffice,
    staff_of: dict[str, User],
    today: datetime.date,
) -> list[Campaign]:
    """The national Desa Sadar campaign over every village (targets per village), and a
    "1 Desa 100 Pekerja" programme in every 25th regency, organised by its branch office."""
    starts_on, ends_on = campaign_window(today)
    national, _ = Campaign.objects.update_or_create(
        slug=NATIONAL_SLUG,
        defaults={
            "name": NATIONAL_NAME,
            "kind": Campaign.Kind.DESA_SADAR,
            "branch_office": head,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "default_target": DEFAULT_TARGET,
            "officials_goal_percent": 100,
            "is_public": True,
            "description": "Kompetisi nasional Desa Sadar Jaminan Sosial Ketenagakerjaan: seluruh "
            "desa dan kelurahan di Indonesia, dinilai dari cakupan kepesertaan dan perangkat desa "
            "yang terdaftar.",
        },
    )
    _participations(national, [(plan.info.code, plan.target) for plan in plans])
    _criteria(national, {"target": 2, "officials": 1})
    campaigns = [national]
    by_regency: dict[str, list[VillagePlan]] = defaultdict(list)
    for plan in plans:
        by_regency[plan.info.regency_code].append(plan)
    names = dict(Regency.objects.filter(code__in=by_regency).values_list("code", "name"))
    for code in sorted(by_regency)[::25]:
        campaign, _ = Campaign.objects.update_or_create(
            slug=f"1-desa-100-pekerja-{code.replace('.', '-')}",
            defaults={
                "name": f"1 Desa 100 Pekerja · {names[code]}",
                "kind": Campaign.Kind.SATU_DESA_SERATUS,
                "branch_office": staff_of[code].branch_office,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "default_target": 100,
                "categories": [WorkerCategory.VULNERABLE, WorkerCategory.RT_RW_HEAD],
                "is_public": True,
                "description": "100 pekerja rentan dan Ketua RT/RW per desa, iuran JKK dan JKM "
                "dari Dana Desa atau ADD.",
            },
        )
        _participations(campaign, [(plan.info.code, None) for plan in by_regency[code]])
        _criteria(campaign, {"target": 3, "continuing": 1})
        campaigns.append(campaign)
    regencies = sorted(by_regency)
    for week, code in enumerate(regencies[:: max(1, len(regencies) // 30)]):
        SocializationEvent.objects.update_or_create(
            campaign=national,
            place=f"Pendopo {names[code]}",
            defaults={
                "kind": SocializationEvent.Kind.SOCIALIZATION,
                "held_on": starts_on + datetime.timedelta(weeks=week % CAMPAIGN_WEEKS_SO_FAR),
                "village_id": by_regency[code][0].info.code,
                "attendees": 50 + week * 7 % 150,
                "notes": "Sosialisasi Desa Sadar Jaminan Sosial Ketenagakerjaan.",
            },
        )
    return campaigns


def _participations(campaign: Campaign, villages: list[tuple[str, int | None]]) -> None:
    """Make the campaign's villages and targets exactly `villages` (code, target or None)."""
    wanted = dict(villages)
    if dict(campaign.participations.values_list("village_id", "target_override")) == wanted:
        return
    campaign.participations.all().delete()
    CampaignVillage.objects.bulk_create(
        [
            CampaignVillage(campaign=campaign, village_id=code, target_override=target)
            for code, target in villages
        ],
        batch_size=5000,
    )


def _criteria(campaign: Campaign, weights: dict[str, int]) -> None:
    for measure, weight in weights.items():
        ScoreCriterion.objects.update_or_create(
            campaign=campaign, measure=measure, defaults={"weight": weight}
        )


def national_agents(plans: list[VillagePlan], seed: int, joined_by: datetime.date) -> dict:
    """One Perisai agent per district, serving its villages. Returns {district code: agent id}."""
    Agent.objects.filter(organization__startswith=AGENT_ORGANIZATION).delete()
    rng = random.Random(seed + 1)
    villages_of: dict[str, list[str]] = defaultdict(list)
    for plan in plans:
        villages_of[plan.info.district_code].append(plan.info.code)
    names = dict(District.objects.filter(code__in=villages_of).values_list("code", "name"))
    agents = []
    for code in villages_of:
        female = rng.random() < 0.4
        first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
        last = rng.choice(FEMALE_LAST if female else MALE_LAST)
        agents.append(
            Agent(
                name=f"{first} {last}",
                phone=f"628{rng.choice(PHONE_PREFIXES)[1:]}{rng.randrange(10**7, 10**8)}",
                organization=f"{AGENT_ORGANIZATION} {names[code]}",
                joined_on=joined_by - datetime.timedelta(days=rng.randrange(30, 2000)),
            )
        )
    Agent.objects.bulk_create(agents, batch_size=5000)
    through = Agent.villages.through
    links = [
        through(agent_id=agent.pk, village_id=village)
        for agent, code in zip(agents, villages_of, strict=True)
        for village in villages_of[code]
    ]
    through.objects.bulk_create(links, batch_size=5000)
    return {code: agent.pk for agent, code in zip(agents, villages_of, strict=True)}


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
    birth_first = datetime.date(today.year - 65, 1, 1)
    birth_days = (datetime.date(today.year - 18, 12, 31) - birth_first).days
    births = [birth_first + datetime.timedelta(days=n) for n in range(birth_days)]
    birth_iso = [date.isoformat() for date in births]
    birth_male = [f"{d.day:02d}{d.month:02d}{d.year % 100:02d}" for d in births]
    birth_female = [f"{d.day + 40:02d}{d.month:02d}{d.year % 100:02d}" for d in births]
    category_table = _table(CATEGORY_SHARES)
    funding_tables = {cat: _table(shares) for cat, shares in FUNDING_SHARES.items()}
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
            WHERE r.status IN ('verified', 'active')
            ON CONFLICT DO NOTHING
            """,
            [first, last],
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
