"""Stored obligations carry their agreement's status dates (copied from its summary),
so what is owed on a day is read from the obligations alone."""

from django.db import migrations, models

COPY = """
UPDATE reports_obligationsummary AS o
SET superseded_on = s.superseded_on, effective_until = s.effective_until, end_year = s.end_year
FROM reports_agreementsummary AS s
WHERE s.agreement_id = o.agreement_id
"""


def copy_dates(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "sqlite":
            # SQLite's UPDATE … FROM does not take an alias for the updated table.
            cursor.execute(
                COPY.replace("reports_obligationsummary AS o", "reports_obligationsummary").replace(
                    "o.agreement_id", "reports_obligationsummary.agreement_id"
                )
            )
        else:
            cursor.execute(COPY)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_indicator_year_totals"),
    ]

    operations = [
        migrations.AddField(
            model_name="obligationsummary",
            name="superseded_on",
            field=models.DateField(null=True, verbose_name="văn bản bị thay thế từ ngày"),
        ),
        migrations.AddField(
            model_name="obligationsummary",
            name="effective_until",
            field=models.DateField(null=True, verbose_name="văn bản có hiệu lực đến ngày"),
        ),
        migrations.AddField(
            model_name="obligationsummary",
            name="end_year",
            field=models.PositiveSmallIntegerField(
                null=True, verbose_name="văn bản có hiệu lực đến năm"
            ),
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop),
    ]
