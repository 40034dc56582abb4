"""Factories for enrollment's models (to be merged into tests/factories.py).

NIKs are valid for the participant's village: its district code, the birth date as DDMMYY (women:
day + 40) and a serial, so "352312" + "080190" + "0001" for a man from Jenu born 8 Jan 1990.
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from campaigns import tally
from enrollment import changes
from enrollment.models import (
    Agent,
    ContributionRate,
    FundedPeriod,
    FundingSource,
    Participant,
    Registration,
    WorkerCategory,
)
from portal.models import User

from ..factories import UserFactory, VillageFactory


def nik_for(village_code: str, birth_date: datetime.date, sex: str, serial: int) -> str:
    day = birth_date.day + (40 if sex == "F" else 0)
    district = village_code.replace(".", "")[:6]
    return f"{district}{day:02d}{birth_date:%m%y}{serial:04d}"


class ContributionRateFactory(DjangoModelFactory):
    """The rates the data migration seeds (PP 44/2015 jo. PP 82/2019); get_or_create reuses it."""

    class Meta:
        model = ContributionRate
        django_get_or_create = ["scheme", "effective_from"]

    scheme = "bpu"
    effective_from = datetime.date(2015, 7, 1)
    regulation = "PP 44/2015 jo. PP 82/2019"
    jkk_percent = Decimal("1.00")
    jkm_flat = 6_800
    jht_percent = Decimal("2.00")
    min_income = 1_000_000
    max_income = 20_700_000


class ParticipantFactory(DjangoModelFactory):
    class Meta:
        model = Participant

    village = factory.SubFactory(VillageFactory)
    full_name = factory.Faker("name", locale="id_ID")
    birth_date = datetime.date(1990, 1, 8)
    sex = Participant.Sex.MALE
    nik = factory.LazyAttributeSequence(
        lambda o, n: nik_for(o.village.code, o.birth_date, o.sex, 1 + n % 9999)
    )
    phone = factory.Sequence(lambda n: f"62812{n:08d}")
    category = WorkerCategory.VULNERABLE


class AgentFactory(DjangoModelFactory):
    class Meta:
        model = Agent
        skip_postgeneration_save = True

    name = factory.Faker("name", locale="id_ID")
    phone = factory.Sequence(lambda n: f"62813{n:08d}")
    organization = "Koperasi Perisai Uji"
    joined_on = datetime.date(2018, 1, 1)

    @factory.post_generation
    def villages(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.villages.set(extracted)


class RegistrationFactory(DjangoModelFactory):
    """A submitted registration at the minimum income without JHT (Rp16.800 a month); traits
    `verified`, `active` and `rejected`."""

    class Meta:
        model = Registration

    village = factory.SubFactory(VillageFactory)
    participant = factory.SubFactory(ParticipantFactory, village=factory.SelfAttribute("..village"))
    declared_income = 1_000_000
    jht = False
    rate = factory.SubFactory(ContributionRateFactory)
    monthly_premium = 16_800
    funding_source = FundingSource.PARTICIPANT
    entered_by = factory.SubFactory(
        UserFactory,
        username=factory.LazyAttribute(lambda o: f"operator-{o.factory_parent.village.pk}"),
        role=User.Role.VILLAGE_OPERATOR,
        village=factory.SelfAttribute("..village"),
    )

    class Params:
        verified = factory.Trait(
            status=Registration.Status.VERIFIED,
            kpj=factory.Sequence(lambda n: f"{10_000_000_000 + n}"),
        )
        active = factory.Trait(
            status=Registration.Status.ACTIVE,
            kpj=factory.Sequence(lambda n: f"{20_000_000_000 + n}"),
        )
        rejected = factory.Trait(
            status=Registration.Status.REJECTED, rejection_reason="NIK tidak sesuai KTP"
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Created as the portal creates one: the campaigns' numbers follow."""
        registration = super()._create(model_class, *args, **kwargs)
        tally.registrations_changed(after=[changes.fact_of(registration)])
        return registration


class FundedPeriodFactory(DjangoModelFactory):
    class Meta:
        model = FundedPeriod

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        period = super()._create(model_class, *args, **kwargs)
        tally.registrations_changed(villages=[period.registration.village_id])
        return period

    registration = factory.SubFactory(RegistrationFactory, verified=True)
    funding_source = FundingSource.DANA_DESA
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 6, 30)
