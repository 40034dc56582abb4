from django import template

from enrollment.premiums import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    """Rupiah the Indonesian way: 20160000 → "Rp20.160.000"; empty stays empty."""
    if amount in (None, ""):
        return ""
    return format_rupiah(int(amount))
