"""Parties carry the area of their agency, so that a leader's agreements are one
indexed lookup (AgreementQuerySet.in_areas)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0006_form_submissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreementparty",
            name="agency_area",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                help_text="Chép từ cơ quan khi lưu: lọc văn bản theo địa bàn bằng một chỉ mục.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agreements.area",
                verbose_name="địa bàn của cơ quan",
            ),
        ),
        # Every existing party takes the area of its agency (both databases).
        migrations.RunSQL(
            "UPDATE agreements_agreementparty SET agency_area_id = ("
            "SELECT a.area_id FROM agreements_agency a"
            " WHERE a.id = agreements_agreementparty.agency_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AddIndex(
            model_name="agreementparty",
            index=models.Index(fields=["agency_area", "agreement"], name="party_area_idx"),
        ),
    ]
