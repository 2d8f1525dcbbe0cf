"""Writes. Every change to the domain goes through a function here.

Each service runs in one transaction, and the history row that records who changed
what (django-simple-history) is written by the same saves, so a change and its audit
record land together or not at all. Edits of agreements, plans and reviews carry the
version the user started from; a save from a stale version is refused (`Conflict`)
instead of silently overwriting someone else's work.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.services import refresh_after_write

from .models import (
    Agreement,
    AgreementParty,
    AnnualPlan,
    Attachment,
    ContentItem,
    FormSubmission,
    Review,
    Signatory,
)

# Item numbers are moved out of the way above this offset while renumbering, so the
# unique (agreement, number) constraint holds at every step.
_RENUMBER_OFFSET = 10000


class Conflict(Exception):
    """Someone else saved the object after the user opened it."""

    def __init__(self, current):
        super().__init__("stale version")
        self.current = current


@dataclass
class PartyData:
    agency: object
    role: str
    name_as_signed: str
    signatory_prefix: str = ""
    signatory_on_behalf_of: str = ""
    signatory_name: str = ""
    signatory_position: str = ""


def _as_user(instance, user):
    """Tell simple-history who made the change (outside a request, too)."""
    instance._history_user = user
    return instance


def _bump_version(model, *, pk, expected):
    """Claim the next version with one conditional UPDATE; zero rows means a conflict."""
    claimed = model.objects.filter(pk=pk, version=expected).update(version=F("version") + 1)
    if not claimed:
        raise Conflict(model.objects.get(pk=pk))
    return expected + 1


def _save(instance, user, reason=""):
    _as_user(instance, user)
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()
    return instance


def _refresh_summaries_after_commit():
    """Recompute the dashboard's summaries once the write has committed (robust: a
    failure is logged, the next page recomputes them). Refreshing inside the write's
    transaction, which holds row locks the refresh itself waits for, deadlocked two
    concurrent writers on PostgreSQL (found by `make loadtest`)."""
    transaction.on_commit(refresh_after_write, robust=True)


def _save_unique(instance, user):
    """`_save` for rows whose unique constraints another user's save can race: two
    editors creating the same document number, or the same year's plan, both pass
    full_clean before either writes. The loser's INSERT fails inside a savepoint, and
    full_clean, run again now that the winner is committed, names the rule in
    Vietnamese; the caller's transaction is rolled back with nothing half-saved."""
    try:
        with transaction.atomic():
            return _save(instance, user)
    except IntegrityError:
        instance.full_clean()
        raise ValidationError(
            _("Không lưu được vì dữ liệu vừa được người khác thay đổi; vui lòng thử lại.")
        ) from None


# --- agreements -----------------------------------------------------------------


@transaction.atomic
def agreement_save(
    *,
    agreement: Agreement,
    user,
    expected_version: int | None = None,
    parties: list[PartyData] | None = None,
    legal_bases: list[dict] | None = None,
    items: list[dict] | None = None,
) -> Agreement:
    """Create or update an agreement with its parties, legal bases and content items.

    `agreement` carries the edited fields (unsaved for a new one). Lists replace what
    is stored: rows missing from a list are removed; items are renumbered 1..N in the
    order given.
    """
    if agreement.pk:
        agreement.version = _bump_version(
            Agreement, pk=agreement.pk, expected=expected_version or 0
        )
    if parties is not None:
        leads = [p for p in parties if p.role == AgreementParty.Role.LEAD]
        if len(leads) != 1:
            raise ValidationError(_("Văn bản phải có đúng một cơ quan chủ trì."))
        agreement.lead_agency = leads[0].agency
    _save_unique(agreement, user)
    if parties is not None:
        _replace_parties(agreement, parties, user)
    if legal_bases is not None:
        _replace_legal_bases(agreement, legal_bases, user)
    if items is not None:
        content_items_replace(agreement=agreement, items=items, user=user)
    _refresh_summaries_after_commit()
    return agreement


def _replace_parties(agreement, parties, user):
    existing = {p.agency_id: p for p in agreement.parties.all()}
    keep = set()
    for order, data in enumerate(parties):
        party = existing.get(data.agency.pk) or AgreementParty(
            agreement=agreement, agency=data.agency
        )
        party.role = data.role
        party.name_as_signed = data.name_as_signed or data.agency.name
        party.order = order
        _save(party, user)
        keep.add(party.agency_id)
        signatory = party.signatories.first()
        if data.signatory_name:
            signatory = signatory or Signatory(party=party)
            signatory.prefix = data.signatory_prefix
            signatory.on_behalf_of = data.signatory_on_behalf_of
            signatory.name = data.signatory_name
            signatory.position = data.signatory_position
            _save(signatory, user)
        elif signatory is not None:
            _as_user(signatory, user).delete()
    for agency_id, party in existing.items():
        if agency_id not in keep:
            for signatory in party.signatories.all():
                _as_user(signatory, user).delete()
            _as_user(party, user).delete()


