"""Writes of the summary tables (reports.models): mark, refresh, rebuild.

Every write to an agreement, its parties, items, reviews, assessments or to the
lineage of a party marks the agreement (`summaries_mark`, called by
`reports.signals` in the writer's transaction, so a rolled-back write leaves no
mark and a committed one always does). `summaries_refresh` recomputes the marked
agreements with a fixed number of queries per batch; the pages call it before
they read (`summaries_ready`), so what they show includes every committed write.
`summaries_rebuild` recomputes everything (`manage.py refresh_report_summaries`).
"""

import contextlib
import contextvars
import datetime
import json
import logging
from collections import defaultdict

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from agreements.models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    Area,
    ContentItem,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
)
from dinvan.rows import ModelColumns

from .models import (
    AgreementSummary,
    AreaGeneration,
    IndicatorYearTotal,
    ObligationSummary,
    OpenActivity,
    PendingIndicatorTotal,
    PendingSummary,
    ReportSnapshot,
    SummaryState,
)
from .querysets import UNDATED
from .selectors.indicators import indicator_totals, unarchived_values
from .selectors.obligations import unfulfilled_candidates

logger = logging.getLogger(__name__)

BATCH = 2000
# Obligations are stored for the day's year and the next one (a page read on New
# Year's Day still finds them); `refresh_report_summaries` in January moves them on.
YEARS_AHEAD = 1
DONE = [Review.Status.SUBMITTED, Review.Status.APPROVED]
PROGRESS_FIELDS = {
    ItemAssessment.Progress.NOT_STARTED: "items_not_started",
    ItemAssessment.Progress.IN_PROGRESS: "items_in_progress",
    ItemAssessment.Progress.DONE: "items_done",
    ItemAssessment.Progress.BEHIND: "items_behind",
}
# Serialises refreshes on PostgreSQL (SQLite serialises every write anyway).
LOCK_KEY = 7_240_531


def summaries_mark(*, agreement_ids) -> None:
    """Mark agreements whose summary must be recomputed before the next read."""
    ids = {pk for pk in agreement_ids if pk is not None}
    if ids:
        PendingSummary.objects.bulk_create([PendingSummary(agreement_id=pk) for pk in ids])


def summaries_changed(*, indicators: bool = False, structure: bool = False) -> None:
    """Move the generation on (and the indicator generation, with `indicators`; and
    with `structure` the structure generation too): the snapshots stored under the
    old one are stale (reports.snapshots). Called in the writer's transaction, so a
    snapshot taken before the write commits is stored under the old generation and
    never read again."""
    changes = {"generation": F("generation") + 1}
    if indicators or structure:
        changes["indicator_generation"] = F("indicator_generation") + 1
    if structure:
        changes["structure_generation"] = F("structure_generation") + 1
    SummaryState.objects.update(**changes)


def summaries_mark_agency(*, agency_id) -> None:
    """Mark every agreement the agency is a party to (its lineage changed)."""
    if agency_id is None:
        return
    ids = Agreement.objects.filter(parties__agency_id=agency_id).values_list("pk", flat=True)
    summaries_mark(agreement_ids=set(ids))


def state() -> SummaryState | None:
    return SummaryState.objects.order_by("pk").first()


def summaries_ready(*, on: datetime.date) -> SummaryState | None:
    """Recompute what writes marked, then say whether the summary tables can answer
    for the day `on`: rebuilt at least once, every agreement summarised, and the
    obligations stored for the year of `on`. Returns the state when they can (its
    `indicator_generation` keys the indicator snapshots), else None: pages then
    count from the rows."""
    current = read_state()
    if current is not None and current.pending:
        summaries_refresh()
        current = read_state(fresh=True)
    if current is None or not current.complete or current.years_from is None:
        return None
    # The highest agreement id and the highest summarised one come with the state:
    # they differ when agreements were loaded behind the summaries' back (COPY).
    if current.top != current.summarised:
        logger.warning(
            "Agreements were added without their summaries: run refresh_report_summaries."
        )
        return None
    if not current.years_from <= on.year <= current.years_to:
        if on == timezone.localdate():
            logger.warning(
                "Report summaries cover %s–%s, not %s: run refresh_report_summaries.",
                current.years_from,
                current.years_to,
                on.year,
            )
        return None
    return current


def indicator_generation() -> int | None:
    """The current indicator generation, None without a state row (no snapshots)."""
    current = read_state()
    return None if current is None else current.indicator_generation


