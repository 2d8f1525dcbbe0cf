"""Reads: every query that is more than a lookup lives here."""

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    Area,
    ContentItem,
    FormSubmission,
    IndicatorValue,
    ItemAssessment,
    Review,
)
from .querysets import edits_what_it_sees, role_of, scope_of
from .text import fold


def agreement_list(*, user, query=None):
    qs = Agreement.objects.for_user(user).with_status().search(query or "")
    return (
        qs.select_related("lead_agency")
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("agency"))
        )
        .annotate(item_count=_count_of(ContentItem))
        .order_by("-signed_on", "-id")
    )


def agreement_list_results_key(*, user, params):
    """What identifies the agreement list's results (filters, count, table, pages)
    for `user` and the GET `params`: {"key", "generation"} for
    `reports.snapshots.remembered_part`. The results depend on nothing else: the
    user's scope (`scope_of`), the parameters as given (their order shapes the
    links), the day (statuses and "in force" move with it), the language (in the
    key), and the data, which only changes with the generation. While a write waits
    for its summaries the generation is None and the results are computed afresh."""
    # The snapshots and the generation live with the reports, which read agreements.
    from reports.snapshots import scoped_part

    return scoped_part(scope_of(user), "agreement_list", list(params.lists()), timezone.localdate())


def agreement_page_key(*, agreement, can_edit):
    """What identifies the body of `agreement`'s page (all but its attachments and
    history), for `reports.snapshots.remembered_part`: the agreement, whether the
    reader may edit it (the buttons), the day (status, what is due or overdue) and
    the language (in the key), and the generation, which every write of what the
    body shows moves on (`reports.signals`: the agreement and what it owns, parties
    and signatories, legal bases, items and assessments, plans, reviews and papers,
    figures, agencies, areas, lineage). None while a write waits for its summaries:
    rendered afresh."""
    from reports.snapshots import settled_part

    return settled_part("agreement_page", agreement.pk, bool(can_edit), timezone.localdate())


def agreement_figures_key(*, agreement):
    """What identifies the figures table of `agreement`'s page, for
    `reports.snapshots.remembered_part`: the agreement, the day and the language (in
    the key), and the generation, which every write of a figure, an indicator, an
    area or an agency moves on (`reports.signals`): all the table shows. None while a
    write waits for its summaries: computed afresh."""
    from reports.snapshots import settled_part

    return settled_part("agreement_figures", agreement.pk, timezone.localdate())


def _ended_label(name, until):
    if until is None:
        return name
    return gettext("%(name)s (đến %(date)s)") % {
        "name": name,
        "date": formats.date_format(until, "SHORT_DATE_FORMAT"),
    }


def agency_label(agency):
    """How an agency is named in the list's filter: full name (short names repeat
    from province to province), and the day it ended if it did, because a body and
    the one that replaced it often share a name."""
    return _ended_label(agency.name, agency.active_until)


def area_label(area):
    return _ended_label(area.name, area.valid_until)


def _visible_parties(user):
    return AgreementParty.objects.filter(agreement__in=Agreement.objects.for_user(user))


def filter_agencies(*, user, text=""):
    """Agencies the agreement list of `user` can be filtered by, whose folded name
    contains `text`, by name: for an admin every agency, for others the parties
    to an agreement they may see and their own agency. Nobody learns of agencies
    outside their agreements by typing names."""
    role = role_of(user)
    if role is None:
        return Agency.objects.none()
    agencies = Agency.objects.search(text) if fold(text) else Agency.objects.all()
    if role != "admin":
        agencies = agencies.filter(
            Q(pk__in=_visible_parties(user).values("agency_id")) | Q(pk=user.profile.agency_id)
        )
    return agencies.order_by("name", "pk")


def filter_areas(*, user, text=""):
    """Areas the agreement list of `user` can be filtered by (see `filter_agencies`):
    for others than admins, where the parties to their agreements and their own
    agency are located."""
    role = role_of(user)
    if role is None:
        return Area.objects.none()
    areas = Area.objects.search(text) if fold(text) else Area.objects.all()
    if role != "admin":
        located = Agency.objects.filter(
            Q(pk__in=_visible_parties(user).values("agency_id")) | Q(pk=user.profile.agency_id)
        ).values("area_id")
        areas = areas.filter(pk__in=located)
    return areas.order_by("name", "pk")


