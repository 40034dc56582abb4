"""Why a resident is not eligible and why they may be a duplicate, kept in every language,
{"id": ..., "en": ...}, and shown in the reader's (portal.translated). A text stored before as
plain text becomes a JSON string, which in_reader_language shows as it is."""

import json

from django.db import migrations, models

FIELDS = ["reason", "duplicate_note"]


def text_to_json(apps, schema_editor):
    """Each text as its JSON string, so that the columns' type can become JSON."""
    model = apps.get_model("opensid", "ResidentCandidate")
    if schema_editor.connection.vendor == "postgresql":
        table = schema_editor.quote_name(model._meta.db_table)
        columns = [schema_editor.quote_name(field) for field in FIELDS]
        changes = ", ".join(f"{column} = to_jsonb({column})::text" for column in columns)
        schema_editor.execute(f"UPDATE {table} SET {changes}")
        return
    for pk, *texts in model.objects.values_list("pk", *FIELDS).iterator(chunk_size=2000):
        values = {field: json.dumps(text) for field, text in zip(FIELDS, texts)}
        model.objects.filter(pk=pk).update(**values)


def json_to_text(apps, schema_editor):
    """Back to plain text: the Indonesian text of one stored in every language."""
    model = apps.get_model("opensid", "ResidentCandidate")
    for pk, *stored in model.objects.values_list("pk", *FIELDS).iterator(chunk_size=2000):
        values = {}
        for field, text in zip(FIELDS, stored):
            value = json.loads(text) if text else ""
            if isinstance(value, dict):
                value = value.get("id") or next(iter(value.values()), "")
            values[field] = value
        model.objects.filter(pk=pk).update(**values)


class Migration(migrations.Migration):
    dependencies = [
        ("opensid", "0001_resident_uploads_and_candidates"),
    ]

    operations = [
        migrations.RunPython(text_to_json, json_to_text),
        migrations.AlterField(
            model_name="residentcandidate",
            name="reason",
            field=models.JSONField(blank=True, default=str, verbose_name="why not eligible"),
        ),
        migrations.AlterField(
            model_name="residentcandidate",
            name="duplicate_note",
            field=models.JSONField(blank=True, default=str, verbose_name="possible duplicate"),
        ),
    ]
