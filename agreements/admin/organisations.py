"""Admin for areas, agencies with their lineage, and users with their profiles."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ObjectDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    Agency,
    AgencyChange,
    Area,
    UserProfile,
)
from .base import (
    EMPTY,
    AgencyActiveFilter,
    AgencyChangeForm,
    AgencyForm,
    AreaCurrentFilter,
    AreaForm,
    FoldedSearchMixin,
    HistoryAdmin,
    _link,
    _short_date,
)


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
    # No filter by area: nationally it lists 4,000 areas in the sidebar on every
    # page (400 KB); the search box finds an area's agencies by its name instead.
    list_filter = ("kind", "level", AgencyActiveFilter)
    search_fields = ("name", "short_name", "area__name")
    list_select_related = ("area",)
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