def _replace_legal_bases(agreement, legal_bases, user):
    existing = {b.pk: b for b in agreement.legal_bases.all()}
    keep = set()
    for order, data in enumerate(legal_bases):
        basis = existing.get(data.get("id")) or agreement.legal_bases.model(agreement=agreement)
        for field in ("number", "issued_on", "issuer", "title"):
            setattr(basis, field, data.get(field) or ("" if field != "issued_on" else None))
        basis.order = order
        _save(basis, user)
        keep.add(basis.pk)
    for pk, basis in existing.items():
        if pk not in keep:
            _as_user(basis, user).delete()


def content_items_replace(*, agreement: Agreement, items: list[dict], user) -> list[ContentItem]:
    """Make the agreement's items exactly `items`, numbered 1..N in list order.

    Each dict may carry the `id` of an existing item (kept, possibly renumbered),
    and title, description, lead_agency, supporting_agencies, expected_result.
    Items that are gone are deleted unless assessments or plan activities refer to
    them, in which case the whole save is refused.
    """
    existing = {i.pk: i for i in ContentItem.objects.filter(agreement=agreement)}
    wanted_ids = {d["id"] for d in items if d.get("id")}
    unknown = wanted_ids - existing.keys()
    if unknown:
        raise ValidationError(_("Nội dung phối hợp không thuộc văn bản này."))
    for pk, item in existing.items():
        if pk not in wanted_ids:
            if item.assessments.exists() or item.activities.exists():
                raise ValidationError(
                    _(
                        "Không thể xóa nội dung số %(number)s vì đã có đánh giá "
                        "hoặc hoạt động gắn với nội dung này."
                    )
                    % {"number": item.number}
                )
            _as_user(item, user).delete()
    # Move kept items out of the way so renumbering never collides mid-way.
    ContentItem.objects.filter(pk__in=wanted_ids).update(number=F("number") + _RENUMBER_OFFSET)
    saved = []
    for number, data in enumerate(items, start=1):
        item = existing.get(data.get("id")) or ContentItem(agreement=agreement)
        item.number = number
        for field in ("title", "description", "expected_result"):
            setattr(item, field, data.get(field) or "")
        item.lead_agency = data.get("lead_agency")
        _save(item, user)
        if "supporting_agencies" in data:
            item.supporting_agencies.set(data["supporting_agencies"] or [])
        saved.append(item)
    return saved


@transaction.atomic
def agreement_archive(*, agreement: Agreement, user, expected_version: int) -> Agreement:
    """Archive ("delete") an agreement: hidden from lists, kept with its history."""
    agreement.version = _bump_version(Agreement, pk=agreement.pk, expected=expected_version)
    agreement.archived_at = timezone.now()
    _as_user(agreement, user)
    agreement._change_reason = _("Lưu trữ")
    agreement.save()
    _refresh_summaries_after_commit()
    return agreement


@transaction.atomic
def agreement_restore(*, agreement: Agreement, user) -> Agreement:
    agreement.version = _bump_version(Agreement, pk=agreement.pk, expected=agreement.version)
    agreement.archived_at = None
    _as_user(agreement, user)
    agreement._change_reason = _("Khôi phục")
    agreement.save()
    _refresh_summaries_after_commit()
    return agreement


# --- annual plans -----------------------------------------------------------------


@transaction.atomic
def plan_save(
    *, plan: AnnualPlan, user, expected_version: int | None = None, activities=None
) -> AnnualPlan:
    """Create or update an annual plan and (optionally) replace its activities."""
    if plan.pk:
        plan.version = _bump_version(AnnualPlan, pk=plan.pk, expected=expected_version or 0)
    _save_unique(plan, user)
    if activities is not None:
        existing = {a.pk: a for a in plan.activities.all()}
        keep = set()
        for activity in activities:
            activity.plan = plan
            if activity.content_item_id and activity.content_item.agreement_id != plan.agreement_id:
                raise ValidationError(_("Nội dung phối hợp không thuộc văn bản này."))
            _save(activity, user)
            keep.add(activity.pk)
        for pk, activity in existing.items():
            if pk not in keep:
                _as_user(activity, user).delete()
    _refresh_summaries_after_commit()
    return plan


