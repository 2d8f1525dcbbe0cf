"""Reads of the table reports: term summary, indicator report, agency report.

Each takes the user and the report's filters (the GET parameters, a mapping), scopes
everything with `Agreement.objects.for_user(user)` and returns plain rows that the
page, the CSV/XLSX exports and the DOCX document all use. Counting is done in the
database; the number of queries does not depend on the number of rows.
"""

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
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
from agreements.querysets import scope_of
from agreements.text import fold

from ..filters import AgencyReportFilterSet, IndicatorReportFilterSet, TermSummaryFilterSet
from ..models import ObligationSummary
from ..querysets import count_each, status_case
from ..services import indicator_generation, scope_generation, summaries_ready, summaries_refresh
from ..snapshots import query_key, remembered, scoped_part, snapshot_key
from .indicators import cached_indicator_totals, previous_year_comparison
from .obligations import review_obligations, stored_obligations
from .scope import Scope

# Rows a report page shows at a time; the exports hold every row.
PAGE_SIZE = 100

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


# --- The pages' bodies ------------------------------------------------------------


def table_report_key(*, user, path, params) -> dict:
    """What identifies the body of a table report's page (the term summary, the
    indicator report, the agency report) for `reports.snapshots.remembered_part`:
    the report (`path`), the parameters as given (their order shapes the links), the
    user's scope (`scope_of`: the agreements they may see and the choices of the
    filters) and agency (the agency report's default), the day (statuses, due and
    overdue reviews move with it), the language (in the key) and the generation,
    which every write of what the reports show moves on. None while a write waits
    for its summaries: rendered afresh (and the summaries refreshed by the report)."""
    profile = getattr(user, "profile", None)
    agency_id = profile.agency_id if profile is not None else None
    return scoped_part(
        scope_of(user), "table_report", path, agency_id, list(params.lists()), timezone.localdate()
    )


# --- Term summary ----------------------------------------------------------------


def term_summary(
    *, user, filters, on: datetime.date | None = None, page: int | None = None
) -> dict:
    """Every agreement of a term that `user` may see, with the counts a year-end
    summary needs, and their totals.

    Returns {"rows", "totals", "page", "filterset", "applied", "term", "on"}. Each
    row: agreement, number, title, kind, parties (names as signed), signed_on,
    period, status (label), status_code, items_entered, items_declared (None when
    the document gives no number), reviews_done (annual, six-monthly, mid-term and
    final reviews submitted or approved; liaison meetings are not reviews),
    reviews_due and reviews_overdue (from `review_obligations` on `on`). Totals:
    count and the sums of the numeric keys (an undeclared item count adds nothing),
    always over every agreement. With `page` (1, 2, ...) only that page's
    PAGE_SIZE rows are read; `page` is then {"number", "count", "size"}.
    """
    on = on or timezone.localdate()
    visible = Agreement.objects.for_user(user)
    filterset = TermSummaryFilterSet(filters, queryset=visible, today=on)
    agreements = filterset.qs
    state = summaries_ready(on=on)
    if state is not None:
        # Read from the summary tables, and a page remembered until a write changes
        # it (not an export: every row, read once).
        key = query_key(agreements)
        scope = scope_of(user)
        rows, totals, pages = remembered(
            key=snapshot_key("term_summary", key, scope, on, page),
            generation=scope_generation(scope, state) if key and page else None,
            compute=lambda: _term_page(agreements, on=on, page=page),
        )
    else:
        rows, totals, pages = _term_page_from_rows(agreements, on=on, page=page)
    term = filterset.form.cleaned_data.get("term") or ""
    return {
        "rows": rows,
        "totals": totals,
        "page": pages,
        "filterset": filterset,
        "applied": filterset.applied(),
        "term": term.replace("-", " – ") if term else "",
        "on": on,
    }


def _term_listing(agreements):
    return agreements.order_by("signed_on", "number", "id")


def _party_names(agreements):
    """{agreement id: the names its parties signed under, in order}: one query, and
    plain strings rather than a party object each (an export reads ten thousand)."""
    names = defaultdict(list)
    rows = (
        AgreementParty.objects.filter(agreement_id__in=[a.pk for a in agreements])
        .order_by("agreement_id", "order", "id")
        .values_list("agreement_id", "name_as_signed")
    )
    for agreement_id, name in rows:
        names[agreement_id].append(name)
    return names


def _term_rows(listed, due, overdue):
    """The rows of `listed` (agreements with `status_value`, `items_entered` and
    `reviews_done`), their labels translated once per value rather than per row."""
    kinds = {value: str(label) for value, label in Agreement.Kind.choices}
    statuses = {value: str(label) for value, label in Agreement.Status.choices}
    parties = _party_names(listed)
    return [
        {
            "agreement": agreement,
            "number": agreement.number,
            "title": agreement.title,
            "kind": kinds.get(agreement.kind, agreement.kind),
            "parties": parties[agreement.pk],
            "signed_on": agreement.signed_on,
            "period": agreement.period_label,
            "status": statuses[agreement.status.value],
            "status_code": agreement.status.value,
            "items_entered": agreement.items_entered,
            "items_declared": agreement.declared_item_count,
            "reviews_done": agreement.reviews_done,
            "reviews_due": due[agreement.pk],
            "reviews_overdue": overdue[agreement.pk],
        }
        for agreement in listed
    ]


