"""Each kind of member priced by its own scheme, as dated data: the wage-earner rates of village
officials and contract staff next to the BPU rates, dated discounts (PP 49/2020, PP 50/2025),
the occupation group a discount is for, JP where chosen, and members covered through an
employer (no village premium). Sources: docs/contributions.md."""

import datetime
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


def seed(apps, schema_editor):
    ContributionRate = apps.get_model("enrollment", "ContributionRate")
    ContributionDiscount = apps.get_model("enrollment", "ContributionDiscount")
    # The BPU row of 0002 stays as it is (scheme "bpu" by default).
    ContributionRate.objects.get_or_create(
        scheme="wage",
        effective_from=datetime.date(2015, 7, 1),
        defaults={
            "regulation": "PP 44/2015, PP 45/2015, PP 46/2015; Permendagri 20/2018 art. 19(4)",
            "jkk_percent": Decimal("0.24"),
            "jkm_flat": 0,
            "jkm_percent": Decimal("0.30"),
            "jht_percent": Decimal("5.70"),
            "jp_percent": Decimal("3.00"),
            # The JP wage cap announced from March 2024 (PP 45/2015 art. 29: adjusted yearly).
            "jp_wage_cap": 10_042_300,
            "min_income": 0,
            "max_income": None,
        },
    )
    ContributionDiscount.objects.get_or_create(
        regulation="PP 50/2025",
        scheme="bpu",
        defaults={
            "source": 'PP 50/2025 (promulgated 22-12-2025); ntvnews.id "rincian diskon iuran JKM '
            'dan JKK"; jpnn.com 15-09-2025; cnbcindonesia.com 04-02-2026',
            "effective_from": datetime.date(2026, 1, 1),
            "effective_until": datetime.date(2027, 3, 31),
            "percent": Decimal("50"),
            "programmes": ["jkk", "jkm"],
            "occupation_group": "transport",
            # APBN/APBD payers are excluded; APBN is no funding source here. Whether Dana Desa
            # counts as APBN/APBD is unverified: not excluded, an admin may add it.
            "excluded_payers": ["apbd"],
        },
    )
    for scheme in ("bpu", "wage"):
        ContributionDiscount.objects.get_or_create(
            regulation="PP 49/2020",
            scheme=scheme,
            defaults={
                "source": "PP 49/2020 art. 9 (99 % off JKK and JKM), contributions of August "
                "2020 to January 2021 (voi.id 09-09-2020; poskota.co.id 20-11-2020)",
                "effective_from": datetime.date(2020, 8, 1),
                "effective_until": datetime.date(2021, 1, 31),
                "percent": Decimal("99"),
                "programmes": ["jkk", "jkm"],
                "occupation_group": "",
                "excluded_payers": [],
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0011_registration_returned_to_village"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContributionDiscount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("regulation", models.CharField(max_length=200, verbose_name="regulation")),
                ("source", models.TextField(blank=True, verbose_name="source")),
                ("effective_from", models.DateField(verbose_name="effective from")),
                (
                    "effective_until",
                    models.DateField(blank=True, null=True, verbose_name="effective until"),
                ),
                (
                    "percent",
                    models.DecimalField(
                        decimal_places=2, max_digits=5, verbose_name="discount (%)"
                    ),
                ),
                (
                    "programmes",
                    models.JSONField(
                        default=list,
                        help_text="The programmes discounted: jkk, jkm.",
                        verbose_name="programmes",
                    ),
                ),
                (
                    "scheme",
                    models.CharField(
                        choices=[
                            ("bpu", "BPU (informal / self-employed)"),
                            ("wage", "Wage earner paid by the village"),
                        ],
                        default="bpu",
                        max_length=10,
                        verbose_name="scheme",
                    ),
                ),
                (
                    "occupation_group",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("other", "Other"),
                            ("transport", "Transport (ojek, drivers, couriers)"),
                        ],
                        help_text="Empty: every occupation.",
                        max_length=10,
                        verbose_name="occupation group",
                    ),
                ),
                (
                    "excluded_payers",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Funding sources for which the discount does not apply.",
                        verbose_name="not when paid by",
                    ),
                ),
            ],
            options={
                "verbose_name": "contribution discount",
                "verbose_name_plural": "contribution discounts",
                "ordering": ["-effective_from"],
            },
        ),
        migrations.AlterModelOptions(
            name="contributionrate",
            options={
                "ordering": ["scheme", "-effective_from"],
                "verbose_name": "contribution rate",
                "verbose_name_plural": "contribution rates",
            },
        ),
        migrations.RemoveConstraint(
            model_name="contributionrate",
            name="rate_income_range_ordered",
        ),
        migrations.RemoveConstraint(
            model_name="contributionrate",
            name="rate_percentages_not_negative",
        ),
        migrations.AddField(
            model_name="contributionrate",
            name="jkm_percent",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                help_text="Wage earners: a percentage of the fixed income.",
                max_digits=5,
                verbose_name="JKM (% of income)",
            ),
        ),
        migrations.AddField(
            model_name="contributionrate",
            name="jp_percent",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("0"),
                help_text="Wage earners only, where chosen.",
                max_digits=5,
                verbose_name="JP (% of income)",
            ),
        ),
        migrations.AddField(
            model_name="contributionrate",
            name="jp_wage_cap",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="JP is a percentage of the income up to this amount.",
                null=True,
                verbose_name="highest income for JP (Rp)",
            ),
        ),
        migrations.AddField(
            model_name="contributionrate",
            name="scheme",
            field=models.CharField(
                choices=[
                    ("bpu", "BPU (informal / self-employed)"),
                    ("wage", "Wage earner paid by the village"),
                ],
                default="bpu",
                max_length=10,
                verbose_name="scheme",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="occupation_group",
            field=models.CharField(
                db_default="other",
                choices=[("other", "Other"), ("transport", "Transport (ojek, drivers, couriers)")],
                default="other",
                help_text="Transport workers (ojek, drivers, couriers) may get a discount.",
                max_length=10,
                verbose_name="occupation group",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="employer_name",
            field=models.CharField(
                db_default="",
                blank=True,
                help_text="Formal employees: the company that registers them and pays their premium.",
                max_length=150,
                verbose_name="employer",
            ),
        ),
        migrations.AddField(
            model_name="registration",
            name="jp",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text="Wage earners the village pays only.",
                verbose_name="JP (pension)",
            ),
        ),
        migrations.AlterField(
            model_name="contributionrate",
            name="effective_from",
            field=models.DateField(verbose_name="effective from"),
        ),
        migrations.AlterField(
            model_name="contributionrate",
            name="jkm_flat",
            field=models.PositiveIntegerField(
                default=0, help_text="BPU: a flat amount.", verbose_name="JKM (Rp per month)"
            ),
        ),
        migrations.AlterField(
            model_name="contributionrate",
            name="max_income",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="BPU: a higher income is priced on this top of the table.",
                null=True,
                verbose_name="highest declared income (Rp)",
            ),
        ),
        migrations.AlterField(
            model_name="contributionrate",
            name="min_income",
            field=models.PositiveIntegerField(
                default=0,
                help_text="BPU: a lower income is priced on this floor.",
                verbose_name="lowest declared income (Rp)",
            ),
        ),
        migrations.AlterField(
            model_name="fundedperiod",
            name="funding_source",
            field=models.CharField(
                choices=[
                    ("mandiri", "The participant"),
                    ("dana_desa", "Dana Desa"),
                    ("add", "Alokasi Dana Desa (ADD)"),
                    ("apbd", "APBD"),
                    ("csr", "Company CSR"),
                    ("jimpitan", "Jimpitan"),
                    ("bank_sampah", "Bank sampah (waste bank)"),
                    ("lainnya", "Other"),
                    ("perusahaan", "The employer (formal employees)"),
                ],
                max_length=12,
                verbose_name="paid by",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="funding_source",
            field=models.CharField(
                choices=[
                    ("mandiri", "The participant"),
                    ("dana_desa", "Dana Desa"),
                    ("add", "Alokasi Dana Desa (ADD)"),
                    ("apbd", "APBD"),
                    ("csr", "Company CSR"),
                    ("jimpitan", "Jimpitan"),
                    ("bank_sampah", "Bank sampah (waste bank)"),
                    ("lainnya", "Other"),
                    ("perusahaan", "The employer (formal employees)"),
                ],
                max_length=12,
                verbose_name="funding source",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="monthly_premium",
            field=models.PositiveIntegerField(verbose_name="premium at registration (Rp)"),
        ),
        migrations.AlterField(
            model_name="registration",
            name="paid_by",
            field=models.CharField(
                blank=True,
                choices=[
                    ("mandiri", "The participant"),
                    ("dana_desa", "Dana Desa"),
                    ("add", "Alokasi Dana Desa (ADD)"),
                    ("apbd", "APBD"),
                    ("csr", "Company CSR"),
                    ("jimpitan", "Jimpitan"),
                    ("bank_sampah", "Bank sampah (waste bank)"),
                    ("lainnya", "Other"),
                    ("perusahaan", "The employer (formal employees)"),
                ],
                editable=False,
                max_length=12,
                verbose_name="paid by",
            ),
        ),
        migrations.AlterField(
            model_name="registration",
            name="rate",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty for members covered through an employer.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="enrollment.contributionrate",
                verbose_name="rates applied",
            ),
        ),
        migrations.AddConstraint(
            model_name="contributionrate",
            constraint=models.UniqueConstraint(
                fields=("scheme", "effective_from"),
                name="rate_unique_scheme_effective_from",
                violation_error_message="This scheme already has rates from that date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contributionrate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("max_income__isnull", True),
                    ("max_income__gte", models.F("min_income")),
                    _connector="OR",
                ),
                name="rate_income_range_ordered",
                violation_error_message="The highest income must not be below the lowest.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contributionrate",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("jht_percent__gte", 0),
                    ("jkk_percent__gte", 0),
                    ("jkm_percent__gte", 0),
                    ("jp_percent__gte", 0),
                ),
                name="rate_percentages_not_negative",
            ),
        ),
        migrations.AddConstraint(
            model_name="contributiondiscount",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("effective_until__isnull", True),
                    ("effective_until__gte", models.F("effective_from")),
                    _connector="OR",
                ),
                name="discount_period_ordered",
                violation_error_message="The discount must not end before it starts.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contributiondiscount",
            constraint=models.CheckConstraint(
                condition=models.Q(("percent__gte", 0), ("percent__lte", 100)),
                name="discount_percent_0_to_100",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
