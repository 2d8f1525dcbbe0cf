"""Agency changes list undated ones last on SQLite as on PostgreSQL (no schema change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_party_agency_area"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="agencychange",
            options={
                "ordering": [models.OrderBy(models.F("changed_on"), nulls_last=True), "id"],
                "verbose_name": "thay đổi tổ chức",
                "verbose_name_plural": "thay đổi tổ chức",
            },
        ),
    ]
