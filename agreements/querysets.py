"""Reusable scoping of querysets: who may see what, what is in force, lineage."""

import datetime
import re

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection, connections, models
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from dinvan.rows import ModelColumns

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


def scope_of(user):
    """Which agreements `user` may see, as a key: (role,) for an admin or nobody,
    (role, "area", area id) for a leader, (role, "agencies", agency id) otherwise.
    `AgreementQuerySet.for_user` reads nothing else of the user, so two users with
    the same scope see the same agreements, for as long as the areas, agencies and
    lineage stay as they are (a write that changes them moves the summaries'
    generation on). Keys what is remembered per scope."""
    role = role_of(user)
    if role in (None, "admin"):
        return (role,)
    profile = user.profile
    if role == "leader" and profile.agency.area_id:
        return (role, "area", profile.agency.area_id)
    return (role, "agencies", profile.agency_id)


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


def _remembered_reach(name, db, start_ids, edges_sql):
    """`_reachable`, remembered within page views until the areas or the agencies'
    lineage change (reports.snapshots.remembered_in_view): a leader's or an editor's
    every page asks it (their scope), for a walk that changes a few times a year."""
    # The cache and the state that keys it live with the reports (which import this).
    from reports.snapshots import remembered_in_view

    return remembered_in_view(
        "reach",
        name,
        db,
        sorted(set(start_ids)),
        compute=lambda: _reachable(db, start_ids, edges_sql),
    )


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
        return _remembered_reach("rollup", self.db, area_ids, edges)

    def root_ids(self, area_ids):
        """Ids of the roots of the areas' tree (provinces, old and new) above
        `area_ids`, each root included: the provinces whose generation a write to
        these areas' agreements moves on (reports.services.areas_changed)."""
        edges = f"SELECT id, parent_id FROM {_table(self.model)} WHERE parent_id IS NOT NULL"
        roots = (
            f"SELECT reached.id FROM reached JOIN {_table(self.model)} area "
            "ON area.id = reached.id WHERE area.parent_id IS NULL"
        )
        return {row[0] for row in _walk(self.db, area_ids, edges, select=roots)}


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
        return _remembered_reach("lineage", self.db, agency_ids, edges)

    def takeovers(self, agency_ids, *, on):
        """(predecessor id, successor Agency) of every recorded change, effective by
        `on` (or undated), that hands over one of `agency_ids` or an agency taking
        over from them, transitively, ordered by date, undated ones last, then id
        (the same order on SQLite and PostgreSQL): one recursive query, which reads
        the successors too, instead of one per step of the chain and one for the
        agencies."""
        change = _table(apps.get_model("agreements", "AgencyChange"))
        successor = ModelColumns(connections[self.db], self.model, "successor")
        rows = _walk(
            self.db,
            agency_ids,
            f"SELECT predecessor_id, successor_id, changed_on, id FROM {change} "
            "WHERE successor_id IS NOT NULL AND (changed_on IS NULL OR changed_on <= %s)",
            edges_params=[on],
            columns="source, target, changed_on, id",
            select=(
                f"SELECT edges.source, {', '.join(successor.sql)} FROM edges "
                f"JOIN {_table(self.model)} successor ON successor.id = edges.target "
                "WHERE edges.source IN (SELECT id FROM reached) ORDER BY "
                "CASE WHEN edges.changed_on IS NULL THEN 1 ELSE 0 END, edges.changed_on, edges.id"
            ),
        )
        return [(row[0], successor.instance(row[1:])) for row in rows]

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

