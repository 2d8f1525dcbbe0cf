"""Pages of the staff workspace. Thin: scope with the queryset, validate with a form,
write through a service, redirect with a message."""

from .agreements import (
    AgreementArchiveView,
    AgreementDetailView,
    AgreementFormView,
    AgreementListView,
)
from .attachments import AttachmentCreateView, AttachmentDeleteView, attachment_download
from .base import MultiFormView, healthz
from .plans import ActivityDoneView, PlanDetailView, PlanFormView
from .reviews import ReviewDetailView, ReviewFormView, ReviewTransitionView

__all__ = [
    "ActivityDoneView",
    "AgreementArchiveView",
    "AgreementDetailView",
    "AgreementFormView",
    "AgreementListView",
    "AttachmentCreateView",
    "AttachmentDeleteView",
    "MultiFormView",
    "PlanDetailView",
    "PlanFormView",
    "ReviewDetailView",
    "ReviewFormView",
    "ReviewTransitionView",
    "attachment_download",
    "healthz",
]
