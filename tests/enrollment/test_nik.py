import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from enrollment.nik import NikInfo, is_placeholder_nik, mask_nik, parse_nik

TODAY = datetime.date(2026, 3, 1)


def refusal(value: str, today: datetime.date = TODAY) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        parse_nik(value, today=today)
    return caught.value


def english_message(error: ValidationError) -> str:
    with translation.override("en"):
        return error.messages[0]


def test_man_nik_is_parsed_into_region_birth_date_and_sex():
    """A man's NIK gives the dotted region codes, the birth date and sex M."""
    assert parse_nik("3523120801900001", today=TODAY) == NikInfo(
        nik="3523120801900001",
        province_code="35",
        regency_code="35.23",
        district_code="35.23.12",
        birth_date=datetime.date(1990, 1, 8),
        sex="M",
        serial="0001",
    )


def test_woman_nik_has_day_plus_40():
    """A woman's NIK carries the birth day plus 40 and gives sex F."""
    info = parse_nik("3523124801900002", today=TODAY)
    assert (info.birth_date, info.sex, info.serial) == (datetime.date(1990, 1, 8), "F", "0002")
    assert info.district_code == "35.23.12"


@pytest.mark.parametrize(
    "value",
    ["3523 1208 0190 0001", "35.23.12.080190.0001", "3523-1208-0190-0001", " 3523120801900001 "],
)
def test_spaces_dots_and_dashes_between_groups_are_stripped(value):
    """Separators between digit groups and surrounding blanks are tolerated."""
    assert parse_nik(value, today=TODAY).nik == "3523120801900001"


@pytest.mark.parametrize(
    ("value", "birth_date"),
    [
        ("3523120801010001", datetime.date(2001, 1, 8)),
        ("3523120801300001", datetime.date(1930, 1, 8)),
        ("3523121502260001", datetime.date(2026, 2, 15)),
        ("3523121512250001", datetime.date(2025, 12, 15)),
        ("3523121512260001", datetime.date(1926, 12, 15)),
        ("3523122902000001", datetime.date(2000, 2, 29)),
    ],
)
def test_century_is_the_latest_that_keeps_the_birth_date_in_the_past(value, birth_date):
    """The two-digit year takes the latest century not putting the birth date after today."""
    assert parse_nik(value, today=TODAY).birth_date == birth_date


@pytest.mark.parametrize("province", ["11", "19", "21", "31", "36", "53", "65", "76", "81", "96"])
def test_every_province_code_in_use_is_accepted(province):
    """Each end of the province code ranges is accepted."""
    assert parse_nik(province + "23120801900001", today=TODAY).province_code == province


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("3.52312E+15", "excel_scientific"),
        ("3,52312E+15", "excel_scientific"),
        ("3.52312e+15", "excel_scientific"),
        ("3523120801900001.0", "excel_decimal"),
        ("3523120801900001,0", "excel_decimal"),
        ("352312080190000.00", "excel_decimal"),
        ("352312080190001", "length"),
        ("35231208019000011", "length"),
        ("35231208O1900001", "not_digits"),
        ("NIK 3523120801900001", "not_digits"),
        ("3523_1208_0190_0001", "not_digits"),
        ("٣٥٢٣١٢٠٨٠١٩٠٠٠٠١", "not_digits"),
        ("9923120801900001", "province"),
        ("2023120801900001", "province"),
        ("3723120801900001", "province"),
        ("0023120801900001", "province"),
        ("3500120801900001", "regency"),
        ("3523000801900001", "district"),
        ("3523123102900001", "birth_date"),
        ("3523127102900001", "birth_date"),
        ("3523120001900001", "birth_date"),
        ("3523123201900001", "birth_date"),
        ("3523124001900001", "birth_date"),
        ("3523127201900001", "birth_date"),
        ("3523120800900001", "birth_date"),
        ("3523120813900001", "birth_date"),
        ("3523122902010001", "birth_date"),
        ("3523120801900000", "serial"),
    ],
)
def test_malformed_nik_is_refused_with_its_code(value, code):
    """Each way of being wrong has its own error code."""
    assert refusal(value).code == code


def test_birth_date_after_today_is_refused():
    """A NIK whose birth date lies after the reference day is refused as a future birth date."""
    error = refusal("3523120801900001", today=datetime.date(1989, 12, 31))
    assert error.code == "future_birth_date"


@pytest.mark.parametrize("value", ["3.52312E+15", "3523120801900001.0"])
def test_excel_message_says_how_to_fix_the_spreadsheet(value):
    """Excel damage is explained: stored as a number, format the column as Text, retype."""
    message = english_message(refusal(value))
    assert "stored the NIK as a number" in message
    assert message.endswith("Format the NIK column as Text and type the NIK again.")
    assert value in message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("352312080190001", "A NIK has 16 digits; 15 digits were given."),
        ("3", "A NIK has 16 digits; 1 digit was given."),
    ],
)
def test_length_message_says_how_many_digits_were_given(value, message):
    """The length message counts the digits that were given."""
    assert english_message(refusal(value)) == message


def test_mask_keeps_region_and_serial_only():
    """Masking keeps the first 6 and last 4 digits and hides the birth date."""
    assert mask_nik("3523120801900001") == "352312******0001"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", True),
        ("0000000000000001", True),
        ("0523120801900001", True),
        ("3523120801900001", False),
        ("", False),
        ("00", False),
        ("000000000000001", False),
    ],
)
def test_opensid_temporary_niks_are_recognised(value, expected):
    """OpenSID's "0" and 16-digit values starting with 0 are placeholders."""
    assert is_placeholder_nik(value) is expected
