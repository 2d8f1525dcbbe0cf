"""The domain of mass-mobilization coordination agreements.

Vocabulary (see shared/domain.md): areas and agencies (with their lineage through
mergers), agreements with their parties, signatories, legal bases and numbered
content items, annual plans, reviews with assessments and contributed papers, the
indicator catalogue and its values, and attachments.

Rules the data must obey whoever writes it (admin, a service, a bulk import) are
database constraints, not only form validation. Deleting anything that carries
history is refused (`on_delete=PROTECT`); agreements are archived, not deleted.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .querysets import AgencyQuerySet, AgreementQuerySet, AreaQuerySet
from .text import fold, nfc

MIN_YEAR = 1945
MAX_YEAR = 2100
YEAR_VALIDATORS = [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]


class NormalizedModel(models.Model):
    """Stores every text field in NFC and keeps `search_key` (if any) up to date.

    The search key is derived data, so it is recomputed on every save rather than
    trusted from callers; services that write in bulk call `normalize()` themselves.
    """

    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalize()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.search_fields:
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)

    def normalize(self):
        for field in self._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                setattr(self, field.attname, nfc(getattr(self, field.attname)))
        if self.search_fields:
            self.search_key = fold(*(getattr(self, name) for name in self.search_fields))


class Area(NormalizedModel):
    """An administrative unit (địa bàn): province, district (historical) or commune.

    Units are never deleted when they are merged or abolished: they get a
    `valid_until` date and one or more `successors`, so figures recorded under them
    still roll up to the unit that exists today.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Huyện, quận, thị xã (trước 01/7/2025)")
        COMMUNE = "commune", _("Xã, phường, đặc khu")

    name = models.CharField(_("tên địa bàn"), max_length=200)
    code = models.CharField(
        _("mã đơn vị hành chính"),
        max_length=20,
        blank=True,
        help_text=_("Mã theo danh mục đơn vị hành chính Việt Nam, nếu có."),
    )
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        help_text=_("Đơn vị hành chính tiếp nhận địa bàn này khi sáp nhập, giải thể."),
    )
    search_key = models.CharField(max_length=400, editable=False, db_index=True, default="")

    objects = AreaQuerySet.as_manager()
    history = HistoricalRecords()
    search_fields = ("name", "code")

    class Meta:
        verbose_name = _("địa bàn")
        verbose_name_plural = _("địa bàn")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="area_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="area_valid_range",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="area_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_current(self):
        return self.valid_until is None or self.valid_until >= timezone.localdate()


class Agency(NormalizedModel):
    """A body of the political system that can sign an agreement (cơ quan, đơn vị)."""

    class Kind(models.TextChoices):
        PARTY_BODY = "party_body", _("Cơ quan tham mưu, giúp việc của cấp ủy")
        PARTY_COMMITTEE = "party_committee", _("Cấp ủy, Đảng đoàn, Ban cán sự đảng, Đảng ủy")
        STATE = "state", _("Cơ quan nhà nước")
        FATHERLAND_FRONT = "front", _("Mặt trận Tổ quốc")
        SOCIO_POLITICAL = "socio_political", _("Tổ chức chính trị - xã hội")
        ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
        STEERING = "steering", _("Ban chỉ đạo")
        OTHER = "other", _("Khác")

    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện (trước 01/7/2025)")
        COMMUNE = "commune", _("Xã")

    name = models.CharField(_("tên cơ quan, đơn vị"), max_length=300)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    active_from = models.DateField(_("hoạt động từ"), null=True, blank=True)
    active_until = models.DateField(
        _("hoạt động đến"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu cơ quan còn hoạt động."),
    )
    search_key = models.CharField(max_length=500, editable=False, db_index=True, default="")

    objects = AgencyQuerySet.as_manager()
    history = HistoricalRecords()
    search_fields = ("name", "short_name")

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=F("active_from")),
                name="agency_active_range",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="agency_not_own_parent"),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def is_active(self):
        return self.active_until is None or self.active_until >= timezone.localdate()

    def is_party_body(self):
        """Party bodies use the Party header on official documents (HD 36-HD/VPTW)."""
        return self.kind in {self.Kind.PARTY_BODY, self.Kind.PARTY_COMMITTEE}


