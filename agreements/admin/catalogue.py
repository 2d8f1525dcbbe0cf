"""Admin for the indicator catalogue, indicator values and attachments."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Attachment,
    Indicator,
    IndicatorValue,
)
from .base import (
    EMPTY,
    AttachmentForm,
    FoldedSearchMixin,
    HistoryAdmin,
    IndicatorValueForm,
    ReviewLockMixin,
    _download_link,
)


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
