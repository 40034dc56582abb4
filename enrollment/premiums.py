"""Monthly contributions of BPU (informal and self-employed) workers, and Rupiah amounts.

The rates are data (database rows with an effective date), passed in as a RateTable: this module
knows how to apply them, never what they are. Pure functions, no database.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import formatting


@dataclass(frozen=True)
class RateTable:
    """BPU rates in force from ``effective_from``; percentages as in "1" for 1 %."""

    effective_from: datetime.date
    jkk_percent: Decimal
    jkm_flat: int
    jht_percent: Decimal
    min_income: int
    max_income: int


@dataclass(frozen=True)
class Premium:
    """A monthly contribution in whole Rupiah: JKK (work accident), JKM (death), JHT (old age)."""

    jkk: int
    jkm: int
    jht: int
    total: int


def compute_premium(*, income: int, include_jht: bool, rates: RateTable) -> Premium:
    """Compute the monthly contribution for a declared monthly income.

    JKK and JHT are percentages of the income, JKM is flat; each is rounded half up to whole
    Rupiah. An income outside the table's range is refused (code "income_range"), not clamped.
    """
    if not rates.min_income <= income <= rates.max_income:
        raise ValidationError(
            _("The declared monthly income must be between %(min)s and %(max)s."),
            code="income_range",
            params={"min": format_rupiah(rates.min_income), "max": format_rupiah(rates.max_income)},
        )
    jkk = _percent_of(income, rates.jkk_percent)
    jht = _percent_of(income, rates.jht_percent) if include_jht else 0
    return Premium(jkk=jkk, jkm=rates.jkm_flat, jht=jht, total=jkk + rates.jkm_flat + jht)


def _percent_of(amount: int, percent: Decimal) -> int:
    exact = Decimal(amount) * Decimal(percent) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_rupiah(amount: int) -> str:
    """Write an amount in the active language: "Rp20.160.000", "-Rp5.000" (English
    "Rp20,160,000"); portal.formatting is the one place numbers are written."""
    return formatting.rupiah(amount)


# Whole Rupiah with optional zero cents, Indonesian ("1.500.000,00") or English ("1,500,000.00").
_INDONESIAN_AMOUNT = re.compile(r"([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,([0-9]{1,2}))?")
_ENGLISH_AMOUNT = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?")


def parse_rupiah(value: str) -> int:
    """Read a Rupiah amount as typed: "Rp 1.500.000", "1500000", "1,500,000", "1.500.000,00".

    A dot followed by three digits is a thousands separator ("1.500" is 1500). Also accepts the
    "Rp15.000,-" way of writing. Raises ValidationError (code "invalid_amount") for anything
    else, negative amounts and fractions of a Rupiah.
    """
    text = re.sub(r"^(?:Rp\.?|IDR)\s*", "", (value or "").strip(), flags=re.IGNORECASE)
    text = text.removesuffix(",-")
    if text.startswith("-"):
        raise ValidationError(_("An amount cannot be negative."), code="invalid_amount")
    match = _INDONESIAN_AMOUNT.fullmatch(text) or _ENGLISH_AMOUNT.fullmatch(text)
    if match is None:
        raise ValidationError(
            _("Enter an amount in Rupiah, such as Rp1.500.000."), code="invalid_amount"
        )
    whole, cents = match.groups()
    if cents and int(cents):
        raise ValidationError(_("Enter a whole number of Rupiah."), code="invalid_amount")
    try:
        return int(re.sub(r"[^0-9]", "", whole))
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits())
        raise ValidationError(
            _("Enter an amount in Rupiah, such as Rp1.500.000."), code="invalid_amount"
        ) from None
