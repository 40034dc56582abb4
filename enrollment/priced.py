"""The premium a person saw before saving: a signature of the priced inputs and the premium
shown, carried in the form from "Periksa" to "Simpan". Saving with inputs that price
differently shows the new premium again instead of saving. Pure: no database."""

from __future__ import annotations

import json
from typing import Any

from django.utils.crypto import constant_time_compare, salted_hmac

# What the premium depends on: changing any of these after "Periksa" prices again.
PRICED_FIELDS = [
    "declared_income", "jht", "jp", "category", "occupation_group", "funding_source",
    "employer_name",
]  # fmt: skip
FIELD_NAME = "priced"


def signature(*, data: dict[str, Any], premium_total: int) -> str:
    """A signature of the priced inputs (as cleaned by the form) and the premium shown."""
    payload = json.dumps(
        [[name, data.get(name)] for name in PRICED_FIELDS] + [["premium", premium_total]],
        default=str,
    )
    return salted_hmac("enrollment.priced", payload, algorithm="sha256").hexdigest()[:32]


def was_seen(posted: str | None, *, data: dict[str, Any], premium_total: int) -> bool:
    """The posted signature names these inputs and this premium: the person saw it."""
    return bool(posted) and constant_time_compare(
        posted, signature(data=data, premium_total=premium_total)
    )
