"""The leaders' dashboard at "/": what is in force, what is late, how the figures moved."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from agreements.filters import AgreementFilterSet
from agreements.models import Agreement

from ..charts import bar_chart, format_number, line_chart
from ..selectors.dashboard import dashboard, dashboard_figures_key, term_years
from ..snapshots import remembered_part


class DashboardFilterSet(AgreementFilterSet):
    """The agreement list's area, term, agency and kind filters, with the same names
    and meaning, so that every figure links to the list filtered the same way."""

    FIELDS = ("area", "period", "agency", "kind")
    # The typed-name boxes of the area and agency filters, where the list has them.
    NAMES = ("area_name", "agency_name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kept = ("area", "area_name", "period", "agency", "agency_name", "kind")
        self.filters = {name: self.filters[name] for name in kept if name in self.filters}

    def link_params(self):
        """The valid filter values as query parameters of the agreement list."""
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        params = {}
        for name in self.FIELDS:
            value = self.form.cleaned_data.get(name)
            if value:
                params[name] = getattr(value, "pk", value)
        for name in self.NAMES:
            if self.form.cleaned_data.get(name):
                params[name] = self.form.data.get(name)
        return params

    def area_ids(self):
        """The areas chosen (one picked, or those a typed name matched), or None."""
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        area = self.form.cleaned_data.get("area")
        if area is not None:
            return [area.pk]
        return self.form.cleaned_data.get("area_name") or None

    def summary(self):
        """[(label, value shown)] of the filters applied, for the page and its print."""
        self.errors  # noqa: B018 - validates the form, filling cleaned_data
        shown = []
        for name in self.FIELDS:
            value = self.form.cleaned_data.get(name)
            if not value:
                continue
            field = self.form.fields[name]
            if hasattr(value, "pk"):
                text = getattr(value, "name", str(value))
            else:
                text = dict(field.choices).get(value, value)
            shown.append((field.label, text))
        for name in self.NAMES:
            if self.form.cleaned_data.get(name):
                shown.append((self.form.fields[name].label, self.form.data.get(name)))
        return shown


class DashboardView(LoginRequiredMixin, TemplateView):
    """The figures (everything below the filters) are rendered once per scope,
    filters, day, role and generation (`dashboard_figures_key`) and then served from
    the cache until a write moves the generation on; the page around them (the user's
    name, the filter form as typed) is rendered every time."""

    template_name = "reports/dashboard.html"
    figures_template_name = "reports/dashboard_figures.html"

    def get(self, request, *args, **kwargs):
        self.today = timezone.localdate()
        visible = Agreement.objects.for_user(request.user)
        self.filterset = DashboardFilterSet(request.GET, queryset=visible, request=request)
        agreements = self.filterset.qs  # validates the form
        cleaned = self.filterset.form.cleaned_data
        self.question = {
            "user": request.user,
            "agreements": agreements,
            "on": self.today,
            "filters": self.filterset.link_params(),
            "area_ids": self.filterset.area_ids(),
            "years": term_years(cleaned.get("period"), on=self.today),
        }
        figures = remembered_part(
            **dashboard_figures_key(**self.question), compute=self.render_figures
        )
        return render(
            request,
            self.template_name,
            {
                "filter": self.filterset,
                "filter_summary": self.filterset.summary(),
                "on": self.today,
                "figures": figures,
            },
        )

    def render_figures(self):
        return render_to_string(self.figures_template_name, self.figures_context(), self.request)

    def figures_context(self):
        context = {"filter": self.filterset, **dashboard(**self.question)}
        context["obligation_groups"] = [
            {
                "key": "overdue",
                "title": _("Đánh giá, giao ban quá hạn"),
                "rows": context["overdue"],
                "count": context["overdue_count"],
            },
            {
                "key": "due",
                "title": _("Đánh giá, giao ban sắp đến hạn (90 ngày tới)"),
                "rows": context["due"],
                "count": context["due_count"],
            },
        ]
        for group in context["obligation_groups"]:
            group["more"] = group["count"] - len(group["rows"])
        context["progress_chart"] = bar_chart(
            [(row["label"], row["count"]) for row in context["progress"]["rows"]],
            title=_("Tiến độ nội dung phối hợp"),
            unit=_("nội dung"),
            chart_id="chart-progress",
        )
        for i, trend in enumerate(context["indicators"]):
            trend["chart"] = _trend_chart(trend, chart_id=f"chart-indicator-{i}")
        return context


def _percent(value):
    return f"{format_number(value, 1)}%"


def _trend_chart(trend, *, chart_id):
    """The indicator's figure per year; a ratio as its percentage (166/200 → 83,0%)."""
    indicator = trend["indicator"]
    if indicator.needs_denominator:
        values = [p["row"]["percentage"] if p["row"] else None for p in trend["points"]]
        value_format, unit = _percent, ""
    else:
        values = [p["row"]["value"] if p["row"] else None for p in trend["points"]]
        value_format, unit = format_number, indicator.unit
    return line_chart(
        [p["year"] for p in trend["points"]],
        [(indicator.name, values)],
        title=indicator.name,
        unit=unit,
        chart_id=chart_id,
        value_format=value_format,
    )
