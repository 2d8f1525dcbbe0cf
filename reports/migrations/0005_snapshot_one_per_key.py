"""One snapshot per question: a newer generation's answer replaces the older one in
the statement that stores it (reports.snapshots.remembered), instead of a DELETE
before each INSERT. The stored snapshots are only a cache: they are dropped first,
so that no key is stored twice when the constraint is created."""

from django.db import migrations, models


def drop_snapshots(apps, schema_editor):
    apps.get_model("reports", "ReportSnapshot").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_summary_number"),
    ]

    operations = [
        migrations.RunPython(drop_snapshots, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="reportsnapshot",
            name="report_snapshot_key",
        ),
        migrations.AddConstraint(
            model_name="reportsnapshot",
            constraint=models.UniqueConstraint(fields=("key",), name="report_snapshot_one_per_key"),
        ),
    ]