def settled_generation() -> int | None:
    """The generation, when no write is waiting for `summaries_refresh` (which moves
    it on), else None: a page that does not refresh the summaries itself keys its
    snapshots by this, and computes afresh while marks are pending."""
    current = read_state()
    return None if current is None or current.pending else current.generation


# --- Generations per province ---------------------------------------------------------


def areas_changed(*, agreement_ids=(), area_ids=()) -> None:
    """Move on the generation of every province (root of the areas' tree) whose
    users may see these agreements (the areas of their parties) or agreements of
    these areas: the pages of scopes within other provinces stay remembered
    (`scope_generation`). In the transaction of the write (a party's signal) or of
    the refresh that recomputes its marks."""
    areas = set(area_ids)
    ids = {pk for pk in agreement_ids if pk is not None}
    if ids:
        parties = AgreementParty.objects.filter(agreement_id__in=ids)
        areas |= set(parties.values_list("agency_area_id", flat=True).distinct().order_by())
    roots = _provinces_of(areas)
    if not roots:
        return
    writing = connections[AreaGeneration.objects.db]
    table = writing.ops.quote_name(AreaGeneration._meta.db_table)
    # In the roots' order, so that concurrent writers lock the rows in the same order.
    with writing.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (area_id, generation) "
            f"VALUES {', '.join(['(%s, 1)'] * len(roots))} "
            f"ON CONFLICT (area_id) DO UPDATE SET generation = {table}.generation + 1",
            sorted(roots),
        )


def scope_roots(scope) -> list[int] | None:
    """The provinces of `scope` (`agreements.querysets.scope_of`): those of a
    leader's areas (the merged units included), or of the areas of an editor's
    agency and the agencies it continues; None for every live agreement (an
    admin's). Remembered within page views until the areas or the agencies change."""
    from .snapshots import remembered_in_view  # snapshots import this module

    if scope[0] in (None, "admin"):
        return None
    kind, pk = scope[1:]

    def compute():
        if kind == "area":
            areas = set(Area.objects.rollup_ids([pk]))
        else:
            lineage = Agency.objects.lineage_ids([pk])
            areas = set(Agency.objects.filter(pk__in=lineage).values_list("area_id", flat=True))
        return sorted(_provinces_of(areas))

    return remembered_in_view("scope_roots", scope, compute=compute)


def _provinces_of(areas) -> set[int]:
    """The roots of the areas' tree above `areas`, NO_AREA standing for None (an
    agency without an area)."""
    roots = Area.objects.root_ids(area for area in areas if area is not None)
    if None in areas:
        roots.add(AreaGeneration.NO_AREA)
    return roots


def scope_generation(scope, current: SummaryState) -> int:
    """The generation of what `scope` may see, in the state `current` (as
    `read_state` returns it): the
    generation itself for every live agreement (an admin's scope), else the
    structure generation (areas, agencies, lineage, catalogue) with the sum of the
    generations of the scope's provinces, which only writes to agreements with a
    party there move on. Only for keys that name the scope: two scopes' sums may be
    equal."""
    roots = scope_roots(scope)
    if roots is None:
        return current.generation
    by_area = current.area_generations  # read with the state (`read_state`)
    return (current.structure_generation << 32) + sum(by_area.get(root, 0) for root in roots)


def settled_scope_generation(scope) -> int | None:
    """`scope_generation` when no write is waiting for `summaries_refresh` (as
    `settled_generation`), else None."""
    current = read_state()
    if current is None or current.pending:
        return None
    return scope_generation(scope, current)


# The state as one page view read it: `reading_state` (entered by
# reports.middleware.ReadStateOnceMiddleware for GET and HEAD requests) keeps what
# `read_state` returned for the rest of the request. A page asks for the state for
# its key, its figures and its term filter's choices; read once, that is one query
# instead of three. A page that only reads sees the state as it was when it first
# asked, as if it had asked everything at that moment. Outside a request (tests,
# commands, writes) every call reads afresh.
_request_state = contextvars.ContextVar("reports_request_state", default=None)


@contextlib.contextmanager
def reading_state():
    token = _request_state.set({})
    try:
        yield
    finally:
        _request_state.reset(token)


def page_state() -> SummaryState | None:
    """`read_state()` within a page view (once per view), None outside one: for what
    is worth remembering only when the page reads the state anyway."""
    if _request_state.get() is None:
        return None
    return read_state()


