"""The BPU contribution rates and Perisai commission rule in force today, as data: a later
regulation is a new row (Django admin), not a code change."""

import datetime
from decimal import Decimal

from django.db import migrations


def seed(apps, schema_editor):
    ContributionRate = apps.get_model("enrollment", "ContributionRate")
    CommissionRule = apps.get_model("enrollment", "CommissionRule")
    # exists() then create, not get_or_create(): tests seed again with today's model, where a
    # wage-earner row (0012) shares the date.
    bpu = {"effective_from": datetime.date(2015, 7, 1)}
    if hasattr(ContributionRate, "scheme"):
        bpu["scheme"] = "bpu"
    if not ContributionRate.objects.filter(**bpu).exists():
        ContributionRate.objects.create(
            **bpu,
            regulation="PP 44/2015 jo. PP 82/2019",
            jkk_percent=Decimal("1.00"),
            jkm_flat=6800,
            jht_percent=Decimal("2.00"),
            min_income=1_000_000,
            max_income=20_700_000,
        )
    CommissionRule.objects.get_or_create(
        effective_from=datetime.date(2018, 1, 1),
        defaults={
            "premium_share_percent": Decimal("7.50"),
            "monthly_bonus": 500_000,
            "bonus_threshold": 50,
            "organization_share_percent": Decimal("10.00"),
            "inactive_after_months": 3,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
