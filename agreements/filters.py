"""Filters of the list pages (django-filter). The state of a list lives in its URL.

A filterset narrows a queryset that is already scoped to the user
(`selectors.agreement_list`): no filter can widen what the user may see.
"""

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import MAX_YEAR, MIN_YEAR, Agency, Agreement, Area

YEAR_ERRORS = {
    "invalid": _("Năm phải là một số, ví dụ 2021."),
    "min_value": _("Năm không được trước %(limit_value)s."),
    "max_value": _("Năm không được sau %(limit_value)s."),
}
CHOICE_ERRORS = {
    "invalid_choice": _("Lựa chọn “%(value)s” không có trong danh sách."),
}
MODEL_CHOICE_ERRORS = {
    "invalid_choice": _("Lựa chọn không có trong danh sách."),
}


class YearFilter(django_filters.Filter):
    """A whole year between MIN_YEAR and MAX_YEAR (NumberFilter would accept 2021.5)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        kwargs.setdefault("error_messages", YEAR_ERRORS)
        kwargs.setdefault("widget", forms.NumberInput(attrs={"placeholder": "2021"}))
        super().__init__(*args, **kwargs)


class CheckboxFilter(django_filters.Filter):
    """A plain checkbox: ticked narrows the list, unticked (absent) does nothing."""

    field_class = forms.BooleanField


class AgencyNameField(django_filters.fields.ModelChoiceField):
    # Short names repeat from province to province ("BDV Tỉnh ủy"); full names do not.
    def label_from_instance(self, obj):
        return obj.name


class AgencyFilter(django_filters.ModelChoiceFilter):
    field_class = AgencyNameField


class AgreementOrderingFilter(django_filters.OrderingFilter):
    """`?sort=<column>` or `?sort=-<column>` over a whitelist of columns.

    Empty values sort last in both directions and on both databases; ties are
    broken by signing date and id so that pages never overlap. Kind and status
    sort in the order their choices are declared, not alphabetically by code.
    """

    COLUMNS = {
        "number": _("Số, ký hiệu"),
        "title": _("Trích yếu"),
        "kind": _("Loại"),
        "signed_on": _("Ngày ký"),
        "period": _("Giai đoạn"),
        "status": _("Tình trạng"),
    }

    def __init__(self, *args, **kwargs):
        labels = {}
        for column, label in self.COLUMNS.items():
            labels[column] = label
            labels[f"-{column}"] = format_lazy(_("{column} (giảm dần)"), column=label)
        kwargs.setdefault("fields", [(column, column) for column in self.COLUMNS])
        kwargs.setdefault("field_labels", labels)
        kwargs.setdefault("label", _("Sắp xếp theo"))
        kwargs.setdefault("error_messages", CHOICE_ERRORS)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _rank(field, choices):
        whens = [When(**{field: value}, then=Value(i)) for i, (value, _label) in enumerate(choices)]
        return Case(*whens, default=Value(len(choices)), output_field=IntegerField())

    def expressions(self, column):
        if column == "kind":
            return [self._rank("kind", Agreement.Kind.choices)]
        if column == "status":
            return [self._rank("status_value", Agreement.Status.choices)]
        if column == "period":
            return [F("start_year"), F("end_year")]
        return [F(column)]

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            descending = param.startswith("-")
            for expression in self.expressions(param.lstrip("-")):
                if descending:
                    ordering.append(expression.desc(nulls_last=True))
                else:
                    ordering.append(expression.asc(nulls_last=True))
        return qs.order_by(*ordering, F("signed_on").desc(nulls_last=True), "-id")


def _once(function, *args):
    """`function(*args)`, computed on first call and then remembered.

    Lazy choices for a form field: the query runs only if the field is validated or
    rendered, and once even if both happen. A closure, not a bound method or an
    lru_cache, because form fields deep-copy their choices.
    """
    result = []

    def call():
        if not result:
            result.append(function(*args))
        return result[0]

    return call


def period_choices(queryset):
    """The distinct periods (start year, end year) in `queryset`, newest first, as
    choices: "2021-2026" for a term, "2013-" for an open-ended regulation."""
    pairs = (
        queryset.model.objects.filter(pk__in=queryset.values("pk"))
        .exclude(start_year=None)
        .order_by("-start_year", "-end_year")
        .values_list("start_year", "end_year")
        .distinct()
    )
    return [
        (f"{start}-{end or ''}", f"{start} – {end}" if end else _("từ %s") % start)
        for start, end in pairs
    ]


class AgreementFilterSet(django_filters.FilterSet):
    """Filters of the agreement list. Expects the queryset of `selectors.agreement_list`
    (scoped to the user and annotated with `status_value`)."""

    q = django_filters.CharFilter(
        label=_("Tìm kiếm (không cần dấu)"),
        method="filter_q",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("số, ký hiệu, trích yếu, cơ quan, nội dung"),
            }
        ),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Loại văn bản"),
        choices=Agreement.Kind.choices,
        empty_label=_("Tất cả"),
        error_messages=CHOICE_ERRORS,
    )
    status = django_filters.ChoiceFilter(
        label=_("Tình trạng"),
        field_name="status_value",
        choices=Agreement.Status.choices,
        empty_label=_("Tất cả"),
        error_messages=CHOICE_ERRORS,
    )
    period = django_filters.ChoiceFilter(
        label=_("Giai đoạn"),
        method="filter_period",
        empty_label=_("Tất cả"),
        error_messages=CHOICE_ERRORS,
    )
    year = YearFilter(label=_("Còn hiệu lực trong năm"), method="filter_year")
    agency = AgencyFilter(
        label=_("Cơ quan tham gia"),
        queryset=Agency.objects.order_by("name", "id"),
        method="filter_agency",
        empty_label=_("Tất cả"),
        error_messages=MODEL_CHOICE_ERRORS,
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Địa bàn"),
        queryset=Area.objects.order_by("name", "id"),
        method="filter_area",
        empty_label=_("Tất cả"),
        error_messages=MODEL_CHOICE_ERRORS,
    )
    signed_year = YearFilter(label=_("Năm ký"), field_name="signed_on", lookup_expr="year")
    overdue = CheckboxFilter(label=_("Quá hạn đánh giá năm"), method="filter_overdue")
    sort = AgreementOrderingFilter()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["period"].extra["choices"] = _once(period_choices, self.queryset)

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_period(self, queryset, name, value):
        start, _sep, end = value.partition("-")
        if end:
            return queryset.filter(start_year=int(start), end_year=int(end))
        return queryset.filter(start_year=int(start), end_year=None)

    def filter_year(self, queryset, name, value):
        """Agreements whose period covers `value`; an open-ended one from its start."""
        return queryset.filter(start_year__lte=value).exclude(end_year__lt=value)

    def filter_agency(self, queryset, name, value):
        # Through the lineage: a successor finds what its predecessors signed.
        return queryset.for_agencies([value.pk])

    def filter_area(self, queryset, name, value):
        # Rolled up: units below the area and units merged into it count.
        return queryset.in_areas([value.pk])

    def filter_overdue(self, queryset, name, value):
        return queryset.review_overdue(on=timezone.localdate()) if value else queryset

    @property
    def active_sort(self):
        """The first `sort` value when it is valid, e.g. "-signed_on", else ""."""
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        return next(iter(self.form.cleaned_data.get("sort") or []), "")

    def sort_links(self):
        """Per sortable column: the `sort` its header link sets, and its current state.

        A click sorts ascending, a second click descending, a third ascending again.
        """
        active = self.active_sort
        links = {}
        for column in AgreementOrderingFilter.COLUMNS:
            if active == column:
                links[column] = {"next": f"-{column}", "aria": "ascending", "arrow": "▲"}
            elif active == f"-{column}":
                links[column] = {"next": column, "aria": "descending", "arrow": "▼"}
            else:
                links[column] = {"next": column, "aria": "", "arrow": ""}
        return links
