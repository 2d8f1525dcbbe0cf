"""Implementation: annual plans and their activities, reviews and their parts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import MAX_YEAR, MIN_YEAR, YEAR_VALIDATORS, NormalizedModel
from .documents import Agreement, ContentItem
from .organisations import Agency


class AnnualPlan(NormalizedModel):
    """The implementation plan of an agreement for one year (kế hoạch thực hiện năm)."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    year = models.PositiveSmallIntegerField(_("năm"), validators=YEAR_VALIDATORS)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    summary = models.TextField(_("nội dung tóm tắt"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kế hoạch thực hiện năm")
        verbose_name_plural = pgettext_lazy("plural", "kế hoạch thực hiện năm")
        ordering = ["agreement", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year"],
                name="annualplan_unique_year",
                violation_error_message=_("Văn bản đã có kế hoạch thực hiện cho năm này."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="annualplan_year_sane",
                violation_error_message=_("Năm phải trong khoảng 1945 – 2100."),
            ),
        ]

    def __str__(self):
        return _("Kế hoạch năm %(year)s") % {"year": self.year}

    def get_absolute_url(self):
        return reverse("agreements:plan_detail", args=[self.pk])


class PlanActivity(NormalizedModel):
    """A task of an annual plan, tied to a content item, with a deadline."""

    plan = models.ForeignKey(
        AnnualPlan,
        verbose_name=_("kế hoạch"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    content_item = models.ForeignKey(
        ContentItem,
        verbose_name=_("nội dung phối hợp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    activity = models.TextField(_("hoạt động"))
    responsible_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_activities",
    )
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    done_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = pgettext_lazy("plural", "hoạt động")
        ordering = ["plan", "deadline", "id"]
        indexes = [models.Index(fields=["deadline", "done_on"], name="activity_due_idx")]

    def __str__(self):
        return self.activity[:100]


class Review(NormalizedModel):
    """A liaison meeting or review of an agreement, with its report's sections.

    Workflow: draft → submitted → approved, or back to draft with a reason.
    An approved review is read-only.
    """

    class Kind(models.TextChoices):
        LIAISON = "liaison", _("Giao ban")
        SIX_MONTHLY = "six_monthly", _("Sơ kết 6 tháng")
        ANNUAL = "annual", _("Đánh giá năm")
        MIDTERM = "midterm", _("Sơ kết giữa nhiệm kỳ")
        FINAL = "final", _("Tổng kết")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Chờ phê duyệt")
        APPROVED = "approved", _("Đã phê duyệt")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    kind = models.CharField(_("hình thức"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tên hội nghị, báo cáo"), max_length=500, blank=True)
    period_from = models.DateField(_("kỳ đánh giá từ ngày"), null=True, blank=True)
    period_to = models.DateField(_("kỳ đánh giá đến ngày"), null=True, blank=True)
    held_on = models.DateField(_("ngày tổ chức"), null=True, blank=True)
    place = models.CharField(_("địa điểm"), max_length=500, blank=True)
    chaired_by = models.TextField(_("chủ trì"), blank=True)
    attended_by = models.TextField(_("thành phần tham dự"), blank=True)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    limitations = models.TextField(_("hạn chế, yếu kém"), blank=True)
    causes = models.TextField(_("nguyên nhân"), blank=True)
    lessons = models.TextField(_("bài học kinh nghiệm"), blank=True)
    directions = models.TextField(_("phương hướng, giải pháp"), blank=True)
    recommendations = models.TextField(_("kiến nghị, đề xuất"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phê duyệt"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_reviews",
    )
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    source = models.CharField(_("nguồn thông tin"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sơ kết, tổng kết")
        verbose_name_plural = _("giao ban, sơ kết, tổng kết")
        ordering = ["agreement", "-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__isnull=True)
                | Q(period_from__isnull=True)
                | Q(period_to__gte=F("period_from")),
                name="review_period_range",
                violation_error_message=_("Kỳ đánh giá kết thúc trước khi bắt đầu."),
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="review_approved_has_time",
                violation_error_message=_("Hội nghị đã phê duyệt phải có thời điểm phê duyệt."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "held_on"], name="review_status_idx"),
            # Reviews awaiting approval, oldest first (the dashboard's list and count):
            # a few thousand entries in the country instead of half a million rows,
            # read from the index alone.
            models.Index(
                fields=["submitted_at", "id"],
                include=["agreement_id"],
                condition=Q(status="submitted"),
                name="review_submitted_idx",
            ),
        ]

    def __str__(self):
        when = self.held_on.strftime("%d/%m/%Y") if self.held_on else ""
        return f"{self.get_kind_display()} {when}".strip()

    def get_absolute_url(self):
        return reverse("agreements:review_detail", args=[self.pk])

    @property
    def is_locked(self):
        return self.status == self.Status.APPROVED

    NARRATIVE_FIELDS = (
        "results",
        "limitations",
        "causes",
        "lessons",
        "directions",
        "recommendations",
    )

    @property
    def sections(self):
        """The report's narrative sections, in the official order, as (label, text)."""
        return [
            (self._meta.get_field(name).verbose_name.capitalize(), getattr(self, name))
            for name in self.NARRATIVE_FIELDS
        ]

    def clean(self):
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValidationError({"period_to": _("Kỳ đánh giá kết thúc trước khi bắt đầu.")})


class ContributedPaper(NormalizedModel):
    """A contributed paper or speech (tham luận) presented at a review."""

    review = models.ForeignKey(
        Review, verbose_name=_("hội nghị"), on_delete=models.CASCADE, related_name="papers"
    )
    title = models.CharField(_("tên tham luận"), max_length=1000)
    presenter = models.CharField(_("người trình bày"), max_length=200, blank=True)
    position = models.CharField(_("chức vụ"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tham luận")
        verbose_name_plural = pgettext_lazy("plural", "tham luận")
        ordering = ["order", "id"]

    def __str__(self):
        return self.title[:100]


class ItemAssessment(NormalizedModel):
    """How far one content item has got, as assessed in one review."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")
        BEHIND = "behind", _("Chậm tiến độ")

    review = models.ForeignKey(
        Review, verbose_name=_("hội nghị"), on_delete=models.CASCADE, related_name="assessments"
    )
    content_item = models.ForeignKey(
        ContentItem,
        verbose_name=_("nội dung phối hợp"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    progress = models.CharField(_("tiến độ"), max_length=20, choices=Progress.choices)
    comment = models.TextField(_("nhận xét"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đánh giá nội dung")
        verbose_name_plural = pgettext_lazy("plural", "đánh giá nội dung")
        ordering = ["review", "content_item__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "content_item"],
                name="itemassessment_unique_item",
                violation_error_message=_("Nội dung này đã được đánh giá trong hội nghị."),
            ),
        ]

    def __str__(self):
        return f"{self.content_item.number}: {self.get_progress_display()}"

    def clean(self):
        if (
            self.review_id
            and self.content_item_id
            and self.content_item.agreement_id != self.review.agreement_id
        ):
            raise ValidationError(
                {"content_item": _("Nội dung này không thuộc văn bản của hội nghị.")}
            )
