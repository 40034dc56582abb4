"""Template filters for numbers, the same on every page: {{ count|number }}, {{ pace|decimal }},
{{ share|percent }}, {{ amount|rupiah }}, {{ participant.phone|phone }} (portal.formatting)."""

from django import template
from django.core.exceptions import ValidationError

from portal import formatting
from portal.phone import format_phone

register = template.Library()


@register.filter
def number(value, places=0) -> str:
    """1234567 → "1.234.567"; empty → "–"."""
    return formatting.number(value, int(places))


@register.filter
def decimal(value, places=1) -> str:
    """12.5 → "12,5"."""
    return formatting.number(value, int(places))


@register.filter
def percent(value, places=0) -> str:
    """A value in percent: 45 → "45%"."""
    return formatting.percent(value, int(places))


@register.filter
def rupiah(value) -> str:
    """1500000 → "Rp1.500.000"; empty stays empty."""
    return formatting.rupiah(value)


@register.filter
def phone(value) -> str:
    """A stored number "6281234567890" → "0812-3456-7890"; empty → "—"."""
    if not value:
        return "—"
    try:
        return format_phone(value)
    except ValidationError:
        return value  # stored before numbers were checked: shown as typed
