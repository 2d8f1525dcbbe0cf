"""Reads of the leaders' dashboard: every figure counted in the database.

Each function takes `agreements`, the Agreement queryset the page is about: what the
user may see (`for_user`) narrowed by the dashboard's filters. Sections about the
work under way (content-item progress, late plan activities, agreements whose
signing agency is gone) look at the agreements in force on `on`; the indicator
figures and the recent activity cover every agreement in `agreements`.
"""

from collections import defaultdict
from urllib.parse import urlencode

from django.db import connection, models
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Cast, Collate, RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    ContentItem,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
)
from agreements.querysets import edits_what_it_sees, role_of, scope_of
from dinvan.rows import FieldColumns

from ..models import ObligationSummary, OpenActivity
from ..querysets import OverAll, among_firsts, count_each, status_case, union_all
from ..services import scope_generation, summaries_ready
from ..snapshots import query_key, remembered, snapshot_key
from .indicators import area_value_filter, cached_indicator_totals
from .obligations import review_obligations, stored_obligations
from .scope import Scope

TOP_AGENCIES = 10
LISTED = 20
OLDEST_ACTIVITIES = 10
RECENT = 10
TREND_YEARS = 10
NOT_ASSESSED = "not_assessed"
# The order of the agreements expiring this year (the earliest end first) and of the
# orphaned ones (the latest signed first), on agreements and on their summary rows.
EXPIRING_ORDER = (F("effective_until").asc(nulls_last=True), "number", "pk")
ORPHANED_ORDER = (F("signed_on").desc(nulls_last=True), "-pk")
PROGRESS_SUMS = {
    ItemAssessment.Progress.NOT_STARTED: "items_not_started",
    ItemAssessment.Progress.IN_PROGRESS: "items_in_progress",
    ItemAssessment.Progress.DONE: "items_done",
    ItemAssessment.Progress.BEHIND: "items_behind",
}


def list_url(filters, **params):
    """The agreement list filtered like the dashboard, plus `params`."""
    query = {key: value for key, value in {**filters, **params}.items() if value}
    url = reverse("agreements:agreement_list")
    return f"{url}?{urlencode(query)}" if query else url


def dashboard_figures_key(*, user, agreements, on, filters, area_ids=None, years=None):
    """What identifies the dashboard's rendered figures, for
    `reports.snapshots.remembered_part`: what identifies `dashboard`'s snapshot (the
    agreements' query, day, filters, areas, years, and the language, in the key), what
    the figures show differently by user (`_user_flags`),
    and the generation, which every write that changes a figure moves on. None while
    the summary tables cannot answer: computed afresh, as `dashboard` is. (Within a
    page view, `summaries_ready` reads the state once for this and `dashboard`.)"""
    state = summaries_ready(on=on)
    query = query_key(agreements) if state is not None else None
    scope = scope_of(user)
    return {
        "key": snapshot_key(
            "dashboard_figures",
            query,
            scope,
            on,
            sorted(filters.items()),
            area_ids,
            years,
            sorted(_user_flags(user).items()),
        ),
        "generation": scope_generation(scope, state) if query else None,
    }


def dashboard(*, user, agreements, on, filters, area_ids=None, years=None):
    """Everything the dashboard shows. `filters` are the valid filter values as query
    parameters (for links to the agreement list), `area_ids` the chosen areas, if
    any, and `years` the (first, last) year of the chosen term, if any.

    Counts are exact; long lists (agreements expiring, obligations, reviews awaiting
    approval) come as their count and their first LISTED rows. The counting is done
    over the summary tables (reports.models) when they are up to date, else over
    the rows themselves: the same figures either way.
    """
    state = summaries_ready(on=on)

    def compute():
        if state is not None:
            scope = Scope.of(agreements)
            figures = _from_summaries(scope=scope, on=on, filters=filters)
        else:
            scope = Scope(agreements, agreements.values("pk"))
            figures = _from_rows(agreements=agreements, on=on, filters=filters)
        # The indicator totals have a snapshot of their own, kept across the writes
        # that change no figure (a review approved, an agreement retitled).
        generation = state.indicator_generation if state is not None else None
        trends = indicator_trends(
            scope=scope, area_ids=area_ids, years=years, generation=generation
        )
        return {
            **figures,
            "indicators": trends,
            "recent": recent_activity(agreements=agreements),
        }

    if state is None:
        figures = compute()
    else:
        # The same question asked again before any write changed a figure is answered
        # from the snapshot of the first answer (see reports.snapshots).
        query = query_key(agreements)
        scope = scope_of(user)
        figures = remembered(
            key=snapshot_key(
                "dashboard", query, scope, on, sorted(filters.items()), area_ids, years
            ),
            generation=scope_generation(scope, state) if query else None,
            compute=compute,
        )
    return {"on": on, **figures, **_user_flags(user)}


