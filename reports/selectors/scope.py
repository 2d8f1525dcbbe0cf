"""Which agreements a page is about, resolved once per page for the summary tables.

A page's agreements come as a queryset (`for_user` narrowed by its filters). Used
as a subquery in each of a page's queries, the scope is evaluated again by each
(for a provincial leader, a semi-join over 420,000 parties every time). So it is
resolved once: all live agreements (an admin without filters) need no condition
beyond `archived_at`; a scope of up to SCOPE_LIMIT agreements is read once and
passed as one array of ids; a larger one stays a subquery.
"""

import json
from dataclasses import dataclass

from django.db.models import BooleanField, F
from django.db.models.expressions import Expression

from agreements.models import Agreement
from agreements.querysets import same_query

from ..models import AgreementSummary

SCOPE_LIMIT = 20_000


@dataclass(frozen=True)
class Scope:
    agreements: object  # the Agreement queryset the page is about
    # None (every live agreement), the list of their ids (read once), or an
    # expression selecting them (a scope too large to read)
    ids: object

    @property
    def size(self):
        """How many agreements, when their ids were read."""
        return len(self.ids) if isinstance(self.ids, list) else None

    @classmethod
    def of(cls, agreements):
        if same_query(agreements, Agreement.objects.live()):
            return cls(agreements, None)
        ids = list(agreements.gathered().order_by().values_list("pk", flat=True)[: SCOPE_LIMIT + 1])
        if len(ids) <= SCOPE_LIMIT:
            return cls(agreements, ids)
        return cls(agreements, agreements.order_by().values("pk"))

    def filter(self, queryset, field="agreement"):
        """`queryset` narrowed to rows whose `field` (a foreign key to Agreement or to
        AgreementSummary) is one of the scope's agreements."""
        if isinstance(self.ids, list):
            return queryset.filter(_AmongIds(F(field), self.ids))
        if self.ids is not None:
            return queryset.filter(**{f"{field}__in": self.ids})
        if field == "pk":
            return queryset.filter(live=True)
        if getattr(queryset.model, "live_agreements_only", False):
            return queryset
        if queryset.model._meta.get_field(field).related_model is Agreement:
            return queryset.filter(**{f"{field}__archived_at__isnull": True})
        return queryset.filter(**{f"{field}__live": True})

    def filter_few(self, queryset, field="agreement"):
        """`filter`, for a queryset that its own index keeps to a few thousand rows
        (the reviews awaiting approval): the whole country's condition is spelled
        "not of an archived agreement", answered from the index of the archived
        ones (a handful), instead of a join with every live agreement (40–120 ms at
        national scale, against 2 ms)."""
        if self.ids is not None:
            return self.filter(queryset, field)
        return not_archived(queryset, field)

    def summaries(self):
        return self.filter(AgreementSummary.objects.all(), "pk")


def not_archived(queryset, field="agreement"):
    """`queryset` without the rows of archived agreements, spelled "not of an
    archived agreement": answered from the index of the archived ones (a handful)
    rather than a join with every live one."""
    archived = Agreement.objects.filter(archived_at__isnull=False).values("pk")
    return queryset.exclude(**{f"{field}__in": archived})


class _AmongIds(Expression):
    """`column` is one of `ids`, the ids passed as one parameter: thousands of
    placeholders cost Django more to build than the query costs the database to run.

    On PostgreSQL `column = ANY('{1,2,…}'::bigint[])`: one text literal, not
    psycopg2's ARRAY[1, 2, …] of one constant per id (planning a query over a
    province's 5,900 agreements takes 1.5 ms instead of 10 ms), and an array whose
    length the planner knows. Spelled `IN (SELECT unnest(…))`, the planner expected
    200 distinct ids whatever their number, and took a province's 5,900 agreements
    one by one where an index of few rows was the way (the reviews awaiting
    approval: 36 ms instead of 2). On SQLite, `IN` the JSON list."""

    conditional = True

    def __init__(self, column, ids):
        super().__init__(output_field=BooleanField())
        self.column = column
        self.ids = ids

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            literal = "{" + ",".join(str(int(pk)) for pk in self.ids) + "}"
            return f"{sql} = ANY(%s::bigint[])", [*params, literal]
        return f"{sql} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]
