"""Reusable scoping of querysets: who may see what, what is in force, lineage."""

import datetime

from django.apps import apps
from django.db import connection, connections, models
from django.db.models import BooleanField, Case, Exists, Expression, F, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from .text import fold


def role_of(user):
    """The user's role: "admin", "leader", "editor", or None (may see nothing)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    if profile.role != "admin" and profile.agency_id is None:
        return None
    return profile.role


def edits_what_it_sees(user):
    """True when everything `user` may see they may also edit (admins, editors).

    `for_user` and `editable_by` coincide for these roles, so a page that already
    fetched an object through `for_user` needs no second query to decide.
    """
    return role_of(user) in {"admin", "editor"}


def _walk(db, start_ids, edges_sql, *, edges_params=(), columns="source, target", select=None):
    """Rows of `select` (default: every id reached) after following `edges_sql`
    (rows of `columns`, the first two a source and a target) from `start_ids`, in one
    recursive query. UNION, not UNION ALL, so a cycle in the data ends too. The
    same SQL on SQLite and PostgreSQL (VALUES columns are `column1` on both)."""
    start = sorted(set(start_ids))
    if not start:
        return []
    values = ", ".join(["(%s)"] * len(start))
    sql = (
        f"WITH RECURSIVE edges({columns}) AS ({edges_sql}), "
        f"reached(id) AS (SELECT CAST(column1 AS BIGINT) FROM (VALUES {values}) AS start "
        "UNION SELECT edges.target FROM edges JOIN reached ON edges.source = reached.id) "
        f"{select or 'SELECT id FROM reached'}"
    )
    with connections[db].cursor() as cursor:
        cursor.execute(sql, [*edges_params, *start])
        return cursor.fetchall()


def _reachable(db, start_ids, edges_sql):
    """All ids reachable from `start_ids` along `edges_sql` (rows of source, target)."""
    return {row[0] for row in _walk(db, start_ids, edges_sql)}


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


class AreaQuerySet(models.QuerySet):
    def search(self, text):
        return self.filter(search_key__contains=fold(text)) if text else self

    def rollup_ids(self, area_ids):
        """Ids of every area whose figures count towards `area_ids`.

        That is the areas themselves, the units below them, and the units that were
        merged into any of those (2025: 63 → 34 provinces, districts abolished),
        followed transitively, so figures from before a merger still add up.
        """
        through = self.model.successors.through
        edges = (
            f"SELECT parent_id, id FROM {_table(self.model)} WHERE parent_id IS NOT NULL "
            f"UNION ALL SELECT to_area_id, from_area_id FROM {_table(through)}"
        )
        return _reachable(self.db, area_ids, edges)


class AgencyQuerySet(models.QuerySet):
    def search(self, text):
        return self.filter(search_key__contains=fold(text)) if text else self

    def active(self, on=None):
        """Agencies still working on `on`: not past `active_until`, and not continued
        by a successor or ended by a recorded change (whose date may be unknown)."""
        on = on or timezone.localdate()
        change = apps.get_model("agreements", "AgencyChange")
        ended = change.objects.filter(predecessor=OuterRef("pk")).filter(
            Q(changed_on__isnull=True) | Q(changed_on__lte=on)
        )
        return self.filter(Q(active_until__isnull=True) | Q(active_until__gte=on)).exclude(
            Exists(ended)
        )

    def lineage_ids(self, agency_ids):
        """Ids of the agencies and of every agency they continue (renamed, merged in,
        split from), transitively: an agreement signed by a predecessor is found
        under its successor."""
        change = apps.get_model("agreements", "AgencyChange")
        edges = (
            f"SELECT successor_id, predecessor_id FROM {_table(change)} "
            "WHERE successor_id IS NOT NULL"
        )
        return _reachable(self.db, agency_ids, edges)

    def takeovers(self, agency_ids, *, on):
        """(predecessor id, successor id) of every recorded change, effective by `on`
        (or undated), that hands over one of `agency_ids` or an agency taking over
        from them, transitively, ordered by date, undated ones last, then id (the
        same order on SQLite and PostgreSQL): one recursive query instead of one
        per step of the chain."""
        change = _table(apps.get_model("agreements", "AgencyChange"))
        return _walk(
            self.db,
            agency_ids,
            f"SELECT predecessor_id, successor_id, changed_on, id FROM {change} "
            "WHERE successor_id IS NOT NULL AND (changed_on IS NULL OR changed_on <= %s)",
            edges_params=[on],
            columns="source, target, changed_on, id",
            select=(
                "SELECT source, target FROM edges WHERE source IN (SELECT id FROM reached) "
                "ORDER BY CASE WHEN changed_on IS NULL THEN 1 ELSE 0 END, changed_on, id"
            ),
        )

    def successor_ids(self, agency_ids):
        """Ids of the agencies that today continue `agency_ids` (transitively)."""
        change = apps.get_model("agreements", "AgencyChange")
        edges = (
            f"SELECT predecessor_id, successor_id FROM {_table(change)} "
            "WHERE successor_id IS NOT NULL"
        )
        return _reachable(self.db, agency_ids, edges) - set(agency_ids)


# A term found in the names of more agencies than this is too general to single
# agencies out by it (“ubnd”, “ban dan van”); the parties' names as signed on the
# agreements, which are searched whatever the count, still match it.
SEARCH_AGENCY_LIMIT = 200


class SearchMatch(Expression):
    """True for an agreement whose folded text contains `key` (already folded).

    One EXISTS over a UNION ALL of (agreement id, folded text) rows: the agreement's
    own key, its parties' names as signed, a row per party that is one of
    `agency_ids` (agencies whose name matched, looked up first), and its content
    items. Both conditions, the agreement and the LIKE, are pushed into every
    branch, so PostgreSQL chooses per query, from its statistics:

    - for a frequent term (“dân vận khéo”, in 5 % of 2 million items), walking the
      agreements in the list's order and looking up each one's parties and items
      by `agreement_id` until the page is full: the newest agreements match early;
    - for a rare term (a document number), the trigram GIN indexes of migration
      0002/0003 on every table at once, then the few agreements they name.

    The former `search_key LIKE … OR EXISTS(parties) OR EXISTS(items)` left it no
    such choice: an OR of subqueries is a filter, which PostgreSQL evaluates by
    building the whole set of matching items first (a second or more for a
    frequent term). SQLite runs the same SQL.
    """

    conditional = True

    def __init__(self, key, *, agency_ids=(), pk=None):
        super().__init__(output_field=BooleanField())
        self.key = key
        self.agency_ids = list(agency_ids)
        self.pk = pk if pk is not None else F("pk")

    def get_source_expressions(self):
        return [self.pk]

    def set_source_expressions(self, exprs):
        (self.pk,) = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        quote = connection.ops.quote_name
        table = {
            name: quote(apps.get_model("agreements", name)._meta.db_table)
            for name in ("Agreement", "AgreementParty", "ContentItem")
        }
        branches = [
            f"SELECT s.id AS agreement_id, CAST(s.search_key AS TEXT) AS folded "
            f"FROM {table['Agreement']} s",
            f"SELECT p.agreement_id, CAST(p.search_key AS TEXT) FROM {table['AgreementParty']} p",
            f"SELECT i.agreement_id, CAST(i.search_key AS TEXT) FROM {table['ContentItem']} i",
        ]
        params = []
        if self.agency_ids:
            # The agency's current name is not in the party's row, and a join or a
            # WHERE in a branch would keep PostgreSQL from looking the branch up by
            # agreement; so the branch reads the key itself, which the LIKE below
            # accepts, for the parties that are one of the matched agencies.
            placeholders = ", ".join(["%s"] * len(self.agency_ids))
            branches.insert(
                2,
                f"SELECT p.agreement_id, CASE WHEN p.agency_id IN ({placeholders}) "
                f"THEN CAST(%s AS TEXT) ELSE '' END FROM {table['AgreementParty']} p",
            )
            params = [*self.agency_ids, self.key]
        like = connection.operators["contains"] % "%s"
        pattern = f"%{connection.ops.prep_for_like_query(self.key)}%"
        sql = (
            f"EXISTS (SELECT 1 FROM ({' UNION ALL '.join(branches)}) search_rows "
            f"WHERE search_rows.agreement_id = {pk_sql} AND search_rows.folded {like})"
        )
        return sql, [*params, *pk_params, pattern]


class AgreementQuerySet(models.QuerySet):
    def live(self):
        """Agreements that are not archived (archiving is how agreements are deleted)."""
        return self.filter(archived_at__isnull=True)

    def search(self, text):
        """Accent-insensitive search over number, title, place, the parties' names (as
        signed and as the agencies are called now) and the content items.

        See `SearchMatch` for how one query serves both frequent and rare terms.
        """
        key = fold(text)
        if not key:
            return self
        agency = apps.get_model("agreements", "Agency")
        agency_ids = list(
            agency.objects.filter(search_key__contains=key)
            .order_by("pk")
            .values_list("pk", flat=True)[: SEARCH_AGENCY_LIMIT + 1]
        )
        if len(agency_ids) > SEARCH_AGENCY_LIMIT:
            agency_ids = []
        return self.filter(SearchMatch(key, agency_ids=agency_ids))

    def with_status(self, on=None):
        """Annotate `status_value`, the status derived from dates on `on` (default today)."""
        on = on or timezone.localdate()
        return self.annotate(
            status_value=Case(
                When(lifecycle="draft", then=Value("draft")),
                When(lifecycle="ended", then=Value("ended")),
                When(self._superseded(on), then=Value("superseded")),
                When(effective_until__lt=on, then=Value("expired")),
                When(effective_until__isnull=True, end_year__lt=on.year, then=Value("expired")),
                default=Value("in_force"),
                output_field=models.CharField(),
            )
        )

    def with_status_of(self, status, on=None):
        """Agreements whose derived status on `on` is `status`: the conditions of
        `with_status` spelled out, so that the database can use its indexes and
        estimate the rows (a CASE in WHERE is opaque to PostgreSQL's planner)."""
        on = on or timezone.localdate()
        superseded = self._superseded(on)
        undecided = ~Q(lifecycle__in=["draft", "ended"])
        expired = Q(effective_until__lt=on) | Q(effective_until__isnull=True, end_year__lt=on.year)
        conditions = {
            "draft": Q(lifecycle="draft"),
            "ended": Q(lifecycle="ended"),
            "superseded": undecided & superseded,
            "expired": undecided & ~superseded & expired,
            "in_force": undecided & ~superseded & ~expired,
        }
        return self.filter(conditions[status])

    def _superseded(self, on):
        """True for an agreement that a signed, live agreement supersedes by `on`
        (one with no signing date counts as soon as it is recorded)."""
        # `supersedes__isnull=False` says nothing new to the correlated form, but when
        # PostgreSQL hashes the subquery for a long list it then reads only the
        # agreements that supersede one (through their index), not all of them.
        superseding = self.model.objects.filter(
            Q(signed_on__isnull=True) | Q(signed_on__lte=on),
            supersedes=OuterRef("pk"),
            supersedes__isnull=False,
            archived_at__isnull=True,
        ).exclude(lifecycle="draft")
        return Exists(superseding)

    def in_force(self, on=None):
        return self.live().with_status(on=on).filter(status_value="in_force")

    def review_overdue(self, on=None):
        """Agreements whose yearly review is overdue on `on` (default today).

        A deliberately simple rule, decided in the database so that it filters,
        counts and paginates like any other condition. An agreement is overdue when

        - it requires a yearly review (`annual_review_required`);
        - it is signed, not ended early and not superseded (a superseded term is
          closed by the final review held with the next signing);
        - at least one calendar year of it is complete: its first year
          (`start_year`, else the year it was signed) is before `on.year`;
        - its term reached into the previous calendar year (`end_year` empty or
          ≥ `on.year - 1`, `effective_until` empty or in/after that year), so the
          last year of a term is still owed a review in the year after it ends,
          and an agreement that expired long ago is not nagged about forever;
        - and no review other than a liaison meeting (six-monthly, annual,
          mid-term or final, whatever its approval status) was held between
          1 January of the previous year and `on`.

        On 15/03/2026 a 2021–2026 program whose last review was held on
        20/12/2024 is overdue; one reviewed on 10/01/2025 is not.
        """
        on = on or timezone.localdate()
        since = datetime.date(on.year - 1, 1, 1)
        review = apps.get_model("agreements", "Review")
        recent_reviews = review.objects.filter(
            agreement=OuterRef("pk"), held_on__gte=since, held_on__lte=on
        ).exclude(kind="liaison")
        return (
            self.alias(first_year=Coalesce("start_year", ExtractYear("signed_on")))
            .filter(
                annual_review_required=True,
                lifecycle="signed",
                first_year__lt=on.year,
            )
            .filter(Q(end_year__isnull=True) | Q(end_year__gte=on.year - 1))
            .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=since))
            .filter(~self._superseded(on), ~Exists(recent_reviews))
        )

    def for_agencies(self, agency_ids):
        """Agreements in which any of `agency_ids`, or an agency they continue, is a party."""
        agency = apps.get_model("agreements", "Agency")
        lineage = agency.objects.lineage_ids(agency_ids)
        party = apps.get_model("agreements", "AgreementParty")
        return self.filter(
            Exists(party.objects.filter(agreement=OuterRef("pk"), agency_id__in=lineage))
        )

    def in_areas(self, area_ids):
        """Agreements with a party located in one of the areas (rolled up).

        Parties carry their agency's area (`AgreementParty.agency_area`), so this is
        one range of the (agency_area, agreement) index rather than a join through
        every party's agency: a province's leader's list counts in milliseconds,
        not the 100–170 ms of the join at national scale."""
        area = apps.get_model("agreements", "Area")
        party = apps.get_model("agreements", "AgreementParty")
        ids = area.objects.rollup_ids(area_ids)
        return self.filter(
            Exists(party.objects.filter(agreement=OuterRef("pk"), agency_area_id__in=ids))
        )

    def for_user(self, user):
        """What `user` may see: admins everything, leaders their area, editors the
        agreements their agency (or an agency it continues) is a party to.

        The single place where read access to agreements is decided.
        """
        role = role_of(user)
        if role is None:
            return self.none()
        qs = self.live()
        if role == "admin":
            return qs
        profile = user.profile
        if role == "leader" and profile.agency.area_id:
            return qs.in_areas([profile.agency.area_id])
        return qs.for_agencies([profile.agency_id])

    def editable_by(self, user):
        """What `user` may change: admins everything, editors their agency's
        agreements. Leaders read and approve; they do not edit."""
        role = role_of(user)
        if role == "admin":
            return self.live()
        if role == "editor":
            return self.live().for_agencies([user.profile.agency_id])
        return self.none()
