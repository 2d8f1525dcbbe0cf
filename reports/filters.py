"""Filters of the table reports (django-filter). The state of a report lives in its URL.

Each filterset narrows a queryset that is already scoped to the user, so no filter
can widen what the user may see. `applied()` says in words what a report is
filtered by, for the page, the printout and the DOCX title.
"""

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.filters import (
    CHOICE_ERRORS,
    MODEL_CHOICE_ERRORS,
    AgencyFilter,
    YearFilter,
    _once,
    remembered_periods,
)
from agreements.models import Agency, Agreement, Area, Indicator
from agreements.text import fold

from .selectors.indicators import area_value_filter

# Options a searchable select offers: the chosen row and at most this many matches.
SEARCH_LIMIT = 50


def search_filter(label):
    """The text box beside a searchable select: it filters nothing, it chooses the
    options the select offers (see `BoundedChoicesMixin`)."""
    return django_filters.CharFilter(
        label=label,
        method="keep",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("gõ tên rồi bấm Xem")}),
    )


class BoundedChoicesMixin:
    """Agency and area selects that offer only the chosen row and the rows whose name
    matches the text typed in the box beside them (`<name>_q`), instead of all
    42,000 agencies and 4,000 areas: the page stays small (an option each cost 3 MB
    and seconds of rendering), and any row can still be chosen. Validation accepts
    any row of the field's queryset."""

    searchable = {"agency": ("agency_q", Agency), "area": ("area_q", Area)}
    # Without a search, areas offer the provinces (old and new): few, and the usual choice.
    default_options = {"area": Q(level=Area.Level.PROVINCE)}

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, (search, model) in self.searchable.items():
                if name in form.fields:
                    self._bound_choices(form, name, search, model)
        return self._form

    def _bound_choices(self, form, name, search, model):
        field = form.fields[name]
        data = self.data or {}
        wanted = Q(pk__in=[])
        chosen = data.get(name)
        if chosen and str(chosen).isdigit():
            wanted |= Q(pk=int(chosen))
        text = fold(data.get(search) or "")
        if text:
            wanted |= Q(search_key__contains=text)
        elif name in self.default_options:
            wanted |= self.default_options[name]
        rows = model.objects.filter(wanted).order_by("name", "id")[: SEARCH_LIMIT + 1]
        label = field.label_from_instance
        field.widget.choices = [("", field.empty_label), *[(row.pk, label(row)) for row in rows]]

    def keep(self, queryset, name, value):
        return queryset


class ReportFilterSet(BoundedChoicesMixin, django_filters.FilterSet):
    """A filterset that can describe itself: [(label, value shown)] of valid filters."""

    silent: tuple[str, ...] = ("agency_q", "area_q")

    def applied(self):
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        described = []
        for name, field in self.form.fields.items():
            if name in self.silent or name in self.form.errors:
                continue
            value = self.form.cleaned_data.get(name)
            if value in (None, "", [], ()):
                continue
            described.append((field.label, self.describe(field, value)))
        return described

    @staticmethod
    def describe(field, value):
        if isinstance(value, models.Model):
            return getattr(value, "name", None) or str(value)
        choices = getattr(field, "choices", None)
        if choices is not None:
            return str(dict(choices).get(value, value))
        return str(value)


def _agency_queryset():
    return Agency.objects.order_by("name", "id")


def _area_queryset():
    return Area.objects.order_by("level", "name", "id")


def area_filter():
    """The area select of a report (its options bounded by `area_q`); the filterset
    says what choosing an area means in `filter_area`."""
    return django_filters.ModelChoiceFilter(
        label=_("Địa bàn"),
        queryset=_area_queryset(),
        method="filter_area",
        empty_label=_("Tất cả"),
        error_messages=MODEL_CHOICE_ERRORS,
    )


def agency_filter(label, empty_label=None):
    """The agency select of a report (its options bounded by `agency_q`); the
    filterset says what choosing an agency means in `filter_agency`."""
    return AgencyFilter(
        label=label,
        queryset=_agency_queryset(),
        method="filter_agency",
        empty_label=_("Tất cả") if empty_label is None else empty_label,
        error_messages=MODEL_CHOICE_ERRORS,
    )


# --- Term summary ----------------------------------------------------------------


def term_choices(queryset):
    """The terms (multi-year periods) of the agreements in `queryset`, newest first:
    [("2021-2026", "2021 – 2026"), ...]."""
    # The agreement list's periods, remembered until a write (agreements.filters).
    pairs = remembered_periods(queryset)
    return [
        (f"{start}-{end}", f"{start} – {end}")
        for start, end in pairs
        if end is not None and end > start
    ]


def current_term(choices, year):
    """The newest term among `choices` that contains `year`, else ""."""
    for value, _label in choices:
        start, end = (int(part) for part in value.split("-"))
        if start <= year <= end:
            return value
    return ""


