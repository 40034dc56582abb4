"""What each kind of member pays, as the regulations say it (docs/contributions.md): BPU on the
nominal income table, village officials and contract staff as wage earners of the village,
formal employees through their employer, dated discounts, and the rates of each month."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enrollment import premiums
from enrollment.forms import RegistrationForm
from enrollment.models import ContributionDiscount, ContributionRate, Registration
from tests.enrollment.registering import form_post, register

FEB_2026 = datetime.date(2026, 2, 1)
APR_2027 = datetime.date(2027, 4, 1)
MAR_2027 = datetime.date(2027, 3, 1)


@pytest.fixture
def book(seeded_rates):
    """The rates and discounts the migrations seed."""
    return ContributionRate.objects.price_book()


def price(book, *, month=FEB_2026, **member):
    member = {"category": "bpu", "income": 1_000_000, "jht": False, **member}
    return book.price(month=month, **member)


# BPU: PP 44/2015 annex, 1 % JKK + Rp6,800 JKM (+ 2 % JHT) of a nominal income from Rp1,000,000.


def test_a_bpu_worker_on_rp1000000_pays_16800(book):
    assert price(book).total == 16_800


def test_a_bpu_worker_with_jht_pays_36800(book):
    assert price(book, jht=True).total == 36_800


def test_a_bpu_income_below_the_floor_is_priced_on_the_floor(book):
    assert price(book, income=600_000).total == 16_800


@pytest.mark.parametrize("category", ["bpu", "rentan", "rt_rw"])
def test_informal_vulnerable_and_rt_rw_heads_are_bpu(book, category):
    assert price(book, category=category).total == 16_800


# Village officials and contract staff: wage earners of the village (Permendagri 20/2018 art.
# 19(4)): JKK 0.24 % + JKM 0.30 % of the siltap; JHT 5.7 % and JP 3 % only where chosen.


def test_a_village_official_with_a_siltap_of_2000000_pays_10800(book):
    assert price(book, category="perangkat", income=2_000_000).total == 10_800


def test_a_village_official_with_a_siltap_of_1000000_pays_5400(book):
    premium = price(book, category="perangkat", income=1_000_000)
    assert (premium.jkk, premium.jkm, premium.total) == (2_400, 3_000, 5_400)


def test_contract_staff_the_village_pays_are_wage_earners_too(book):
    assert price(book, category="honorer", income=2_000_000).total == 10_800


def test_an_official_with_jht_and_jp(book):
    """JHT 5.7 % (3.7 employer + 2 worker) and JP 3 % (2 + 1) of Rp2,000,000."""
    premium = price(book, category="perangkat", income=2_000_000, jht=True, jp=True)
    assert (premium.jht, premium.jp, premium.total) == (114_000, 60_000, 184_800)


def test_jp_stops_at_the_wage_cap(book):
    premium = price(book, category="perangkat", income=20_000_000, jp=True)
    assert premium.jp == 301_269  # 3 % of Rp10,042,300


def test_jp_is_for_wage_earners_only(book):
    assert price(book, jp=True).jp == 0


# Formal employees (PU): their employer registers and pays them.


def test_a_formal_employee_costs_the_village_nothing(book):
    assert price(book, category="pu", income=5_000_000) == premiums.NO_PREMIUM


def test_a_formal_employee_needs_the_employers_name(world, operator):
    form = RegistrationForm(
        form_post(world.socorejo, category="pu", funding_source="mandiri"),
        village=world.socorejo,
        user=operator,
    )
    assert not form.is_valid()
    assert "employer_name" in form.errors


def test_a_formal_employee_is_never_paid_from_dana_desa(world, operator):
    form = RegistrationForm(
        form_post(
            world.socorejo, category="pu", employer_name="PT Semen", funding_source="dana_desa"
        ),
        village=world.socorejo,
        user=operator,
    )
    assert not form.is_valid()
    assert "funding_source" in form.errors


def test_a_formal_employee_is_recorded_as_covered_through_the_employer(world, operator):
    registration = register(
        world.socorejo, operator, category="pu", employer_name="PT Semen Indonesia",
        funding_source="perusahaan",
    )  # fmt: skip
    assert registration.is_employer_covered
    assert registration.monthly_premium == 0
    assert registration.rate is None
    assert registration.premium_in(FEB_2026).total == 0


# PP 50/2025: 50 % off JKK + JKM for BPU transport workers, January 2026 to March 2027, not
# when the APBN/APBD pays.


def test_a_transport_worker_pays_half_jkk_and_jkm_in_february_2026(book):
    premium = price(book, occupation_group="transport")
    assert (premium.jkk, premium.jkm, premium.discount, premium.total) == (
        5_000,
        3_400,
        8_400,
        8_400,
    )


def test_the_discount_covers_march_2027_and_not_april_2027(book):
    assert price(book, occupation_group="transport", month=MAR_2027).total == 8_400
    assert price(book, occupation_group="transport", month=APR_2027).total == 16_800


def test_no_discount_when_the_apbd_pays(book):
    assert price(book, occupation_group="transport", payer="apbd").total == 16_800


def test_no_discount_for_other_occupations(book):
    assert price(book, occupation_group="other").total == 16_800


def test_jht_is_not_discounted(book):
    assert price(book, occupation_group="transport", jht=True).total == 8_400 + 20_000


def test_dana_desa_is_not_excluded_by_default_as_its_status_is_unverified(book):
    assert price(book, occupation_group="transport", payer="dana_desa").total == 8_400


def test_pp_49_2020_took_99_percent_off_in_its_months(book):
    assert price(book, month=datetime.date(2020, 9, 1)).total == 100 + 68
    assert price(book, month=datetime.date(2021, 2, 1)).total == 16_800


# The premium of a month is the one in force that month.


def test_a_later_rate_row_changes_later_months_only(world, operator):
    registration = register(world.socorejo, operator)
    ContributionRate.objects.create(
        scheme="bpu", effective_from=datetime.date(2030, 1, 1), regulation="PP 99/2029",
        jkk_percent=Decimal("1.5"), jkm_flat=10_000, jht_percent=Decimal("2"),
        min_income=1_000_000, max_income=20_700_000,
    )  # fmt: skip
    book = ContributionRate.objects.price_book()
    assert registration.premium_in(datetime.date(2029, 12, 1), book).total == 16_800
    assert registration.premium_in(datetime.date(2030, 1, 1), book).total == 25_000


def test_a_discount_row_applies_by_itself_to_the_registrations_months(world, operator):
    registration = register(world.socorejo, operator, occupation_group="transport")
    assert registration.premium_in(FEB_2026).total == 8_400
    assert registration.premium_in(APR_2027).total == 16_800


def test_the_registration_form_shows_an_officials_premium(client, world, operator):
    client.force_login(operator)
    post = form_post(world.socorejo, category="perangkat", declared_income=2_000_000)
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert response.status_code == 200
    assert response.context["premium_total"] == 10_800


def test_funded_periods_are_refused_for_members_covered_through_an_employer(
    client, world, operator
):
    registration = register(
        world.socorejo, operator, category="pu", employer_name="PT Semen",
        funding_source="perusahaan",
    )  # fmt: skip
    client.force_login(operator)
    client.post(
        reverse("funded_period_create", args=[registration.pk]),
        {"funding_source": "dana_desa", "starts_on": "2026-01-01", "ends_on": "2026-06-30"},
    )
    assert not Registration.objects.get(pk=registration.pk).funded_periods.exists()


def test_the_discount_is_dated_data(seeded_rates):
    pp50 = ContributionDiscount.objects.get(regulation="PP 50/2025")
    assert (pp50.effective_from, pp50.effective_until) == (
        datetime.date(2026, 1, 1),
        datetime.date(2027, 3, 31),
    )
    assert pp50.excluded_payers == ["apbd"]


def test_the_registration_form_says_an_employee_costs_the_village_nothing(client, world, operator):
    client.force_login(operator)
    post = form_post(
        world.socorejo, category="pu", employer_name="PT Semen", funding_source="mandiri"
    )
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    assert response.context["premium_total"] == 0
    assert "Ditanggung pemberi kerja" in response.text


def test_the_registration_form_shows_the_discount_of_a_transport_worker(client, world, operator):
    """In a month of PP 50/2025 (the form prices today's month)."""
    client.force_login(operator)
    post = form_post(world.socorejo, occupation_group="transport")
    response = client.post(reverse("registration_create"), {**post, "check": "1"})
    today = timezone.localdate()
    if datetime.date(2026, 1, 1) <= today <= datetime.date(2027, 3, 31):
        assert response.context["premium_total"] == 8_400
        assert "setelah diskon" in response.text
    else:
        assert response.context["premium_total"] == 16_800
