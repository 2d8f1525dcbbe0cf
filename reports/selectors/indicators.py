"""Indicator totals: figures added up per indicator, year, area or agency, in the database.

How figures add up is the indicator's `aggregation`:
- "sum": the values are added;
- "average": the mean of the values;
- "latest": over time the most recent figure counts (the commune count of 2023
  replaces that of 2022), across places the figures add up: for each place (area
  and agency as recorded) the record of the latest year, and within a year the
  last one entered, then those are added. For one place this is simply "the value
  of the most recent record".
For ratios the percentage is Σvalue / Σdenominator × 100 over the same records
(166/200 → 83,0), never an average of percentages.

Where a figure belongs: its area if recorded, else the area of its agency. Areas
roll up through lineage (units below, units merged in), so a figure recorded under
a province or district that no longer exists still counts for the province that
continues it; grouped by area, figures are shown under today's province.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from agreements.models import Agency, AgencyChange, Area, Indicator, IndicatorValue
from agreements.querysets import same_query
from agreements.text import fold

from ..models import IndicatorYearTotal
from ..snapshots import remembered, remembered_in_view, snapshot_key
from .scope import not_archived

GROUPS = ("indicator", "year", "area", "agency")
CENT = Decimal("0.01")


def live_values():
    """The figures the whole country's totals cover: those of the live agreements
    (what `Scope.filter` gives for every live agreement, which `cached_indicator_totals`
    recognises by this query)."""
    return IndicatorValue.objects.filter(agreement__archived_at__isnull=True)


def unarchived_values():
    """The same figures as `live_values`, spelled "not of an archived agreement" (a
    handful, from their index) rather than a join with every live agreement: the
    values of one (indicator, year) are then read from `indicatorvalue_year_idx`
    alone, which covers them (the busiest pair at national scale, 63,000 values:
    18 ms instead of 191–244). For recomputing the whole-country totals."""
    return not_archived(IndicatorValue.objects.all())


def area_value_filter(area_ids) -> Q:
    """Values recorded for these areas or for areas that roll up to them, and values
    with no area recorded for an agency located in such an area."""
    ids = Area.objects.rollup_ids(area_ids)
    return Q(area_id__in=ids) | Q(area__isnull=True, agency__area_id__in=ids)


def indicator_totals(*, values, by: tuple[str, ...] = ("indicator", "year")) -> list[dict]:
    """Aggregate `values` (an IndicatorValue queryset, already scoped and filtered)
    per `by`, a tuple of "indicator", "year", "area", "agency".

    Figures of different indicators never add up, so "indicator" is always part of
    the grouping. Each row: {"indicator": Indicator, "year": int (if grouped),
    "area": Area | None, "agency": Agency | None (if grouped), "value": Decimal,
    "denominator": Decimal | None, "percentage": Decimal | None, "count": int}.
    A fixed number of queries whatever the number of values.
    """
    unknown = set(by) - set(GROUPS)
    if unknown:
        raise ValueError(f"Unknown grouping: {', '.join(sorted(unknown))}")
    base = values.order_by()
    fields = ["indicator_id"]
    places = {}
    if "year" in by:
        fields.append("year")
    if "area" in by:
        places["report_area"] = _report_area(base)
        fields.append("report_area")
    if "agency" in by:
        places["report_agency"] = _report_agency(base)
        fields.append("report_agency")
    base = base.annotate(**places)

    # Both kinds of groups come in one query (a UNION ALL of the same columns).
    sums = {
        "total": Sum("value"),
        "mean": Avg("value"),
        "denominator_total": Sum("denominator"),
        "denominator_mean": Avg("denominator"),
        "count": Count("id"),
    }
    added = (
        base.exclude(indicator__aggregation=Indicator.Aggregation.LATEST)
        .values(*fields, "indicator__aggregation")
        .annotate(**sums)
    )
    latest_values = base.filter(indicator__aggregation=Indicator.Aggregation.LATEST)
    if "year" in by:
        # Within a year, the last record entered for each place: the highest id of
        # each (indicator, year, area, agency). One GROUP BY instead of a NOT EXISTS
        # per record (which repeated the whole scoped query for each of them).
        last = (
            latest_values.values("indicator_id", "year", "area_id", "agency_id")
            .annotate(last=Max("id"))
            .values("last")
        )
        latest_values = IndicatorValue.objects.filter(id__in=last).annotate(**places)
    else:
        latest_values = latest_values.filter(~Exists(_newer(values, same_year=False)))
    latest = latest_values.order_by().values(*fields, "indicator__aggregation").annotate(**sums)
    groups = list(added.union(latest, all=True))

    indicators = _indicators({row["indicator_id"] for row in groups})
    areas = Area.objects.in_bulk({row["report_area"] for row in groups if row.get("report_area")})
    agencies = Agency.objects.in_bulk(
        {row["report_agency"] for row in groups if row.get("report_agency")}
    )
    rows = []
    for group in groups:
        indicator = indicators[group["indicator_id"]]
        if indicator.aggregation == Indicator.Aggregation.AVERAGE:
            value = group["mean"]
        else:
            value = group["total"]
        row = {
            "indicator": indicator,
            "value": _cents(value),
            "denominator": _cents(group["denominator_total"]),
            "percentage": _percentage(group["total"], group["denominator_total"]),
            "count": group["count"],
        }
        if "year" in by:
            row["year"] = group["year"]
        if "area" in by:
            row["area"] = areas.get(group["report_area"])
        if "agency" in by:
            row["agency"] = agencies.get(group["report_agency"])
        if indicator.aggregation == Indicator.Aggregation.AVERAGE:
            row["denominator"] = _cents(group["denominator_mean"])
        rows.append(row)
    rows.sort(key=_sort_key)
    return rows


def _sort_key(row):
    indicator = row["indicator"]
    return (
        indicator.order,
        indicator.code,
        row.get("year") or 0,
        _name(row.get("area")),
        _name(row.get("agency")),
    )


def _name(obj):
    # Rows without an area or agency ("not recorded") come last.
    return (1, "") if obj is None else (0, fold(obj.name))


def _cents(value):
    if value is None:
        return None
    return Decimal(value).quantize(CENT)


def _percentage(value, denominator):
    if value is None or not denominator:
        return None
    return (Decimal(value) * 100 / Decimal(denominator)).quantize(CENT)


def _newer(values, *, same_year):
    """A later record of the same indicator and place, among the same `values`:
    its existence means the outer record is not the latest."""

    def place(field):
        return Coalesce(field, 0, output_field=IntegerField())

    later = Q(year=OuterRef("year"), id__gt=OuterRef("id"))
    if not same_year:
        later |= Q(year__gt=OuterRef("year"))
    return (
        values.order_by()
        .annotate(place_area=place("area_id"), place_agency=place("agency_id"))
        .filter(
            later,
            indicator_id=OuterRef("indicator_id"),
            place_area=place(OuterRef("area_id")),
            place_agency=place(OuterRef("agency_id")),
        )
    )


def _report_area(values):
    """CASE expression: the id of today's province each value's place rolls up to."""
    places = values.values_list("area_id", "agency__area_id").distinct()
    recorded = {area_id or agency_area_id for area_id, agency_area_id in places}
    recorded.discard(None)
    target_of = _current_top_areas(recorded)
    sources = defaultdict(list)
    for area_id, target in target_of.items():
        sources[target].append(area_id)
    whens = [
        When(Q(area_id__in=ids) | Q(area__isnull=True, agency__area_id__in=ids), then=Value(target))
        for target, ids in sorted(sources.items())
    ]
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _current_top_areas(area_ids):
    """{area id: id of the top-level area that continues it today}: up through
    parents, then along successors (a merged province to the new one), repeatedly.

    Loads only the areas reachable from `area_ids`: two queries per level of the
    lineage, which is a few levels deep.
    """
    parent = {}
    successors = defaultdict(list)
    frontier = set(area_ids)
    seen = set()
    through = Area.successors.through
    while frontier:
        seen |= frontier
        rows = Area.objects.filter(id__in=frontier).values_list("id", "parent_id")
        links = through.objects.filter(from_area_id__in=frontier).values_list(
            "from_area_id", "to_area_id"
        )
        found = set()
        for area_id, parent_id in rows:
            parent[area_id] = parent_id
            if parent_id:
                found.add(parent_id)
        for from_id, to_id in links.order_by("to_area_id"):
            successors[from_id].append(to_id)
            found.add(to_id)
        frontier = found - seen

    def top(area_id):
        visited = set()
        while area_id not in visited:
            visited.add(area_id)
            if parent.get(area_id):
                area_id = parent[area_id]
            elif successors.get(area_id):
                area_id = successors[area_id][0]
            else:
                break
        return area_id

    return {area_id: top(area_id) for area_id in area_ids}


def _report_agency(values):
    """CASE expression: each value's agency, or the agency that continues it today
    (renamed or merged into; a split or an end leaves the agency itself)."""
    recorded = set(values.exclude(agency=None).values_list("agency_id", flat=True).distinct())
    target_of = _current_agencies(recorded)
    sources = defaultdict(list)
    for agency_id, target in target_of.items():
        sources[target].append(agency_id)
    whens = [When(agency_id__in=ids, then=Value(target)) for target, ids in sorted(sources.items())]
    if not whens:
        return Value(None, output_field=IntegerField())
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _current_agencies(agency_ids):
    """{agency id: id of the agency continuing it today}, one query per lineage step."""
    successor = {}
    frontier = set(agency_ids)
    seen = set()
    while frontier:
        seen |= frontier
        changes = (
            AgencyChange.objects.filter(predecessor_id__in=frontier, successor__isnull=False)
            .exclude(kind=AgencyChange.Kind.SPLIT)
            .values_list("predecessor_id", "successor_id")
            # Undated changes last on every database (PostgreSQL's default order).
            .order_by(F("changed_on").asc(nulls_last=True), "id")
        )
        found = set()
        for predecessor_id, successor_id in changes:
            successor.setdefault(predecessor_id, successor_id)
            found.add(successor_id)
        frontier = found - seen

    def current(agency_id):
        visited = set()
        while agency_id in successor and agency_id not in visited:
            visited.add(agency_id)
            agency_id = successor[agency_id]
        return agency_id

    return {agency_id: current(agency_id) for agency_id in agency_ids}


def _indicators(ids):
    """{id: Indicator} of `ids`, from the catalogue (a few dozen indicators), which
    page views remember until it changes (`remembered_in_view`)."""
    catalogue = remembered_in_view("indicator catalogue", compute=Indicator.objects.in_bulk)
    if not set(ids) <= catalogue.keys():  # not in this generation's catalogue
        catalogue = Indicator.objects.in_bulk(ids)
    return {pk: catalogue[pk] for pk in ids}


def previous_year_comparison(points):
    """Add "previous", "difference" and "change" (%) to each point of one series
    (dicts with "year" and "value", one per year); blank without a previous year's
    figure, and no percentage change from zero."""
    by_year = {point["year"]: point["value"] for point in points}
    for point in points:
        previous = by_year.get(point["year"] - 1)
        point["previous"] = previous
        if previous is None or point["value"] is None:
            point["difference"] = None
            point["change"] = None
            continue
        point["difference"] = point["value"] - previous
        point["change"] = (
            (point["difference"] * 100 / previous).quantize(CENT) if previous else None
        )
    return points


# --- Snapshots ------------------------------------------------------------------


def cached_indicator_totals(
    *, values, by=("indicator", "year"), generation=None, whole_country=None
) -> list[dict]:
    """`indicator_totals(values=values, by=by)`, read from the snapshot taken for the
    same query in the current generation when there is one (see reports.snapshots).
    `generation` None: computed every time.

    `whole_country`: the filters (keyword arguments of `whole_country_totals`) that
    would make `values` the whole country's figures; when they do, and the totals
    are by indicator and year, they are read from the stored totals per year
    instead of adding up every figure again."""

    def compute():
        if whole_country is not None and by == ("indicator", "year"):
            rows = whole_country_totals(values, **whole_country)
            if rows is not None:
                return rows
        return indicator_totals(values=values, by=by)

    try:
        sql, params = values.order_by().query.sql_with_params()
    except EmptyResultSet:  # nothing to add up
        return indicator_totals(values=values, by=by)
    return remembered(
        key=snapshot_key("indicator_totals", by, sql, params),
        generation=generation,
        compute=compute,
    )


def whole_country_totals(values, *, years=(None, None), group=None, indicator=None):
    """The totals by indicator and year of `values`, read from `IndicatorYearTotal`,
    when `values` selects exactly the whole country's figures (`live_values`)
    narrowed by these filters: the figures of years `years` (first, last; None:
    open), of indicators of `group`, of `indicator`. None when it does not (the
    same SQL, or no answer: a filter the store cannot apply is never ignored), or
    when the store is not built yet. The (indicator, year) pairs marked by writes
    are recomputed first, so the figures are exact."""
    from ..services import indicator_totals_refresh, read_state  # services import this

    def narrowed(queryset):
        if group:
            queryset = queryset.filter(indicator__group=group)
        if indicator:
            queryset = queryset.filter(indicator=indicator)
        if years[0] is not None:
            queryset = queryset.filter(year__gte=years[0])
        if years[1] is not None:
            queryset = queryset.filter(year__lte=years[1])
        return queryset

    if not same_query(values, narrowed(live_values())):
        return None
    current = read_state()
    if current is None or not current.complete or not current.indicator_totals_built:
        return None
    if current.indicators_pending:
        indicator_totals_refresh()
    stored = narrowed(IndicatorYearTotal.objects.select_related("indicator"))
    rows = [
        {
            "indicator": total.indicator,
            "year": total.year,
            "value": total.value,
            "denominator": total.denominator,
            "percentage": total.percentage,
            "count": total.count,
        }
        for total in stored
    ]
    rows.sort(key=_sort_key)
    return rows
