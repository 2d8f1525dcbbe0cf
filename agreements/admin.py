"""Django admin for the agreements app, in Vietnamese, for the office's administrators.

Admins keep the catalogues here (areas, agencies and their lineage, indicators,
users) and can correct any record. The domain's rules hold here as in the staff
workspace:

- Agreements are archived ("Lưu trữ") and restored ("Khôi phục"), never deleted.
- Agreements, plans and reviews carry a `version`. The change form carries the
  version it was opened at and saves through the service layer, so an admin's save
  neither silently overwrites a staff member's newer edit nor is overwritten by it.
- An approved review is read-only, with its papers, assessments and figures.
- Search ignores Vietnamese diacritics: it also matches the folded `search_key`
  (see `agreements.text.fold`), so "ban dan van" finds "Ban Dân vận".
- History ("Lịch sử", django-simple-history) is for reading. Reverting to an old
  version would bypass the services and leave related rows as they are now, so
  corrections are made by editing.

Database constraints whose default message is English ("Constraint … is
violated") are checked again in the admin forms as field errors in Vietnamese;
a field with an error is left out of the model's constraint check, so the user
sees one message, in Vietnamese, instead of a 500 or an English one.
"""

import datetime
import decimal

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import lookup_spawns_duplicates, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import services, uploads
from .models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    Area,
    Attachment,
    ContentItem,
    ContributedPaper,
    Indicator,
    IndicatorValue,
    ItemAssessment,
    LegalBasis,
    PlanActivity,
    Review,
    Signatory,
    UserProfile,
)
from .text import fold

EMPTY = "—"
# Above any real item number; see ContentItemFormSet.
RENUMBER_OFFSET = 10000


def _link(obj, label=None):
    """A link to `obj`'s admin change page."""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label if label is not None else obj)


