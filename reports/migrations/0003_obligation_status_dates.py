"""Stored obligations carry their agreement's status dates (copied from its summary),
so what is owed on a day is read from the obligations alone."""

from django.db import migrations, models

# The updated table is named, not aliased, in the WHERE: SQLite's UPDATE … FROM
# takes no alias for it, PostgreSQL takes either.
COPY = """
UPDATE reports_obligationsummary
SET superseded_on = s.superseded_on, effective_until = s.effective_until, end_year = s.end_year
FROM reports_agreementsummary AS s
WHERE s.agreement_id = reports_obligationsummary.agreement_id
"""


def copy_dates(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
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
