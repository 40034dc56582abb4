import datetime

import enrollment.nik
from django.db import migrations, models

# Sources checked with the search tool (docs/contributions.md, "Who may enrol", says what stays
# unverified). A new regulation is a new row in the admin, never a change here.
MINIMUM_AGE_SOURCE = (
    "Minimum 15: UU 13/2003 (Ketenagakerjaan) art. 68-69 forbids employing children, except "
    "those aged 13 to 15 for light work only; BPS counts working ages from 15. No BPJS "
    "Ketenagakerjaan minimum age for membership was found (unverified)."
)
SEED = [
    {
        "scheme": "bpu",
        "effective_from": datetime.date(2015, 7, 1),
        "min_age": 15,
        "max_age": 56,
        "source": (
            "Maximum 56 for BPU members: bisnis.com 21-06-2017 (“BPJS Usul Revisi Batas Usia "
            "Peserta Pekerja Informal”: BPJS Ketenagakerjaan proposed raising it from 56 to 61). "
            "In force since the BPU programmes started under PP 44/2015 (1 July 2015: assumed, "
            "unverified). A limit of 65 by Permenaker 5/2021 was searched for and not found "
            "(unverified): add a row when it is confirmed. " + MINIMUM_AGE_SOURCE
        ),
    },
    {
        "scheme": "pu",
        "effective_from": datetime.date(2015, 7, 1),
        "min_age": 15,
        "max_age": None,
        "source": (
            "Wage earners: no maximum age for JKK and JKM was found (unverified). "
            + MINIMUM_AGE_SOURCE
        ),
    },
]


def seed_age_limits(apps, schema_editor):
    AgeLimit = apps.get_model("enrollment", "AgeLimit")
    for row in SEED:
        AgeLimit.objects.get_or_create(
            scheme=row["scheme"], effective_from=row["effective_from"], defaults=row
        )


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0012_contribution_schemes_discounts_and_employers"),
    ]

    operations = [
        migrations.CreateModel(
            name="AgeLimit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scheme", models.CharField(choices=[("bpu", "Informal / self-employed (BPU)"), ("pu", "Wage earners (village officials, employees)")], max_length=3, verbose_name="scheme")),
                ("effective_from", models.DateField(verbose_name="effective from")),
                ("min_age", models.PositiveSmallIntegerField(verbose_name="youngest age allowed")),
                ("max_age", models.PositiveSmallIntegerField(blank=True, help_text="Empty: no maximum.", null=True, verbose_name="oldest age allowed")),
                ("source", models.TextField(help_text="The regulation or article the limits come from.", verbose_name="source")),
            ],
            options={
                "verbose_name": "age limit",
                "verbose_name_plural": "age limits",
                "ordering": ["scheme", "-effective_from"],
                "constraints": [
                    models.UniqueConstraint(fields=("scheme", "effective_from"), name="age_limit_once_per_scheme_and_day"),
                    models.CheckConstraint(condition=models.Q(("max_age__isnull", True), ("max_age__gte", models.F("min_age")), _connector="OR"), name="age_limit_range_ordered", violation_error_message="The oldest age must not be below the youngest."),
                ],
            },
        ),
        migrations.AlterField(
            model_name="participant",
            name="nik",
            field=models.CharField(max_length=16, unique=True, validators=[enrollment.nik.validate_nik], verbose_name="NIK"),
        ),
        migrations.RunPython(seed_age_limits, migrations.RunPython.noop),
    ]
