"""Who may enrol: the one rule for the registration form, the spreadsheet and OpenSID imports
and the admin. Pure functions; the limits themselves are data (enrollment.models.AgeLimit, with
the regulation or article they come from), handed in as AgeRule rows.

- Nobody born after the day of registration.
- Nobody younger than the minimum age in force for the scheme (no child).
- Nobody older than the maximum age in force for the scheme, where it has one.

The age counts on the day of registration, in whole years.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import premiums
from .choices import FundingSource

# Schemes an age limit applies to: BPU members pay their own premium on a nominal income; wage
# earners (village officials, honorer, company employees) are registered by an employer. Which
# category is which is premiums.scheme_of's to say, once.
BPU = premiums.BPU
WAGE_EARNER = "pu"


def scheme_of(category: str) -> str:
    """The scheme whose age limits hold for a worker category (WorkerCategory value): BPU where
    the category is priced as BPU, the wage earners' otherwise."""
    return BPU if premiums.scheme_of(category) == premiums.BPU else WAGE_EARNER


@dataclass(frozen=True)
class AgeRule:
    """One dated row of age limits for a scheme. max_age None: no maximum is known."""

    scheme: str
    effective_from: datetime.date
    min_age: int
    max_age: int | None
    source: str = ""


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years of age on `day` (the birthday itself counts as the new year)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def rule_in_force(rules: Iterable[AgeRule], *, scheme: str, on: datetime.date) -> AgeRule | None:
    """The scheme's row that applies on a day: the latest one that took effect by then."""
    applicable = [r for r in rules if r.scheme == scheme and r.effective_from <= on]
    return max(applicable, key=lambda r: r.effective_from, default=None)


def check_age(
    *,
    birth_date: datetime.date,
    category: str,
    on: datetime.date,
    rules: Iterable[AgeRule],
) -> None:
    """Raise ValidationError (codes future_birth_date, too_young, too_old) when a person born
    on `birth_date` may not enrol in `category`'s scheme on `on`, the day of registration."""
    if birth_date > on:
        raise ValidationError(
            _("Birth date %(date)s is after today: check the date."),
            code="future_birth_date",
            params={"date": birth_date.strftime("%d-%m-%Y")},
        )
    rule = rule_in_force(rules, scheme=scheme_of(category), on=on)
    if rule is None:
        return
    age = age_on(birth_date, on)
    if age < rule.min_age:
        raise ValidationError(
            _("Age %(age)d: too young to enrol (the youngest allowed is %(min)d)."),
            code="too_young",
            params={"age": age, "min": rule.min_age},
        )
    if rule.max_age is not None and age > rule.max_age:
        raise ValidationError(
            _("Age %(age)d: too old to enrol in this scheme (the oldest allowed is %(max)d)."),
            code="too_old",
            params={"age": age, "max": rule.max_age},
        )


@dataclass(frozen=True)
class NikDifferences:
    """How the birth date and sex typed differ from those the NIK encodes."""

    birth_date: datetime.date | None = None  # the NIK's, when the typed one differs
    sex: str | None = None  # the NIK's, when the chosen one differs

    def __bool__(self) -> bool:
        return self.birth_date is not None or self.sex is not None


def nik_differences(
    *, nik_birth_date: datetime.date, nik_sex: str, birth_date, sex
) -> NikDifferences:
    """What differs between the data typed (None or "" when not typed) and the NIK's."""
    return NikDifferences(
        birth_date=nik_birth_date if birth_date and birth_date != nik_birth_date else None,
        sex=nik_sex if sex and sex != nik_sex else None,
    )


def check_payer(*, village, funding_source: str) -> None:
    """Raise ValidationError (code kelurahan_village_funded) when the village budget is named to
    pay in a kelurahan: a kelurahan receives no Dana Desa and no ADD (it is part of the regency's
    or city's administration, not a self-governing desa)."""
    if village.is_kelurahan and funding_source in FundingSource.village_funded():
        raise ValidationError(
            _(
                "%(village)s is a kelurahan: it receives no Dana Desa or ADD, so %(payer)s "
                "cannot pay the premium. Choose another payer."
            ),
            code="kelurahan_village_funded",
            params={"village": village.name, "payer": FundingSource(funding_source).label},
        )


def payer_choices(village) -> list[tuple[str, str]]:
    """The payers a registration or funded period in `village` may name."""
    if not village.is_kelurahan:
        return list(FundingSource.choices)
    excluded = FundingSource.village_funded()
    return [(value, label) for value, label in FundingSource.choices if value not in excluded]
