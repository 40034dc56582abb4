"""One way to write numbers, per language: whole numbers, decimals, percentages, Rupiah and
phone numbers, the same on every page and in every export (pure functions; the template filters
in portal/templatetags/numbers.py call these).

Indonesian: 1.234.567 · 12,5 · 45% · Rp1.500.000 · 0812-3456-7890.
English: 1,234,567 · 12.5 · 45% · Rp1,500,000 · 0812-3456-7890."""

from decimal import Decimal

from django.utils.formats import number_format

EMPTY = "–"


def number(value: int | float | Decimal | None, places: int = 0) -> str:
    """A number grouped by thousands with `places` decimals, in the active language."""
    if value is None or value == "":
        return EMPTY
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent(value: int | float | Decimal | None, places: int = 0) -> str:
    """A value already in percent: 45 → "45%", 12.5 with one place → "12,5%"."""
    if value is None or value == "":
        return EMPTY
    return f"{number(value, places)}%"


def rupiah(amount: int | Decimal | None) -> str:
    """Whole Rupiah: "Rp1.500.000", "-Rp5.000" (English: "Rp1,500,000")."""
    if amount is None or amount == "":
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{number(abs(int(amount)))}"
