"""Placeholder, replaced by the engineer who owns this module."""

from django.views.generic import TemplateView


class AgreementReportView(TemplateView):
    template_name = "base.html"


class ReviewReportView(TemplateView):
    template_name = "base.html"