@transaction.atomic
def plan_activity_mark_done(*, activity, user, done_on) -> None:
    activity.done_on = done_on
    _save(activity, user, reason=_("Đánh dấu hoàn thành"))
    _refresh_summaries_after_commit()


# --- reviews --------------------------------------------------------------------


def _ensure_editable(review: Review):
    if review.status == Review.Status.APPROVED:
        raise PermissionDenied(_("Hội nghị đã được phê duyệt, không thể sửa."))


@transaction.atomic
def review_save(
    *,
    review: Review,
    user,
    expected_version: int | None = None,
    papers=None,
    assessments=None,
    indicator_values=None,
) -> Review:
    """Create or update a draft (or returned) review with its papers, item
    assessments and indicator values."""
    if review.pk:
        stored = Review.objects.get(pk=review.pk)
        _ensure_editable(stored)
        review.version = _bump_version(Review, pk=review.pk, expected=expected_version or 0)
    _save(review, user)
    for related, rows in (
        ("papers", papers),
        ("assessments", assessments),
        ("indicator_values", indicator_values),
    ):
        if rows is None:
            continue
        manager = getattr(review, related)
        existing = {r.pk: r for r in manager.all()}
        keep = set()
        for row in rows:
            row.review = review
            if related == "indicator_values":
                row.agreement_id = review.agreement_id
            _save(row, user)
            keep.add(row.pk)
        for pk, row in existing.items():
            if pk not in keep:
                _as_user(row, user).delete()
    _refresh_summaries_after_commit()
    return review


def _transition(review, user, expected_version, allowed_from, to, reason, **fields):
    if review.status not in allowed_from:
        raise ValidationError(
            _("Không thể chuyển trạng thái hội nghị từ “%(status)s”.")
            % {"status": review.get_status_display()}
        )
    review.version = _bump_version(Review, pk=review.pk, expected=expected_version)
    review.status = to
    for name, value in fields.items():
        setattr(review, name, value)
    _save(review, user, reason=reason)
    _refresh_summaries_after_commit()
    return review


@transaction.atomic
def review_submit(*, review: Review, user, expected_version: int) -> Review:
    return _transition(
        review,
        user,
        expected_version,
        {Review.Status.DRAFT},
        Review.Status.SUBMITTED,
        _("Gửi phê duyệt"),
        submitted_at=timezone.now(),
        returned_reason="",
    )


@transaction.atomic
def review_approve(*, review: Review, user, expected_version: int) -> Review:
    return _transition(
        review,
        user,
        expected_version,
        {Review.Status.SUBMITTED},
        Review.Status.APPROVED,
        _("Phê duyệt"),
        approved_by=user,
        approved_at=timezone.now(),
    )


@transaction.atomic
def review_return(*, review: Review, user, expected_version: int, reason: str) -> Review:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"returned_reason": _("Cần nêu lý do trả lại.")})
    return _transition(
        review,
        user,
        expected_version,
        {Review.Status.SUBMITTED},
        Review.Status.DRAFT,
        _("Trả lại: %(reason)s") % {"reason": reason[:90]},
        returned_reason=reason,
    )


# --- attachments ------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *, owner, uploaded, title: str, kind: str, content_type: str, user
) -> Attachment:
    """Store an uploaded file (already checked) on an agreement, review or plan."""
    attachment = Attachment(
        title=title,
        kind=kind,
        original_name=(uploaded.name or "")[-300:],
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
        **{_owner_field(owner): owner},
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    try:
        _save(attachment, user)
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, user) -> None:
    """Delete the record (its history stays) and, once committed, the file."""
    storage, name = attachment.file.storage, attachment.file.name
    _as_user(attachment, user).delete()
    transaction.on_commit(lambda: storage.delete(name))


def _owner_field(owner):
    if isinstance(owner, Agreement):
        return "agreement"
    if isinstance(owner, Review):
        return "review"
    if isinstance(owner, AnnualPlan):
        return "plan"
    raise TypeError(owner)


# --- create forms posted twice ------------------------------------------------------

SUBMISSION_KEEP_DAYS = 2


def form_submission_record(*, token: str, user, target) -> None:
    """Remember that the create page carrying `token` made `target`. Raises
    IntegrityError when that page was already saved, which rolls back the caller's
    transaction: the record is not created twice."""
    cutoff = timezone.now() - datetime.timedelta(days=SUBMISSION_KEEP_DAYS)
    FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    FormSubmission.objects.create(token=token, user=user, target_url=target.get_absolute_url())
