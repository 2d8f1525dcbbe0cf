"""The indicator catalogue (chỉ tiêu) and the figures recorded against it."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import MAX_YEAR, MIN_YEAR, YEAR_VALIDATORS, NormalizedModel
from .documents import Agreement
from .organisations import Agency, Area
from .work import Review


class Indicator(NormalizedModel):
    """An entry of the indicator catalogue (chỉ tiêu), managed by admins."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Số lượng")
        PERCENTAGE = "percentage", _("Tỷ lệ phần trăm")
        RATIO = "ratio", _("Tỷ lệ trên tổng số (có mẫu số)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Cộng dồn")
        LATEST = "latest", _("Lấy số mới nhất")
        AVERAGE = "average", _("Bình quân")

    code = models.SlugField(_("mã chỉ tiêu"), max_length=50, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=500)
    unit = models.CharField(_("đơn vị tính"), max_length=50)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices, default=Kind.COUNT)
    aggregation = models.CharField(
        _("cách tổng hợp"),
        max_length=20,
        choices=Aggregation.choices,
        default=Aggregation.SUM,
        help_text=_("Cách cộng theo thời gian và theo địa bàn."),
    )
    denominator_label = models.CharField(
        _("mẫu số là"), max_length=200, blank=True, help_text=_("Ví dụ “tổng số xã, phường”.")
    )
    description = models.TextField(_("mô tả"), blank=True)
    group = models.CharField(_("nhóm"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    search_key = models.CharField(max_length=700, editable=False, default="")

    history = HistoricalRecords()
    search_fields = ("code", "name", "group")

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("danh mục chỉ tiêu")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def needs_denominator(self):
        return self.kind == self.Kind.RATIO


class IndicatorValue(NormalizedModel):
    """A figure for an indicator: for an agreement and year, optionally from a review,
    for an area and/or an agency. For ratios, `denominator` is the whole (200 communes).
    """

    # No index of its own: `indicatorvalue_year_idx` (indicator, year) starts with it.
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("chỉ tiêu"),
        on_delete=models.PROTECT,
        related_name="values",
        db_index=False,
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    review = models.ForeignKey(
        Review,
        verbose_name=_("hội nghị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    year = models.PositiveSmallIntegerField(_("năm"), validators=YEAR_VALIDATORS)
    area = models.ForeignKey(
        Area,
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
    )
    value = models.DecimalField(
        _("giá trị"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    denominator = models.DecimalField(
        _("mẫu số"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("số liệu chỉ tiêu")
        verbose_name_plural = pgettext_lazy("plural", "số liệu chỉ tiêu")
        ordering = ["indicator__order", "year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="indicatorvalue_non_negative",
                violation_error_message=_("Giá trị không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True)
                | (Q(denominator__gt=0) & Q(denominator__gte=F("value"))),
                name="indicatorvalue_denominator_covers_value",
                violation_error_message=_("Mẫu số phải lớn hơn 0 và không nhỏ hơn giá trị."),
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(agency__isnull=False),
                name="indicatorvalue_has_area_or_agency",
                violation_error_message=_("Cần chọn địa bàn hoặc cơ quan, đơn vị."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="indicatorvalue_year_sane",
                violation_error_message=_("Năm phải trong khoảng 1945 – 2100."),
            ),
        ]
        # Covering (PostgreSQL): a new figure's whole-country total of its indicator
        # and year is added up from this index alone (the busiest pair at national
        # scale: 63,000 values, 18 ms instead of 127 from the table's rows).
        indexes = [
            models.Index(
                fields=["indicator", "year"],
                include=["value", "denominator", "agreement", "id"],
                name="indicatorvalue_year_idx",
            )
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.year})"

    @property
    def percentage(self):
        if self.denominator:
            return self.value * 100 / self.denominator
        return None

    def clean(self):
        if self.value is not None and self.denominator is not None:
            if self.denominator <= 0 or self.denominator < self.value:
                raise ValidationError(
                    {"denominator": _("Mẫu số phải lớn hơn 0 và không nhỏ hơn giá trị.")}
                )
        if self.indicator_id and self.indicator.needs_denominator and self.denominator is None:
            raise ValidationError({"denominator": _("Chỉ tiêu này cần nhập mẫu số.")})
        if not self.area_id and not self.agency_id:
            raise ValidationError(_("Cần chọn địa bàn hoặc cơ quan, đơn vị."))
        if self.review_id and self.agreement_id and self.review.agreement_id != self.agreement_id:
            raise ValidationError({"review": _("Hội nghị không thuộc văn bản này.")})
