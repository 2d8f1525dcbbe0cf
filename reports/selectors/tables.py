"""Reads of the table reports: term summary, indicator report, agency report.

Each takes the user and the report's filters (the GET parameters, a mapping), scopes
everything with `Agreement.objects.for_user(user)` and returns plain rows that the
page, the CSV/XLSX exports and the DOCX document all use. Counting is done in the
database; the number of queries does not depend on the number of rows.
"""

import datetime
from collections import Counter

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agency,
    Agreement,
    AgreementParty,
    ContentItem,
    IndicatorValue,
    PlanActivity,
    Review,
)
from agreements.text import fold

from ..filters import AgencyReportFilterSet, IndicatorReportFilterSet, TermSummaryFilterSet
from .indicators import indicator_totals, previous_year_comparison
from .obligations import review_obligations

DONE = [Review.Status.SUBMITTED, Review.Status.APPROVED]


def _count(model, **conditions):
    """Rows of `model` per agreement as a correlated subquery (no GROUP BY over the
    report's own query, so the counts cannot multiply each other)."""
    rows = (
        model.objects.filter(agreement=OuterRef("pk"), **conditions)
        .order_by()
        .values("agreement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


# --- Term summary ----------------------------------------------------------------


def term_summary(*, user, filters, on: datetime.date | None = None) -> dict:
    """Every agreement of a term that `user` may see, with the counts a year-end
    summary needs, and their totals.

    Returns {"rows", "totals", "filterset", "applied", "term", "on"}. Each row:
    agreement, number, title, kind, parties (names as signed), signed_on, period,
    status (label), status_code, items_entered, items_declared (None when the
    document gives no number), reviews_done (annual, six-monthly, mid-term and final
    reviews submitted or approved; liaison meetings are not reviews), reviews_due
    and reviews_overdue (from `review_obligations` on `on`). Totals: count and the
    sums of the numeric keys (an undeclared item count adds nothing).
    """
    on = on or timezone.localdate()
    visible = Agreement.objects.for_user(user)
    filterset = TermSummaryFilterSet(filters, queryset=visible, today=on)
    agreements = filterset.qs
    parties = AgreementParty.objects.order_by("order", "id")
    listed = (
        agreements.with_status(on=on)
        .select_related("lead_agency")
        .prefetch_related(Prefetch("parties", queryset=parties))
        .annotate(
            items_entered=_count(ContentItem),
            reviews_done=_count(Review, status__in=DONE, kind__in=_review_kinds_counted_as_done()),
        )
        .order_by("signed_on", "number", "id")
    )
    obligations = review_obligations(agreements=agreements, on=on)
    due = Counter(o.agreement.pk for o in obligations)
    overdue = Counter(o.agreement.pk for o in obligations if o.overdue)
    rows = []
    for agreement in listed:
        rows.append(
            {
                "agreement": agreement,
                "number": agreement.number,
                "title": agreement.title,
                "kind": agreement.get_kind_display(),
                "parties": [party.name_as_signed for party in agreement.parties.all()],
                "signed_on": agreement.signed_on,
                "period": agreement.period_label,
                "status": agreement.status.label,
                "status_code": agreement.status.value,
                "items_entered": agreement.items_entered,
                "items_declared": agreement.declared_item_count,
                "reviews_done": agreement.reviews_done,
                "reviews_due": due[agreement.pk],
                "reviews_overdue": overdue[agreement.pk],
            }
        )
    # The totals add up the rows just read rather than asking the database again:
    # the same numbers by construction, and one query fewer.
    numeric = ("items_entered", "items_declared", "reviews_done", "reviews_due", "reviews_overdue")
    totals = {key: sum(row[key] or 0 for row in rows) for key in numeric}
    totals["count"] = len(rows)
    term = filterset.form.cleaned_data.get("term") or ""
    return {
        "rows": rows,
        "totals": totals,
        "filterset": filterset,
        "applied": filterset.applied(),
        "term": term.replace("-", " – ") if term else "",
        "on": on,
    }


def _review_kinds_counted_as_done():
    return [kind for kind in Review.Kind.values if kind != Review.Kind.LIAISON]


# --- Indicator report ------------------------------------------------------------


def indicator_report(*, user, filters) -> dict:
    """Indicators × years, per area or agency if asked, with totals, percentages
    and the comparison with the previous year.

    Returns {"sections", "years", "filterset", "applied", "grouping"}. A section per
    indicator: {"indicator", "series": [{"label", "total": bool, "points"}]}, the
    series per area/agency (when grouped) followed by the total series. A point:
    {"year", "value", "denominator", "percentage", "count", "previous",
    "difference", "change"}. The year before "from year" is read too, so that the
    first year shown is compared with its previous year.
    """
    visible = IndicatorValue.objects.filter(
        agreement__in=Agreement.objects.for_user(user).values("pk")
    )
    filterset = IndicatorReportFilterSet(filters, queryset=visible)
    values = filterset.qs
    # The filterset leaves the years to the report: the year before the first one
    # shown is read too.
    year_from = filterset.form.cleaned_data.get("year_from")
    year_to = filterset.form.cleaned_data.get("year_to")
    if year_from:
        values = values.filter(year__gte=year_from - 1)
    if year_to:
        values = values.filter(year__lte=year_to)
    grouping = filterset.grouping

    sections = {}
    totals = indicator_totals(values=values, by=("indicator", "year"))
    for row in totals:
        sections.setdefault(row["indicator"].pk, {"indicator": row["indicator"], "series": {}})
    if grouping:
        for row in indicator_totals(values=values, by=("indicator", "year", grouping)):
            place = row[grouping]
            key = place.pk if place else None
            series = sections[row["indicator"].pk]["series"].setdefault(
                key,
                {
                    "label": place.name if place else _("Chưa ghi"),
                    "object": place,
                    "total": False,
                    "points": [],
                },
            )
            series["points"].append(_point(row))
    for row in totals:
        series = sections[row["indicator"].pk]["series"].setdefault(
            "total", {"label": _("Tổng cộng"), "object": None, "total": True, "points": []}
        )
        series["points"].append(_point(row))

    years = set()
    result = []
    for section in sections.values():
        kept = []
        for series in section["series"].values():
            previous_year_comparison(series["points"])
            if year_from:
                series["points"] = [p for p in series["points"] if p["year"] >= year_from]
            years.update(p["year"] for p in series["points"])
            if series["points"]:
                kept.append(series)
        if kept:
            # Areas or agencies by name, "not recorded" after them, the total last.
            kept.sort(key=lambda s: (s["total"], s["object"] is None, fold(str(s["label"]))))
            result.append({"indicator": section["indicator"], "series": kept})
    return {
        "sections": result,
        "years": sorted(years),
        "filterset": filterset,
        "applied": filterset.applied(),
        "grouping": grouping,
        "grouping_label": dict(IndicatorReportFilterSet.GroupBy.CHOICES).get(grouping, ""),
    }


def _point(row):
    return {
        "year": row["year"],
        "value": row["value"],
        "denominator": row["denominator"],
        "percentage": row["percentage"],
        "count": row["count"],
    }


# --- Agency report ---------------------------------------------------------------


class Owed:
    REVIEW = "review"
    ACTIVITY = "activity"


def agency_report(*, user, filters, on: datetime.date | None = None) -> dict:
    """What an agency (with the agencies it continues) is party to and what it owes,
    among the agreements `user` may see.

    Returns {"agency", "agreements", "owed", "filterset", "applied", "on"}.
    `agreements`: rows {agreement, number, title, kind, signed_on, period, status,
    status_code, roles (labels), names (as signed), lead}. `owed`: the unfulfilled
    due and overdue reviews of those agreements (whoever is responsible, saying
    whether it is this agency) and the overdue plan activities this agency is
    responsible for, by due date: rows {type, type_label, agreement, what, due_on,
    overdue, responsible, responsible_here, role_label, url}.
    """
    on = on or timezone.localdate()
    visible = Agreement.objects.for_user(user)
    profile = getattr(user, "profile", None)
    default = profile.agency if profile is not None and profile.agency_id else None
    filterset = AgencyReportFilterSet(filters, queryset=visible, default=default)
    agency = filterset.chosen_agency
    report = {
        "agency": agency,
        "agreements": [],
        "owed": [],
        "filterset": filterset,
        "applied": filterset.applied(),
        "on": on,
    }
    if agency is None:
        return report
    lineage = Agency.objects.lineage_ids([agency.pk])
    agreements = filterset.qs
    own_parties = AgreementParty.objects.filter(agency_id__in=lineage).order_by("order", "id")
    listed = (
        agreements.with_status(on=on)
        .select_related("lead_agency")
        .prefetch_related(Prefetch("parties", queryset=own_parties, to_attr="own_parties"))
        .order_by("-signed_on", "-id")
    )
    for agreement in listed:
        report["agreements"].append(
            {
                "agreement": agreement,
                "number": agreement.number,
                "title": agreement.title,
                "kind": agreement.get_kind_display(),
                "signed_on": agreement.signed_on,
                "period": agreement.period_label,
                "status": agreement.status.label,
                "status_code": agreement.status.value,
                "roles": [party.get_role_display() for party in agreement.own_parties],
                "names": [party.name_as_signed for party in agreement.own_parties],
                "lead": agreement.lead_agency,
            }
        )

    owed = []
    for obligation in review_obligations(agreements=agreements, on=on):
        here = obligation.responsible.pk in lineage or obligation.agreement.lead_agency_id in (
            lineage
        )
        owed.append(
            {
                "type": Owed.REVIEW,
                "type_label": obligation.kind_label,
                "agreement": obligation.agreement,
                "what": obligation.period_label,
                "due_on": obligation.due_on,
                "overdue": obligation.overdue,
                "responsible": obligation.responsible,
                "responsible_here": here,
                "role_label": _role_label(here),
                "url": obligation.create_url,
            }
        )
    activities = (
        PlanActivity.objects.filter(
            Q(plan__agreement__in=visible.values("pk")),
            responsible_agency_id__in=lineage,
            deadline__lt=on,
            done_on__isnull=True,
        )
        .select_related("plan__agreement", "responsible_agency")
        .order_by("deadline", "id")
    )
    for activity in activities:
        owed.append(
            {
                "type": Owed.ACTIVITY,
                "type_label": _("Hoạt động kế hoạch năm %(year)s") % {"year": activity.plan.year},
                "agreement": activity.plan.agreement,
                "what": activity.activity,
                "due_on": activity.deadline,
                "overdue": True,
                "responsible": activity.responsible_agency,
                "responsible_here": True,
                "role_label": _role_label(True),
                "url": activity.plan.get_absolute_url(),
            }
        )
    owed.sort(key=lambda row: (row["due_on"], row["agreement"].pk, row["type"]))
    report["owed"] = owed
    return report


def _role_label(here):
    if here:
        return _("Cơ quan này chịu trách nhiệm")
    return _("Cơ quan này là bên phối hợp")
