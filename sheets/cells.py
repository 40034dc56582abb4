"""Cells as Indonesian offices fill them in: numbers that Excel turned into floats, the apostrophe
typed to keep a number as text, dates written day first, yes/no in several words, village codes
with or without their dots. No database access.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy

YES = {"ya", "y", "iya", "yes", "ikut", "v", "x", "1", "true", "benar"}
NO = {"tidak", "tdk", "t", "n", "no", "0", "false", "", "salah"}
CHECK_MARKS = {"✓", "✔", "√"}

_DATE_FORMATS = ["%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"]
_TWO_DIGIT_YEAR = re.compile(r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2}")
_VILLAGE_DIGITS = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{4})")


def cell_text(value: Any) -> str:
    """A cell as text: trailing spaces dropped, numbers without a spurious ".0", and without the
    apostrophe people type to keep Excel from turning a number into one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    return text[1:].strip() if text.startswith("'") else text


def nik_text(value: Any) -> str:
    """A NIK cell stored as a number is shown the way the spreadsheet shows it (3.52312E+15), so
    that parse_nik refuses it with the message that says what happened and how to fix it."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if abs(value) >= 1e11:
            return f"{float(value):.5E}"
        return cell_text(value)
    return cell_text(value)


def date_text(value: Any) -> tuple[str, Any]:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return (value.date() if isinstance(value, datetime.datetime) else value).isoformat(), None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 100_000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value).date().isoformat(), None
    text = cell_text(value)
    if not text:
        return "", None
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date().isoformat(), None
        except ValueError:
            continue
    if _TWO_DIGIT_YEAR.fullmatch(text):
        # Passed on empty: the problem is reported instead of the form's vaguer message.
        return "", gettext_lazy("Write the year with four digits, such as 08-01-1990.")
    return text, None  # the form says it is not a date


def header_key(text: Any) -> str:
    """A heading (or a choice) reduced to compare: lower case, letters and digits only, anything
    in parentheses dropped ("Jumlah Penduduk (jiwa)" -> "jumlahpenduduk")."""
    text = unicodedata.normalize("NFKD", str(text or "")).lower()
    text = _without_parentheses(text)
    return re.sub(r"[^a-z0-9]", "", text)


def _without_parentheses(text: str) -> str:
    """re.sub(r"\\(.*?\\)", "", text) in linear time: the regex takes quadratic time (minutes)
    on a 100 kB cell of "(((...", and header_key reads every cell of the first rows."""
    parts = []
    position = 0
    end = -1  # the first ")" after the latest "(", reused while the next "(" comes before it
    while (start := text.find("(", position)) >= 0:
        if end < start:
            end = text.find(")", start + 1)
            if end < 0:
                break
        newline = text.find("\n", start + 1, end)  # "." does not match a newline
        if newline >= 0:
            parts.append(text[position : newline + 1])
            position = newline + 1
            continue
        parts.append(text[position:start])
        position = end + 1
    parts.append(text[position:])
    return "".join(parts)


def value_key(text: str) -> str:
    """header_key of a choice cell: the same few words on every row, so remembered."""
    return _short_value_key(text) if len(text) <= 40 else header_key(text)


_short_value_key = lru_cache(maxsize=512)(header_key)


def village_code(value: Any) -> str:
    """A village code as the villages table writes it: "3523122002" -> "35.23.12.2002"."""
    text = cell_text(value).replace(" ", "")
    match = _VILLAGE_DIGITS.fullmatch(text)
    return ".".join(match.groups()) if match else text