def _user_flags(user):
    """What the dashboard shows differently by user, within the same figures."""
    return {
        "can_enter_reviews": edits_what_it_sees(user),
        "is_approver": role_of(user) in {"leader", "admin"},
    }


def _from_rows(*, agreements, on, filters):
    in_force = agreements.in_force(on=on)
    obligations = review_obligations(agreements=agreements, on=on)
    overdue = [o for o in obligations if o.overdue]
    due = [o for o in obligations if not o.overdue]
    found = expiring(agreements=agreements, on=on)
    awaiting = awaiting_approval(scope=Scope(agreements, agreements.values("pk")))
    return {
        "in_force": in_force_summary(in_force=in_force, filters=filters),
        "expiring": found[:LISTED],
        "expiring_count": len(found),
        "orphaned": orphaned(in_force=in_force, on=on),
        "overdue": overdue[:LISTED],
        "overdue_count": len(overdue),
        "due": due[:LISTED],
        "due_count": len(due),
        "progress": item_progress(in_force=in_force),
        "late_activities": late_activities(in_force=in_force, on=on),
        "awaiting_approval": awaiting["rows"],
        "awaiting_count": awaiting["count"],
    }


def _from_summaries(*, scope, on, filters):
    """The same figures as `_from_rows`, added up over one summary row per agreement
    and the stored obligations: a fixed number of queries over narrow tables."""
    in_force = scope.summaries().in_force(on)
    # The first lead agencies, each row carrying the totals over all of them (by kind,
    # items, progress): one query instead of a GROUP BY kind beside the ranking.
    totals = {
        **{f"kind_{kind}": Count("pk", filter=Q(kind=kind)) for kind in Agreement.Kind.values},
        "items_total": Sum("items"),
        **{field: Sum(field) for field in PROGRESS_SUMS.values()},
    }
    leads = list(
        in_force.order_by()
        .values("lead_agency", "lead_agency__name")
        .annotate(n=Count("pk"), **{name: OverAll(total) for name, total in totals.items()})
        .order_by("-n", _by_code_point("lead_agency__name"), "lead_agency")[:TOP_AGENCIES]
    )
    every = {name: (leads[0][name] or 0) if leads else 0 for name in totals}
    by_kind = {kind: every[f"kind_{kind}"] for kind in Agreement.Kind.values}
    summary = _in_force_figures(
        total=sum(by_kind.values()),
        by_kind=by_kind,
        leads=[{"name": row["lead_agency__name"], "count": row["n"]} for row in leads],
        filters=filters,
    )
    progress = {code: every[field] for code, field in PROGRESS_SUMS.items()}
    items = every["items_total"]
    progress[NOT_ASSESSED] = items - sum(progress.values())

    owed = scope.filter(ObligationSummary.objects.all(), "summary").owed(on)
    overdue, due = owed.overdue(on), owed.not_overdue(on)

    # Each list ranked over the narrow obligation rows, then only the rows listed read
    # in full: joined to their agreements before the ranking, a province's 1,300–1,800
    # owed rows were each read with their agreement (26–46 ms instead of 10–16). Both
    # lists in one query, and their responsible agencies looked up in one go.
    firsts = list(
        ObligationSummary.objects.filter(
            among_firsts(
                overdue.in_order().values("pk")[:LISTED], due.in_order().values("pk")[:LISTED]
            )
        )
        .select_related("summary__agreement__lead_agency")
        .in_order()
    )
    listed = stored_obligations(firsts, on=on)
    overdue_rows = [row for row in listed if row.overdue]

    ending = _expiring(scope.summaries(), on=on)
    orphaned_summaries = in_force.filter(party_changed_on__lte=on, has_successor=False)
    late = OpenActivity.objects.filter(deadline__lt=on, summary__in=in_force)
    awaiting = _awaiting(scope)
    # Every count of the page in one query.
    counts = count_each(
        overdue=overdue,
        due=due,
        expiring=ending,
        orphaned=orphaned_summaries,
        late=late,
        awaiting=awaiting,
    )
    expiring_rows, orphaned_rows = _firsts_of(
        (ending, EXPIRING_ORDER), (orphaned_summaries, ORPHANED_ORDER), on=on
    )
    _party_changes(orphaned_rows, on=on)
    return {
        "in_force": summary,
        "expiring": expiring_rows,
        "expiring_count": counts["expiring"],
        "orphaned": {"count": counts["orphaned"], "rows": orphaned_rows},
        "overdue": overdue_rows,
        "overdue_count": counts["overdue"],
        "due": listed[len(overdue_rows) :],
        "due_count": counts["due"],
        "progress": _progress_rows(total=items, counts=progress),
        "late_activities": {"count": counts["late"], "oldest": _late_from(late)},
        "awaiting_approval": _awaiting_rows(awaiting),
        "awaiting_count": counts["awaiting"],
    }


