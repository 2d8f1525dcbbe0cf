"""Areas and agencies, their lineage through mergers, and who works where."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ..querysets import AgencyQuerySet, AreaQuerySet
from .base import NormalizedModel


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
        verbose_name_plural = pgettext_lazy("plural", "địa bàn")
        ordering = ["level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(code=""),
                name="area_code_unique",
                violation_error_message=_("Mã đơn vị hành chính đã được dùng."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="area_valid_range",
                violation_error_message=_("Ngày hết hiệu lực không được trước ngày có hiệu lực."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="area_not_own_parent",
                violation_error_message=_("Địa bàn không thể trực thuộc chính nó."),
            ),
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
        verbose_name_plural = pgettext_lazy("plural", "cơ quan, đơn vị")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=F("active_from")),
                name="agency_active_range",
                violation_error_message=_("Ngày kết thúc hoạt động không được trước ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="agency_not_own_parent",
                violation_error_message=_("Cơ quan không thể trực thuộc chính nó."),
            ),
        ]
        indexes = [
            # The admin's list: by name, then newest first (Django adds "-pk"); 42,000
            # agencies were sorted on every page (19 ms) before it.
            models.Index(fields=["name", "-id"], name="agency_name_idx"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def save(self, *args, **kwargs):
        stored = Agency.objects.filter(pk=self.pk).values_list("area_id", flat=True)
        moved = self.pk is not None and stored.first() != self.area_id
        super().save(*args, **kwargs)
        if moved:
            # Its agreements are now found under the new area (AgreementParty.agency_area).
            self.agreement_parties.update(agency_area_id=self.area_id)

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
        verbose_name_plural = pgettext_lazy("plural", "thay đổi tổ chức")
        # Undated changes last on every database (PostgreSQL's default order).
        ordering = [F("changed_on").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="ended") & Q(successor__isnull=True))
                | (~Q(kind="ended") & Q(successor__isnull=False)),
                name="agencychange_successor_unless_ended",
                violation_error_message=_(
                    "Chọn cơ quan kế thừa, trừ khi cơ quan kết thúc hoạt động (khi đó để trống)."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("predecessor")),
                name="agencychange_not_self",
                violation_error_message=_("Cơ quan kế thừa phải khác cơ quan trước."),
            ),
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="agencychange_unique_pair",
                violation_error_message=_("Thay đổi giữa hai cơ quan này đã được ghi."),
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
        verbose_name_plural = pgettext_lazy("plural", "hồ sơ người dùng")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class UserSession(AbstractBaseSession):
    """A browser's session (Django's), with the signed-in user in a column of its own.

    Every signed-in page reads its session and then its user: with the user here the
    session engine (`dinvan.sessions`) reads both, with the profile and the agency, in
    one query instead of two. Deleting a user ends their sessions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phiên đăng nhập")
        verbose_name_plural = pgettext_lazy("plural", "phiên đăng nhập")

    @classmethod
    def get_session_store_class(cls):
        from dinvan.sessions import SessionStore

        return SessionStore