# A phrase whose rarest word pair may be in this many rows or fewer is found through
# the pair indexes of each table, joined to the list: a few ms for a rare phrase.
# Above, the list is walked in its order, keeping only the agreements whose search
# document holds the phrase's pairs (migration 0011; see `SearchMatch`). Measured at
# national scale: "hoi lien hiep phu nu" (46,000 rows) 269 ms through the pairs of
# each table, 95 ms through the documents; "quang ninh" (11,000) joined 110 ms.
SEARCH_PAIRS_JOIN_LIMIT = 20_000
# A search's matches are counted up to this many (the list then says "more than
# 200" and pages on without a count; `views.agreements.CappedPaginator`): the first
# `SEARCH_COUNT_CAP + 1` matches in the list's order are read for the count and the
# pages within it, so walking the list (below) stops that much sooner. A plain list
# counts up to 1,000: its count is cached and costs no search.
SEARCH_COUNT_CAP = 200
# A phrase whose documents may be in this share of the agreements or more is found
# by walking the list and looking each agreement up: the matches come early, and
# gathering the candidates would cost more. A walk reads about
# `SEARCH_COUNT_CAP / share` agreements; gathering reads every candidate, whatever
# the cap. Measured at national scale, the whole page alone, counting up to 200
# (admin; a province's leader): "ton giao" (31 % of the agreements) 76 and 83 ms
# walked, 89 and 121 through the documents; "chuyen doi so", "giam ngheo" (25 %)
# 62–84 walked, 67–99 through the documents; "hoi nong dan" (10 %) 108–152 walked,
# 109–118 through the documents; "cuu chien binh" (7 %) 127–666 walked, 61–94
# through the documents. (Counting up to 1,000, the line was at 40 %.)
SEARCH_WALK_SHARE = 0.2
# The search documents of migration 0011 (PostgreSQL only).
SEARCH_DOCUMENTS = "agreements_search_document"
# The pair index keeps the first 100 characters of each word (migration 0009).
PAIR_WORD_LENGTH = 100


# How long the statistics of the pair indexes and the search documents are kept in
# the cache: they change when the tables are analysed (by autovacuum, after many
# writes), and reading them is a query and a few ms of parsing on every search.
SEARCH_STATISTICS_SECONDS = 300


def _pair_statistics(db, indexes):
    """{table or index: (reltuples, most common elements, their frequencies)} of the
    pair indexes `indexes` and the search documents, from PostgreSQL's statistics;
    None when they are not all analysed yet. Kept in the cache for
    `SEARCH_STATISTICS_SECONDS` once complete."""
    key = f"search-statistics:{db.alias}:{db.settings_dict['NAME']}"
    stats = cache.get(key)
    if stats is not None:
        return stats
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT s.tablename, c.reltuples, s.most_common_elems::text::text[], "
            "s.most_common_elem_freqs FROM pg_stats s "
            "JOIN pg_class c ON c.relname = s.tablename "
            "AND c.relnamespace = current_schema()::regnamespace "
            "WHERE s.schemaname = current_schema() "
            "AND (s.tablename = ANY(%s) OR (s.tablename = %s AND s.attname = 'pairs'))",
            [indexes, SEARCH_DOCUMENTS],
        )
        stats = {row[0]: row[1:] for row in cursor.fetchall()}
    if len(stats) <= len(indexes):
        return None
    cache.set(key, stats, SEARCH_STATISTICS_SECONDS)
    return stats


class AmongParties(Expression):
    """True for an agreement whose id is among `parties`' `agreement_id`s.

    On PostgreSQL, `id = ANY(ARRAY(SELECT agreement_id FROM parties …))`: the
    parties are read once from their (agency_area or agency, agreement) index and
    the agreements looked up by id. Spelled `EXISTS` or `IN (…)`, PostgreSQL
    answers a province's scope at national scale (13,000 parties, 5,900 agreements)
    with a hash join that reads every live agreement: 36–49 ms instead of 8–11 ms
    to read the scope's ids, 38–47 instead of 9–13 for its terms' years. Not for
    a page in the list's order (`AgreementQuerySet.gathered`): PostgreSQL cannot
    tell how many ids the array holds, and reads them all instead of walking the
    list and stopping at the page's end. Elsewhere a plain `IN (…)`.
    """

    conditional = True

    def __init__(self, parties):
        super().__init__(output_field=BooleanField())
        self.pk = F("pk")
        self.parties = Subquery(parties)

    def get_source_expressions(self):
        return [self.pk, self.parties]

    def set_source_expressions(self, exprs):
        self.pk, self.parties = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        parties_sql, parties_params = compiler.compile(self.parties)
        if connection.vendor == "postgresql":
            return f"{pk_sql} = ANY(ARRAY{parties_sql})", [*pk_params, *parties_params]
        return f"{pk_sql} IN {parties_sql}", [*pk_params, *parties_params]


