"""Shared pieces of the admin: history in Vietnamese, folded search, forms, filters."""

import datetime
import decimal

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import lookup_spawns_duplicates, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .. import uploads
from ..models import (
    Agency,
    AgencyChange,
    Agreement,
    Attachment,
)
from ..text import fold

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


# Django's own message, translated by Django's catalogue (a variable, so that
# makemessages does not copy it into ours untranslated).
DJANGO_ACTION_LABEL = "Select this object for an action - {}"


class HistoryAdmin(SimpleHistoryAdmin):
    """Base of every admin here: a read-only "Lịch sử" in Vietnamese, cheap lists."""

    object_history_template = "admin/agreements/object_history.html"
    object_history_list_template = "admin/agreements/object_history_list.html"
    object_history_form_template = "admin/agreements/object_history_form.html"
    # Counting the whole table on every filtered page is slow on large tables.
    show_full_result_count = False

    def revert_disabled(self, request, obj=None):
        return True

    def action_checkbox(self, obj):
        """Django's checkbox for the actions, the same markup written directly rather
        than by rendering a widget's templates for every row (a quarter of the time
        of a 100-row list)."""
        label = format_html(gettext(DJANGO_ACTION_LABEL), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )

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
