"""Writes of region data."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import District, Province, Regency, Village, area_names
from .regions import DATA_DIR, read_all
from .signals import region_names_changed, village_facts_changed

BATCH_SIZE = 5000


def _upsert(model, objects: list, parent_field: str | None) -> None:
    update_fields = ["name"] + ([parent_field] if parent_field else [])
    model.objects.bulk_create(
        objects,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=update_fields,
    )


def regions_load(*, directory: Path = DATA_DIR) -> dict[str, int]:
    """Load (insert or update by code) every province, regency, district and village from the
    CSV files in `directory`, in one transaction: a bad file loads nothing.

    Rows are matched by their Kemendagri code, so running it twice changes nothing and a renamed
    region is updated, never duplicated. Returns the number of rows per level."""
    data = read_all(directory)
    with transaction.atomic():
        _upsert(
            Province,
            [Province(code=code, name=name) for code, (_, name) in data["province"].items()],
            None,
        )
        _upsert(
            Regency,
            [
                Regency(code=code, province_id=parent, name=name)
                for code, (parent, name) in data["regency"].items()
            ],
            "province",
        )
        _upsert(
            District,
            [
                District(code=code, regency_id=parent, name=name)
                for code, (parent, name) in data["district"].items()
            ],
            "regency",
        )
        _upsert(
            Village,
            [
                Village(code=code, district_id=parent, name=name)
                for code, (parent, name) in data["village"].items()
            ],
            "district",
        )
    area_names.cache_clear()
    region_names_changed.send(sender=Village)  # the names every page shows
    return {level: len(rows) for level, rows in data.items()}


# Population counts ---------------------------------------------------------------------------

COUNT_FIELDS = ("population", "working_age_population", "official_count")
# The largest value each column holds (PositiveIntegerField, PositiveSmallIntegerField).
COUNT_LIMITS = {
    "population": 2_147_483_647,
    "working_age_population": 2_147_483_647,
    "official_count": 32_767,
}
_THOUSANDS = re.compile(r"[0-9]{1,3}([.,][0-9]{3})+")


def _working_age_error() -> str:
    return _("The working-age population cannot exceed the population.")


def village_counts_update(
    *, village: Village, by, population, working_age_population, official_count
) -> Village:
    """Set a village's three counts (None empties one). Raises PermissionDenied when `by` may not
    see the village, ValidationError when the working-age count exceeds the population."""
    if not Village.objects.for_user(by).filter(pk=village.pk).exists():
        raise PermissionDenied
    if (
        population is not None
        and working_age_population is not None
        and working_age_population > population
    ):
        raise ValidationError(_working_age_error(), code="working_age_too_large")
    village.population = population
    village.working_age_population = working_age_population
    village.official_count = official_count
    with transaction.atomic():
        village.save(update_fields=list(COUNT_FIELDS))
        village_facts_changed.send(sender=Village, villages=[village.pk])
    return village


@dataclass
class CountsChange:
    """One file row that changes a village: the counts before and after (None: empty)."""

    number: int
    village: Village
    before: dict[str, int | None]
    after: dict[str, int | None]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def pairs(self) -> list[tuple[int | None, int | None]]:
        return [(self.before[name], self.after[name]) for name in COUNT_FIELDS]


@dataclass
class CountsCheck:
    changes: list[CountsChange] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)


class CountsImportError(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} rows with errors")
        self.errors = errors


def parse_count(value) -> int | None:
    """A count cell as a whole number; None for a blank cell. "1.234" and "1,234" (thousands
    separators) are 1234. Raises ValueError with the message to show."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if text.startswith("'"):
            text = text[1:]
        if not text:
            return None
        if _THOUSANDS.fullmatch(text):
            text = re.sub(r"[.,]", "", text)
        negative = text.startswith("-") and text[1:].isdigit()
        if not (text.isascii() and text.isdigit()) and not negative:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        number = int(text)
    if number < 0:
        raise ValueError(_("A count cannot be negative."))
    return number


def _row_counts(row: dict) -> tuple[dict[str, int | None], list[str]]:
    counts, problems = {}, []
    for name in COUNT_FIELDS:
        try:
            counts[name] = parse_count(row.get(name))
        except ValueError as error:
            problems.append(f"{COUNT_LABELS[name]}: {error}")
            continue
        if counts[name] is not None and counts[name] > COUNT_LIMITS[name]:
            problems.append(f"{COUNT_LABELS[name]}: " + _("the number is too large."))
    return counts, problems


COUNT_LABELS = {
    "population": "Jumlah Penduduk",
    "working_age_population": "Penduduk Usia Kerja",
    "official_count": "Jumlah Perangkat Desa",
}


def village_counts_check(*, rows: Iterable[dict], by, lock: bool = False) -> CountsCheck:
    """Check file rows against the villages `by` may edit. Each row is a dict with "number" (the
    row number in the file), "code" and the three counts as read from the cells; a blank cell
    leaves that count unchanged. Nothing is saved."""
    rows = list(rows)
    codes = {str(row.get("code") or "").strip() for row in rows}
    villages = Village.objects.filter(pk__in=codes)
    if lock:
        villages = villages.select_for_update()
    villages = {village.code: village for village in villages}
    allowed = set(Village.objects.for_user(by).filter(pk__in=villages).values_list("pk", flat=True))
    check = CountsCheck()
    seen: dict[str, int] = {}
    for row in rows:
        number, code = row["number"], str(row.get("code") or "").strip()
        counts, problems = _row_counts(row)
        village = villages.get(code)
        if not code:
            problems.insert(0, _("The village code is missing."))
        elif village is None:
            problems.insert(0, _("There is no village with code %(code)s.") % {"code": code})
        elif code not in allowed:
            problems.insert(0, _("Village %(code)s is outside your area.") % {"code": code})
        elif code in seen:
            problems.insert(
                0,
                _("Village %(code)s is already in row %(row)s.")
                % {"code": code, "row": seen[code]},
            )
        if code and code not in seen:
            seen[code] = number
        if not problems and village is not None:
            before = {name: getattr(village, name) for name in COUNT_FIELDS}
            after = {
                name: before[name] if counts[name] is None else counts[name]
                for name in COUNT_FIELDS
            }
            population, working_age = after["population"], after["working_age_population"]
            if population is not None and working_age is not None and working_age > population:
                problems.append(_working_age_error())
            else:
                check.changes.append(CountsChange(number, village, before, after))
        check.errors.extend((number, problem) for problem in problems)
    return check


def village_counts_import(*, rows: Iterable[dict], by) -> list[CountsChange]:
    """Check the rows again (the data may have changed since the preview) and save every
    change in one transaction; raises CountsImportError, saving nothing, when any row has an
    error. Returns the rows that changed a village."""
    with transaction.atomic():
        check = village_counts_check(rows=rows, by=by, lock=True)
        if check.errors:
            raise CountsImportError(check.errors)
        changed = [change for change in check.changes if change.changed]
        for change in changed:
            for name, value in change.after.items():
                setattr(change.village, name, value)
        Village.objects.bulk_update(
            [change.village for change in changed], list(COUNT_FIELDS), batch_size=BATCH_SIZE
        )
        village_facts_changed.send(
            sender=Village, villages=[change.village.pk for change in changed]
        )
    return changed