def _by_code_point(field):
    """Ties broken by name as Python sorts names (code points), as `in_force_summary`
    does, whatever the database's collation."""
    if connection.vendor == "postgresql":
        return Collate(field, "C")
    return F(field)


def _late_from(late):
    """The oldest of the `late` open activities (summary rows), read in full."""
    return list(
        PlanActivity.objects.filter(
            pk__in=Subquery(late.order_by("deadline", "pk").values("pk")[:OLDEST_ACTIVITIES])
        )
        .select_related("plan", "plan__agreement", "responsible_agency")
        .order_by("deadline", "pk")
    )


def _expiring(summaries, *, on):
    """The summaries of agreements in force or expired whose term ends this year."""
    ending = summaries.filter(live=True, lifecycle=Agreement.Lifecycle.SIGNED).filter(
        Q(effective_until__year=on.year) | Q(effective_until__isnull=True, end_year=on.year)
    )
    return ending.exclude(superseded_on__lte=on)


def _firsts_of(*lists, on):
    """The first LISTED agreements of each of `lists` ((summary rows, their order)),
    all in one query: [each list's rows, in its order], with their status on `on`.

    Each list is ranked over the narrow summary rows, which carry what the order
    needs (the number too), and only the rows listed are read in full. Sorting the
    whole rows of a national term's 27,000 expiring agreements spilled to disk, an
    `IN` of them let PostgreSQL sort all 200,000 agreements first, and joining them
    for the number took 70 ms. The lists' rows come as one UNION ALL (no ORDER BY or
    LIMIT in its parts, which SQLite refuses), each row numbering its list and its
    place in it: an agreement in two lists comes once for each."""
    parts = [
        Agreement.objects.filter(pk__in=Subquery(summaries.order_by(*order).values("pk")[:LISTED]))
        .annotate(
            listed_in=Value(number, output_field=models.IntegerField()),
            rank_in_list=Window(RowNumber(), order_by=order),
            status_value=status_case(on, "summary__"),
        )
        .order_by()
        for number, (summaries, order) in enumerate(lists)
    ]
    found = [[] for _list in lists]
    for row in parts[0].union(*parts[1:], all=True).order_by("listed_in", "rank_in_list"):
        found[row.listed_in].append(row)
    return found