class SearchMatch(Expression):
    """True for an agreement whose folded text contains `key` (already folded) at
    the start of a word: "kheo" finds "dân vận khéo", "dan van kh" too, "31-ctr"
    and "ctr" the number "31-CTr/BDVTU", but "an" does not find every "dân".

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

    With `pairs` (a tsquery of word pairs, PostgreSQL only: see `_pair_rows`), every
    branch keeps only the rows holding those pairs, through the pair indexes of
    migration 0009, and the LIKE is hidden from the trigram indexes: for phrases
    made of common syllables, rare as a whole ("quang hop", "dan chu co so").

    With `candidates` (the same tsquery) for a phrase in many rows: only the
    agreements whose search document (migration 0011) holds every pair, or that
    have a party among `agency_ids`, are looked up as above, in the list's order.
    Those agreements are read from the documents' index into a hash (20–60 ms for
    50,000–130,000 of them); fetching the items that hold the pairs instead took
    200–450 ms for "hoi lien hiep phu nu" or "giam ngheo", and walking every
    agreement checked four times as many as match.

    With `within` (the parties a scoped list is narrowed to, see
    `AgreementQuerySet.for_agencies`/`in_areas`), a walked phrase or the candidates
    are checked only in the scope's agreements, read into a hash first; with
    `pairs`, only the scope's rows are kept.
    """

    conditional = True

    def __init__(self, key, *, agency_ids=(), pk=None, pairs=None, candidates=None, within=None):
        super().__init__(output_field=BooleanField())
        self.key = key
        self.agency_ids = list(agency_ids)
        self.pairs = pairs
        self.candidates = candidates
        self.pk = pk if pk is not None else F("pk")
        self.within = Subquery(within) if within is not None else None

    def get_source_expressions(self):
        return [self.pk, self.within]

    def set_source_expressions(self, exprs):
        self.pk, self.within = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        quote = connection.ops.quote_name
        table = {
            name: quote(apps.get_model("agreements", name)._meta.db_table)
            for name in ("Agreement", "AgreementParty", "ContentItem")
        }
        sources = [
            ("s.id", table["Agreement"], "s"),
            ("p.agreement_id", table["AgreementParty"], "p"),
            ("i.agreement_id", table["ContentItem"], "i"),
        ]
        within_sql, within_params = "", []
        if self.within is not None:
            within_sql, within_params = compiler.compile(self.within)
        where, where_params = "", []
        if self.pairs is not None:
            # Only the rows holding every word pair of the phrase (the pair index of
            # migration 0009), then the exact test below on those few.
            where = " WHERE dinvan_search_pairs({}.search_key) @@ CAST(%s AS tsquery)"
            where_params = [self.pairs]
        # A scoped list keeps, of those rows, the scope's: PostgreSQL otherwise
        # tests the phrase on the whole country's, fetches each one's agreement,
        # and only then tests the scope ("ctr/bdvtu": 9,206 rows for a province's
        # 273). In a CASE, the scope is a hash tested before the phrase; a plain IN
        # would become a join, after it.
        narrowed = self.pairs is not None and self.within is not None

        def scoped(branch, agreement_id):
            if not narrowed:
                return branch
            sql, params = branch
            sql += f" AND CASE WHEN {agreement_id} IN {within_sql} THEN TRUE END"
            return sql, [*params, *within_params]

        branches = [
            scoped(
                (
                    f"SELECT {agreement_id} AS agreement_id, CAST({alias}.search_key AS TEXT) "
                    f"AS folded FROM {name} {alias}{where.format(alias)}",
                    where_params,
                ),
                agreement_id,
            )
            for agreement_id, name, alias in sources
        ]
        if self.agency_ids:
            placeholders = ", ".join(["%s"] * len(self.agency_ids))
            parties = table["AgreementParty"]
            if self.pairs is not None:
                branch = scoped(
                    (
                        f"SELECT p.agreement_id, CAST(%s AS TEXT) FROM {parties} p "
                        f"WHERE p.agency_id IN ({placeholders})",
                        [self.key, *self.agency_ids],
                    ),
                    "p.agreement_id",
                )
            else:
                # The agency's current name is not in the party's row, and a join or a
                # WHERE in a branch would keep PostgreSQL from looking the branch up by
                # agreement; so the branch reads the key itself, which the tests below
                # accept, for the parties that are one of the matched agencies.
                branch = (
                    f"SELECT p.agreement_id, CASE WHEN p.agency_id IN ({placeholders}) "
                    f"THEN CAST(%s AS TEXT) ELSE '' END FROM {parties} p",
                    [*self.agency_ids, self.key],
                )
            branches.insert(2, branch)
        params = [param for _sql, branch_params in branches for param in branch_params]
        # With the pairs, `|| ''` keeps the trigram indexes out of the plan: they
        # would select most rows for such phrases, and the pairs have chosen already.
        folded = "(search_rows.folded || '')" if self.pairs is not None else "search_rows.folded"
        like = connection.operators["contains"] % "%s"
        regex = connection.operators["regex"] % "%s"
        # The word start in a CASE: PostgreSQL then estimates it at one in two rows,
        # where for the operator alone it would guess a few in a million and choose
        # the trigram indexes for phrases in 100,000 items.
        union = " UNION ALL ".join(sql for sql, _ in branches)
        tests = f"{folded} {like} AND CASE WHEN {folded} {regex} THEN TRUE END"
        patterns = search_patterns(self.key, connection)
        sql = (
            f"EXISTS (SELECT 1 FROM ({union}) search_rows "
            f"WHERE search_rows.agreement_id = {pk_sql} AND {tests}"
        )
        # Conditions tested before the exact match, each a hash built once: the
        # candidates, the scope. OFFSET 0 keeps the EXISTS a lookup per agreement
        # let through: without it PostgreSQL may turn it into a hash of every
        # match, gathered first (the cost the documents avoid).
        gates, gate_params = [], []
        if self.candidates is not None:
            candidates = "SELECT agreement_id FROM dinvan_search_candidates(CAST(%s AS tsquery))"
            candidate_params = [self.candidates]
            if self.agency_ids:
                placeholders = ", ".join(["%s"] * len(self.agency_ids))
                candidates += (
                    f" UNION ALL SELECT agreement_id FROM {table['AgreementParty']} "
                    f"WHERE agency_id IN ({placeholders})"
                )
                candidate_params += self.agency_ids
            gates.append(f"{pk_sql} IN ({candidates})")
            gate_params += [*pk_params, *candidate_params]
        if self.within is not None and not narrowed:
            # A scoped list (a province's leader: 3 % of the agreements) checks only
            # its own agreements: the scope is a condition of the list, but
            # PostgreSQL tests it after this one, and checked every candidate of the
            # country on the way (a second for "dan van kheo" instead of 70 ms), or
            # looked up the parties of every agreement walked (50,000 for 1,001
            # matches of "mat tran to quoc": 147 ms).
            gates.append(f"{pk_sql} IN {within_sql}")
            gate_params += [*pk_params, *within_params]
        if not gates:
            return sql + ")", [*params, *pk_params, *patterns]
        sql = f"CASE WHEN {' AND '.join(gates)} THEN {sql} OFFSET 0) END"
        return sql, [*gate_params, *params, *pk_params, *patterns]


