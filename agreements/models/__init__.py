"""The domain of mass-mobilization coordination agreements.

Vocabulary (see shared/domain.md): areas and agencies (with their lineage through
mergers), agreements with their parties, signatories, legal bases and numbered
content items, annual plans, reviews with assessments and contributed papers, the
indicator catalogue and its values, and attachments.

Rules the data must obey whoever writes it (admin, a service, a bulk import) are
database constraints, not only form validation. Deleting anything that carries
history is refused (`on_delete=PROTECT`); agreements are archived, not deleted.
"""

from .attachments import Attachment, attachment_path
from .base import MAX_YEAR, MIN_YEAR, YEAR_VALIDATORS, NormalizedModel
from .documents import Agreement, AgreementParty, ContentItem, LegalBasis, Signatory
from .indicators import Indicator, IndicatorValue
from .organisations import Agency, AgencyChange, Area, UserProfile, UserSession
from .submissions import FormSubmission
from .work import AnnualPlan, ContributedPaper, ItemAssessment, PlanActivity, Review

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "YEAR_VALIDATORS",
    "Agency",
    "AgencyChange",
    "Agreement",
    "AgreementParty",
    "AnnualPlan",
    "Area",
    "Attachment",
    "FormSubmission",
    "ContentItem",
    "ContributedPaper",
    "Indicator",
    "IndicatorValue",
    "ItemAssessment",
    "LegalBasis",
    "NormalizedModel",
    "PlanActivity",
    "Review",
    "Signatory",
    "UserProfile",
    "UserSession",
    "attachment_path",
]