def read_state(*, fresh: bool = False) -> SummaryState | None:
    """The state row with what the pages check beside it: `pending` (a write waits
    for `summaries_refresh`), `indicators_pending` (a whole-country indicator total
    waits for `indicator_totals_refresh`), `top` and `summarised` (the highest
    agreement id and the highest summarised one). None without a state row.

    Within a page view, the first answer is kept; a signed-in page's comes with its
    session, in the same query (`StateRider`)."""
    memo = _request_state.get()
    if memo is not None and not fresh and "state" in memo:
        return memo["state"]
    reading = _state_read(connection)
    with connection.cursor() as cursor:
        cursor.execute(reading.sql)
        row = cursor.fetchone()
    current = None if row is None else reading.state(row)
    if memo is not None:
        memo["state"] = current
    return current


class _StateRead:
    """The query of the state row and its flags for one database connection, written
    once: every page asks it, and the ORM took longer to compile it than the
    database takes to answer (0.8 ms against 0.04 ms on SQLite;
    tests/reports/test_summaries.py compares it with the ORM's query)."""

    def __init__(self, connection):
        quote = connection.ops.quote_name
        self.columns = ModelColumns(connection, SummaryState, "state")
        flags = {
            "pending": f"EXISTS (SELECT 1 FROM {quote(PendingSummary._meta.db_table)})",
            "indicators_pending": (
                f"EXISTS (SELECT 1 FROM {quote(PendingIndicatorTotal._meta.db_table)})"
            ),
            "top": f"(SELECT MAX(id) FROM {quote(Agreement._meta.db_table)})",
            "summarised": (
                f"(SELECT MAX(agreement_id) FROM {quote(AgreementSummary._meta.db_table)})"
            ),
            # {province: generation}, a hundred rows at national scale.
            "area_generations": (
                f"(SELECT {_json_object(connection)}(area_id, generation) "
                f"FROM {quote(AreaGeneration._meta.db_table)})"
            ),
        }
        self.flags = list(flags)
        # Named, so that the query can be joined to another (the session's).
        self.names = [f"state_{name}" for name in self.columns.attnames] + self.flags
        expressions = [*self.columns.sql, *flags.values()]
        select = ", ".join(
            f"{sql} AS {quote(name)}" for sql, name in zip(expressions, self.names, strict=True)
        )
        self.sql = (
            f"SELECT {select} FROM {quote(SummaryState._meta.db_table)} state "
            "ORDER BY state.id LIMIT 1"
        )

    def state(self, row):
        width = len(self.columns)
        current = self.columns.instance(row[:width])
        if current is not None:
            flags = dict(zip(self.flags, row[width:], strict=True))
            current.pending = bool(flags["pending"])
            current.indicators_pending = bool(flags["indicators_pending"])
            current.top, current.summarised = flags["top"], flags["summarised"]
            by_area = flags["area_generations"] or {}
            if isinstance(by_area, str):  # SQLite's JSON is text
                by_area = json.loads(by_area)
            current.area_generations = {int(area): value for area, value in by_area.items()}
        return current


def _json_object(connection):
    """The aggregate building a JSON object of (key, value) rows."""
    return "json_object_agg" if connection.vendor == "postgresql" else "json_group_object"


def _state_read(connection):
    # Built once per connection (connections belong to a thread).
    reading = getattr(connection, "reports_state_read", None)
    if reading is None:
        reading = connection.reports_state_read = _StateRead(connection)
    return reading


class StateRider:
    """The state read with the signed-in user's session (dinvan.sessions.ride_along):
    within a page view, kept as `read_state`'s answer, so that a signed-in page asks
    the database once for both."""

    def select(self, connection):
        reading = _state_read(connection)
        return reading.sql, reading.names

    def received(self, connection, values):
        memo = _request_state.get()
        if memo is None or "state" in memo or connection.alias != DEFAULT_DB_ALIAS:
            return
        memo["state"] = _state_read(connection).state(values)


def summaries_refresh() -> int:
    """Recompute the marked agreements; returns how many marks were handled."""
    marks = list(PendingSummary.objects.order_by("pk").values_list("pk", "agreement_id")[:BATCH])
    if not marks:
        return 0
    with transaction.atomic():
        _lock()
        current = state()
        years = _years(current)
        _recompute({agreement_id for _pk, agreement_id in marks}, years=years)
        PendingSummary.objects.filter(pk__in=[pk for pk, _agreement in marks]).delete()
    if len(marks) == BATCH:
        return len(marks) + summaries_refresh()
    return len(marks)


