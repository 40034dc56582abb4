import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enrollment.premiums import (
    Premium,
    RateTable,
    compute_premium,
    format_rupiah,
    parse_rupiah,
)

# Published BPU rates, as the database will hold them.
RATES = RateTable(
    effective_from=datetime.date(2025, 1, 1),
    jkk_percent=Decimal("1"),
    jkm_flat=6_800,
    jht_percent=Decimal("2"),
    min_income=1_000_000,
    max_income=20_700_000,
)


@pytest.mark.parametrize(
    ("income", "include_jht", "premium"),
    [
        (1_000_000, False, Premium(jkk=10_000, jkm=6_800, jht=0, total=16_800)),
        (1_000_000, True, Premium(jkk=10_000, jkm=6_800, jht=20_000, total=36_800)),
        (5_000_000, False, Premium(jkk=50_000, jkm=6_800, jht=0, total=56_800)),
        (5_000_000, True, Premium(jkk=50_000, jkm=6_800, jht=100_000, total=156_800)),
        (20_700_000, False, Premium(jkk=207_000, jkm=6_800, jht=0, total=213_800)),
        (20_700_000, True, Premium(jkk=207_000, jkm=6_800, jht=414_000, total=627_800)),
    ],
)
def test_premium_at_minimum_middle_and_maximum_income(income, include_jht, premium):
    """JKK and JHT are percentages of the income, JKM is flat, JHT only when chosen."""
    assert compute_premium(income=income, include_jht=include_jht, rates=RATES) == premium


def test_half_rupiah_is_rounded_up():
    """1 % of Rp1,234,450 is Rp12,344.50, rounded half up to Rp12,345."""
    premium = compute_premium(income=1_234_450, include_jht=True, rates=RATES)
    assert (premium.jkk, premium.jht, premium.total) == (12_345, 24_689, 43_834)


def test_premium_follows_the_rates_passed_in():
    """The module knows no numbers: another rate table gives other amounts."""
    rates = RateTable(
        effective_from=datetime.date(2030, 1, 1),
        jkk_percent=Decimal("1.5"),
        jkm_flat=10_000,
        jht_percent=Decimal("3"),
        min_income=2_000_000,
        max_income=30_000_000,
    )
    premium = compute_premium(income=2_000_000, include_jht=True, rates=rates)
    assert premium == Premium(jkk=30_000, jkm=10_000, jht=60_000, total=100_000)


@pytest.mark.parametrize("income", [999_999, 500_000, 0])
def test_a_bpu_income_below_the_floor_is_priced_on_the_floor(income):
    """Issue 18 (was: refused): a BPU income under the table's Rp1,000,000 pays the floor's
    premium, Rp16,800 without JHT."""
    premium = compute_premium(income=income, include_jht=False, rates=RATES)
    assert premium == Premium(jkk=10_000, jkm=6_800, jht=0, total=16_800)


def test_a_bpu_income_above_the_top_is_priced_on_the_top():
    """The table's top (kept as data, unverified) is where pricing stops."""
    assert compute_premium(income=50_000_000, include_jht=False, rates=RATES).total == 213_800


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (20_160_000, "Rp20.160.000"),
        (1_000, "Rp1.000"),
        (999, "Rp999"),
        (0, "Rp0"),
        (-5_000, "-Rp5.000"),
    ],
)
def test_rupiah_are_written_with_dots_between_thousands(amount, text):
    """Amounts read "Rp20.160.000", negatives "-Rp5.000"."""
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000", 1_500_000),
        ("rp. 1.500.000", 1_500_000),
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("IDR 1,500,000.00", 1_500_000),
        ("Rp15.000,-", 15_000),
        ("1.500", 1_500),
        ("0", 0),
    ],
)
def test_rupiah_are_read_as_typed(text, amount):
    """Indonesian and English separators, the Rp prefix and zero cents are accepted."""
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Rp",
        "abc",
        "12 ribu",
        "-1.500.000",
        "Rp -5.000",
        "-Rp5.000",
        "1.500.000,50",
        "1.5",
        "1,5",
        "1.50.000",
        "1.500,000",
    ],
)
def test_garbage_negative_and_fractional_amounts_are_refused(text):
    """Anything but a whole, non-negative Rupiah amount is refused."""
    with pytest.raises(ValidationError) as caught:
        parse_rupiah(text)
    assert caught.value.code == "invalid_amount"
