"""Partial indexes over live agreements for the agreement list (issue 5).

Written by hand: only these indexes, nothing else pending in the models.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_vietnamese_constraint_messages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["-signed_on", "-id"],
                name="agreement_live_list_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["kind", "-signed_on", "-id"],
                name="agreement_live_kind_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["start_year", "end_year"],
                name="agreement_live_period_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True), ("supersedes__isnull", False)),
                fields=["supersedes"],
                include=["signed_on", "lifecycle"],
                name="agreement_live_supersedes_idx",
            ),
        ),
    ]
