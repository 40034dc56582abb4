"""Village operators never see a KPJ number (User.may_see_kpj), yet verification notices gave
it to them ("... verified: KPJ 26000003964."). Drop the number from the notices they hold, so
the bell and any e-mail still due no longer show it. And an audit action for uploads of NIKs
to check (enrollment.import_limits), and the users' session generation (portal.user_sessions)."""

import re

from django.db import migrations, models

KPJ_SUFFIX = re.compile(r": KPJ [0-9]+\.$")


def drop_kpj_from_operators_notices(apps, schema_editor):
    Notification = apps.get_model("portal", "Notification")
    notices = Notification.objects.filter(
        kind="verified", user__role="village_operator", text__contains="KPJ"
    ).only("pk", "text")
    changed = []
    for notice in notices.iterator(chunk_size=2000):
        text = KPJ_SUFFIX.sub(".", notice.text)
        if text != notice.text:
            notice.text = text
            changed.append(notice)
    Notification.objects.bulk_update(changed, ["text"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_content_version"),
    ]

    operations = [
        migrations.RunPython(drop_kpj_from_operators_notices, migrations.RunPython.noop),
        migrations.AddField(
            model_name="user",
            name="session_generation",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Raised to end every open session of the account at once.",
                verbose_name="session generation",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view_nik", "Viewed a full NIK"),
                    ("export", "Exported personal data"),
                    ("import", "Imported registrations"),
                    ("check_niks", "Uploaded NIKs to check"),
                ],
                db_index=True,
                max_length=10,
                verbose_name="action",
            ),
        ),
    ]