def in_force_summary(*, in_force, filters):
    """Agreements in force: the total, by kind and by lead agency (top ten and the rest)."""
    # One GROUP BY lead agency and kind: a row per pair, however many agreements.
    groups = list(
        in_force.order_by()
        .values_list("lead_agency", "lead_agency__name", "kind")
        .annotate(n=Count("pk"))
    )
    by_kind_count = defaultdict(int)
    by_lead = defaultdict(int)
    for lead, name, kind, n in groups:
        by_kind_count[kind] += n
        by_lead[(name, lead)] += n
    ranked = sorted(by_lead.items(), key=lambda pair: (-pair[1], pair[0]))[:TOP_AGENCIES]
    return _in_force_figures(
        total=sum(by_kind_count.values()),
        by_kind=by_kind_count,
        leads=[{"name": name, "count": n} for (name, _lead), n in ranked],
        filters=filters,
    )


def _in_force_figures(*, total, by_kind, leads, filters):
    return {
        "total": total,
        "url": list_url(filters, status="in_force"),
        "by_kind": [
            {
                "kind": kind,
                "label": label,
                "count": by_kind.get(kind, 0),
                "url": list_url(filters, status="in_force", kind=kind),
            }
            for kind, label in Agreement.Kind.choices
        ],
        "by_lead_agency": leads,
        "other_agencies": total - sum(row["count"] for row in leads),
    }


def expiring(*, agreements, on):
    """In force or expired agreements whose term ends this year: the end date falls in
    it or, without an end date, the end year is this year."""
    return list(
        agreements.live()
        .with_status(on=on)
        .filter(status_value__in=[Agreement.Status.IN_FORCE, Agreement.Status.EXPIRED])
        .filter(
            Q(effective_until__year=on.year) | Q(effective_until__isnull=True, end_year=on.year)
        )
        .select_related("lead_agency")
        .order_by(*EXPIRING_ORDER)
    )


def _changed_by(on):
    return AgencyChange.objects.filter(Q(changed_on__isnull=True) | Q(changed_on__lte=on))


def orphaned(*, in_force, on):
    """Agreements in force that a party signed as an agency since merged, renamed,
    split or ended, and that no live agreement supersedes yet: each needs a new
    agreement signed by the successors. The count and the first ones, with the
    changes of their parties."""
    changed = _changed_by(on).filter(predecessor=OuterRef("agency"))
    affected = AgreementParty.objects.filter(Exists(changed))
    successor = Agreement.objects.filter(supersedes=OuterRef("pk"), archived_at__isnull=True)
    qs = in_force.filter(Exists(affected.filter(agreement=OuterRef("pk")))).exclude(
        Exists(successor)
    )
    # The window counts every row before LIMIT: the total comes with the first rows.
    rows = _first_orphaned(qs.annotate(total=Window(Count("pk"))), on=on)
    return {"count": rows[0].total if rows else 0, "rows": rows}


def _first_orphaned(qs, *, on):
    """The first LISTED of `qs`, latest signed first, with their parties' changes."""
    rows = list(qs.select_related("lead_agency").order_by(*ORPHANED_ORDER)[:LISTED])
    _party_changes(rows, on=on)
    return rows


def _party_changes(agreements, *, on):
    """Set each agreement's `party_changes`: [(the name a party signed under, a
    change of its agency by `on`)], in the parties' order and each agency's changes'
    order. One query: the changes joined to the parties that signed as the changed
    agency (instead of the parties, then their agencies' changes)."""
    party = "predecessor__agreement_parties__"
    changes = (
        _changed_by(on)
        .filter(**{f"{party}agreement__in": [agreement.pk for agreement in agreements]})
        .select_related("successor")
        .annotate(party_agreement=F(f"{party}agreement_id"), party_name=F(f"{party}name_as_signed"))
        .order_by(
            "party_agreement",
            f"{party}order",
            f"{party}id",
            F("changed_on").asc(nulls_last=True),
            "id",
        )
    )
    found = defaultdict(list)
    for change in changes if agreements else ():
        found[change.party_agreement].append((change.party_name, change))
    for agreement in agreements:
        agreement.party_changes = found[agreement.pk]