def _short_date(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _signature(signatory):
    """One signatory on one line, as under the signature: prefix, body, name, position."""
    parts = (signatory.prefix, signatory.on_behalf_of, signatory.name)
    line = " ".join(part for part in parts if part)
    return f"{line}, {signatory.position}" if signatory.position else line


def _parent_object_id(request):
    """The primary key in the URL of the change page an inline is rendered on."""
    match = getattr(request, "resolver_match", None)
    object_id = match.kwargs.get("object_id") if match else None
    return unquote(object_id) if object_id else None


# --- history --------------------------------------------------------------------


class VietnameseChangeHelper(HistoricalRecordContextHelper):
    """Shows changed values as users know them: choice labels, dd/mm/yyyy, "—"."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if value is None or value == "":
            return EMPTY
        if isinstance(value, bool):
            return gettext("Có") if value else gettext("Không")
        if field.choices and not isinstance(value, list):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return formats.localize(timezone.localtime(value))
        if isinstance(value, datetime.date | decimal.Decimal):
            return formats.localize(value)
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """Base of every admin here: a read-only "Lịch sử" in Vietnamese, cheap lists."""

    object_history_template = "admin/agreements/object_history.html"
    object_history_list_template = "admin/agreements/object_history_list.html"
    object_history_form_template = "admin/agreements/object_history_form.html"
    # Counting the whole table on every filtered page is slow on large tables.
    show_full_result_count = False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history would save a POST here even with the button hidden.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view_title(self, request, obj):
        return gettext("Lịch sử thay đổi: %s") % obj

    def history_form_view_title(self, request, obj):
        return gettext("Phiên bản đã lưu: %s") % obj

    def get_historical_record_context_helper(self, request, historical_record):
        return VietnameseChangeHelper(self.model, historical_record)


class FoldedSearchMixin:
    """Search that ignores diacritics and "đ"/"d": "ban dan van" finds "Ban Dân vận".

    Django's own search (`search_fields`, word by word, icontains) still runs; rows
    whose folded key contains the folded phrase are added to its results. The same
    method serves the autocomplete widgets that point at this model.
    """

    folded_search_fields: tuple[str, ...] = ("search_key",)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        key = fold(search_term)
        if key and self.folded_search_fields:
            condition = Q()
            for path in self.folded_search_fields:
                condition |= Q(**{f"{path}__contains": key})
            results |= queryset.filter(condition)
            may_have_duplicates |= any(
                lookup_spawns_duplicates(self.opts, path) for path in self.folded_search_fields
            )
        return results, may_have_duplicates


# --- form checks ----------------------------------------------------------------


def _check_range(form, start, end, message):
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, message)


def _check_not_self(form, field, message):
    value = form.cleaned_data.get(field)
    if value is not None and form.instance.pk and value.pk == form.instance.pk:
        form.add_error(field, message)


def _check_review_open(form):
    review = form.cleaned_data.get("review")
    if review is not None and review.is_locked:
        form.add_error("review", _("Hội nghị đã được phê duyệt, không thể sửa."))


class AreaForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        _check_range(
            self,
            "valid_from",
            "valid_until",
            _("Ngày hết hiệu lực không được trước ngày có hiệu lực."),
        )
        _check_not_self(self, "parent", _("Địa bàn không thể trực thuộc chính nó."))
        successors = cleaned.get("successors")
        if self.instance.pk and successors is not None:
            if any(area.pk == self.instance.pk for area in successors):
                self.add_error("successors", _("Địa bàn không thể kế thừa chính nó."))
        return cleaned


class AgencyForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        _check_range(
            self,
            "active_from",
            "active_until",
            _("Ngày kết thúc hoạt động không được trước ngày bắt đầu."),
        )
        _check_not_self(self, "parent", _("Cơ quan không thể trực thuộc chính nó."))
        return cleaned


class AgencyChangeForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        kind, successor = cleaned.get("kind"), cleaned.get("successor")
        predecessor = cleaned.get("predecessor")
        if kind == AgencyChange.Kind.ENDED and successor is not None:
            self.add_error(
                "successor", _("Cơ quan kết thúc hoạt động thì không có cơ quan kế thừa.")
            )
        elif kind and kind != AgencyChange.Kind.ENDED and successor is None:
            self.add_error("successor", _("Cần chọn cơ quan kế thừa."))
        elif successor is not None and predecessor is not None and successor.pk == predecessor.pk:
            self.add_error("successor", _("Cơ quan kế thừa phải khác cơ quan trước."))
        return cleaned


class VersionedForm(forms.ModelForm):
    """Carries the version the page was opened at: saving over a newer edit by
    someone else is refused with a message instead of overwriting it."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != expected:
                raise ValidationError(
                    _(
                        "Bản ghi đã được người khác cập nhật sau khi trang này được mở. "
                        "Hãy tải lại trang để xem nội dung mới rồi sửa lại."
                    ),
                    code="conflict",
                )
        return cleaned

    def expected(self):
        """The version to save from: the one the page was opened at, if it said."""
        value = self.cleaned_data.get("expected_version")
        return self.instance.version if value is None else value


class AgreementForm(VersionedForm):
    def clean(self):
        cleaned = super().clean()
        _check_not_self(self, "supersedes", _("Văn bản không thể thay thế chính nó."))
        return cleaned


class ContentItemForm(forms.ModelForm):
    def clean_number(self):
        number = self.cleaned_data["number"]
        if number is not None and number < 1:
            raise ValidationError(_("Số thứ tự bắt đầu từ 1."))
        return number


class PlanActivityForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        plan, item = cleaned.get("plan"), cleaned.get("content_item")
        if plan is not None and item is not None and item.agreement_id != plan.agreement_id:
            self.add_error("content_item", _("Nội dung phối hợp không thuộc văn bản này."))
        return cleaned


class ReviewChildForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        _check_review_open(self)
        return cleaned


class IndicatorValueForm(ReviewChildForm):
    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("area") and not cleaned.get("agency") and "agency" not in self.errors:
            self.add_error("agency", _("Cần chọn địa bàn hoặc cơ quan, đơn vị."))
        return cleaned


class AttachmentForm(forms.ModelForm):
    """Checks an uploaded file by its content and records its name, type and size."""

    OWNERS = ("agreement", "review", "plan")

    def clean_file(self):
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            try:
                self._content_type = uploads.check(
                    uploaded, max_bytes=settings.ATTACHMENT_MAX_MB * 1024 * 1024
                )
            except uploads.RejectedFile as rejected:
                raise ValidationError(str(rejected)) from None
        return uploaded

    def clean(self):
        cleaned = super().clean()
        owners = [
            name
            for name in self.OWNERS
            if (cleaned.get(name) if name in self.fields else getattr(self.instance, f"{name}_id"))
        ]
        if len(owners) != 1:
            field = next((name for name in self.OWNERS if name in self.fields), None)
            self.add_error(
                field,
                _("Tệp phải gắn với đúng một văn bản, hoặc một hội nghị, hoặc một kế hoạch."),
            )
        return cleaned

    def save(self, commit=True):
        uploaded = self.cleaned_data.get("file")
        if isinstance(uploaded, UploadedFile):
            self.instance.original_name = (uploaded.name or "")[-300:]
            self.instance.size = uploaded.size
            self.instance.content_type = getattr(self, "_content_type", "")
        return super().save(commit)


# --- list filters ---------------------------------------------------------------


class AreaCurrentFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return [
            ("current", _("Đang tồn tại")),
            ("abolished", _("Đã sáp nhập, giải thể")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        if self.value() == "abolished":
            return queryset.filter(valid_until__lt=today)
        return queryset


class AgencyActiveFilter(admin.SimpleListFilter):
    title = _("hoạt động")
    parameter_name = "hoat_dong"

    def lookups(self, request, model_admin):
        return [("active", _("Đang hoạt động")), ("ended", _("Đã kết thúc"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "ended":
            return queryset.filter(active_until__lt=timezone.localdate())
        return queryset


class AgreementStatusFilter(admin.SimpleListFilter):
    """On the derived status, annotated by `AgreementAdmin.get_queryset`."""

    title = _("hiệu lực")
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return Agreement.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Agreement.Status.values:
            return queryset.filter(status_value=self.value())
        return queryset


class ArchivedFilter(admin.SimpleListFilter):
    """Archiving is how agreements are deleted, so by default the list hides them."""

    title = _("lưu trữ")
    parameter_name = "luu_tru"

    def lookups(self, request, model_admin):
        return [("archived", _("Đã lưu trữ")), ("all", _("Tất cả"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Đang sử dụng"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == "archived":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)


class LeadAgencyKindFilter(admin.SimpleListFilter):
    title = _("loại cơ quan chủ trì")
    parameter_name = "loai_chu_tri"

    def lookups(self, request, model_admin):
        return Agency.Kind.choices

    def queryset(self, request, queryset):
        if self.value() in Agency.Kind.values:
            return queryset.filter(lead_agency__kind=self.value())
        return queryset


class ActivityProgressFilter(admin.SimpleListFilter):
    title = _("tiến độ")
    parameter_name = "tien_do"

    def lookups(self, request, model_admin):
        return [
            ("done", _("Đã hoàn thành")),
            ("open", _("Chưa hoàn thành")),
            ("overdue", _("Quá hạn")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "done":
            return queryset.filter(done_on__isnull=False)
        if self.value() == "open":
            return queryset.filter(done_on__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(done_on__isnull=True, deadline__lt=timezone.localdate())
        return queryset


# --- shared pieces --------------------------------------------------------------


class ReviewLockMixin:
    """Rows that belong to an approved review are as read-only as the review."""

    def _locked(self, obj):
        return obj is not None and obj.review_id is not None and obj.review.is_locked

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class LockedWithReviewInline:
    """An inline on the review page: read-only once the review is approved."""

    def _locked(self, obj):
        return obj is not None and obj.is_locked

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class AttachmentInline(admin.TabularInline):
    """The owner's files, listed; files are uploaded on the attachment page, where
    they are checked by content."""

    model = Attachment
    fields = ("title", "kind", "download_link", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = _("Tệp đính kèm")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("tệp"))
    def download_link(self, obj):
        return _download_link(obj)


def _download_link(obj):
    if not obj or not obj.pk or not obj.file:
        return EMPTY
    url = reverse("agreements:attachment_download", args=[obj.pk])
    label = obj.original_name or gettext("Tải về")
    return format_html('<a href="{}">{}</a> ({})', url, label, filesizeformat(obj.size))


class AgreementAttachmentInline(AttachmentInline):
    fk_name = "agreement"


class ReviewAttachmentInline(AttachmentInline):
    fk_name = "review"


class PlanAttachmentInline(AttachmentInline):
    fk_name = "plan"


# --- areas and agencies ---------------------------------------------------------


@admin.register(Area)
class AreaAdmin(FoldedSearchMixin, HistoryAdmin):
    form = AreaForm
    list_display = (
        "name",
        "code",
        "level",
        "parent",
        "valid_from",
        "valid_until",
        "successor_list",
    )
    list_filter = ("level", AreaCurrentFilter)
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "successors")
    readonly_fields = ("predecessor_links",)
    fields = (
        "name",
        "code",
        "level",
        "parent",
        ("valid_from", "valid_until"),
        "successors",
        "predecessor_links",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("successors")

    @admin.display(description=_("đơn vị kế thừa"))
    def successor_list(self, obj):
        return ", ".join(str(area) for area in obj.successors.all()) or EMPTY

    @admin.display(description=_("đơn vị được sáp nhập vào"))
    def predecessor_links(self, obj):
        if not obj.pk:
            return EMPTY
        links = [(_link(area),) for area in obj.predecessors.all()]
        return format_html_join(", ", "{}", links) or EMPTY


class AgencyChangeInline(admin.TabularInline):
    """The agency's own changes: renamed, merged into, split into, ended."""

    model = AgencyChange
    form = AgencyChangeForm
    fk_name = "predecessor"
    fields = ("kind", "successor", "changed_on", "basis", "note")
    autocomplete_fields = ("successor",)
    extra = 0
    verbose_name = _("Thay đổi tổ chức")
    verbose_name_plural = _("Thay đổi tổ chức")
    formfield_overrides = {
        AgencyChange._meta.get_field("note"): {"widget": forms.Textarea(attrs={"rows": 2})}
    }


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, HistoryAdmin):
    form = AgencyForm
    list_display = (
        "name",
        "short_name",
        "kind",
        "level",
        "area",
        "active_from",
        "active_until",
        "is_active_display",
    )
    list_filter = (
        "kind",
        "level",
        ("area", admin.RelatedOnlyFieldListFilter),
        AgencyActiveFilter,
    )
    list_select_related = ("area",)
    search_fields = ("name", "short_name")
    autocomplete_fields = ("area", "parent")
    readonly_fields = ("lineage",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "kind", "level", "area", "parent")}),
        (
            _("Hoạt động và kế thừa"),
            {"fields": (("active_from", "active_until"), "lineage")},
        ),
    )
    inlines = [AgencyChangeInline]

    @admin.display(description=_("đang hoạt động"), boolean=True, ordering="active_until")
    def is_active_display(self, obj):
        return obj.is_active

    @admin.display(description=_("cơ quan trước và cơ quan kế thừa"))
    def lineage(self, obj):
        if not obj.pk:
            return EMPTY
        rows = []
        for change in obj.changes_in.select_related("predecessor"):
            rows.append(
                (
                    gettext("Tiếp nối"),
                    _link(change.predecessor),
                    change.get_kind_display(),
                    _short_date(change.changed_on),
                )
            )
        for change in obj.changes_out.select_related("successor"):
            target = _link(change.successor) if change.successor_id else EMPTY
            rows.append(
                (
                    gettext("Kế thừa bởi"),
                    target,
                    change.get_kind_display(),
                    _short_date(change.changed_on),
                )
            )
        if not rows:
            return gettext("Chưa có thay đổi tổ chức.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}: {} ({} {})</li>", rows),
        )


@admin.register(AgencyChange)
class AgencyChangeAdmin(FoldedSearchMixin, HistoryAdmin):
    form = AgencyChangeForm
    list_display = ("predecessor", "kind", "successor", "changed_on", "basis")
    list_filter = ("kind",)
    list_select_related = ("predecessor", "successor")
    search_fields = ("predecessor__name", "successor__name", "basis")
    folded_search_fields = ("predecessor__search_key", "successor__search_key")
    autocomplete_fields = ("predecessor", "successor")


# --- users ----------------------------------------------------------------------


@admin.register(UserProfile)
class UserProfileAdmin(FoldedSearchMixin, HistoryAdmin):
    list_display = ("user", "agency", "role")
    list_filter = ("role",)
    list_select_related = ("user", "agency")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    folded_search_fields = ("agency__search_key",)
    autocomplete_fields = ("user", "agency")


class UserProfileInline(admin.StackedInline):
    model = UserProfile
    fields = ("agency", "role")
    autocomplete_fields = ("agency",)
    can_delete = False
    max_num = 1
    verbose_name = _("Hồ sơ người dùng")
    verbose_name_plural = _("Hồ sơ người dùng")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with the user's agency and role on the same page."""

    inlines = [UserProfileInline]
    list_display = (*DjangoUserAdmin.list_display, "role", "agency")
    list_select_related = ("profile__agency",)

    def _profile(self, obj):
        try:
            return obj.profile
        except ObjectDoesNotExist:
            return None

    @admin.display(description=_("vai trò"), ordering="profile__role")
    def role(self, obj):
        profile = self._profile(obj)
        return profile.get_role_display() if profile else EMPTY

    @admin.display(description=_("cơ quan, đơn vị"), ordering="profile__agency__name")
    def agency(self, obj):
        profile = self._profile(obj)
        return profile.agency if profile and profile.agency_id else EMPTY


# --- agreements -----------------------------------------------------------------


class PartyFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        leads = [
            form.cleaned_data["agency"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("role") == AgreementParty.Role.LEAD
            and form.cleaned_data.get("agency")
        ]
        if len(leads) > 1:
            raise ValidationError(_("Văn bản chỉ có một bên chủ trì."))
        lead_agency_id = self.instance.lead_agency_id
        if leads and lead_agency_id and leads[0].pk != lead_agency_id:
            raise ValidationError(
                _("Bên chủ trì phải là cơ quan chủ trì của văn bản (%(agency)s).")
                % {"agency": self.instance.lead_agency}
            )


class AgreementPartyInline(admin.TabularInline):
    model = AgreementParty
    formset = PartyFormSet
    fields = ("agency", "role", "name_as_signed", "order")
    autocomplete_fields = ("agency",)
    extra = 0
    show_change_link = True
    verbose_name_plural = _("Các bên tham gia (người ký: mở từng bên để sửa)")


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    fields = ("order", "number", "issued_on", "issuer", "title")
    extra = 0


class ContentItemFormSet(forms.BaseInlineFormSet):
    """Saves renumbered items without tripping the unique (agreement, number)
    constraint mid-way (items 1 and 2 swapped, or an item deleted and its number
    reused): the existing items whose number changes, and the deleted ones, are
    first moved out of the way, as `services.content_items_replace` does. The
    formset has already checked that the submitted numbers are distinct, and it
    holds every item of the agreement."""

    def save(self, commit=True):
        if commit:
            moving = [
                form.instance.pk
                for form in self.initial_forms
                if form.instance.pk
                and ("number" in form.changed_data or self._should_delete_form(form))
            ]
            ContentItem.objects.filter(pk__in=moving).update(number=F("number") + RENUMBER_OFFSET)
        return super().save(commit)

    def get_unique_error_message(self, unique_check):
        if "number" in unique_check:
            return gettext("Số thứ tự bị trùng: mỗi nội dung phối hợp mang một số khác nhau.")
        return super().get_unique_error_message(unique_check)


class ContentItemInline(admin.TabularInline):
    model = ContentItem
    form = ContentItemForm
    formset = ContentItemFormSet
    fields = ("number", "title", "lead_agency", "supporting_agencies")
    autocomplete_fields = ("lead_agency", "supporting_agencies")
    extra = 0
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(HistoryAdmin):
    form = AgreementForm
    list_display = (
        "number",
        "short_title",
        "kind",
        "lead_agency",
        "signed_on",
        "period",
        "status_display",
        "is_archived",
    )
    list_display_links = ("number", "short_title")
    list_filter = (
        AgreementStatusFilter,
        "kind",
        "lifecycle",
        "start_year",
        ArchivedFilter,
        LeadAgencyKindFilter,
    )
    list_select_related = ("lead_agency",)
    search_fields = ("number", "title")
    autocomplete_fields = ("lead_agency", "supersedes")
    readonly_fields = (
        "status_display",
        "superseded_by_links",
        "signatories",
        "archived_at",
        "version",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "number",
                    "title",
                    ("signed_on", "place"),
                    "lead_agency",
                    "lifecycle",
                    "status_display",
                    "supersedes",
                    "superseded_by_links",
                )
            },
        ),
        (
            _("Giai đoạn, hiệu lực"),
            {"fields": (("start_year", "end_year"), ("effective_from", "effective_until"))},
        ),
        (
            _("Tổ chức thực hiện"),
            {
                "fields": (
                    "declared_item_count",
                    "purpose",
                    "meeting_frequency",
                    "information_exchange",
                    "annual_review_required",
                    ("midterm_review_year", "final_review_year"),
                )
            },
        ),
        (_("Các bên ký"), {"fields": ("signatories",)}),
        (
            _("Ghi chú và theo dõi"),
            {
                "fields": (
                    "notes",
                    "source",
                    "archived_at",
                    ("version", "created_at", "updated_at"),
                    "expected_version",
                )
            },
        ),
    )
    inlines = [
        AgreementPartyInline,
        LegalBasisInline,
        ContentItemInline,
        AgreementAttachmentInline,
    ]
    actions = ["archive", "restore"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if fold(search_term):
            # Number, title, place, the parties' names and the content items.
            results |= queryset.search(search_term)
        return results, may_have_duplicates

    def has_delete_permission(self, request, obj=None):
        # Agreements are archived, never deleted (this also drops the delete action).
        return False

    def save_model(self, request, obj, form, change):
        services.agreement_save(agreement=obj, user=request.user, expected_version=form.expected())

    @admin.display(description=_("trích yếu"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(90)

    @admin.display(description=_("giai đoạn"), ordering="start_year")
    def period(self, obj):
        return obj.period_label or EMPTY

    @admin.display(description=_("hiệu lực"), ordering="status_value")
    def status_display(self, obj):
        if not obj.pk:
            return EMPTY
        return obj.status.label

    @admin.display(description=_("lưu trữ"), boolean=True, ordering="archived_at")
    def is_archived(self, obj):
        return obj.archived_at is not None

    @admin.display(description=_("được thay thế bởi"))
    def superseded_by_links(self, obj):
        if not obj.pk:
            return EMPTY
        links = [(_link(later),) for later in obj.superseded_by.all()]
        return format_html_join(", ", "{}", links) or EMPTY

    @admin.display(description=_("Người ký"))
    def signatories(self, obj):
        """Each party's signatories, with a link to the party's page to edit them
        (the admin has no nested inlines)."""
        if not obj.pk:
            return gettext("Lưu văn bản và các bên tham gia trước, sau đó nhập người ký.")
        rows = [
            (
                party.name_as_signed,
                "; ".join(map(_signature, party.signatories.all())) or gettext("chưa nhập"),
                _link(party, gettext("sửa người ký")),
            )
            for party in obj.parties.prefetch_related("signatories")
        ]
        if not rows:
            return gettext("Chưa có bên tham gia.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li><strong>{}</strong>: {} ({})</li>", rows)
        )

    @admin.action(description=_("Lưu trữ"), permissions=["change"])
    def archive(self, request, queryset):
        done, stale = 0, 0
        for agreement in queryset.filter(archived_at__isnull=True):
            try:
                services.agreement_archive(
                    agreement=agreement, user=request.user, expected_version=agreement.version
                )
                done += 1
            except services.Conflict:
                stale += 1
        self._report(
            request,
            ngettext("Đã lưu trữ %(count)d văn bản.", "Đã lưu trữ %(count)d văn bản.", done),
            done,
            stale,
        )

    @admin.action(description=_("Khôi phục"), permissions=["change"])
    def restore(self, request, queryset):
        done, stale = 0, 0
        for agreement in queryset.filter(archived_at__isnull=False):
            try:
                services.agreement_restore(agreement=agreement, user=request.user)
                done += 1
            except services.Conflict:
                stale += 1
        self._report(
            request,
            ngettext("Đã khôi phục %(count)d văn bản.", "Đã khôi phục %(count)d văn bản.", done),
            done,
            stale,
        )

    def _report(self, request, message, done, stale):
        self.message_user(request, message % {"count": done})
        if stale:
            self.message_user(
                request,
                gettext("%(count)d văn bản vừa được người khác sửa, chưa xử lý; hãy thử lại.")
                % {"count": stale},
                messages.WARNING,
            )


class SignatoryInline(admin.TabularInline):
    model = Signatory
    fields = ("prefix", "on_behalf_of", "name", "position")
    extra = 1


@admin.register(AgreementParty)
class AgreementPartyAdmin(FoldedSearchMixin, HistoryAdmin):
    list_display = ("name_as_signed", "agency", "role", "agreement", "order")
    list_filter = ("role",)
    list_select_related = ("agreement", "agency")
    search_fields = ("name_as_signed", "agreement__number")
    folded_search_fields = ("agency__search_key", "agreement__search_key")
    autocomplete_fields = ("agreement", "agency")
    inlines = [SignatoryInline]


@admin.register(Signatory)
class SignatoryAdmin(HistoryAdmin):
    list_display = ("name", "prefix", "on_behalf_of", "position", "party", "agreement")
    list_filter = ("prefix",)
    list_select_related = ("party__agreement",)
    search_fields = ("name", "position", "party__name_as_signed", "party__agreement__number")
    # A party reads "BDV Tỉnh ủy (Chủ trì)" in every agreement it signs; the raw id
    # lookup lists parties with their agreement.
    raw_id_fields = ("party",)

    @admin.display(description=_("văn bản phối hợp"))
    def agreement(self, obj):
        return obj.party.agreement


@admin.register(LegalBasis)
class LegalBasisAdmin(HistoryAdmin):
    list_display = ("number", "issued_on", "issuer", "short_title", "agreement")
    list_select_related = ("agreement",)
    search_fields = ("number", "issuer", "title", "agreement__number")
    autocomplete_fields = ("agreement",)

    @admin.display(description=_("trích yếu"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(90)


@admin.register(ContentItem)
class ContentItemAdmin(FoldedSearchMixin, HistoryAdmin):
    form = ContentItemForm
    list_display = ("number", "short_title", "agreement", "lead_agency")
    list_display_links = ("number", "short_title")
    list_select_related = ("agreement", "lead_agency")
    search_fields = ("title", "agreement__number")
    folded_search_fields = ("search_key", "agreement__search_key")
    autocomplete_fields = ("agreement", "lead_agency", "supporting_agencies")

    @admin.display(description=_("nội dung"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(100)


# --- plans ----------------------------------------------------------------------


class PlanActivityInline(admin.TabularInline):
    model = PlanActivity
    fields = ("content_item", "activity", "responsible_agency", "deadline", "done_on")
    autocomplete_fields = ("responsible_agency",)
    extra = 0
    formfield_overrides = {
        PlanActivity._meta.get_field("activity"): {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 50})
        }
    }

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_item":
            # Only the items of the plan's own agreement; none before the plan exists.
            plan_id = _parent_object_id(request)
            kwargs["queryset"] = (
                ContentItem.objects.filter(agreement__plans__pk=plan_id)
                if plan_id
                else ContentItem.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AnnualPlan)
class AnnualPlanAdmin(FoldedSearchMixin, HistoryAdmin):
    form = VersionedForm
    list_display = ("__str__", "agreement", "number", "issued_on")
    list_filter = ("year",)
    list_select_related = ("agreement",)
    search_fields = ("number", "agreement__number")
    folded_search_fields = ("agreement__search_key",)
    autocomplete_fields = ("agreement",)
    readonly_fields = ("version", "created_at")
    fields = (
        "agreement",
        "year",
        ("number", "issued_on"),
        "summary",
        ("version", "created_at"),
        "expected_version",
    )
    inlines = [PlanActivityInline, PlanAttachmentInline]

    def save_model(self, request, obj, form, change):
        services.plan_save(plan=obj, user=request.user, expected_version=form.expected())


@admin.register(PlanActivity)
class PlanActivityAdmin(HistoryAdmin):
    form = PlanActivityForm
    list_display = (
        "short_activity",
        "plan",
        "content_item",
        "responsible_agency",
        "deadline",
        "done_on",
    )
    list_filter = (ActivityProgressFilter,)
    list_select_related = ("plan__agreement", "content_item", "responsible_agency")
    search_fields = ("activity", "plan__agreement__number")
    # Plans ("Kế hoạch năm 2022") and items ("1. …") only make sense with their
    # agreement, which the raw id lookup lists show.
    raw_id_fields = ("plan", "content_item")
    autocomplete_fields = ("responsible_agency",)

    @admin.display(description=_("hoạt động"), ordering="activity")
    def short_activity(self, obj):
        return Truncator(obj.activity).chars(90)


# --- reviews --------------------------------------------------------------------


class ContributedPaperInline(LockedWithReviewInline, admin.TabularInline):
    model = ContributedPaper
    fields = ("order", "title", "presenter", "position")
    extra = 0


class ItemAssessmentInline(LockedWithReviewInline, admin.TabularInline):
    model = ItemAssessment
    fields = ("content_item", "progress", "comment")
    extra = 0
    formfield_overrides = {
        ItemAssessment._meta.get_field("comment"): {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 50})
        }
    }

    def has_add_permission(self, request, obj=None):
        # The items to assess are known once the review (and its agreement) is saved.
        return obj is not None and super().has_add_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_item":
            review_id = _parent_object_id(request)
            kwargs["queryset"] = (
                ContentItem.objects.filter(agreement__reviews__pk=review_id)
                if review_id
                else ContentItem.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Review)
class ReviewAdmin(FoldedSearchMixin, HistoryAdmin):
    form = VersionedForm
    list_display = ("__str__", "short_title", "agreement", "held_on", "status")
    list_filter = ("kind", "status", "held_on")
    list_select_related = ("agreement",)
    search_fields = ("title", "place", "agreement__number")
    folded_search_fields = ("agreement__search_key",)
    autocomplete_fields = ("agreement",)
    readonly_fields = (
        "status",
        "submitted_at",
        "approved_by",
        "approved_at",
        "returned_reason",
        "version",
        "created_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "agreement",
                    "kind",
                    "title",
                    ("period_from", "period_to"),
                    ("held_on", "place"),
                    "chaired_by",
                    "attended_by",
                    "source",
                )
            },
        ),
        (_("Nội dung báo cáo"), {"fields": Review.NARRATIVE_FIELDS}),
        (
            _("Phê duyệt"),
            {
                "fields": (
                    "status",
                    ("submitted_at", "approved_by", "approved_at"),
                    "returned_reason",
                    ("version", "created_at"),
                    "expected_version",
                )
            },
        ),
    )
    inlines = [ContributedPaperInline, ItemAssessmentInline, ReviewAttachmentInline]
    actions = ["submit", "approve"]

    def has_change_permission(self, request, obj=None):
        return not (obj and obj.is_locked) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj and obj.is_locked) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.review_save(review=obj, user=request.user, expected_version=form.expected())

    @admin.display(description=_("tên hội nghị, báo cáo"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(80) or EMPTY

    @admin.action(description=_("Gửi phê duyệt"), permissions=["change"])
    def submit(self, request, queryset):
        self._transition(request, queryset, services.review_submit)

    @admin.action(description=_("Phê duyệt"), permissions=["change"])
    def approve(self, request, queryset):
        self._transition(request, queryset, services.review_approve)

    def _transition(self, request, queryset, service):
        done, refused = 0, []
        for review in queryset.select_related("agreement"):
            try:
                service(review=review, user=request.user, expected_version=review.version)
                done += 1
            except (ValidationError, services.Conflict):
                refused.append(str(review))
        self.message_user(request, gettext("Đã chuyển %(count)d hội nghị.") % {"count": done})
        if refused:
            self.message_user(
                request,
                gettext("Không chuyển được (sai trạng thái hoặc vừa được sửa): %(list)s")
                % {"list": "; ".join(refused)},
                messages.WARNING,
            )


@admin.register(ContributedPaper)
class ContributedPaperAdmin(ReviewLockMixin, HistoryAdmin):
    form = ReviewChildForm
    list_display = ("short_title", "presenter", "position", "review", "agreement")
    list_select_related = ("review__agreement",)
    search_fields = ("title", "presenter", "review__agreement__number")
    raw_id_fields = ("review",)

    @admin.display(description=_("tên tham luận"), ordering="title")
    def short_title(self, obj):
        return Truncator(obj.title).chars(90)

    @admin.display(description=_("văn bản phối hợp"))
    def agreement(self, obj):
        return obj.review.agreement


@admin.register(ItemAssessment)
class ItemAssessmentAdmin(ReviewLockMixin, HistoryAdmin):
    form = ReviewChildForm
    list_display = ("content_item", "progress", "review", "agreement")
    list_filter = ("progress",)
    list_select_related = ("content_item", "review__agreement")
    search_fields = ("content_item__title", "comment", "review__agreement__number")
    raw_id_fields = ("review", "content_item")

    @admin.display(description=_("văn bản phối hợp"))
    def agreement(self, obj):
        return obj.review.agreement


# --- indicators -----------------------------------------------------------------


@admin.register(Indicator)
class IndicatorAdmin(FoldedSearchMixin, HistoryAdmin):
    list_display = ("code", "name", "unit", "kind", "aggregation", "is_active", "order")
    list_display_links = ("code", "name")
    list_editable = ("order", "is_active")
    list_filter = ("kind", "aggregation", "is_active", "group")
    search_fields = ("code", "name", "group")
    fields = (
        ("code", "order", "is_active"),
        "name",
        "group",
        ("unit", "kind", "aggregation"),
        "denominator_label",
        "description",
    )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReviewLockMixin, HistoryAdmin):
    form = IndicatorValueForm
    list_display = (
        "indicator",
        "year_display",
        "value",
        "denominator",
        "area",
        "agency",
        "agreement",
    )
    list_filter = ("year", "indicator")
    list_select_related = ("indicator", "area", "agency", "agreement")
    search_fields = ("indicator__name", "indicator__code", "agreement__number")
    autocomplete_fields = ("indicator", "agreement", "area", "agency")
    raw_id_fields = ("review",)
    fields = (
        "indicator",
        ("agreement", "review"),
        "year",
        ("area", "agency"),
        ("value", "denominator"),
        "note",
    )

    @admin.display(description=_("năm"), ordering="year")
    def year_display(self, obj):
        # A year, not a quantity: never "2.022" when numbers are grouped.
        return str(obj.year)


# --- attachments ----------------------------------------------------------------


@admin.register(Attachment)
class AttachmentAdmin(HistoryAdmin):
    form = AttachmentForm
    list_display = (
        "title",
        "kind",
        "owner",
        "original_name",
        "size_display",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("kind",)
    list_select_related = ("agreement", "review", "plan", "uploaded_by")
    search_fields = ("title", "original_name", "agreement__number")
    autocomplete_fields = ("agreement",)
    raw_id_fields = ("review", "plan")
    metadata = ("original_name", "content_type", "size_display", "uploaded_by", "uploaded_at")

    def get_fields(self, request, obj=None):
        # A stored file is read through the download view (access checked, served
        # as an attachment), never through a public media URL.
        upload = "download_link" if obj else "file"
        return ("title", "kind", ("agreement", "review", "plan"), upload, *self.metadata)

    def get_readonly_fields(self, request, obj=None):
        return (*self.metadata, "download_link")

    def save_model(self, request, obj, form, change):
        if not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        services.attachment_remove(attachment=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for attachment in queryset:
            services.attachment_remove(attachment=attachment, user=request.user)

    @admin.display(description=_("thuộc về"))
    def owner(self, obj):
        return obj.agreement or obj.review or obj.plan

    @admin.display(description=_("dung lượng"), ordering="size")
    def size_display(self, obj):
        return filesizeformat(obj.size) if obj.pk else EMPTY

    @admin.display(description=_("tệp"))
    def download_link(self, obj):
        return _download_link(obj)
