"""Placeholder, replaced by the engineer who owns this module."""

from django.views.generic import TemplateView


class AgencyReportView(TemplateView):
    template_name = "base.html"


class IndicatorReportView(TemplateView):
    template_name = "base.html"


class ReportIndexView(TemplateView):
    template_name = "base.html"


class TermSummaryView(TemplateView):
    template_name = "base.html"
