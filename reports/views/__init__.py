"""Leaders' dashboard and the summary reports, with their exports."""

from .dashboard import DashboardView
from .documents import AgreementReportView, ReviewReportView
from .tables import AgencyReportView, IndicatorReportView, ReportIndexView, TermSummaryView

__all__ = [
    "AgencyReportView",
    "AgreementReportView",
    "DashboardView",
    "IndicatorReportView",
    "ReportIndexView",
    "ReviewReportView",
    "TermSummaryView",
]
