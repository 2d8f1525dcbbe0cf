"""Filters of the list pages (django-filter). The state of a list lives in its URL.

A filterset narrows a queryset that is already scoped to the user
(`selectors.agreement_list`): no filter can widen what the user may see.
"""

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import MAX_YEAR, MIN_YEAR, Agency, Agreement, Area
from .text import fold

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


# A typed name that matches more agencies or areas than this is refused with a
# request to be more precise, rather than filtering by hundreds of them.
NAME_MATCH_LIMIT = 50


def name_input(field, label, placeholder):
    """The text box of an agency or area filter. Without JavaScript the typed name is
    matched against the folded names; static/js/autocomplete.js turns it into a
    suggestion list that fills in the hidden `field` (the id) when one is picked."""
    return forms.TextInput(
        attrs={
            "type": "search",
            "autocomplete": "off",
            "placeholder": placeholder,
            "list": f"{field}-options",
            "data-autocomplete": reverse_lazy("agreements:filter_options", args=[field]),
            "data-autocomplete-target": f"id_{field}",
            "aria-label": label,
        }
    )


class ChosenByNameFilter(django_filters.Filter):
    """A choice among tens of thousands (agencies, areas): the hidden `field` holds
    the chosen id, and `field_name` the name shown or typed. `AgreementFilterForm`
    decides which applies; the filter receives the ids to filter by."""

    field_class = forms.CharField


class AgreementFilterForm(forms.Form):
    """Reconciles each hidden id with the name box beside it.

    The id applies while the box shows that agency's or area's name (or nothing):
    a link such as `?agency=12` or a suggestion picked in the browser. A name typed
    over it (or typed without JavaScript) applies instead, as every agency or area
    the user may filter by whose folded name contains it.
    """

    CHOICES = (
        ("agency", selectors.filter_agencies, selectors.agency_label),
        ("area", selectors.filter_areas, selectors.area_label),
    )

    user = None

    def clean(self):
        cleaned = super().clean()
        for field, options, label in self.CHOICES:
            name_field = f"{field}_name"
            if field not in self.fields or name_field not in self.fields:
                continue  # a filterset that keeps only one of the two
            chosen = cleaned.get(field)
            text = cleaned.get(name_field) or ""
            if chosen is not None and fold(text) in {"", fold(label(chosen)), fold(chosen.name)}:
                cleaned[name_field] = []
                self.data = self.data.copy()
                self.data[name_field] = label(chosen)
                continue
            cleaned[field] = None
            cleaned[name_field] = self._match(name_field, text, options) if fold(text) else []
        return cleaned

    def _match(self, name_field, text, options):
        ids = list(
            options(user=self.user, text=text).values_list("pk", flat=True)[: NAME_MATCH_LIMIT + 1]
        )
        if not ids:
            self.add_error(name_field, _("Không có tên nào chứa “%(text)s”.") % {"text": text})
        elif len(ids) > NAME_MATCH_LIMIT:
            self.add_error(
                name_field,
                _(
                    "Có hơn %(limit)d tên chứa “%(text)s”; hãy gõ đầy đủ hơn "
                    "hoặc chọn trong danh sách gợi ý."
                )
                % {"limit": NAME_MATCH_LIMIT, "text": text},
            )
        else:
            return ids
        return []


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


def periods(queryset):
    """The distinct (start year, end year) pairs in `queryset`, newest first."""
    # Straight from the scoped queryset (its annotations drop out of the SELECT),
    # not `pk IN (…)`, which made PostgreSQL join the table to itself; on the
    # national database the pairs of live agreements come from an index alone.
    return (
        queryset.gathered()
        .exclude(start_year=None)
        .values_list("start_year", "end_year")
        .distinct()
        .order_by("-start_year", "-end_year")
    )


