"""Accounts for the load test, in the database DATABASE_URL names (after `load_demo`): village
operators of KC Bojonegoro's villages (the Tuban 2026 campaign's first) and branch staff of
KC Bojonegoro. Prints them as JSON, with the campaigns the staff may open.

Usage (run.py calls it): python scripts/loadtest/prepare.py OPERATORS STAFF PASSWORD"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db.models import Case, IntegerField, Value, When  # noqa: E402

from campaigns.models import Campaign, CampaignVillage  # noqa: E402
from portal.models import User  # noqa: E402
from villages.models import BranchOffice, Village  # noqa: E402


def accounts(operators: int, staff: int, password: str) -> dict:
    office = BranchOffice.objects.get(name="KC Bojonegoro")
    in_campaign = CampaignVillage.objects.filter(campaign__branch_office=office).values("village")
    villages = list(
        Village.objects.for_user(User(role=User.Role.BRANCH_STAFF, branch_office=office))
        .annotate(
            first=Case(
                When(pk__in=in_campaign, then=Value(0)), default=1, output_field=IntegerField()
            )
        )
        .order_by("first", "code")[:operators]
    )
    hashed = make_password(password)
    users = User.objects.bulk_create(
        [
            User(
                username=f"lt-op-{n:03d}",
                password=hashed,
                role=User.Role.VILLAGE_OPERATOR,
                village=village,
            )
            for n, village in enumerate(villages)
        ]
        + [
            User(
                username=f"lt-staff-{n:03d}",
                password=hashed,
                role=User.Role.BRANCH_STAFF,
                branch_office=office,
            )
            for n in range(staff)
        ]  # fmt: skip
    )
    return {
        "operators": [
            {"username": user.username, "district": user.village.district_id}
            for user in users
            if user.role == User.Role.VILLAGE_OPERATOR
        ],
        "staff": [user.username for user in users if user.role == User.Role.BRANCH_STAFF],
        "campaigns": list(
            Campaign.objects.filter(branch_office=office).values_list("slug", flat=True)
        ),
    }


if __name__ == "__main__":
    operators, staff, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    print(json.dumps(accounts(operators, staff, password)))
