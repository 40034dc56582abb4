"""The villages of the national data set: the national regions file's, or synthetic ones."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from enrollment.nik import PROVINCE_CODES
from villages.models import District, Province, Regency, Village
from villages.regions import DATA_DIR
from villages.services import regions_load

from .common import PLACE_END, PLACE_START, NationalDataError

# Regions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VillageInfo:
    code: str
    district_code: str

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def is_kelurahan(self) -> bool:
        return self.code[9] == "1"


def _region_file_villages() -> int | None:
    path = DATA_DIR / "villages.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8-sig") as handle:
        return sum(1 for line in handle if line.strip()) - 1


def national_villages(log: Callable[[str], None]) -> list[VillageInfo]:
    """Every village of the national regions file, loading the regions first when the
    database holds fewer villages than the file."""
    expected = _region_file_villages()
    if expected is None:
        raise NationalDataError(
            f"The regions data is absent ({DATA_DIR / 'villages.csv'}): use --synthetic N."
        )
    if Village.objects.count() < expected:
        log(f"Loading the national regions ({expected:,} villages) ...")
        regions_load()
    return [
        VillageInfo(code, district)
        for code, district in Village.objects.order_by("code").values_list("code", "district_id")
    ]


PLACE_SIDE = ["", " Utara", " Selatan", " Barat", " Timur", " Tengah"]


def _place_name(number: int) -> str:
    """ "Sukamaju", "Karangrejo Utara", ...: 540 different names, then again."""
    start, end = divmod(number, len(PLACE_END))
    side = start // len(PLACE_START) % len(PLACE_SIDE)
    return PLACE_START[start % len(PLACE_START)] + PLACE_END[end] + PLACE_SIDE[side]


def synthetic_villages(count: int) -> list[VillageInfo]:
    """`count` villages with well-formed Kemendagri codes over provinces in use, shaped like the
    country (about 12 villages per district, 14 districts per regency; fewer for small sets so
    they still span several regencies). Existing regions with the same codes are kept."""
    per_district = min(12, max(5, count // 7285))
    per_regency = per_district * min(14, max(3, count // (514 * per_district)))
    provinces = sorted(PROVINCE_CODES)
    regency_count = math.ceil(count / per_regency)
    if regency_count > len(provinces) * 98:
        raise NationalDataError(f"Too many synthetic villages: {count:,}.")
    villages, districts, regencies = [], {}, {}
    for index in range(count):
        regency_index, rest = divmod(index, per_regency)
        district_index, village_index = divmod(rest, per_district)
        province = provinces[regency_index % len(provinces)]
        number = regency_index // len(provinces) + 1
        number = number if number <= 69 else number + 1  # cities are 71-99
        regency = f"{province:02d}.{number:02d}"
        district = f"{regency}.{district_index + 1:02d}"
        kelurahan = village_index % 8 == 7
        village = f"{district}.{(1001 if kelurahan else 2001) + village_index}"
        regencies[regency] = (
            f"{'Kota' if number > 70 else 'Kabupaten'} {_place_name(regency_index)}"
        )
        districts[district] = (regency, _place_name(index // per_district * 7 + 3))
        villages.append(Village(code=village, district_id=district, name=_place_name(index)))
    with transaction.atomic():
        Province.objects.bulk_create(
            [
                Province(code=code, name=f"Provinsi {code}")
                for code in sorted({code[:2] for code in regencies})
            ],
            ignore_conflicts=True,
        )
        Regency.objects.bulk_create(
            [
                Regency(code=code, province_id=code[:2], name=name)
                for code, name in regencies.items()
            ],
            ignore_conflicts=True,
        )
        District.objects.bulk_create(
            [
                District(code=code, regency_id=regency, name=name)
                for code, (regency, name) in districts.items()
            ],
            ignore_conflicts=True,
        )
        Village.objects.bulk_create(villages, batch_size=5000, ignore_conflicts=True)
    return [VillageInfo(village.code, village.district_id) for village in villages]
