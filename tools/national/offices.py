"""The reference data of the national data set: branch offices covering every regency, their
accounts, the national campaign, the villages' plans and counts, the agents.
"""

from __future__ import annotations

import datetime
import io
import math
import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.text import slugify

from campaigns.models import Campaign, CampaignVillage, ScoreCriterion, SocializationEvent
from enrollment.models import (
    Agent,
    WorkerCategory,
)
from portal.models import User
from villages.models import BranchOffice, Coverage, District, Regency, Village

from .common import (
    AGENT_ORGANIZATION,
    CAMPAIGN_WEEKS_SO_FAR,
    COVERED_FROM,
    DEFAULT_TARGET,
    FEMALE_FIRST,
    FEMALE_LAST,
    HEAD_OFFICE,
    MALE_FIRST,
    MALE_LAST,
    NATIONAL_NAME,
    NATIONAL_SLUG,
    NULL,
    PHONE_PREFIXES,
    REGENCIES_PER_BRANCH,
    REGIONAL_OFFICES,
    USERNAME_PREFIX,
)
from .regions import VillageInfo

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
