from django.urls import path

from . import views
from .models import Agreement, AnnualPlan, Review

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path(
        "agreements/filter-options/<slug:field>/",
        views.agreements.FilterOptionsView.as_view(),
        name="filter_options",
    ),
    path("agreements/new/", views.AgreementFormView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.AgreementFormView.as_view(), name="agreement_update"),
    path(
        "agreements/<int:pk>/archive/",
        views.AgreementArchiveView.as_view(),
        name="agreement_archive",
    ),
    path("agreements/<int:pk>/reviews/new/", views.ReviewFormView.as_view(), name="review_create"),
    path("agreements/<int:pk>/plans/new/", views.PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:plan_pk>/edit/", views.PlanFormView.as_view(), name="plan_update"),
    path("activities/<int:pk>/done/", views.ActivityDoneView.as_view(), name="activity_done"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
    path("reviews/<int:review_pk>/edit/", views.ReviewFormView.as_view(), name="review_update"),
    path(
        "reviews/<int:pk>/submit/",
        views.ReviewTransitionView.as_view(action="submit"),
        name="review_submit",
    ),
    path(
        "reviews/<int:pk>/approve/",
        views.ReviewTransitionView.as_view(action="approve"),
        name="review_approve",
    ),
    path(
        "reviews/<int:pk>/return/",
        views.ReviewTransitionView.as_view(action="return"),
        name="review_return",
    ),
    path(
        "agreements/<int:pk>/attachments/new/",
        views.AttachmentCreateView.as_view(owner_model=Agreement),
        name="agreement_attachment_create",
    ),
    path(
        "reviews/<int:pk>/attachments/new/",
        views.AttachmentCreateView.as_view(owner_model=Review),
        name="review_attachment_create",
    ),
    path(
        "plans/<int:pk>/attachments/new/",
        views.AttachmentCreateView.as_view(owner_model=AnnualPlan),
        name="plan_attachment_create",
    ),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path(
        "attachments/<int:pk>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
