"""Monthly contributions of each kind of member (BPU, wage earners the village pays, formal
employees), dated discounts, and Rupiah amounts.

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

# Pricing schemes: which rates price a worker, by worker category (WorkerCategory's values).
BPU = "bpu"  # informal, self-employed, vulnerable: % of a nominal income, JKM flat
WAGE = "wage"  # wage earners the village pays (officials, honorer): % of the fixed income
EMPLOYER = "employer"  # formal employees: registered and paid by their employer, not priced here
WAGE_CATEGORIES = frozenset({"perangkat", "honorer"})
EMPLOYER_CATEGORIES = frozenset({"pu"})

JKK, JKM = "jkk", "jkm"


def scheme_of(category: str) -> str:
    """The scheme that prices a worker category: village officials and contract staff the
    village pays are wage earners, formal employees are their employer's, the rest BPU."""
    if category in EMPLOYER_CATEGORIES:
        return EMPLOYER
    if category in WAGE_CATEGORIES:
        return WAGE
    return BPU


@dataclass(frozen=True)
class RateTable:
    """A scheme's rates in force from ``effective_from``; percentages as in "1" for 1 %.

    BPU: JKK and JHT are percentages of the declared income put within [min_income,
    max_income], JKM is flat. Wage earners: JKK, JKM, JHT and JP are percentages of the fixed
    income; JP's base stops at ``jp_wage_cap``."""

    effective_from: datetime.date
    jkk_percent: Decimal
    jkm_flat: int
    jht_percent: Decimal
    min_income: int
    max_income: int | None
    scheme: str = BPU
    jkm_percent: Decimal = Decimal(0)
    jp_percent: Decimal = Decimal(0)
    jp_wage_cap: int | None = None
    pk: int | None = None


@dataclass(frozen=True)
class Discount:
    """A dated reduction of some programmes' contributions for an occupation group, unless
    one of ``excluded_payers`` (FundingSource values) pays."""

    effective_from: datetime.date
    effective_until: datetime.date | None
    percent: Decimal
    programmes: frozenset[str] = frozenset({JKK, JKM})
    scheme: str = BPU
    occupation_group: str = ""  # "" for every group
    excluded_payers: frozenset[str] = frozenset()

    def applies(self, *, month: datetime.date, scheme: str, occupation_group: str, payer: str):
        return (
            self.effective_from <= month
            and (self.effective_until is None or month <= self.effective_until)
            and scheme == self.scheme
            and self.occupation_group in ("", occupation_group)
            and payer not in self.excluded_payers
        )


@dataclass(frozen=True)
class Premium:
    """A monthly contribution in whole Rupiah: JKK (work accident), JKM (death), JHT (old age),
    JP (pension, wage earners only); ``discount`` is what a discount took off (already
    deducted from JKK and JKM and from the total)."""

    jkk: int
    jkm: int
    jht: int
    total: int
    jp: int = 0
    discount: int = 0


NO_PREMIUM = Premium(jkk=0, jkm=0, jht=0, total=0)


def compute_premium(
    *,
    income: int,
    include_jht: bool,
    rates: RateTable,
    include_jp: bool = False,
    discount: Discount | None = None,
) -> Premium:
    """Compute the monthly contribution for a monthly income under one scheme's rates.

    BPU: an income below the table's floor is priced on the floor, one above its top on the
    top (the regulation's table ends there); JKM is flat. Wage earners: every programme is a
    percentage of the fixed income as it is, JP's base capped. Each part is rounded half up to
    whole Rupiah; a discount takes its percentage off JKK and JKM (rounded the same way).
    """
    if rates.scheme == WAGE:
        base = income
        jkm = _percent_of(base, rates.jkm_percent)
    else:
        base = max(income, rates.min_income)
        if rates.max_income is not None:
            base = min(base, rates.max_income)
        jkm = rates.jkm_flat
    jkk = _percent_of(base, rates.jkk_percent)
    jht = _percent_of(base, rates.jht_percent) if include_jht else 0
    jp_base = base if rates.jp_wage_cap is None else min(base, rates.jp_wage_cap)
    jp = _percent_of(jp_base, rates.jp_percent) if include_jp and rates.scheme == WAGE else 0
    off = 0
    if discount is not None:
        jkk_off = _percent_of(jkk, discount.percent) if JKK in discount.programmes else 0
        jkm_off = _percent_of(jkm, discount.percent) if JKM in discount.programmes else 0
        jkk, jkm, off = jkk - jkk_off, jkm - jkm_off, jkk_off + jkm_off
    return Premium(jkk=jkk, jkm=jkm, jht=jht, jp=jp, total=jkk + jkm + jht + jp, discount=off)


class NoRatesInForce(LookupError):
    """No rates of the scheme are set up for the month."""


@dataclass(frozen=True)
class PriceBook:
    """Every rate row and discount (a few rows), loaded once: prices any member for any month
    without a query (ContributionRate.objects.price_book())."""

    rates: tuple[RateTable, ...]
    discounts: tuple[Discount, ...] = ()

    def rates_on(self, scheme: str, month: datetime.date) -> RateTable:
        """The scheme's rates in force on a day: the latest that took effect by then."""
        in_force = [r for r in self.rates if r.scheme == scheme and r.effective_from <= month]
        if not in_force:
            raise NoRatesInForce(f"No {scheme} rates in force on {month}.")
        return max(in_force, key=lambda rates: rates.effective_from)

    def discount_on(
        self, *, scheme: str, month: datetime.date, occupation_group: str, payer: str
    ) -> Discount | None:
        """The largest discount that applies (discounts do not add up)."""
        applying = [
            d
            for d in self.discounts
            if d.applies(month=month, scheme=scheme, occupation_group=occupation_group, payer=payer)
        ]
        return max(applying, key=lambda d: d.percent, default=None)

    def price(
        self,
        *,
        category: str,
        income: int,
        jht: bool,
        month: datetime.date,
        jp: bool = False,
        occupation_group: str = "",
        payer: str = "",
    ) -> Premium:
        """The monthly premium of a member for a month: the rates and discount in force then.
        Formal employees (their employer pays) cost the village nothing: NO_PREMIUM."""
        scheme = scheme_of(category)
        if scheme == EMPLOYER:
            return NO_PREMIUM
        return compute_premium(
            income=income,
            include_jht=jht,
            include_jp=jp,
            rates=self.rates_on(scheme, month),
            discount=self.discount_on(
                scheme=scheme, month=month, occupation_group=occupation_group, payer=payer
            ),
        )


def month_of(day: datetime.date) -> datetime.date:
    """The first day of the day's month: the rates in force then price the whole month."""
    return day.replace(day=1)


def price_registration(
    book: PriceBook, data: dict, month: datetime.date
) -> tuple[Premium, RateTable | None]:
    """The premium of a month for a registration's cleaned data (category, declared_income,
    jht, jp, occupation_group, funding_source), and the rates that priced it (None for
    members covered through an employer). Raises NoRatesInForce."""
    scheme = scheme_of(data["category"])
    premium = book.price(
        category=data["category"],
        income=data["declared_income"],
        jht=data.get("jht", False),
        jp=data.get("jp", False),
        occupation_group=data.get("occupation_group") or "",
        payer=data.get("funding_source") or "",
        month=month,
    )
    return premium, None if scheme == EMPLOYER else book.rates_on(scheme, month)


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