def search_patterns(key, connection=connection):
    """(LIKE pattern, regular expression) of a folded search key: the text contains
    the key, starting at a word (after a character that is not a-z or 0-9, or at the
    start). The LIKE is what the trigram indexes serve; the expression decides."""
    return (
        f"%{connection.ops.prep_for_like_query(key)}%",
        f"(^|[^a-z0-9]){re.escape(key)}",
    )


def pairs_query(key):
    """The tsquery of `dinvan_search_pairs` lexemes every text matching `key` holds
    (the pairs of its words, the last word possibly cut short: 'dan_van' &
    'van_kh':*), or None for a key of one word. A text holding the key at the start
    of a word holds these pairs, so they select a superset of the matches."""
    pairs = _word_pairs(key)
    if not pairs:
        return None
    return " & ".join([*(f"'{pair}'" for pair in pairs[:-1]), f"'{pairs[-1]}':*"])


def _word_pairs(key):
    """The `dinvan_search_pairs` lexemes of `key`'s words, in order (the last one a
    prefix of the text's), words cut as the index cuts them (migration 0009)."""
    words = [word[:PAIR_WORD_LENGTH] for word in re.findall(r"[a-z0-9]+", key)]
    return [f"{first}_{second}" for first, second in zip(words, words[1:], strict=False)]


