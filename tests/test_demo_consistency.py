"""The demo retells the seed articles and never contradicts itself (issue 18, point 4).

The real `load_demo` runs once for the module, inside a transaction rolled back at the end; each
test is a query that would find the impossible state if the demo held one, or a number of the
seeds' stories."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from campaigns.models import Campaign, CampaignVillage, Claim, SocializationEvent
from enrollment.arrears import PaymentState
from enrollment.models import (
    FundedPeriod,
    FundingSource,
    Payment,
    Registration,
    RegistrationEvent,
    WorkerCategory,
)
from villages.models import Village

from .conftest import seed_migrated_data

SOCOREJO, KARANGLO = "35.23.12.2002", "35.23.08.2016"
KELURAHAN = r"\.1\d{3}$"
VILLAGE_FUNDED = FundingSource.village_funded()
Status = Registration.Status


@pytest.fixture(scope="module")
def _demo(django_db_setup, django_db_blocker):
    """The demo as `manage.py load_demo` loads it, once; rolled back after the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_migrated_data()  # a transactional test before may have flushed them
            call_command("load_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(_demo, db):
    """Each test reads the loaded demo in its own rolled-back savepoint."""


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# Impossible states ---------------------------------------------------------------------------


def test_no_village_has_more_officials_enrolled_than_it_has(demo):
    """Officials (perangkat) registered and not returned never outnumber the village's
    officials, and a village with registered officials says how many it has."""
    villages = Village.objects.annotate(
        officials=Count(
            "registrations",
            filter=Q(registrations__participant__category=WorkerCategory.VILLAGE_OFFICIAL)
            & ~Q(registrations__status__in=Status.returned()),
        )
    ).filter(officials__gt=0)
    assert villages.exists()
    assert not villages.filter(
        Q(official_count=None) | Q(officials__gt=F("official_count"))
    ).exists()


def test_no_registration_waits_months_for_verification(demo):
    """Only the registrations of the last days still wait; every older one was decided."""
    two_weeks_ago = timezone.now() - datetime.timedelta(days=14)
    waiting = Registration.objects.filter(status=Status.SUBMITTED)
    assert not waiting.filter(created_at__lt=two_weeks_ago).exists()


def test_decisions_follow_registration_within_days_and_never_after_today(demo):
    now = timezone.now()
    decisions = RegistrationEvent.objects.exclude(action="created")
    assert decisions.exists()
    assert not decisions.filter(at__lt=F("registration__created_at")).exists()
    assert not decisions.filter(
        at__gt=F("registration__created_at") + datetime.timedelta(days=14)
    ).exists()
    assert not RegistrationEvent.objects.filter(at__gt=now).exists()
    assert not Registration.objects.filter(created_at__gt=now).exists()


def test_no_dana_desa_or_add_in_a_kelurahan(demo):
    """A kelurahan has no Dana Desa and no ADD: no registration, funded period or village-funded
    campaign (1 Desa 100 Pekerja) there."""
    in_kelurahan = Q(village__code__regex=KELURAHAN)
    assert not Registration.objects.filter(in_kelurahan, funding_source__in=VILLAGE_FUNDED).exists()
    assert not FundedPeriod.objects.filter(
        registration__village__code__regex=KELURAHAN, funding_source__in=VILLAGE_FUNDED
    ).exists()
    assert not CampaignVillage.objects.filter(
        in_kelurahan, campaign__kind=Campaign.Kind.SATU_DESA_SERATUS
    ).exists()


def test_every_participant_is_an_adult_whose_nik_matches_village_birth_date_and_sex(demo):
    """18 to 55 when registered; the NIK's first six digits are the village's district, its
    digits 7-12 the birth date (DDMMYY, day + 40 for a woman)."""
    rows = Registration.objects.values_list(
        "created_at",
        "participant__nik",
        "participant__birth_date",
        "participant__sex",
        "participant__village__district_id",
        "village_id",
        "participant__village_id",
    )
    assert len(rows) > 4000
    wrong = []
    for created_at, nik, birth, sex, district, village, own_village in rows:
        day = birth.day + (40 if sex == "F" else 0)
        expected = f"{district.replace('.', '')}{day:02d}{birth:%m%y}"
        age = age_on(birth, timezone.localtime(created_at).date())
        if not (18 <= age <= 55 and nik[:12] == expected and village == own_village):
            wrong.append((nik, birth, sex, age))
    assert wrong == []


def test_registrations_begin_no_earlier_than_their_agent_or_agreement(demo):
    """Perisai agents register only after they joined; Gresik's members only after its MoU and
    PKS of 26 January 2023 and within its campaign."""
    joined = Registration.objects.exclude(agent=None)
    assert joined.exists()
    assert not joined.filter(created_at__date__lt=F("agent__joined_on")).exists()
    gresik = Registration.objects.filter(village__district__regency_id="35.25")
    assert gresik.exists()
    assert not gresik.exclude(
        created_at__date__range=(datetime.date(2023, 1, 26), datetime.date(2023, 12, 31))
    ).exists()


def test_payments_only_by_members_from_the_day_they_registered(demo):
    """No payment for a registration waiting, rejected or withdrawn; none for a month before
    the member registered, none paid before the day they registered or after today, none for a
    month after the member's last funded period; and some members lapsed."""
    payments = Payment.objects.all()
    assert payments.count() > 10_000
    assert not payments.exclude(registration__status__in=[Status.VERIFIED, Status.ACTIVE]).exists()
    month_registered = TruncMonth(
        "registration__created_at", output_field=DateField(), tzinfo=timezone.get_current_timezone()
    )
    assert not payments.filter(month__lt=month_registered).exists()
    registered_on = TruncDate("registration__created_at", tzinfo=timezone.get_current_timezone())
    assert not payments.filter(paid_on__lt=registered_on).exists()
    assert not payments.filter(paid_on__gt=timezone.localdate()).exists()
    funded = payments.exclude(registration__paid_until=None)
    assert funded.exists()
    assert not funded.filter(month__gt=F("registration__paid_until")).exists()
    members = Registration.objects.all()
    assert members.in_payment_state(PaymentState.LAPSED).exists()


def test_a_member_whose_heirs_were_paid_pays_nothing_after_the_death(demo):
    claim = Claim.objects.get(recipient=Claim.Recipient.HEIRS)
    assert claim.registration.payments.exists()
    assert not claim.registration.payments.filter(month__gte=claim.paid_on.replace(day=1)).exists()


# The seeds' stories --------------------------------------------------------------------------


def test_socorejo_900_at_the_mou_and_3000_before_the_national_award(demo):
    """MoU of 1 Aug 2019: about 900 registered, target 3,000 (seed 000); 3,000 reached before
    the national first place of 12 Dec 2019 (bloktuban.com, 13 Dec 2019)."""
    members = Registration.objects.verified().filter(village_id=SOCOREJO)
    assert members.filter(created_at__date__lt=datetime.date(2019, 8, 1)).count() == 900
    assert members.filter(created_at__date__lt=datetime.date(2019, 12, 12)).count() == 3000
    socorejo = CampaignVillage.objects.get(campaign__slug="desa-sadar-2019", village=SOCOREJO)
    assert (socorejo.counted, socorejo.target_override) == (3000, 3000)
    assert "12 Desember 2019" in socorejo.campaign.description
    assert "juara I nasional" in socorejo.campaign.description


def test_tubans_fgd_hands_a_jkk_death_claim_to_heirs_on_17_december_2018(demo):
    claim = Claim.objects.get()
    assert (claim.programme, claim.recipient, claim.paid_on) == (
        Claim.Programme.JKK, Claim.Recipient.HEIRS, datetime.date(2018, 12, 17),
    )  # fmt: skip
    assert (claim.event.kind, claim.event.held_on) == (
        SocializationEvent.Kind.FGD, datetime.date(2018, 12, 17),
    )  # fmt: skip
    assert claim.registration.village_id == KARANGLO
    assert claim.registration.created_at.date() < datetime.date(2018, 12, 1)


def test_karanglo_second_nationally_in_2018_with_all_its_officials(demo):
    karanglo = CampaignVillage.objects.get(campaign__slug="desa-sadar-2018-tuban", village=KARANGLO)
    assert "juara II nasional" in karanglo.campaign.description
    assert karanglo.counted >= karanglo.campaign.default_target
    assert karanglo.officials_enrolled == karanglo.village.official_count == 12
    fgd = SocializationEvent.objects.get(held_on=datetime.date(2018, 12, 17))
    assert "terbaik II nasional untuk Karanglo" in fgd.notes


def test_gresik_targets_7863_in_330_desa_of_18_districts(demo):
    gresik = Campaign.objects.get(kind=Campaign.Kind.SATU_DESA_SERATUS)
    villages = Village.objects.filter(campaign_participations__campaign=gresik)
    assert gresik.desa_only
    assert gresik.target_total == 7863
    assert villages.values("district").distinct().count() == 18
    assert villages.count() == 330
    assert not villages.kelurahan().exists()
    assert (
        not Registration.objects.filter(village__district__regency_id="35.25")
        .exclude(funding_source=FundingSource.DANA_DESA)
        .exists()
    )


def test_the_demo_says_what_is_illustrative(demo):
    """Every campaign the demo shows says that its people, agents and extra villages are
    illustrative (the dashboard and the public page show the description)."""
    for description in Campaign.objects.values_list("description", flat=True):
        assert re.search(r"\bilustratif\b", description), description