class AgencyChange(models.Model):
    """One step of an agency's lineage: renamed, merged into, split into, or ended.

    An agency merged into another has one change row pointing at the successor; a
    split has one row per successor; "ended" has no successor.
    """

    class Kind(models.TextChoices):
        RENAMED = "renamed", _("Đổi tên")
        MERGED = "merged", _("Hợp nhất, sáp nhập vào")
        SPLIT = "split", _("Chia tách thành")
        ENDED = "ended", _("Kết thúc hoạt động")

    predecessor = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan trước"),
        on_delete=models.PROTECT,
        related_name="changes_out",
    )
    successor = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan kế thừa"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes_in",
    )
    kind = models.CharField(_("hình thức thay đổi"), max_length=20, choices=Kind.choices)
    changed_on = models.DateField(_("ngày thay đổi"), null=True, blank=True)
    basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thay đổi tổ chức")
        verbose_name_plural = _("thay đổi tổ chức")
        ordering = ["changed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ended") & Q(successor__isnull=True))
                | (~Q(kind="ended") & Q(successor__isnull=False)),
                name="agencychange_successor_unless_ended",
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("predecessor")), name="agencychange_not_self"
            ),
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="agencychange_unique_pair"
            ),
        ]

    def __str__(self):
        if self.successor_id:
            return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"
        return f"{self.predecessor}: {self.get_kind_display()}"


class UserProfile(models.Model):
    """Which agency a user works for and what they may do (role)."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("Cán bộ nhập liệu")
        LEADER = "leader", _("Lãnh đạo")
        ADMIN = "admin", _("Quản trị")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default="editor")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


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
        verbose_name_plural = _("văn bản phối hợp")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=F("start_year")),
                name="agreement_end_year_after_start",
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(start_year__gte=MIN_YEAR, start_year__lte=MAX_YEAR),
                name="agreement_start_year_sane",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(end_year__gte=MIN_YEAR, end_year__lte=MAX_YEAR),
                name="agreement_end_year_sane",
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_until__gte=F("effective_from")),
                name="agreement_effective_range",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=F("id")), name="agreement_not_superseding_itself"
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
        ]

    def __str__(self):
        label = self.number or self.get_kind_display()
        return f"{label}: {self.title[:80]}"

    def get_absolute_url(self):
        return reverse("agreements:agreement_detail", args=[self.pk])

    @property
    def period_label(self):
        if self.start_year and self.end_year and self.start_year != self.end_year:
            return f"{self.start_year} – {self.end_year}"
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

    def status_on(self, day=None):
        """The derived status on `day` (today by default); mirrors `with_status`."""
        day = day or timezone.localdate()
        if self.lifecycle == self.Lifecycle.DRAFT:
            return self.Status.DRAFT
        if self.lifecycle == self.Lifecycle.ENDED:
            return self.Status.ENDED
        if self.superseded_by.filter(archived_at__isnull=True).exclude(lifecycle="draft").exists():
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
        verbose_name_plural = _("căn cứ")
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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bên tham gia")
        verbose_name_plural = _("các bên tham gia")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "agency"], name="agreementparty_unique_agency"
            ),
        ]

    def __str__(self):
        return f"{self.name_as_signed} ({self.get_role_display()})"


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
        verbose_name_plural = _("người ký")
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
        verbose_name_plural = _("nội dung phối hợp")
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="contentitem_unique_no"),
            models.CheckConstraint(condition=Q(number__gte=1), name="contentitem_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title[:100]}"


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
        verbose_name_plural = _("kế hoạch thực hiện năm")
        ordering = ["agreement", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="annualplan_unique_year"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="annualplan_year_sane"
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
        verbose_name_plural = _("hoạt động")
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
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="review_approved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "held_on"], name="review_status_idx")]

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
        verbose_name_plural = _("tham luận")
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
        verbose_name_plural = _("đánh giá nội dung")
        ordering = ["review", "content_item__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "content_item"], name="itemassessment_unique_item"
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

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="values"
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
        verbose_name_plural = _("số liệu chỉ tiêu")
        ordering = ["indicator__order", "year"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="indicatorvalue_non_negative"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True)
                | (Q(denominator__gt=0) & Q(denominator__gte=F("value"))),
                name="indicatorvalue_denominator_covers_value",
                violation_error_message=_("Mẫu số phải lớn hơn 0 và không nhỏ hơn giá trị."),
            ),
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(agency__isnull=False),
                name="indicatorvalue_has_area_or_agency",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="indicatorvalue_year_sane",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year"], name="indicatorvalue_year_idx")]

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
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(agreement__isnull=False, review__isnull=True, plan__isnull=True)
                    | Q(agreement__isnull=True, review__isnull=False, plan__isnull=True)
                    | Q(agreement__isnull=True, review__isnull=True, plan__isnull=False)
                ),
                name="attachment_exactly_one_owner",
            ),
        ]

    def __str__(self):
        return self.title