def remembered_periods(queryset):
    """`periods(queryset)`, remembered per scope until the next write that can change
    an agreement: reading them is a DISTINCT over every agreement the user may see
    (40–80 ms for a province's leader at national scale), on every view of a list
    or report with a period filter, for options that change once a term. Kept in
    Django's cache like a rendered part (reports.snapshots.remembered_part), keyed
    by the settled generation, which the page has read anyway (once per view): a
    repeat view costs no query, and a page that only reads writes nothing (on
    SQLite, no write lock). Read afresh while a write waits for its summaries."""
    # The generation that keys them lives with the reports.
    from reports.snapshots import query_key, remembered_part, scoped_part, settled_part

    pairs = periods(queryset)
    key = query_key(pairs)
    scope = getattr(queryset, "scope", None)
    # A user's agreements (`for_user`) are kept while their provinces are unchanged.
    part = scoped_part(scope, "periods", key) if scope else settled_part("periods", key)
    return remembered_part(
        key=part["key"], generation=part["generation"] if key else None, compute=lambda: list(pairs)
    )


def period_choices(queryset):
    """The periods in `queryset` as choices: "2021-2026" for a term, "2013-" for an
    open-ended regulation."""
    pairs = remembered_periods(queryset)
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
        method="filter_status",
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
    # Each agency or area filter is a hidden id and a name box (no <select>: there
    # are 42,000 agencies and 4,000 areas in the country). Checking an id costs one
    # query by primary key; the form settles which of the two applies.
    agency = django_filters.ModelChoiceFilter(
        label=_("Cơ quan tham gia"),
        queryset=Agency.objects.all(),
        method="filter_agency",
        widget=forms.HiddenInput,
        error_messages=MODEL_CHOICE_ERRORS,
    )
    agency_name = ChosenByNameFilter(
        label=_("Cơ quan tham gia"),
        method="filter_agency",
        widget=name_input("agency", _("Cơ quan tham gia"), _("gõ tên cơ quan")),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Địa bàn"),
        queryset=Area.objects.all(),
        method="filter_area",
        widget=forms.HiddenInput,
        error_messages=MODEL_CHOICE_ERRORS,
    )
    area_name = ChosenByNameFilter(
        label=_("Địa bàn"),
        method="filter_area",
        widget=name_input("area", _("Địa bàn"), _("gõ tên địa bàn")),
    )
    signed_year = YearFilter(label=_("Năm ký"), field_name="signed_on", lookup_expr="year")
    overdue = CheckboxFilter(label=_("Quá hạn đánh giá năm"), method="filter_overdue")
    sort = AgreementOrderingFilter()

    class Meta:
        form = AgreementFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["period"].extra["choices"] = _once(period_choices, self.queryset)

    @property
    def form(self):
        form = super().form
        # Typed names are matched against what this user may filter by.
        form.user = getattr(self.request, "user", None)
        return form

    def filter_q(self, queryset, name, value):
        return queryset.search(value)

    def filter_status(self, queryset, name, value):
        return queryset.with_status_of(value)

    def filter_period(self, queryset, name, value):
        start, _sep, end = value.partition("-")
        if end:
            return queryset.filter(start_year=int(start), end_year=int(end))
        return queryset.filter(start_year=int(start), end_year=None)

    def filter_year(self, queryset, name, value):
        """Agreements whose period covers `value`; an open-ended one from its start."""
        return queryset.filter(start_year__lte=value).exclude(end_year__lt=value)

    @staticmethod
    def _ids(value):
        """The chosen row's id, or the ids a typed name matched ([] for none)."""
        return [value.pk] if hasattr(value, "pk") else value

    def filter_agency(self, queryset, name, value):
        # Through the lineage: a successor finds what its predecessors signed.
        ids = self._ids(value)
        return queryset.for_agencies(ids) if ids else queryset

    def filter_area(self, queryset, name, value):
        # Rolled up: units below the area and units merged into it count.
        ids = self._ids(value)
        return queryset.in_areas(ids) if ids else queryset

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