def of_term(start, end):
    """Agreements of the term start–end: that exact period, or a period that begins
    within the term. The last year of a term is the first of the next one, and an
    agreement beginning in it belongs to the next term (Nghệ An's 2021–2026 program
    was signed in December 2021, at the final review of 2016–2021). An agreement
    without a start year counts from the year it was signed."""
    return (
        Q(start_year=start, end_year=end)
        | Q(start_year__gte=start, start_year__lt=end)
        | Q(start_year__isnull=True, signed_on__year__gte=start, signed_on__year__lt=end)
    )


class TermSummaryFilterSet(ReportFilterSet):
    """Filters of the term summary. Without a `term` parameter it shows the current
    term (the one containing today's year) when there is one; `term=` empty shows
    every term."""

    term = django_filters.ChoiceFilter(
        label=_("Nhiệm kỳ"),
        method="filter_term",
        empty_label=_("Tất cả"),
        error_messages=CHOICE_ERRORS,
    )
    area = area_filter()
    area_q = search_filter(_("Tìm địa bàn"))
    agency = agency_filter(_("Cơ quan tham gia"))
    agency_q = search_filter(_("Tìm cơ quan"))
    kind = django_filters.ChoiceFilter(
        label=_("Loại văn bản"),
        choices=Agreement.Kind.choices,
        empty_label=_("Tất cả"),
        error_messages=CHOICE_ERRORS,
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, today=None):
        choices = term_choices(queryset)
        if data is not None and "term" not in data:
            today = today or timezone.localdate()
            data = data.copy()
            data["term"] = current_term(choices, today.year)
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["term"].extra["choices"] = choices

    def filter_term(self, queryset, name, value):
        start, end = (int(part) for part in value.split("-"))
        return queryset.filter(of_term(start, end))

    def filter_area(self, queryset, name, value):
        # Rolled up: units below the area and units merged into it count.
        return queryset.in_areas([value.pk])

    def filter_agency(self, queryset, name, value):
        # Through the lineage: a successor finds what its predecessors signed.
        return queryset.for_agencies([value.pk])


# --- Indicator report ------------------------------------------------------------


def indicator_groups():
    groups = (
        Indicator.objects.exclude(group="")
        .order_by("group")
        .values_list("group", flat=True)
        .distinct()
    )
    return [(group, group) for group in groups]


class IndicatorReportFilterSet(ReportFilterSet):
    """Filters of the indicator report, over IndicatorValue. `group_by` does not
    filter: it chooses the rows of the report; the years are applied by the report."""

    class GroupBy:
        NONE = ""
        AREA = "area"
        AGENCY = "agency"
        CHOICES = [("area", _("Địa bàn")), ("agency", _("Cơ quan, đơn vị"))]

    area = area_filter()
    area_q = search_filter(_("Tìm địa bàn"))
    agency = agency_filter(_("Cơ quan, đơn vị"))
    agency_q = search_filter(_("Tìm cơ quan"))
    group = django_filters.ChoiceFilter(
        label=_("Nhóm chỉ tiêu"),
        field_name="indicator__group",
        empty_label=_("Tất cả"),
        error_messages=CHOICE_ERRORS,
    )
    indicator = django_filters.ModelChoiceFilter(
        label=_("Chỉ tiêu"),
        queryset=Indicator.objects.order_by("order", "code"),
        empty_label=_("Tất cả"),
        error_messages=MODEL_CHOICE_ERRORS,
    )
    # Applied by `selectors.tables.indicator_report`, which also reads the year
    # before "from" to compare the first year shown with its previous year.
    year_from = YearFilter(label=_("Từ năm"), method="keep")
    year_to = YearFilter(label=_("Đến năm"), method="keep")
    group_by = django_filters.ChoiceFilter(
        label=_("Chia theo"),
        choices=GroupBy.CHOICES,
        empty_label=_("Không chia (cộng chung)"),
        method="keep",
        error_messages=CHOICE_ERRORS,
    )

    silent = ("group_by", "agency_q", "area_q")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["group"].extra["choices"] = _once(indicator_groups)

    def filter_area(self, queryset, name, value):
        return queryset.filter(area_value_filter([value.pk]))

    def filter_agency(self, queryset, name, value):
        # Figures recorded for the agency or for an agency it continues.
        return queryset.filter(agency_id__in=Agency.objects.lineage_ids([value.pk]))

    @property
    def grouping(self):
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        return self.form.cleaned_data.get("group_by") or self.GroupBy.NONE


# --- Agency report ---------------------------------------------------------------


class AgencyReportFilterSet(ReportFilterSet):
    """The agency whose agreements and obligations are reported; the user's own
    agency when none is chosen."""

    agency = agency_filter(_("Cơ quan, đơn vị"), empty_label=_("Chọn cơ quan"))
    agency_q = search_filter(_("Tìm cơ quan"))

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, default=None):
        if data is not None and "agency" not in data and default is not None:
            data = data.copy()
            data["agency"] = str(default.pk)
        super().__init__(data, queryset, request=request, prefix=prefix)

    def filter_agency(self, queryset, name, value):
        return queryset.for_agencies([value.pk])

    @property
    def chosen_agency(self):
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        return self.form.cleaned_data.get("agency")
