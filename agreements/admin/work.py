"""Admin for annual plans and reviews, with their activities, papers and assessments."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    AnnualPlan,
    ContentItem,
    ContributedPaper,
    ItemAssessment,
    PlanActivity,
    Review,
)
from ..text import shorten
from .base import (
    EMPTY,
    ActivityProgressFilter,
    FoldedSearchMixin,
    HistoryAdmin,
    LockedWithReviewInline,
    PlanActivityForm,
    PlanAttachmentInline,
    ReviewAttachmentInline,
    ReviewChildForm,
    ReviewLockMixin,
    VersionedForm,
    _parent_object_id,
)


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
        return shorten(obj.activity, 90)


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
        return shorten(obj.title, 80) or EMPTY

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
        self.message_user(
            request,
            ngettext("Đã chuyển %(count)d hội nghị.", "Đã chuyển %(count)d hội nghị.", done)
            % {"count": done},
        )
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
        return shorten(obj.title, 90)

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