def _latest_assessment():
    return Subquery(
        ItemAssessment.objects.filter(content_item=OuterRef("pk"))
        .order_by(F("review__held_on").desc(nulls_last=True), "-review_id")
        .values("progress")[:1]
    )


def item_progress(*, in_force):
    """Content items of the agreements in force by the progress of their latest
    assessment (the review held last), and those never assessed."""
    items = ContentItem.objects.filter(agreement__in=in_force.values("pk")).annotate(
        latest=_latest_assessment()
    )
    counts = items.aggregate(
        total=Count("pk"),
        **{code: Count("pk", filter=Q(latest=code)) for code in ItemAssessment.Progress.values},
        **{NOT_ASSESSED: Count("pk", filter=Q(latest__isnull=True))},
    )
    return _progress_rows(total=counts.pop("total"), counts=counts)


def _progress_rows(*, total, counts):
    rows = [
        {"code": code, "label": label, "count": counts[code]}
        for code, label in ItemAssessment.Progress.choices
    ]
    rows.append({"code": NOT_ASSESSED, "label": _("Chưa đánh giá"), "count": counts[NOT_ASSESSED]})
    return {"total": total, "rows": rows}


def late_activities(*, in_force, on):
    """Annual-plan activities of agreements in force past their deadline and not done:
    how many, and the oldest ones."""
    return _late(in_force.values("pk"), on=on)


def _late(agreement_ids, *, on):
    late = PlanActivity.objects.filter(
        plan__agreement__in=agreement_ids, deadline__lt=on, done_on__isnull=True
    )
    oldest = list(
        late.select_related("plan", "plan__agreement", "responsible_agency")
        .annotate(total=Window(Count("pk")))
        .order_by("deadline", "pk")[:OLDEST_ACTIVITIES]
    )
    return {"count": oldest[0].total if oldest else 0, "oldest": oldest}


def indicator_trends(*, scope, area_ids=None, years=None, generation=None):
    """Indicator totals by year for the agreements (and, when an area is chosen, for
    the figures recorded in it, rolled up through merged and abolished units).

    One entry per indicator with a point for every year from its first to its last
    figure (at most the last TREND_YEARS years), or for each year of the chosen term.
    """
    values = scope.filter(IndicatorValue.objects.all())
    if area_ids:
        values = values.filter(area_value_filter(area_ids))
    if years is not None:
        values = values.filter(year__gte=years[0], year__lte=years[1])
    by_indicator = defaultdict(dict)
    indicators = {}
    rows = cached_indicator_totals(
        values=values,
        by=("indicator", "year"),
        generation=generation,
        whole_country={"years": tuple(years) if years is not None else (None, None)},
    )
    for row in rows:
        indicators[row["indicator"].pk] = row["indicator"]
        by_indicator[row["indicator"].pk][row["year"]] = row
    trends = []
    for pk, rows in by_indicator.items():
        indicator = indicators[pk]
        first, last = years or (min(rows), max(rows))
        first = max(first, last - TREND_YEARS + 1)
        points = [{"year": year, "row": rows.get(year)} for year in range(first, last + 1)]
        trends.append({"indicator": indicator, "points": points})
    trends.sort(key=lambda t: (t["indicator"].order, t["indicator"].code))
    return trends


def awaiting_approval(*, scope):
    """Reviews submitted and waiting for a leader's approval: how many, and the
    oldest LISTED."""
    submitted = _awaiting(scope)
    rows = _awaiting_rows(submitted)
    return {"count": submitted.count() if rows else 0, "rows": rows}


def _awaiting(scope):
    return scope.filter_few(Review.objects.filter(status=Review.Status.SUBMITTED))


def _awaiting_rows(submitted):
    return list(
        submitted.select_related("agreement").order_by(
            F("submitted_at").asc(nulls_last=True), "pk"
        )[:LISTED]
    )


HISTORY_ACTIONS = {"+": _("Tạo mới"), "~": _("Cập nhật"), "-": _("Xóa")}


