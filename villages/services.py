"""Writes of region data."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from .models import District, Province, Regency, Village
from .regions import DATA_DIR, read_all

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
    return {level: len(rows) for level, rows in data.items()}
