"""A refused import's reason kept in every language, {"id": ..., "en": ...}, and shown in the
reader's (portal.translated). A reason stored before as plain text becomes a JSON string, which
in_reader_language shows as it is."""

import json

from django.db import migrations, models

FIELDS = [("ImportBatch", "refusal"), ("PaymentUpload", "refusal")]


def text_to_json(apps, schema_editor):
    """Each text as its JSON string, so that the column's type can become JSON."""
    for model_name, field in FIELDS:
        model = apps.get_model("enrollment", model_name)
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(model._meta.db_table)
            column = schema_editor.quote_name(field)
            schema_editor.execute(f"UPDATE {table} SET {column} = to_jsonb({column})::text")
            continue
        for pk, text in model.objects.values_list("pk", field).iterator(chunk_size=2000):
            model.objects.filter(pk=pk).update(**{field: json.dumps(text)})


def json_to_text(apps, schema_editor):
    """Back to plain text: the Indonesian text of one stored in every language."""
    for model_name, field in FIELDS:
        model = apps.get_model("enrollment", model_name)
        for pk, stored in model.objects.values_list("pk", field).iterator(chunk_size=2000):
            value = json.loads(stored) if stored else ""
            if isinstance(value, dict):
                value = value.get("id") or next(iter(value.values()), "")
            model.objects.filter(pk=pk).update(**{field: value})


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0013_age_limits"),
    ]

    operations = [
        migrations.RunPython(text_to_json, json_to_text),
        migrations.AlterField(
            model_name="importbatch",
            name="refusal",
            field=models.JSONField(blank=True, default=str, verbose_name="reason for refusal"),
        ),
        migrations.AlterField(
            model_name="paymentupload",
            name="refusal",
            field=models.JSONField(blank=True, default=str, verbose_name="reason for refusal"),
        ),
    ]