# The columns every kind of change is read with (NULL where a kind has none), and what
# each column holds, for turning the database's values into Python's (FieldColumns).
_CHANGE_COLUMNS = {
    "history_id": models.IntegerField(),
    "history_date": models.DateTimeField(),
    "history_type": models.CharField(),
    "record_id": models.BigIntegerField(),
    "username": models.CharField(),
    "number": models.CharField(),
    "kind": models.CharField(),
    "title": models.CharField(),
    "held_on": models.DateField(),
    "year": models.IntegerField(),
    "agreement_id": models.BigIntegerField(),
    "agreement_number": models.CharField(),
    "agreement_kind": models.CharField(),
}


def recent_activity(*, agreements, limit=RECENT):
    """The latest changes to the agreements, their reviews and annual plans: the
    latest `limit` of each kind, merged by time in the database (one query)."""
    ids = agreements.values("pk")
    kinds = {
        Agreement: Agreement.history.filter(id__in=ids),
        Review: Review.history.filter(agreement_id__in=ids),
        AnnualPlan: AnnualPlan.history.filter(agreement_id__in=ids),
    }
    parts = []
    for number, changes in enumerate(kinds.values()):
        own = {field.attname for field in changes.model._meta.concrete_fields}
        named = {"record_id": F("id"), "username": F("history_user__username")}
        if "agreement_id" in own:
            named |= {
                "agreement_number": F("agreement__number"),
                "agreement_kind": F("agreement__kind"),
            }
        columns = {
            # Named apart from the model's fields, which an annotation may not shadow;
            # a column the kind has not is NULL, typed: PostgreSQL matches each
            # column's type across the UNION.
            f"c_{name}": named.get(name) or (F(name) if name in own else Cast(Value(None), field))
            for name, field in _CHANGE_COLUMNS.items()
        }
        parts.append(
            changes.order_by("-history_date", "-history_id").values(
                c_kind_of=Value(number), **columns
            )[:limit]
        )
    union = union_all(parts)
    if union is None:
        return []
    sql, params = union
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} ORDER BY c_history_date DESC, c_history_id DESC LIMIT %s", [*params, limit]
        )
        names = [column[0].removeprefix("c_") for column in cursor.description]
        columns = FieldColumns(connection, _CHANGE_COLUMNS)
        rows = [columns.row(names, row) for row in cursor]
    models_of = list(kinds)
    return [_activity_row(models_of[row["kind_of"]], row) for row in rows]


def _activity_row(model, row):
    """What a change says, from its own columns."""
    kind = row["kind"]
    if model is Agreement:
        kind_label = Agreement.Kind(kind).label if kind in Agreement.Kind.values else kind
        label = f"{row['number'] or kind_label}: {row['title']}"
        url_name, agreement = "agreements:agreement_detail", None
    else:
        agreement = Agreement(
            pk=row["agreement_id"], number=row["agreement_number"], kind=row["agreement_kind"]
        )
        if model is Review:
            kind_label = Review.Kind(kind).label if kind in Review.Kind.values else kind
            label = row["title"] or f"{kind_label} {_day(row['held_on'])}".strip()
            url_name = "agreements:review_detail"
        else:
            label = _("Kế hoạch năm %(year)s") % {"year": row["year"]}
            url_name = "agreements:plan_detail"
    deleted = row["history_type"] == "-"
    return {
        "when": row["history_date"],
        "who": row["username"],
        "action": HISTORY_ACTIONS.get(row["history_type"], ""),
        # A review is named by its kind ("giao ban", "đánh giá năm"…), not by the model.
        "what": str(kind_label).lower() if model is Review else model._meta.verbose_name,
        "label": label,
        "url": None if deleted else reverse(url_name, args=[row["record_id"]]),
        "agreement": agreement,
    }


def _day(value):
    return value.strftime("%d/%m/%Y") if value else ""


def term_years(period, *, on):
    """(first, last) year of a term filter value such as "2021-2026" or "2013-"."""
    if not period:
        return None
    start, _sep, end = period.partition("-")
    try:
        first = int(start)
        last = int(end) if end else on.year
    except ValueError:
        return None
    return (first, max(first, last))
