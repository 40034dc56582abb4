from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0007_campaign_counts_employer_covered"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="desa_only",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Kelurahan do not take part (e.g. a programme paid from Dana Desa, which "
                    "kelurahan do not receive): they are not added, and those taking part leave "
                    "when saved."
                ),
                verbose_name="desa only",
            ),
        ),
    ]
