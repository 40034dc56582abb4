"""Indonesian phone numbers: one stored form ("6281234567890"), one display form, WhatsApp links.

Pure functions, no database.
"""

import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MIN_NATIONAL_DIGITS = 9
MAX_NATIONAL_DIGITS = 13

# Digits with the usual punctuation: "0812-3456-7890", "+62 812 3456 7890", "(0351) 123456".
_PHONE_CHARACTERS = re.compile(r"\+?[0-9\s().\-]+")
# Jakarta, Bandung, Semarang, Surabaya and Medan have two-digit area codes; the rest three.
_TWO_DIGIT_AREA_CODES = ("21", "22", "24", "31", "61")


def normalize_phone(value: str) -> str:
    """Return an Indonesian phone number as digits starting with 62: "6281234567890".

    Accepts "0812-3456-7890", "+62 812 3456 7890", "62812...", "812..." and landlines such as
    "(0351) 123456". Raises ValidationError (code "invalid") for anything else.
    """
    raw = (value or "").strip()
    if not _PHONE_CHARACTERS.fullmatch(raw):
        raise ValidationError(
            _("Enter a phone number using digits only, such as 0812-3456-7890."), code="invalid"
        )
    digits = re.sub(r"[^0-9]", "", raw)
    if digits.startswith("62"):
        national = digits[2:]
    elif raw.startswith("+"):
        raise ValidationError(_("Enter an Indonesian phone number (+62)."), code="invalid")
    else:
        national = digits
    # "0812...", and the "+62 (0)812..." people often write, both carry the trunk prefix 0.
    national = national.removeprefix("0")
    if not national or national[0] not in "23456789":
        raise ValidationError(
            _("Enter a mobile number (08...) or a landline with its area code (0351...)."),
            code="invalid",
        )
    if not MIN_NATIONAL_DIGITS <= len(national) <= MAX_NATIONAL_DIGITS:
        raise ValidationError(
            _("A phone number has %(min)d to %(max)d digits after the leading 0 or 62."),
            code="invalid",
            params={"min": MIN_NATIONAL_DIGITS, "max": MAX_NATIONAL_DIGITS},
        )
    return "62" + national


def is_mobile_phone(normalized: str) -> bool:
    """Tell a mobile number (national part starting with 8) from a landline."""
    return normalize_phone(normalized).startswith("628")


def format_phone(normalized: str) -> str:
    """Display a number as people write it: "0812-3456-7890" for mobiles, "0351-123456" for
    landlines (the one display form, on every page and in exports)."""
    national = normalize_phone(normalized)[2:]
    if national.startswith("8"):
        return f"0{national[:3]}-{national[3:7]}-{national[7:]}"
    area_length = 2 if national[:2] in _TWO_DIGIT_AREA_CODES else 3
    return f"0{national[:area_length]}-{national[area_length:]}"


def whatsapp_url(normalized: str, message: str) -> str:
    """Return a wa.me link that opens a chat with ``message`` typed in; mobile numbers only."""
    if not is_mobile_phone(normalized):
        raise ValidationError(
            _("WhatsApp needs a mobile number (08...), not a landline."), code="not_mobile"
        )
    url = f"https://wa.me/{normalize_phone(normalized)}"
    return f"{url}?text={quote(message, safe='')}" if message else url


def display_phone(phone: str) -> str:
    """format_phone for showing a stored number: an older, unnormalised value is shown as
    stored rather than refused."""
    if not phone:
        return ""
    try:
        return format_phone(phone)
    except ValidationError:
        return phone  # an older, unnormalised value: show it as stored
