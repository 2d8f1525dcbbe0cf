"""Files attached to agreements, reviews and plans."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import NormalizedModel
from .documents import Agreement
from .work import AnnualPlan, Review


def attachment_path(instance, filename):
    """Store under a generated name: the user's file name never reaches the disk."""
    suffix = PurePath(filename).suffix.lower()[:10]
    today = timezone.localdate()
    return f"attachments/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(NormalizedModel):
    """A file on an agreement, a review or a plan: signed scan, annex, report."""

    class Kind(models.TextChoices):
        SIGNED_SCAN = "signed_scan", _("Bản ký (scan)")
        ANNEX = "annex", _("Phụ lục")
        REPORT = "report", _("Báo cáo")
        OTHER = "other", _("Khác")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    review = models.ForeignKey(
        Review,
        verbose_name=_("hội nghị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    plan = models.ForeignKey(
        AnnualPlan,
        verbose_name=_("kế hoạch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    title = models.CharField(_("tiêu đề"), max_length=500)
    kind = models.CharField(_("loại tệp"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("tệp"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("tên tệp gốc"), max_length=300, blank=True)
    content_type = models.CharField(_("kiểu nội dung"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = pgettext_lazy("plural", "tệp đính kèm")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(agreement__isnull=False, review__isnull=True, plan__isnull=True)
                    | Q(agreement__isnull=True, review__isnull=False, plan__isnull=True)
                    | Q(agreement__isnull=True, review__isnull=True, plan__isnull=False)
                ),
                name="attachment_exactly_one_owner",
                violation_error_message=_(
                    "Tệp đính kèm phải thuộc đúng một văn bản, hội nghị hoặc kế hoạch."
                ),
            ),
        ]

    def __str__(self):
        return self.title
