"""Scoping of the summary tables: the status of an agreement on a day, and which
stored obligations are owed on a day. Mirrors `AgreementQuerySet.with_status` and
the rules of `selectors.obligations` (the tests compare both)."""

import datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL

# Stands for "superseded (or changed) on a day nobody recorded": before any day.
UNDATED = datetime.date(1, 1, 1)


def status_case(on, prefix=""):
    """CASE expression: the derived status on `on` of the summary row at `prefix`."""

    def field(name):
        return f"{prefix}{name}"

    return Case(
        When(**{field("lifecycle"): "draft"}, then=Value("draft")),
        When(**{field("lifecycle"): "ended"}, then=Value("ended")),
        When(**{f"{field('superseded_on')}__lte": on}, then=Value("superseded")),
        When(**{f"{field('effective_until')}__lt": on}, then=Value("expired")),
        When(
            **{f"{field('effective_until')}__isnull": True, f"{field('end_year')}__lt": on.year},
            then=Value("expired"),
        ),
        default=Value("in_force"),
        output_field=models.CharField(),
    )


def in_force_q(on, prefix=""):
    """The rows in force on `on` (live, signed, not superseded, not expired)."""
    return (
        Q(
            **{
                f"{prefix}live": True,
                f"{prefix}lifecycle": "signed",
            }
        )
        & ~Q(**{f"{prefix}superseded_on__lte": on})
        & _not_expired(on, prefix)
    )


def expired_q(on, prefix=""):
    """The rows expired on `on` (live, signed, not superseded, past their term)."""
    return (
        Q(**{f"{prefix}live": True, f"{prefix}lifecycle": "signed"})
        & ~Q(**{f"{prefix}superseded_on__lte": on})
        & _expired(on, prefix)
    )


def _expired(on, prefix):
    return Q(**{f"{prefix}effective_until__lt": on}) | Q(
        **{f"{prefix}effective_until__isnull": True, f"{prefix}end_year__lt": on.year}
    )


def _not_expired(on, prefix):
    return Q(**{f"{prefix}effective_until__gte": on}) | Q(
        Q(**{f"{prefix}effective_until__isnull": True})
        & (Q(**{f"{prefix}end_year__isnull": True}) | Q(**{f"{prefix}end_year__gte": on.year}))
    )


def _sql(queryset):
    """(SQL, parameters) of `queryset`, or None when it is empty by construction."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


def count_each(**querysets) -> dict[str, int]:
    """How many rows each queryset selects, all counted in one query:
    `SELECT (SELECT COUNT(*) FROM (…)), (SELECT COUNT(*) FROM (…)), …`, one round
    trip for a page's counts instead of one each. A queryset empty by construction
    (`.none()`) counts 0 without being asked. Every queryset reads one database."""
    counts, parts, params, using = {}, [], [], None
    for name, queryset in querysets.items():
        compiled = _sql(queryset.order_by().values("pk"))
        if compiled is None:
            counts[name] = 0
            continue
        sql, query_params = compiled
        using = queryset.db
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) counted)"))
        params.extend(query_params)
    if parts:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(part for _name, part in parts), params)
            row = cursor.fetchone()
        counts.update(zip((name for name, _part in parts), row, strict=True))
    return {name: counts[name] for name in querysets}


def union_all(querysets):
    """(SQL, parameters) of the UNION ALL of `querysets`, or None when every one is
    empty by construction. Each part is wrapped, so that it may be ordered and sliced:
    SQLite takes no ORDER BY or LIMIT in a part of a compound select (which is why the
    ORM's `union()` refuses them there)."""
    parts, params = [], []
    for number, queryset in enumerate(querysets):
        compiled = _sql(queryset)
        if compiled is None:
            continue
        sql, query_params = compiled
        parts.append(f"SELECT * FROM ({sql}) part_{number}")
        params.extend(query_params)
    if not parts:
        return None
    return " UNION ALL ".join(parts), params


class OverAll(models.Func):
    """`aggregate` (such as `Count("pk")`) added up over every group of a grouped
    query, on each group's row: `SUM(aggregate) OVER ()`. A page's totals come with
    its first groups (the window is computed before LIMIT) instead of in a query of
    their own. Django refuses an aggregate of an aggregate, which the window is."""

    template = "SUM(%(expressions)s) OVER ()"
    contains_over_clause = True
    window_compatible = True

    def __init__(self, aggregate, **extra):
        super().__init__(aggregate, output_field=models.BigIntegerField(), **extra)


def among_firsts(*ranked) -> Q:
    """`pk IN` the first rows of several lists, each `ranked` a sliced and ordered
    `.values("pk")` queryset: the rows listed in several places read in one query.
    PostgreSQL ranks each list by its own index, where `pk IN (…) OR pk IN (…)`
    tested every row against both lists."""
    union = union_all(ranked)
    if union is None:
        return Q(pk__in=[])
    return Q(pk__in=RawSQL(*union))


class AgreementSummaryQuerySet(models.QuerySet):
    def with_status(self, on):
        return self.annotate(status_value=status_case(on))

    def in_force(self, on):
        return self.filter(in_force_q(on))


class ObligationSummaryQuerySet(models.QuerySet):
    def owed(self, on):
        """The obligations listed on `on`: opened, and owed by an agreement in force
        (within the years the rules give) or expired (a final review, for a year).
        The rows are of live, signed agreements only, and carry the dates of their
        status: `in_force_q` and `expired_q` without the agreement's row."""
        year = on.year
        in_force = (
            _not_expired(on, "")
            & Q(owed_from_year__lte=year)
            & (Q(owed_to_year__isnull=True) | Q(owed_to_year__gte=year))
        )
        expired = _expired(on, "") & Q(expired_to_year__gte=year)
        return self.filter(~Q(superseded_on__lte=on), in_force | expired, opens_on__lte=on)

    def overdue(self, on):
        return self.filter(due_on__lt=on)

    def not_overdue(self, on):
        return self.filter(due_on__gte=on)

    def in_order(self):
        return self.order_by("due_on", F("summary_id"), "period_from", "kind")
