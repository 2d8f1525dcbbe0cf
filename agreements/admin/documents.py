"""Admin for agreements, their parties, signatories, legal bases and items."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Agreement,
    AgreementParty,
    ContentItem,
    LegalBasis,
    Signatory,
)
from ..text import fold, shorten
from .base import (
    EMPTY,
    RENUMBER_OFFSET,
    AgreementAttachmentInline,
    AgreementForm,
    AgreementStatusFilter,
    ArchivedFilter,
    ContentItemForm,
    FoldedSearchMixin,
    HistoryAdmin,
    LeadAgencyKindFilter,
    _link,
    _signature,
)


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
        return shorten(obj.title, 90)

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
                ngettext(
                    "%(count)d văn bản vừa được người khác sửa, chưa xử lý; hãy thử lại.",
                    "%(count)d văn bản vừa được người khác sửa, chưa xử lý; hãy thử lại.",
                    stale,
                )
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
        return shorten(obj.title, 90)


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
        return shorten(obj.title, 100)


# --- plans ----------------------------------------------------------------------
