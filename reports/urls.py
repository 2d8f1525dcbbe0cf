from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportIndexView.as_view(), name="index"),
    path("agreements/<int:pk>/", views.AgreementReportView.as_view(), name="agreement"),
    path("term-summary/", views.TermSummaryView.as_view(), name="term_summary"),
    path("indicators/", views.IndicatorReportView.as_view(), name="indicators"),
    path("agencies/", views.AgencyReportView.as_view(), name="agency"),
    path("reviews/<int:pk>/", views.ReviewReportView.as_view(), name="review"),
]