def same_query(one, other):
    """True when both querysets select the same rows (the same SQL and parameters)."""
    try:
        return one.order_by().query.sql_with_params() == other.order_by().query.sql_with_params()
    except (EmptyResultSet, FullResultSet):
        return False


def _party_exists(within):
    """EXISTS a party among `within` (parties' `agreement_id` values) for the agreement."""
    return Exists(within.filter(agreement=OuterRef("pk")))


class AgreementQuerySet(models.QuerySet):
    def live(self):
        """Agreements that are not archived (archiving is how agreements are deleted)."""
        return self.filter(archived_at__isnull=True)

    def search(self, text):
        """Accent-insensitive search over number, title, place, the parties' names (as
        signed and as the agencies are called now) and the content items, matching
        at the start of a word.

        See `SearchMatch` for how one query serves both frequent and rare terms.
        """
        key = fold(text)
        if not key:
            return self
        agency = apps.get_model("agreements", "Agency")
        _like, regex = search_patterns(key, connections[self.db])
        agency_ids = list(
            agency.objects.filter(search_key__contains=key, search_key__regex=regex)
            .order_by("pk")
            .values_list("pk", flat=True)[: SEARCH_AGENCY_LIMIT + 1]
        )
        if len(agency_ids) > SEARCH_AGENCY_LIMIT:
            agency_ids = []
        pairs = pairs_query(key) if connections[self.db].vendor == "postgresql" else None
        rows, share = self._pair_rows(key) or (None, None)
        if pairs is None:
            # One word, or SQLite: a plain EXISTS, which PostgreSQL may answer
            # through the trigram indexes for a rare word.
            match = SearchMatch(key, agency_ids=agency_ids)
        elif share is not None and share >= SEARCH_WALK_SHARE:
            match = SearchMatch(key, agency_ids=agency_ids, within=self.within)
        elif rows is not None and rows <= SEARCH_PAIRS_JOIN_LIMIT:
            match = SearchMatch(key, agency_ids=agency_ids, pairs=pairs, within=self.within)
        else:
            match = SearchMatch(key, agency_ids=agency_ids, candidates=pairs, within=self.within)
        found = self.filter(match)
        found.searched = True
        return found

    # Set by `search`, and kept by every queryset derived from it: a page that needs a
    # count and a page of a search's matches reads their ids once
    # (views.agreements.CappedPaginator), the search condition being the costly part.
    searched = False
    # Set by `for_agencies` and `in_areas`: the parties (`agreement_id` values) the
    # list is narrowed to, which the search checks first (see `SearchMatch`).
    within = None
    # Set by `for_user`: whose scope (`scope_of`) the agreements are narrowed to, which
    # keys what is remembered of them (`agreements.filters.remembered_periods`).
    scope = None

    def _clone(self):
        clone = super()._clone()
        clone.searched = self.searched
        clone.within = self.within
        clone.scope = self.scope
        return clone

    def _pair_rows(self, key):
        """(How many rows (agreements, parties, items) at most hold the word pairs of
        `key` (see `pairs_query`), which share of the agreements at most has them all
        in its search document); None when that cannot be told (one word, SQLite,
        no statistics yet).

        For a phrase of common syllables and rare as a whole ("quang hop", "dan chu
        co so") the pair index finds the few rows at once, where the trigram index
        would select most of the table. A phrase in many rows ("giam ngheo", in
        50,000 items) is better found through the search documents (see
        `SearchMatch`): through the pair indexes every one of those rows would be
        fetched. How many at most: those holding the phrase's rarest pair, from the
        statistics PostgreSQL keeps of each pair index and of the documents (their
        most common pairs and their frequencies; a pair not among them is rarer
        than all of them). The planner's own estimate multiplies the pairs'
        frequencies as if they were independent, which the pairs of one phrase are
        not: it expects 4,000 rows for "mat tran to quoc", which is in 250,000.
        """
        db = connections[self.db]
        if pairs_query(key) is None or db.vendor != "postgresql":
            return None
        *whole, started = _word_pairs(key)
        indexes = [
            f"{apps.get_model('agreements', name)._meta.db_table}_search_pairs"
            for name in ("Agreement", "AgreementParty", "ContentItem")
        ]
        stats = _pair_statistics(db, indexes)
        if stats is None:
            return None  # not analysed yet: nothing to go by
        shares = {}
        for table, (_reltuples, elements, frequencies) in stats.items():
            if not elements:
                shares[table] = 0.0  # no pair is common: every one is rare
                continue
            common = dict(zip(elements, frequencies, strict=False))
            floor = min(frequencies[: len(elements)])
            pairs = [common.get(pair, floor) for pair in whole]
            prefixed = sum(f for element, f in common.items() if element.startswith(started))
            shares[table] = min([*pairs, max(prefixed, floor)])
        rows = sum(max(stats[index][0], 0) * shares[index] for index in indexes)
        return rows, shares[SEARCH_DOCUMENTS]

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
        return self._with_party_among(party.objects.filter(agency_id__in=lineage))

    def in_areas(self, area_ids):
        """Agreements with a party located in one of the areas (rolled up).

        Parties carry their agency's area (`AgreementParty.agency_area`), so this is
        one range of the (agency_area, agreement) index rather than a join through
        every party's agency: a province's leader's list counts in milliseconds,
        not the 100–170 ms of the join at national scale."""
        area = apps.get_model("agreements", "Area")
        party = apps.get_model("agreements", "AgreementParty")
        ids = area.objects.rollup_ids(area_ids)
        return self._with_party_among(party.objects.filter(agency_area_id__in=ids))

    def _with_party_among(self, parties):
        """Agreements with a party among `parties`, remembering them as `within`
        for the search (see `SearchMatch`)."""
        within = parties.order_by().values("agreement_id")
        narrowed = self.filter(_party_exists(within))
        narrowed.within = within
        return narrowed

    def gathered(self):
        """The same agreements, for reading all of them (their ids, their terms' years)
        rather than the first few in the list's order.

        Narrowed to parties (`within`), the condition is also spelled
        `AmongParties`: the scope's parties read once from their index and the
        agreements looked up by id. As `EXISTS` alone, which lets a page of 25 or a
        search walk the list in its order and stop early, PostgreSQL reads a whole
        province's scope at national scale by hashing every live agreement (36–49
        ms); with both, 23 ms; when nothing else narrows the scope (a leader's or
        an editor's agreements, unfiltered), `AmongParties` alone: 8–11 ms.
        """
        if self.within is None:
            return self
        plain = self.model.objects.live().filter(_party_exists(self.within))
        if same_query(self, plain):
            return self.model.objects.live().filter(AmongParties(self.within))
        return self.filter(AmongParties(self.within))

    def for_user(self, user):
        """What `user` may see: admins everything, leaders their area, editors the
        agreements their agency (or an agency it continues) is a party to.

        The single place where read access to agreements is decided.
        """
        scope = scope_of(user)
        role, *within = scope
        if role is None:
            return self.none()
        if role == "admin":
            visible = self.live()
        elif within[0] == "area":
            visible = self.live().in_areas([within[1]])
        else:
            visible = self.live().for_agencies([within[1]])
        visible.scope = scope
        return visible

    def editable_by(self, user):
        """What `user` may change: admins everything, editors their agency's
        agreements. Leaders read and approve; they do not edit."""
        role = role_of(user)
        if role == "admin":
            return self.live()
        if role == "editor":
            return self.live().for_agencies([user.profile.agency_id])
        return self.none()
