"""Reading Kemendagri region CSV files (idn-area-data layout) into validated rows, no database."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


class RegionFileError(Exception):
    """A region file that cannot be loaded; the message says which file, line and why."""


@dataclass(frozen=True)
class Level:
    file_name: str
    parent_column: str | None
    code_pattern: re.Pattern


LEVELS = {
    "province": Level("provinces.csv", None, re.compile(r"\d{2}")),
    "regency": Level("regencies.csv", "province_code", re.compile(r"\d{2}\.\d{2}")),
    "district": Level("districts.csv", "regency_code", re.compile(r"\d{2}\.\d{2}\.\d{2}")),
    "village": Level("villages.csv", "district_code", re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")),
}


def read_level(directory: Path, level: str, parent_codes: set[str] | None) -> dict[str, tuple]:
    """Return {code: (parent_code, name)} for one level, or raise RegionFileError.

    Every code must have its level's shape, start with its parent's code and appear once, and
    the parent must exist in the level above."""
    spec = LEVELS[level]
    path = directory / spec.file_name
    required = ["code", "name"] + ([spec.parent_column] if spec.parent_column else [])
    rows: dict[str, tuple] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in required if column not in (reader.fieldnames or [])]
            if missing:
                raise RegionFileError(f"{path}: missing column(s) {', '.join(missing)}")
            for line, record in enumerate(reader, start=2):
                code = (record["code"] or "").strip()
                name = (record["name"] or "").strip()
                parent = (record[spec.parent_column] or "").strip() if spec.parent_column else None
                if not spec.code_pattern.fullmatch(code):
                    raise RegionFileError(f"{path}, line {line}: malformed {level} code {code!r}")
                if not name:
                    raise RegionFileError(f"{path}, line {line}: {level} {code} has no name")
                if code in rows:
                    raise RegionFileError(f"{path}, line {line}: duplicate {level} code {code}")
                if parent_codes is not None:
                    if parent not in parent_codes:
                        raise RegionFileError(
                            f"{path}, line {line}: {level} {code} refers to unknown "
                            f"{spec.parent_column} {parent!r}"
                        )
                    if not code.startswith(parent + "."):
                        raise RegionFileError(
                            f"{path}, line {line}: {level} code {code} does not start with "
                            f"its parent's code {parent}"
                        )
                rows[code] = (parent, name)
    except FileNotFoundError as error:
        raise RegionFileError(f"{path}: file not found") from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise RegionFileError(f"{path}: not a readable UTF-8 CSV file ({error})") from error
    if not rows:
        raise RegionFileError(f"{path}: no rows")
    return rows


def read_all(directory: Path = DATA_DIR) -> dict[str, dict[str, tuple]]:
    """Read and cross-check all four levels before anything is written."""
    provinces = read_level(directory, "province", None)
    regencies = read_level(directory, "regency", set(provinces))
    districts = read_level(directory, "district", set(regencies))
    villages = read_level(directory, "village", set(districts))
    return {
        "province": provinces,
        "regency": regencies,
        "district": districts,
        "village": villages,
    }
