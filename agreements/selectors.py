"""Reads: every query that is more than a lookup lives here."""

from django.db.models import Count, Prefetch

from .models import Agreement, AgreementParty, ContentItem, IndicatorValue, Review


def agreement_list(*, user, query=None):
    qs = Agreement.objects.for_user(user).with_status().search(query or "")
    return (
        qs.select_related("lead_agency")
        .prefetch_related(
            Prefetch("parties", queryset=AgreementParty.objects.select_related("agency"))
        )
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-signed_on", "-id")
    )


def agreement_detail(*, agreement):
    parties = agreement.parties.select_related("agency").prefetch_related("signatories")
    items = ContentItem.objects.filter(agreement=agreement).select_related("lead_agency")
    reviews = Review.objects.filter(agreement=agreement).prefetch_related("papers")
    values = IndicatorValue.objects.filter(agreement=agreement).select_related(
        "indicator", "area", "agency", "review"
    )
    entered = len(items)
    declared = agreement.declared_item_count or 0
    return {
        "parties": parties,
        "items": items,
        "missing_item_count": max(declared - entered, 0),
        "legal_bases": agreement.legal_bases.all(),
        "reviews": reviews,
        "indicator_values": values,
        "plans": agreement.plans.all(),
        "attachments": agreement.attachments.all(),
        "predecessor": agreement.supersedes,
        "successors": agreement.superseded_by.filter(archived_at__isnull=True),
    }


def home_summary(*, user):
    visible = Agreement.objects.for_user(user).with_status()
    counts = dict(
        visible.order_by()
        .values_list("status_value")
        .annotate(n=Count("id"))
        .values_list("status_value", "n")
    )
    return {"total": sum(counts.values()), "by_status": counts}
