from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", views.AgreementFormView.as_view(), name="agreement_create"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.AgreementFormView.as_view(), name="agreement_update"),
    path(
        "agreements/<int:pk>/archive/",
        views.AgreementArchiveView.as_view(),
        name="agreement_archive",
    ),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
]
