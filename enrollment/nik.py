"""NIK (Nomor Induk Kependudukan) rules: the one place that knows how a NIK is built.

A NIK is 16 digits, PP RR DD DDMMYY SSSS: province, regency and district where the person was
first registered, birth date (women: day + 40) and a serial from 0001. Pure functions, no database.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

NIK_LENGTH = 16

# Kemendagri province codes in use (domain.md, "Identity numbers").
PROVINCE_CODES = frozenset(
    [
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    ]
)

# Digit groups may be separated by spaces, dots or dashes: "3523 1208 0190 0001", "35.23.12...".
_GROUPED_DIGITS = re.compile(r"[0-9]+(?:[\s.\-]+[0-9]+)*")
# What a spreadsheet makes of a NIK stored as a number: "3.52312E+15", "3,52312E+15", "...0001.0".
_EXCEL_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_EXCEL_DECIMAL = re.compile(r"[0-9]+[.,]00?")

_EXCEL_FIX = _("Format the NIK column as Text and type the NIK again.")


@dataclass(frozen=True)
class NikInfo:
    """What a valid NIK says about its holder. Region codes are dotted, as in the villages table."""

    nik: str
    province_code: str  # "35"
    regency_code: str  # "35.23"
    district_code: str  # "35.23.12"
    birth_date: datetime.date
    sex: str  # "M" or "F"
    serial: str  # "0001"


def parse_nik(value: str, *, today: datetime.date | None = None) -> NikInfo:
    """Check a NIK as typed or imported and return what it encodes.

    Spaces, dots and dashes between digit groups are tolerated. Values a spreadsheet damaged by
    storing the NIK as a number are refused, never repaired. The two-digit birth year takes the
    latest century (from 1900 on) that does not put the birth date after ``today``.
    Raises ValidationError with a distinct code for each way of being wrong.
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationError(_("Enter the NIK."), code="required")
    if _EXCEL_SCIENTIFIC.fullmatch(raw):
        raise ValidationError(
            _("The spreadsheet stored the NIK as a number and shortened it to %(value)s. %(fix)s"),
            code="excel_scientific",
            params={"value": raw, "fix": _EXCEL_FIX},
        )
    if _EXCEL_DECIMAL.fullmatch(raw):
        raise ValidationError(
            _(
                "The spreadsheet stored the NIK as a number and added a decimal part: "
                "%(value)s. %(fix)s"
            ),
            code="excel_decimal",
            params={"value": raw, "fix": _EXCEL_FIX},
        )
    if not _GROUPED_DIGITS.fullmatch(raw):
        raise ValidationError(
            _("A NIK contains only digits; spaces, dots and dashes between groups are allowed."),
            code="not_digits",
        )
    nik = re.sub(r"[^0-9]", "", raw)
    if len(nik) != NIK_LENGTH:
        raise ValidationError(
            ngettext_lazy(
                "A NIK has 16 digits; %(count)d digit was given.",
                "A NIK has 16 digits; %(count)d digits were given.",
                "count",
            ),
            code="length",
            params={"count": len(nik)},
        )
    if int(nik[0:2]) not in PROVINCE_CODES:
        raise ValidationError(
            _("The NIK starts with %(code)s, which is not a province code."),
            code="province",
            params={"code": nik[0:2]},
        )
    if nik[2:4] == "00":
        raise ValidationError(_("The regency part of the NIK (digits 3-4) is 00."), code="regency")
    if nik[4:6] == "00":
        raise ValidationError(
            _("The district part of the NIK (digits 5-6) is 00."), code="district"
        )
    birth_date, sex = _birth_date_and_sex(nik[6:12], today or datetime.date.today())
    if nik[12:16] == "0000":
        raise ValidationError(
            _("The serial part of the NIK (last 4 digits) is 0000."), code="serial"
        )
    return NikInfo(
        nik=nik,
        province_code=nik[0:2],
        regency_code=f"{nik[0:2]}.{nik[2:4]}",
        district_code=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
        birth_date=birth_date,
        sex=sex,
        serial=nik[12:16],
    )


def _birth_date_and_sex(ddmmyy: str, today: datetime.date) -> tuple[datetime.date, str]:
    day, month, year = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    sex = "F" if day > 40 else "M"
    if sex == "F":
        day -= 40
    found_future = False
    for century in range(today.year // 100 * 100, 1899, -100):
        try:
            birth_date = datetime.date(century + year, month, day)
        except ValueError:
            continue  # 29 Feb may exist in one century and not in another
        if birth_date <= today:
            return birth_date, sex
        found_future = True
    if found_future:
        raise ValidationError(
            _("The birth date in the NIK (%(date)s) is in the future."),
            code="future_birth_date",
            params={"date": ddmmyy},
        )
    raise ValidationError(
        _("Digits 7-12 of the NIK (%(date)s) are not a birth date (DDMMYY, women: day + 40)."),
        code="birth_date",
        params={"date": ddmmyy},
    )


def validate_nik(value: str) -> None:
    """The model field's validator: a NIK as parse_nik accepts it, stored as its 16 digits."""
    info = parse_nik(value)
    if info.nik != value:
        raise ValidationError(
            _("Store the NIK as its 16 digits, without spaces, dots or dashes."), code="format"
        )


def mask_nik(nik: str) -> str:
    """Hide the birth date of a NIK for display: "352312******0001"."""
    if len(nik) <= 10:
        return "*" * len(nik)
    return nik[:6] + "*" * (len(nik) - 10) + nik[-4:]


def is_placeholder_nik(value: str) -> bool:
    """Tell OpenSID's temporary NIKs ("0", or 16 digits starting with 0) from real ones."""
    value = (value or "").strip()
    return value == "0" or re.fullmatch(r"0[0-9]{15}", value) is not None