def summaries_rebuild(*, on: datetime.date | None = None, stdout=None) -> int:
    """Recompute every summary from the rows, in batches; obligations for the year
    of `on` (today) and the next. Returns the number of agreements."""
    on = on or timezone.localdate()
    years = (on.year, on.year + YEARS_AHEAD)
    with transaction.atomic():
        _lock()
        current = state()
        ObligationSummary.objects.all().delete()
        OpenActivity.objects.all().delete()
        AgreementSummary.objects.all().delete()
        PendingSummary.objects.all().delete()
        ids = list(Agreement.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            _recompute(set(ids[start : start + BATCH]), years=years, rebuilding=True)
            if stdout is not None:
                stdout.write(f"{min(start + BATCH, len(ids)):,}/{len(ids):,}\n")
        IndicatorYearTotal.objects.all().delete()
        PendingIndicatorTotal.objects.all().delete()
        _store_totals(indicator_totals(values=unarchived_values()))
        previous = current or SummaryState()
        SummaryState.objects.all().delete()
        SummaryState.objects.create(
            complete=True,
            years_from=years[0],
            years_to=years[1],
            built_at=timezone.now(),
            indicator_totals_built=True,
            generation=previous.generation + 1,
            indicator_generation=previous.indicator_generation + 1,
            structure_generation=previous.structure_generation + 1,
        )
        ReportSnapshot.objects.all().delete()
    _analyze(AgreementSummary, ObligationSummary, OpenActivity, IndicatorYearTotal)
    return len(ids)


def refresh_after_write() -> None:
    """What a write's service runs once it has committed: the marked agreements'
    summaries and the marked whole-country indicator totals recomputed in the
    writer's request, so that the next page view finds them ready instead of
    recomputing them itself (as it still does for what is left marked: a failure
    here loses nothing)."""
    summaries_refresh()
    indicator_totals_refresh()


# --- Whole-country indicator totals -------------------------------------------------


def indicator_totals_mark(pairs) -> None:
    """Mark (indicator id, year) pairs whose whole-country total must be recomputed."""
    marks = {(indicator_id, year) for indicator_id, year in pairs if indicator_id and year}
    if marks:
        PendingIndicatorTotal.objects.bulk_create(
            [PendingIndicatorTotal(indicator_id=i, year=y) for i, y in sorted(marks)]
        )


def indicator_totals_refresh() -> int:
    """Recompute the whole-country totals of the marked (indicator, year) pairs from
    their values alone (through the (indicator, year) index: a new figure costs
    its pair, not the 6 million values); returns how many marks were handled."""
    marks = list(
        PendingIndicatorTotal.objects.order_by("pk").values_list("pk", "indicator_id", "year")[
            :BATCH
        ]
    )
    if not marks:
        return 0
    years_of = defaultdict(set)
    for _pk, indicator_id, year in marks:
        years_of[indicator_id].add(year)
    pairs = Q()
    for indicator_id, years in years_of.items():
        pairs |= Q(indicator_id=indicator_id, year__in=sorted(years))
    with transaction.atomic():
        _lock()
        rows = indicator_totals(values=unarchived_values().filter(pairs))
        IndicatorYearTotal.objects.filter(pairs).delete()
        _store_totals(rows)
        PendingIndicatorTotal.objects.filter(pk__in=[pk for pk, *_pair in marks]).delete()
    if len(marks) == BATCH:
        return len(marks) + indicator_totals_refresh()
    return len(marks)


def _store_totals(rows):
    IndicatorYearTotal.objects.bulk_create(
        [
            IndicatorYearTotal(
                indicator=row["indicator"],
                year=row["year"],
                value=row["value"],
                denominator=row["denominator"],
                percentage=row["percentage"],
                count=row["count"],
            )
            for row in rows
        ],
        batch_size=500,
    )


def _analyze(*models):
    """Fresh planner statistics for tables just rewritten whole. Without them
    PostgreSQL takes the summary of a national rebuild for an empty table until
    autovacuum comes by (never, where it is off), and plans the dashboard's first
    view after a write as if it read 27 rows instead of 150,000 (0.7 s instead of
    a few ms per query)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _years(current):
    if current is not None and current.years_from is not None:
        return (current.years_from, current.years_to)
    today = timezone.localdate()
    return (today.year, today.year + YEARS_AHEAD)


def _ended_before(summary, *, years):
    """(superseded, expired) before the first day of `years`, by the agreement's
    status dates: states that last until a write recomputes the agreement, and that
    no page reading the summaries for a day of those years can see undone."""
    first_day = datetime.date(years[0], 1, 1)
    superseded_on = summary["superseded_on"]
    until = summary["effective_until"]
    expired = (
        until < first_day
        if until is not None
        else (summary["end_year"] is not None and summary["end_year"] < years[0])
    )
    return superseded_on is not None and superseded_on <= first_day, expired


def _listable(summary, candidate, *, years):
    """Whether the obligation can be listed on some day of `years`
    (`ObligationSummary.objects.owed`): not for an agreement superseded before
    them, nor for one expired before them that owes nothing once expired. Such a
    row would only be read and thrown away by every page (at national scale a
    third of the rows, most of them past due, which the overdue list walked first)."""
    superseded, expired = _ended_before(summary, years=years)
    if superseded:
        return False
    if not expired:
        return True
    return candidate.expired_to_year is not None and candidate.expired_to_year >= years[0]


def _may_be_in_force(summary, *, years):
    """Whether the agreement can be in force on some day of `years`: its open plan
    activities are stored only then (the dashboard counts the late ones of the
    agreements in force; at national scale 25,000 late activities were walked
    for the dozen of agreements still in force)."""
    return (
        summary["live"]
        and summary["lifecycle"] == Agreement.Lifecycle.SIGNED
        and not any(_ended_before(summary, years=years))
    )


def _lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _latest_progress():
    return Subquery(
        ItemAssessment.objects.filter(content_item=OuterRef("pk"))
        .order_by(F("review__held_on").desc(nulls_last=True), "-review_id")
        .values("progress")[:1]
    )


def _recompute(ids, *, years, rebuilding=False):
    """Summary and obligation rows of the agreements `ids` (and of those they
    supersede, now or at the last refresh), from the rows: a fixed number of queries."""
    was_live = {}
    if not rebuilding:
        previous = list(
            AgreementSummary.objects.filter(pk__in=ids).values_list("pk", "supersedes_id", "live")
        )
        was_live = {pk: live for pk, _supersedes, live in previous}
        current = Agreement.objects.filter(pk__in=ids).values_list("supersedes_id", flat=True)
        superseded = [supersedes for _pk, supersedes, _live in previous]
        ids = ids | {pk for pk in [*superseded, *current] if pk is not None}
    agreements = list(Agreement.objects.filter(pk__in=ids).order_by("pk"))
    open_activities = [
        {"activity_id": pk, "agreement_id": agreement_id, "deadline": deadline}
        for pk, agreement_id, deadline in PlanActivity.objects.filter(
            plan__agreement_id__in=ids, done_on__isnull=True, deadline__isnull=False
        ).values_list("pk", "plan__agreement_id", "deadline")
    ]

    superseded_on = {}
    has_successor = set()
    for target, lifecycle, signed_on in Agreement.objects.filter(
        supersedes_id__in=ids, archived_at__isnull=True
    ).values_list("supersedes_id", "lifecycle", "signed_on"):
        has_successor.add(target)
        if lifecycle != Agreement.Lifecycle.DRAFT:
            day = signed_on or UNDATED
            superseded_on[target] = min(day, superseded_on.get(target, day))

    changed_on = {}
    for agreement_id, first, undated in (
        AgencyChange.objects.filter(predecessor__agreement_parties__agreement_id__in=ids)
        .values_list("predecessor__agreement_parties__agreement_id")
        .annotate(first=Min("changed_on"), undated=Count("pk", filter=Q(changed_on__isnull=True)))
        .order_by()
    ):
        changed_on[agreement_id] = UNDATED if undated else first

    progress = defaultdict(dict)
    for agreement_id, latest, n in (
        ContentItem.objects.filter(agreement_id__in=ids)
        .annotate(latest=_latest_progress())
        .values_list("agreement_id", "latest")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        progress[agreement_id][latest] = n

    reviews_done = dict(
        Review.objects.filter(agreement_id__in=ids, status__in=DONE)
        .exclude(kind=Review.Kind.LIAISON)
        .values_list("agreement_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reviews = defaultdict(list)
    for review in (
        Review.objects.filter(agreement_id__in=ids)
        .order_by()
        .values("agreement_id", "kind", "status", "held_on", "period_from", "period_to")
    ):
        reviews[review["agreement_id"]].append(review)

    summaries = []
    obligations = []
    for agreement in agreements:
        counts = progress.get(agreement.pk, {})
        summary = {
            "agreement_id": agreement.pk,
            "kind": agreement.kind,
            "number": agreement.number,
            "lead_agency_id": agreement.lead_agency_id,
            "live": agreement.archived_at is None,
            "lifecycle": agreement.lifecycle,
            "signed_on": agreement.signed_on,
            "start_year": agreement.start_year,
            "end_year": agreement.end_year,
            "effective_until": agreement.effective_until,
            "supersedes_id": agreement.supersedes_id,
            "superseded_on": superseded_on.get(agreement.pk),
            "has_successor": agreement.pk in has_successor,
            "party_changed_on": changed_on.get(agreement.pk),
            "items": sum(counts.values()),
            "reviews_done": reviews_done.get(agreement.pk, 0),
        }
        for code, field in PROGRESS_FIELDS.items():
            summary[field] = counts.get(code, 0)
        summaries.append(summary)
        if summary["live"] and agreement.lifecycle == Agreement.Lifecycle.SIGNED:
            for candidate in unfulfilled_candidates(agreement, reviews[agreement.pk], years=years):
                if not _listable(summary, candidate, years=years):
                    continue
                owed = candidate.owed
                obligations.append(
                    {
                        "agreement_id": agreement.pk,
                        "kind": owed.kind,
                        "period_from": owed.period_from,
                        "period_to": owed.period_to,
                        "due_on": owed.due_on,
                        "opens_on": owed.opens_on,
                        "owed_from_year": candidate.owed_from_year,
                        "owed_to_year": candidate.owed_to_year,
                        "expired_to_year": candidate.expired_to_year,
                        "superseded_on": summary["superseded_on"],
                        "effective_until": summary["effective_until"],
                        "end_year": summary["end_year"],
                    }
                )
    if not rebuilding:
        # Archiving or restoring changes which figures the indicator totals cover.
        flipped = [
            row["agreement_id"]
            for row in summaries
            if was_live.get(row["agreement_id"], row["live"]) != row["live"]
        ]
        if flipped:
            indicator_totals_mark(
                IndicatorValue.objects.filter(agreement_id__in=flipped)
                .values_list("indicator_id", "year")
                .distinct()
                .order_by()
            )
        summaries_changed(indicators=bool(flipped))
        areas_changed(agreement_ids=ids)
        ObligationSummary.objects.filter(summary_id__in=ids).delete()
        OpenActivity.objects.filter(summary_id__in=ids).delete()
        AgreementSummary.objects.filter(pk__in=ids).delete()
    _insert(AgreementSummary, summaries)
    _insert(ObligationSummary, obligations)
    possible = {row["agreement_id"] for row in summaries if _may_be_in_force(row, years=years)}
    _insert(OpenActivity, [row for row in open_activities if row["agreement_id"] in possible])


# Column types for PostgreSQL's json_to_recordset.
_PG_TYPES = {
    "BooleanField": "boolean",
    "DateField": "date",
    "CharField": "text",
    "BigIntegerField": "bigint",
    "PositiveIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "OneToOneField": "bigint",
    "ForeignKey": "bigint",
}


def _insert(model, rows):
    """INSERT the dicts `rows` (keys: column names) in one statement whatever their
    number: the rows travel as one JSON parameter (bulk_create would split them in
    batches on SQLite, and the number of queries would grow with the rows)."""
    if not rows:
        return
    columns = list(rows[0])
    fields = {field.column: field for field in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    payload = json.dumps(rows, default=_json_default)
    if connection.vendor == "postgresql":
        types = ", ".join(
            f"{quote(column)} {_PG_TYPES[fields[column].get_internal_type()]}" for column in columns
        )
        sql = (
            f"INSERT INTO {table} ({names}) SELECT {names} "
            f"FROM json_to_recordset(%s::json) AS x({types})"
        )
    else:
        extracted = ", ".join(f"json_extract(value, '$.{column}')" for column in columns)
        sql = f"INSERT INTO {table} ({names}) SELECT {extracted} FROM json_each(%s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload])


def _json_default(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(value)