def _count_of(model):
    """Rows of `model` per agreement as a correlated subquery: no join, no GROUP BY
    over the list, so counting and paginating the list stay cheap."""
    rows = (
        model.objects.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def _latest_assessment(field):
    return Subquery(
        ItemAssessment.objects.filter(content_item=OuterRef("pk"))
        .order_by("-review__held_on", "-review_id")
        .values(field)[:1]
    )


def agreement_page(*, user):
    """The agreements whose page `user` may open, read as `agreement_detail` needs."""
    return (
        Agreement.objects.for_user(user).with_status().select_related("lead_agency", "supersedes")
    )


def agreement_detail(*, agreement):
    """Everything the agreement page shows, in a fixed number of queries. `agreement`
    comes annotated `with_status()`, with its lead agency and predecessor
    (`agreement_page`)."""
    parties = agreement.parties.select_related("agency").prefetch_related(
        "signatories",
        # The successor joined, not prefetched: one query fewer.
        Prefetch("agency__changes_out", queryset=AgencyChange.objects.select_related("successor")),
    )
    items = list(
        ContentItem.objects.filter(agreement=agreement)
        .select_related("lead_agency")
        .annotate(
            latest_progress=_latest_assessment("progress"),
            latest_comment=_latest_assessment("comment"),
        )
    )
    progress_labels = dict(ItemAssessment.Progress.choices)
    for item in items:
        item.latest_progress_label = progress_labels.get(item.latest_progress, "")
    declared = agreement.declared_item_count or 0
    reviews = list(
        Review.objects.filter(agreement=agreement)
        .prefetch_related("papers")
        .order_by("-held_on", "-id")
    )
    # An agreement of a province has hundreds of figures: only what the table shows.
    values = IndicatorValue.objects.filter(agreement=agreement).select_related(
        "indicator", "area", "agency"
    )
    return {
        "parties": parties,
        "items": items,
        "missing_item_count": max(declared - len(items), 0),
        "legal_bases": agreement.legal_bases.all(),
        "reviews": reviews,
        "indicator_values": values.order_by("indicator__order", "year", "id"),
        "plans": agreement.plans.annotate(activity_count=Count("activities")),
        "predecessor": agreement.supersedes,
        "successors": agreement.superseded_by.filter(archived_at__isnull=True),
        "obligations": _obligations(agreement, reviews),
    }


def agreement_trail(*, agreement):
    """The end of the agreement page, read on every view: its attachments and its
    history (they name the users who uploaded and changed, whose names no write of
    an agreement's data follows)."""
    return {
        "attachments": agreement.attachments.select_related("uploaded_by"),
        "history": history_rows(obj=agreement),
    }


def _obligations(agreement, reviews):
    """The reviews and meetings this agreement owes today, due or overdue."""
    # The rules live with the dashboard, which lists the same obligations by area.
    from reports.selectors.obligations import agreement_obligations

    return agreement_obligations(agreement, reviews=reviews, on=timezone.localdate())


def agreement_form_initial(*, agreement, user):
    """Initial rows of the agreement page's formsets."""
    if agreement is None:
        profile = getattr(user, "profile", None)
        own = profile.agency if profile and profile.agency_id else None
        parties = [{"agency": own, "role": AgreementParty.Role.LEAD}] if own else []
        return {"parties": parties, "legal_bases": [], "items": []}
    parties = []
    for party in agreement.parties.prefetch_related("signatories"):
        signatory = next(iter(party.signatories.all()), None)
        parties.append(
            {
                "agency": party.agency_id,
                "role": party.role,
                "name_as_signed": party.name_as_signed,
                "signatory_prefix": signatory.prefix if signatory else "",
                "signatory_on_behalf_of": signatory.on_behalf_of if signatory else "",
                "signatory_name": signatory.name if signatory else "",
                "signatory_position": signatory.position if signatory else "",
            }
        )
    bases = list(agreement.legal_bases.values("id", "number", "issued_on", "issuer", "title"))
    items = [
        {
            "id": item.pk,
            "title": item.title,
            "description": item.description,
            "lead_agency": item.lead_agency_id,
            "expected_result": item.expected_result,
            "ORDER": item.number,
        }
        for item in agreement.items.all()
    ]
    return {"parties": parties, "legal_bases": bases, "items": items}


def agreement_archive_impact(*, agreement):
    """What archiving touches, for the confirmation page."""
    return {
        "items": agreement.items.count(),
        "plans": agreement.plans.count(),
        "reviews": agreement.reviews.count(),
        "indicator_values": agreement.indicator_values.count(),
        "attachments": agreement.attachments.count(),
        "successors": list(agreement.superseded_by.filter(archived_at__isnull=True)),
    }


def review_detail(*, review, user):
    """Assessments, figures, papers, history and what `user` may do with the review."""
    editable = edits_what_it_sees(user)
    approver = role_of(user) in {"leader", "admin"}
    return {
        "assessments": review.assessments.select_related("content_item").order_by(
            "content_item__number"
        ),
        "indicator_values": review.indicator_values.select_related("indicator", "area", "agency"),
        "papers": review.papers.all(),
        "attachments": review.attachments.select_related("uploaded_by"),
        "history": history_rows(obj=review),
        "can_edit": editable and review.status == Review.Status.DRAFT,
        "can_submit": editable and review.status == Review.Status.DRAFT,
        "can_decide": approver and review.status == Review.Status.SUBMITTED,
    }


def plan_detail(*, plan, user):
    today = timezone.localdate()
    activities = plan.activities.select_related("content_item", "responsible_agency").order_by(
        "deadline", "id"
    )
    return {
        "activities": activities,
        "today": today,
        "attachments": plan.attachments.select_related("uploaded_by"),
        "history": history_rows(obj=plan),
        "can_edit": edits_what_it_sees(user),
    }


HISTORY_ACTIONS = {"+": _("Tạo mới"), "~": _("Cập nhật"), "-": _("Xóa")}


def history_rows(*, obj, limit=20):
    """The object's latest changes, newest first, each with the fields it changed.

    Reads limit+1 records in one query and compares neighbours in memory.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_id")[: limit + 1])
    rows = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        changed = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            changed = [
                str(obj._meta.get_field(change.field).verbose_name)
                for change in delta.changes
                if change.field != "version"
            ]
        rows.append(
            {"record": newer, "action": HISTORY_ACTIONS.get(newer.history_type), "changed": changed}
        )
    return rows[:limit]


def form_submission_target(*, token: str, user) -> str | None:
    """Where the create page carrying `token` already led this user, if it was saved."""
    return (
        FormSubmission.objects.filter(token=token, user=user)
        .values_list("target_url", flat=True)
        .first()
    )
