"""Agreements with their parties, signatories, legal bases and content items."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connections, models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..querysets import AgreementQuerySet
from ..text import shorten
from .base import MAX_YEAR, MIN_YEAR, YEAR_VALIDATORS, NormalizedModel
from .organisations import Agency, Area


class Agreement(NormalizedModel):
    """A coordination agreement: regulation, program or plan signed by two or more bodies.

    The document number is stored exactly as written. The status shown to users is
    derived from dates and from whether a later agreement supersedes this one (see
    `AgreementQuerySet.with_status`); only "draft" and "ended early" are recorded.
    """

    class Kind(models.TextChoices):
        REGULATION = "regulation", _("Quy chế phối hợp")
        PROGRAM = "program", _("Chương trình phối hợp")
        PLAN = "plan", _("Kế hoạch phối hợp")

    class Lifecycle(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SIGNED = "signed", _("Đã ký")
        ENDED = "ended", _("Chấm dứt")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        IN_FORCE = "in_force", _("Đang hiệu lực")
        EXPIRED = "expired", _("Hết hiệu lực")
        SUPERSEDED = "superseded", _("Đã được thay thế")
        ENDED = "ended", _("Chấm dứt")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Hằng tháng")
        QUARTERLY = "quarterly", _("Hằng quý")
        SIX_MONTHLY = "six_monthly", _("6 tháng một lần")
        YEARLY = "yearly", _("Hằng năm")
        AD_HOC = "ad_hoc", _("Khi cần thiết")
        UNSPECIFIED = "", _("Chưa xác định")

    kind = models.CharField(_("loại văn bản"), max_length=20, choices=Kind.choices)
    number = models.CharField(
        _("số, ký hiệu"),
        max_length=100,
        blank=True,
        help_text=_("Ghi đúng như trên văn bản, ví dụ 31B-QCPH/BDV-ĐĐHĐND hoặc 19/KH-UBND."),
    )
    title = models.CharField(_("trích yếu"), max_length=1000)
    signed_on = models.DateField(_("ngày ký"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=200, blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan chủ trì"),
        on_delete=models.PROTECT,
        related_name="led_agreements",
    )
    start_year = models.PositiveSmallIntegerField(
        _("từ năm"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    end_year = models.PositiveSmallIntegerField(
        _("đến năm"),
        null=True,
        blank=True,
        validators=YEAR_VALIDATORS,
        help_text=_("Để trống với quy chế không thời hạn."),
    )
    effective_from = models.DateField(_("hiệu lực từ ngày"), null=True, blank=True)
    effective_until = models.DateField(_("hiệu lực đến ngày"), null=True, blank=True)
    lifecycle = models.CharField(
        _("tình trạng văn bản"),
        max_length=10,
        choices=Lifecycle.choices,
        default=Lifecycle.SIGNED,
        help_text=_(
            "Hiệu lực, hết hiệu lực và bị thay thế được tính từ ngày tháng; "
            "chỉ ghi Dự thảo hoặc Chấm dứt trước thời hạn."
        ),
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("thay thế văn bản"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        help_text=_("Văn bản của nhiệm kỳ trước mà văn bản này thay thế."),
    )
    purpose = models.TextField(_("mục đích, yêu cầu"), blank=True)
    meeting_frequency = models.CharField(
        _("chế độ giao ban"), max_length=20, choices=Frequency.choices, blank=True, default=""
    )
    information_exchange = models.TextField(_("chế độ trao đổi thông tin"), blank=True)
    annual_review_required = models.BooleanField(_("đánh giá hằng năm"), default=True)
    midterm_review_year = models.PositiveSmallIntegerField(
        _("năm sơ kết"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    final_review_year = models.PositiveSmallIntegerField(
        _("năm tổng kết"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    declared_item_count = models.PositiveSmallIntegerField(
        _("số nội dung theo văn bản"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
        help_text=_("Số nội dung phối hợp văn bản nêu, ví dụ “10 nội dung chính”."),
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    source = models.CharField(
        _("nguồn thông tin"), max_length=500, blank=True, help_text=_("Bài báo, văn bản gốc.")
    )
    archived_at = models.DateTimeField(_("lưu trữ lúc"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    search_key = models.TextField(editable=False, default="")

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_key", "updated_at"])
    search_fields = ("number", "title", "place")

    class Meta:
        verbose_name = _("văn bản phối hợp")
        verbose_name_plural = pgettext_lazy("plural", "văn bản phối hợp")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="agreement_end_year_after_start",
                violation_error_message=_("Năm kết thúc không được trước năm bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(start_year__gte=MIN_YEAR, start_year__lte=MAX_YEAR),
                name="agreement_start_year_sane",
                violation_error_message=_("Năm bắt đầu phải trong khoảng 1945 – 2100."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(end_year__gte=MIN_YEAR, end_year__lte=MAX_YEAR),
                name="agreement_end_year_sane",
                violation_error_message=_("Năm kết thúc phải trong khoảng 1945 – 2100."),
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="agreement_effective_range",
                violation_error_message=_("Ngày hết hiệu lực không được trước ngày có hiệu lực."),
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")),
                name="agreement_not_superseding_itself",
                violation_error_message=_("Văn bản không thể thay thế chính nó."),
            ),
            # The same office may reuse a number in another year, never in one year.
            models.UniqueConstraint(
                F("lead_agency"),
                F("number"),
                ExtractYear("signed_on"),
                condition=~Q(number=""),
                name="agreement_number_unique_per_lead_and_year",
                violation_error_message=_(
                    "Cơ quan chủ trì đã có văn bản mang số, ký hiệu này trong cùng năm ký."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["start_year", "end_year"], name="agreement_period_idx"),
            models.Index(fields=["signed_on"], name="agreement_signed_idx"),
            # The agreement list: live agreements in its default order, also by kind,
            # and the distinct periods its filter offers (read from the index alone).
            models.Index(
                fields=["-signed_on", "-id"],
                condition=Q(archived_at__isnull=True),
                name="agreement_live_list_idx",
            ),
            # The archived ones, a handful: "not of an archived agreement" is then a
            # small hash, not a join with every live agreement (reports.selectors.scope).
            models.Index(
                fields=["id"],
                condition=Q(archived_at__isnull=False),
                name="agreement_archived_idx",
            ),
            models.Index(
                fields=["kind", "-signed_on", "-id"],
                condition=Q(archived_at__isnull=True),
                name="agreement_live_kind_idx",
            ),
            models.Index(
                fields=["start_year", "end_year"],
                condition=Q(archived_at__isnull=True),
                name="agreement_live_period_idx",
            ),
            # A scoped user's periods (a province's 5,900 agreements among 200,000):
            # the live agreements' ids with their years, read from this index alone
            # (24 ms at national scale) rather than from the whole table (94 ms).
            models.Index(
                fields=["id"],
                include=["start_year", "end_year"],
                condition=Q(archived_at__isnull=True),
                name="agreement_live_years_idx",
            ),
            # The derived status's "superseded" test, read from the index alone when
            # PostgreSQL hashes it for a long list (covering columns: PostgreSQL only).
            models.Index(
                fields=["supersedes"],
                include=["signed_on", "lifecycle"],
                condition=Q(supersedes__isnull=False, archived_at__isnull=True),
                name="agreement_live_supersedes_idx",
            ),
        ]

    def __str__(self):
        label = self.number or self.get_kind_display()
        return f"{label}: {shorten(self.title, 80)}"

    def get_absolute_url(self):
        return reverse("agreements:agreement_detail", args=[self.pk])

    @property
    def period_label(self):
        if self.start_year and self.end_year and self.start_year != self.end_year:
            return f"{self.start_year} – {self.end_year}"
        if self.start_year and not self.end_year:
            # Open-ended ("không thời hạn"), unlike a plan for that single year.
            return gettext("Từ năm %(year)s") % {"year": self.start_year}
        return str(self.start_year or self.end_year or "")

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("Năm kết thúc không được trước năm bắt đầu.")})
        if (
            self.effective_from
            and self.effective_until
            and self.effective_until < self.effective_from
        ):
            raise ValidationError(
                {"effective_until": _("Ngày hết hiệu lực không được trước ngày có hiệu lực.")}
            )
        for name in ("midterm_review_year", "final_review_year"):
            year = getattr(self, name)
            if year and self.start_year and self.end_year:
                if not self.start_year <= year <= self.end_year + 1:
                    raise ValidationError({name: _("Năm đánh giá phải nằm trong giai đoạn.")})

    def validate_constraints(self, exclude=None):
        # A missing signing date never clashes (NULL years are distinct in the index),
        # and PostgreSQL cannot type EXTRACT(YEAR FROM NULL) in Django's check query.
        if self.signed_on is None:
            exclude = {*(exclude or ()), "signed_on"}
        super().validate_constraints(exclude=exclude)

    def status_on(self, day=None):
        """The derived status on `day` (today by default); mirrors `with_status`."""
        day = day or timezone.localdate()
        if self.lifecycle == self.Lifecycle.DRAFT:
            return self.Status.DRAFT
        if self.lifecycle == self.Lifecycle.ENDED:
            return self.Status.ENDED
        superseding = self.superseded_by.filter(
            Q(signed_on__isnull=True) | Q(signed_on__lte=day), archived_at__isnull=True
        ).exclude(lifecycle="draft")
        if superseding.exists():
            return self.Status.SUPERSEDED
        if self.effective_until and self.effective_until < day:
            return self.Status.EXPIRED
        if not self.effective_until and self.end_year and self.end_year < day.year:
            return self.Status.EXPIRED
        return self.Status.IN_FORCE

    @property
    def status(self):
        value = getattr(self, "status_value", None) or self.status_on()
        return self.Status(value)


class LegalBasis(NormalizedModel):
    """A document an agreement rests on (căn cứ), e.g. Quyết định 290-QĐ/TW."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.CASCADE,
        related_name="legal_bases",
    )
    number = models.CharField(_("số, ký hiệu"), max_length=100)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    title = models.CharField(_("trích yếu"), max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("căn cứ")
        verbose_name_plural = pgettext_lazy("plural", "căn cứ")
        ordering = ["order", "id"]

    def __str__(self):
        return self.number


class AgreementParty(NormalizedModel):
    """An agency's part in an agreement, under the name it had when it signed."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        PARTNER = "partner", _("Phối hợp")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.CASCADE,
        related_name="parties",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        related_name="agreement_parties",
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    name_as_signed = models.CharField(
        _("tên cơ quan trên văn bản"),
        max_length=300,
        help_text=_("Tên tại thời điểm ký, giữ nguyên khi cơ quan đổi tên, sáp nhập."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    search_key = models.CharField(max_length=400, editable=False, default="")
    agency_area = models.ForeignKey(
        Area,
        verbose_name=_("địa bàn của cơ quan"),
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,  # party_area_idx starts with it
        related_name="+",
        help_text=_("Chép từ cơ quan khi lưu: lọc văn bản theo địa bàn bằng một chỉ mục."),
    )

    history = HistoricalRecords(excluded_fields=["search_key", "agency_area"])
    search_fields = ("name_as_signed",)

    class Meta:
        verbose_name = _("bên tham gia")
        verbose_name_plural = _("các bên tham gia")
        ordering = ["order", "id"]
        indexes = [
            # A leader's agreements: the parties located in their areas (in_areas).
            models.Index(fields=["agency_area", "agreement"], name="party_area_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agency"],
                name="agreementparty_unique_agency",
                violation_error_message=_("Cơ quan này đã có trong các bên tham gia."),
            ),
        ]

    def __str__(self):
        return f"{self.name_as_signed} ({self.get_role_display()})"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "agency_area"}
        connection = connections[kwargs.get("using") or router.db_for_write(AgreementParty)]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The agency's share lock (`_area_of`) must last until the party is written.
            with transaction.atomic(using=connection.alias):
                self._save_with_area(connection, *args, **kwargs)
        else:
            self._save_with_area(connection, *args, **kwargs)

    def _save_with_area(self, connection, *args, **kwargs):
        self.agency_area_id = _area_of(self.agency_id, connection=connection)
        super().save(*args, **kwargs)


def _area_of(agency_id, *, connection):
    """Where the agency is, read from the database rather than from a cached instance
    (`Agency.save` updates the parties' copies when an agency moves). On PostgreSQL
    the agency row is share-locked until the party's transaction ends: a move being
    saved at the same moment is waited for and its new area read (else the party
    would keep the old one, written after the move had updated the others), and a
    move starting later waits for the party, then updates it too. Party saves do
    not block each other. SQLite lets one writer at a time: no move can be under way."""
    if connection.vendor != "postgresql":
        agencies = Agency.objects.using(connection.alias).filter(pk=agency_id)
        return agencies.values_list("area_id", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT area_id FROM {connection.ops.quote_name(Agency._meta.db_table)} "
            "WHERE id = %s FOR SHARE",
            [agency_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class Signatory(NormalizedModel):
    """Who signed for a party, with prefix and position as on the day of signing."""

    class Prefix(models.TextChoices):
        NONE = "", _("(không)")
        ON_BEHALF = "T/M", "T/M"
        DEPUTY = "K/T", "K/T"
        BY_ORDER = "TL", "TL"
        AUTHORISED = "TUQ", "TUQ"

    party = models.ForeignKey(
        AgreementParty,
        verbose_name=_("bên ký"),
        on_delete=models.CASCADE,
        related_name="signatories",
    )
    prefix = models.CharField(
        _("thẩm quyền ký"), max_length=5, choices=Prefix.choices, blank=True, default=""
    )
    on_behalf_of = models.CharField(
        _("thay mặt"),
        max_length=300,
        blank=True,
        help_text=_("Ví dụ “BAN THƯỜNG VỤ” sau T/M, hoặc “TRƯỞNG BAN” sau K/T."),
    )
    name = models.CharField(_("họ và tên"), max_length=200)
    position = models.CharField(_("chức vụ"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("người ký")
        verbose_name_plural = pgettext_lazy("plural", "người ký")
        ordering = ["id"]

    def __str__(self):
        return f"{self.prefix} {self.name}".strip()


class ContentItem(NormalizedModel):
    """One numbered content item (nội dung phối hợp) of an agreement."""

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("văn bản phối hợp"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    number = models.PositiveSmallIntegerField(_("số thứ tự"))
    title = models.CharField(_("nội dung"), max_length=1000)
    description = models.TextField(_("mô tả chi tiết"), blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan chủ trì"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_items",
    )
    supporting_agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan phối hợp"), blank=True, related_name="supported_items"
    )
    expected_result = models.TextField(_("kết quả dự kiến"), blank=True)
    search_key = models.TextField(editable=False, default="")

    history = HistoricalRecords(excluded_fields=["search_key"])
    search_fields = ("title", "description")

    class Meta:
        verbose_name = _("nội dung phối hợp")
        verbose_name_plural = pgettext_lazy("plural", "nội dung phối hợp")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"],
                name="contentitem_unique_no",
                violation_error_message=_("Số thứ tự nội dung đã có trong văn bản này."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="contentitem_number_positive",
                violation_error_message=_("Số thứ tự nội dung phải từ 1 trở lên."),
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.title[:100]}"