def _term_page(agreements, *, on, page):
    """(rows, totals, page) from the summary tables: the counts of each row by a
    join, the totals by two aggregations over every agreement, the due and overdue
    reviews of the page's rows by one grouped query."""
    scope = Scope.of(agreements)
    totals = _term_totals(scope, on=on)
    pages = _page(page, totals["count"])
    listed = _term_listing(agreements).annotate(
        status_value=status_case(on, "summary__"),
        items_entered=F("summary__items"),
        reviews_done=F("summary__reviews_done"),
    )
    if pages is not None:
        listed = listed[pages["offset"] : pages["offset"] + PAGE_SIZE]
    listed = list(listed)
    owed = (
        ObligationSummary.objects.filter(summary_id__in=[a.pk for a in listed])
        .owed(on)
        .values_list("summary_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_on__lt=on)))
        .order_by()
    )
    due = Counter({pk: n for pk, n, _late in owed})
    overdue = Counter({pk: late for pk, _n, late in owed})
    return _term_rows(listed, due, overdue), totals, pages


def _term_page_from_rows(agreements, *, on, page):
    """(rows, totals, page) counted from the rows: every agreement is read, the
    totals add up the rows (the same numbers by construction)."""
    listed = list(
        _term_listing(agreements)
        .with_status(on=on)
        .annotate(
            items_entered=_count(ContentItem),
            reviews_done=_count(Review, status__in=DONE, kind__in=_review_kinds_counted_as_done()),
        )
    )
    obligations = review_obligations(agreements=agreements, on=on)
    due = Counter(o.agreement.pk for o in obligations)
    overdue = Counter(o.agreement.pk for o in obligations if o.overdue)
    rows = _term_rows(listed, due, overdue)
    numeric = ("items_entered", "items_declared", "reviews_done", "reviews_due", "reviews_overdue")
    totals = {key: sum(row[key] or 0 for row in rows) for key in numeric}
    totals["count"] = len(rows)
    pages = _page(page, totals["count"])
    if pages is not None:
        rows = rows[pages["offset"] : pages["offset"] + PAGE_SIZE]
    return rows, totals, pages


def _term_totals(scope, *, on):
    """The totals of the term summary over every agreement, from the summary tables:
    two aggregate queries whatever the number of agreements."""
    sums = scope.summaries().aggregate(
        count=Count("pk"),
        items_entered=Sum("items"),
        items_declared=Sum("agreement__declared_item_count"),
        reviews_done=Sum("reviews_done"),
    )
    owed = (
        scope.filter(ObligationSummary.objects.all(), "summary")
        .owed(on)
        .aggregate(reviews_due=Count("pk"), reviews_overdue=Count("pk", filter=Q(due_on__lt=on)))
    )
    return {key: value or 0 for key, value in {**sums, **owed}.items()}


def _page(page, count):
    """{"number", "count", "size"} of the page asked for (clamped), or None for all."""
    if page is None:
        return None
    pages = max(1, -(-count // PAGE_SIZE))
    number = min(max(page, 1), pages)
    return {
        "number": number,
        "count": pages,
        "size": PAGE_SIZE,
        "offset": (number - 1) * PAGE_SIZE,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < pages else None,
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
    # The scope is resolved once (see selectors.scope); the totals come from a
    # snapshot of the same query when no write changed them since.
    summaries_refresh()
    generation = indicator_generation()
    scope = Scope.of(Agreement.objects.for_user(user))
    visible = scope.filter(IndicatorValue.objects.all())
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
    chosen = filterset.form.cleaned_data
    totals = cached_indicator_totals(
        values=values,
        by=("indicator", "year"),
        generation=generation,
        whole_country={
            "years": (year_from - 1 if year_from else None, year_to or None),
            "group": chosen.get("group") or None,
            "indicator": chosen.get("indicator"),
        },
    )
    for row in totals:
        sections.setdefault(row["indicator"].pk, {"indicator": row["indicator"], "series": {}})
    if grouping:
        grouped = cached_indicator_totals(
            values=values, by=("indicator", "year", grouping), generation=generation
        )
        for row in grouped:
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


def agency_report(
    *, user, filters, on: datetime.date | None = None, limit: int | None = None
) -> dict:
    """What an agency (with the agencies it continues) is party to and what it owes,
    among the agreements `user` may see.

    Returns {"agency", "agreements", "agreements_count", "owed", "owed_count",
    "limit", "filterset", "applied", "on"}.
    `agreements`: rows {agreement, number, title, kind, signed_on, period, status,
    status_code, roles (labels), names (as signed), lead}. `owed`: the unfulfilled
    due and overdue reviews of those agreements (whoever is responsible, saying
    whether it is this agency) and the overdue plan activities this agency is
    responsible for, by due date: rows {type, type_label, agreement, what, due_on,
    overdue, responsible, responsible_here, role_label, url}. With `limit`, each
    list holds its first `limit` rows (the counts are of every row); the exports
    ask for all.
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
        "agreements_count": 0,
        "owed": [],
        "owed_count": 0,
        "limit": limit,
        "filterset": filterset,
        "applied": filterset.applied(),
        "on": on,
    }
    if agency is None:
        return report
    state = summaries_ready(on=on)
    lineage = Agency.objects.lineage_ids([agency.pk])
    agreements = filterset.qs

    def compute():
        return _agency_lists(
            agreements=agreements,
            visible=visible,
            lineage=lineage,
            on=on,
            limit=limit,
            summarised=state is not None,
        )

    if state is not None and limit is not None:
        # A page (not an export) is remembered until a write changes it.
        key = query_key(agreements)
        scope = scope_of(user)
        lists = remembered(
            key=snapshot_key(
                "agency_report", key, query_key(visible), sorted(lineage), scope, on, limit
            ),
            generation=scope_generation(scope, state) if key else None,
            compute=compute,
        )
    else:
        lists = compute()
    report.update(lists)
    return report


def _agency_lists(*, agreements, visible, lineage, on, limit, summarised):
    """The agency report's two tables (the first `limit` rows of each, or all) and
    how many rows each has."""
    report = {"agreements": []}
    own_parties = AgreementParty.objects.filter(agency_id__in=lineage).order_by("order", "id")
    listed = (
        agreements.select_related("lead_agency")
        .prefetch_related(Prefetch("parties", queryset=own_parties, to_attr="own_parties"))
        .order_by("-signed_on", "-id")
    )
    scope = Scope.of(agreements) if summarised else None
    if summarised:
        listed = listed.annotate(status_value=status_case(on, "summary__"))
    else:
        listed = listed.with_status(on=on)
    if limit is not None:
        listed = listed[:limit]
    for agreement in listed:
        report["agreements"].append(
            {
                "agreement": agreement,
                "number": agreement.number,
                "title": agreement.title,
                "kind": agreement.get_kind_display(),
                "signed_on": agreement.signed_on,
                "period": agreement.period_label,
                # Labels as text: the page's rows are remembered (pickled) per
                # language, and each lazy label took 0.4 ms to unpickle.
                "status": str(agreement.status.label),
                "status_code": agreement.status.value,
                "roles": [party.get_role_display() for party in agreement.own_parties],
                "names": [party.name_as_signed for party in agreement.own_parties],
                "lead": agreement.lead_agency,
            }
        )
    if limit is None:
        report["agreements_count"] = len(report["agreements"])
    elif scope is not None and scope.size is not None:
        report["agreements_count"] = scope.size
    else:
        report["agreements_count"] = agreements.count()

    late = PlanActivity.objects.filter(
        Q(plan__agreement__in=visible.values("pk")),
        responsible_agency_id__in=lineage,
        deadline__lt=on,
        done_on__isnull=True,
    )
    # What a page shows only the first `limit` rows of is counted, in one query.
    counted = {"activities": late} if limit is not None else {}
    if summarised:
        stored = scope.filter(ObligationSummary.objects.all(), "summary").owed(on)
        rows = stored.select_related("summary__agreement__lead_agency").in_order()
        obligations = stored_obligations(rows if limit is None else rows[:limit], on=on)
        if limit is not None:
            counted["obligations"] = stored
    else:
        obligations = review_obligations(agreements=agreements, on=on)
    counts = count_each(**counted)
    obligations_count = counts.get("obligations", len(obligations))
    owed = []
    for obligation in obligations:
        here = obligation.responsible.pk in lineage or obligation.agreement.lead_agency_id in (
            lineage
        )
        owed.append(
            {
                "type": Owed.REVIEW,
                "type_label": str(obligation.kind_label),
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
    # In the order of the merged list below (due date, agreement), so that the first
    # `limit` activities are those the merged list keeps.
    activities = late.select_related("plan__agreement", "responsible_agency").order_by(
        "deadline", "plan__agreement_id", "id"
    )
    activities = list(activities if limit is None else activities[:limit])
    activities_count = counts.get("activities", len(activities))
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
    report["owed"] = owed if limit is None else owed[:limit]
    report["owed_count"] = obligations_count + activities_count
    return report


def _role_label(here):
    if here:
        return gettext("Cơ quan này chịu trách nhiệm")
    return gettext("Cơ quan này là bên phối hợp")
