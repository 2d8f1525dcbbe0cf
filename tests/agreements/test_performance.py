"""The agreement list at national scale (issue 5): query counts that do not grow with
the data, the search and filter queries using their indexes on PostgreSQL, the same
search results on SQLite and PostgreSQL, the agency and area suggestions, and the
capped count of a long list."""

import datetime
import re
import unicodedata
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import selectors
from agreements.filters import AgreementFilterSet, periods
from agreements.models import Agency, AgencyChange, Agreement, AgreementParty, UserProfile
from agreements.querysets import pairs_query
from agreements.text import fold
from agreements.views.agreements import CappedPaginator
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ContentItemFactory,
    ProfileFactory,
    UserFactory,
)

LIST_URL = reverse("agreements:agreement_list")


def _options_url(field):
    return reverse("agreements:filter_options", args=[field])


def _agreement(agency, partners=(), items=1, **kwargs):
    agreement = AgreementFactory(lead_agency=agency, **kwargs)
    AgreementPartyFactory(agreement=agreement, agency=agency, role=AgreementParty.Role.LEAD)
    for partner in partners:
        AgreementPartyFactory(agreement=agreement, agency=partner)
    for number in range(1, items + 1):
        ContentItemFactory(
            agreement=agreement, number=number, title=f"Phối hợp thi đua Dân vận khéo {number}"
        )
    return agreement


def _queries(client, url, params=None):
    """Queries of the page computed: nothing taken from the cache (a leader's area
    walk, an editor's lineage, the term filter's choices are remembered there until
    the next write that can change them; the write between two measurements would
    void them for the second only)."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured), response


# The ways PostgreSQL may be asked to search a phrase (see AgreementQuerySet.search),
# forced by the limits that choose them; SQLite always walks.
WAYS = {
    "walk": {"SEARCH_WALK_SHARE": -1},
    "pairs joined": {"SEARCH_WALK_SHARE": 2, "SEARCH_PAIRS_JOIN_LIMIT": 10**12},
    "candidates": {"SEARCH_WALK_SHARE": 2, "SEARCH_PAIRS_JOIN_LIMIT": -1},
}


def _choose(monkeypatch, way):
    for name, value in WAYS[way].items():
        monkeypatch.setattr(f"agreements.querysets.{name}", value)


def _way_of(queryset):
    sql = str(queryset.query)
    if "dinvan_search_candidates" in sql:
        return "candidates"
    return "pairs joined" if "dinvan_search_pairs" in sql else "walk"


# --- query counts at two sizes --------------------------------------------------

LIST_CASES = {
    "plain": {},
    "filtered": {"kind": "program", "status": "in_force", "year": 2024, "sort": "-status"},
    "search": {"q": "dan van kheo"},
    "agency chosen": "agency",
    "agency typed": {"agency_name": "ban dan van tinh uy lai chau"},
    "area chosen": "area",
}


@pytest.mark.parametrize("case", LIST_CASES)
def test_list_query_count_is_the_same_for_3_and_30_agreements(client, editor_a, agency_a, case):
    partner = AgencyFactory(area=agency_a.area)
    params = LIST_CASES[case]
    if params == "agency":
        params = {"agency": agency_a.pk}
    elif params == "area":
        params = {"area": agency_a.area_id}

    def add(count):
        for _ in range(count):
            _agreement(
                agency_a,
                partners=[partner, AgencyFactory()],
                items=2,
                start_year=2021,
                end_year=2030,
            )

    client.force_login(editor_a)
    add(3)
    client.get(LIST_URL, params)  # the session's first write is not part of the page
    small, response = _queries(client, LIST_URL, params)
    assert response.context["paginator"].count == 3
    add(27)
    large, response = _queries(client, LIST_URL, params)
    assert response.context["paginator"].count == 30
    assert large == small
    assert small <= 15


@pytest.mark.parametrize("model", [Agency, Agreement])
def test_admin_changelist_query_count_is_the_same_for_3_and_30_rows(client, admin_user, model):
    url = reverse(f"admin:agreements_{model._meta.model_name}_changelist")

    def add(count):
        for _ in range(count):
            _agreement(AgencyFactory(area=AreaFactory()), partners=[AgencyFactory()])

    client.force_login(admin_user)
    add(3)
    client.get(url)
    small, _response = _queries(client, url)
    add(27)
    large, response = _queries(client, url)
    assert response.context["cl"].result_count >= 30
    assert large == small


def test_admin_changelists_do_not_count_the_whole_table(client, admin_user):
    client.force_login(admin_user)
    _agreement(AgencyFactory())
    for model in (Agency, Agreement):
        url = reverse(f"admin:agreements_{model._meta.model_name}_changelist")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"q": "ban"})
        assert response.status_code == 200
        counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
        # The one count is the paginator's, over the filtered rows only.
        assert len(counts) == 1, counts


# --- the same search on both databases --------------------------------------------


@pytest.fixture
def searchable(db):
    council = AgencyFactory(
        name="Đảng đoàn Hội đồng nhân dân tỉnh Điện Biên", short_name="ĐĐ HĐND tỉnh"
    )
    front = AgencyFactory(name="Ủy ban Mặt trận Tổ quốc tỉnh Điện Biên", short_name="MTTQ tỉnh")
    bdv = AgencyFactory(name="Ban Dân vận Tỉnh ủy Điện Biên", short_name="BDV Tỉnh ủy")
    rows = {
        "title": _agreement(bdv, items=0, title="Phong trào thi đua “Dân vận khéo” 2021–2025"),
        "number": _agreement(bdv, items=0, number="31B-QCPH/BDV-ĐĐHĐND", title="Quy chế"),
        "party": _agreement(bdv, partners=[front], items=0, title="Chương trình 1"),
        "item": _agreement(bdv, items=0, title="Chương trình 2"),
        "signed as": _agreement(bdv, items=0, title="Chương trình 3"),
        "percent": _agreement(bdv, items=0, title="Đạt 100% chỉ tiêu_năm"),
        "other": _agreement(bdv, items=0, title="Kế hoạch cải cách hành chính"),
    }
    ContentItemFactory(
        agreement=rows["item"], number=1, title="Tiếp công dân, đối thoại với Nhân dân"
    )
    # Signed under a name that is not the agency's: found by the agency's name too.
    AgreementPartyFactory(agreement=rows["signed as"], agency=council, name_as_signed="ĐẢNG ĐOÀN")
    return rows


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dan van kheo", {"title"}),
        ("DÂN VẬN KHÉO", {"title"}),
        (unicodedata.normalize("NFD", "Dân vận khéo"), {"title"}),
        ("31b-qcph/bdv-ddhdnd", {"number"}),
        ("mat tran to quoc", {"party"}),
        ("doi thoai voi nhan dan", {"item"}),
        ("dang doan hoi dong nhan dan", {"signed as"}),
        ("dd hdnd", {"signed as"}),
        ("100%", {"percent"}),
        ("chi tieu_nam", {"percent"}),
        ("dat%nam", set()),
        # At the start of a word only: "_" follows a letter in "tieu_nam".
        ("_", set()),
        ("kheo", {"title"}),
        ("dan van kh", {"title"}),
        ("qcph/bdv", {"number"}),
        ("cph", set()),
        ("an van kheo", set()),
    ],
)
@pytest.mark.parametrize("way", ["chosen", *WAYS])
def test_search_finds_the_same_rows_on_every_database(
    searchable, monkeypatch, query, expected, way
):
    # Every way PostgreSQL may be asked (SQLite always walks): the same rows.
    if way in WAYS:
        _choose(monkeypatch, way)
    if connection.vendor == "postgresql":
        _analyze()
        if pairs_query(fold(query)):
            assert Agreement.objects.all()._pair_rows(fold(query)) is not None
            assert _way_of(Agreement.objects.search(query)) == way if way != "chosen" else True
    found = Agreement.objects.search(query).values_list("pk", flat=True)
    assert set(found) == {searchable[name].pk for name in expected}


@pytest.mark.parametrize("role", [UserProfile.Role.LEADER, UserProfile.Role.EDITOR])
@pytest.mark.parametrize("way", ["chosen", *WAYS])
def test_a_scoped_search_finds_the_matches_of_its_scope_in_every_way(db, monkeypatch, role, way):
    # The search checks a leader's or an editor's candidates within their scope
    # first (SearchMatch's `within`): the same rows as the list's scope and the
    # search each on their own, matched by text or by an agency's current name.
    if way in WAYS:
        _choose(monkeypatch, way)
    home, elsewhere = AreaFactory(), AreaFactory()
    ours = AgencyFactory(area=home, name="Ban Dân vận Huyện ủy Mường Nhé")
    front = AgencyFactory(area=home, name="Ủy ban Mặt trận Tổ quốc huyện")
    theirs = AgencyFactory(area=elsewhere)
    inside = _agreement(ours, items=2)
    by_party = _agreement(ours, partners=[front], items=0, title="Chương trình 1")
    _agreement(ours, items=0, title="Kế hoạch cải cách hành chính")
    _agreement(theirs, items=2)
    _agreement(theirs, partners=[front], items=0, title="Chương trình 2")
    if connection.vendor == "postgresql":
        _analyze()
    user = ProfileFactory(agency=ours, role=role).user
    for query, expected in [
        ("dan van kheo", {inside}),
        ("mat tran to quoc", {by_party}),
        ("cai cach", set()) if role == UserProfile.Role.EDITOR else ("qcph", set()),
    ]:
        searched = selectors.agreement_list(user=user, query=query)
        if way in WAYS and connection.vendor == "postgresql" and pairs_query(fold(query)):
            assert _way_of(searched) == way
        in_scope = set(selectors.agreement_list(user=user))
        everywhere = set(Agreement.objects.search(query))
        assert set(searched) == in_scope & everywhere
        assert set(searched) >= expected


def test_search_by_a_general_agency_name_still_finds_names_as_signed(db, monkeypatch):
    monkeypatch.setattr("agreements.querysets.SEARCH_AGENCY_LIMIT", 1)
    first, second = AgencyFactory(name="Ban Dân vận A"), AgencyFactory(name="Ban Dân vận B")
    signed = _agreement(first, items=0, title="một")
    renamed = _agreement(second, items=0, title="hai")
    AgreementParty.objects.filter(agreement=renamed).update(name_as_signed="BDV", search_key="bdv")
    # Two agencies match, over the limit of one: only names as signed are searched.
    assert list(Agreement.objects.search("ban dan van")) == [signed]
    monkeypatch.setattr("agreements.querysets.SEARCH_AGENCY_LIMIT", 2)
    assert set(Agreement.objects.search("ban dan van")) == {signed, renamed}


# --- the plans on PostgreSQL ----------------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN plans and trigram indexes are PostgreSQL's; SQLite has no such indexes",
)


def _plan(queryset, **settings):
    """PostgreSQL's plan of `queryset`, with planner settings for this transaction.

    On a test database of a few hundred rows a sequential scan is rightly cheaper
    than any index, so the plan would say nothing about the national database.
    `enable_seqscan = off` makes an index the planner's choice whenever one can
    answer the query at all: the test then shows that an index *can* serve the
    query (the right expression, operator class and partial condition), which is
    what fails when a query or an index is changed carelessly. Row estimates are
    refreshed first (ANALYZE) so that the choice does not depend on leftovers.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        for name, value in {"enable_seqscan": "off", **settings}.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def many(db):
    area = AreaFactory()
    agencies = [AgencyFactory(area=area) for _ in range(5)]
    for n in range(60):
        _agreement(
            agencies[n % 5],
            partners=[agencies[(n + 1) % 5]],
            items=3,
            kind=Agreement.Kind.PROGRAM if n % 3 else Agreement.Kind.PLAN,
            start_year=2016 + n % 3 * 5,
            end_year=2021 + n % 3 * 5,
        )
    return agencies


@postgresql_only
def test_search_can_use_the_trigram_indexes_of_every_table(many):
    # Nested loops and plain index scans off: the per-agreement lookups a frequent
    # term gets are then not an option (nor reading a whole small index in order),
    # and the plan for a rare term, a bitmap of each trigram index, is.
    plan = _plan(
        Agreement.objects.live().search("qcph"),  # one word: no pairs
        enable_nestloop="off",
        enable_indexscan="off",
    )
    for index in (
        "agreements_agreement_search_trgm",
        "agreements_agreementparty_search_trgm",
        "agreements_contentitem_search_trgm",
    ):
        assert index in plan, plan


@postgresql_only
@pytest.mark.parametrize("way", ["walk", "candidates"])
def test_search_of_a_frequent_term_looks_up_parties_and_items_by_agreement(many, monkeypatch, way):
    # A phrase in most agreements is walked; one in many rows, through the documents'
    # candidates: either way each agreement's parties and items are looked up by it.
    _choose(monkeypatch, way)
    _analyze()
    qs = selectors.agreement_list(user=_admin()).search("dan van kheo")[:25]
    assert _way_of(qs) == way
    # Hash joins off: what is left is walking the list and looking each agreement up.
    plan = _plan(qs, enable_hashjoin="off", enable_mergejoin="off", enable_bitmapscan="off")
    assert "agreements_agreementparty_agreement_id" in plan, plan
    assert "agreements_contentitem_agreement_id" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert ("dinvan_search_candidates" in plan) == (way == "candidates"), plan


@postgresql_only
def test_the_candidates_are_read_through_the_documents_index(many):
    # Even where most documents hold the pairs, where the planner would rather read
    # the table and decompress every document (it does not count that cost): the
    # function that names the candidates plans with sequential scans off.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM dinvan_search_candidates(CAST(%s AS tsquery))",
            [pairs_query("dan van kheo")],
        )
        assert cursor.fetchone()[0] == 60
        cursor.execute(
            "SELECT count(*) FROM dinvan_search_candidates(CAST(%s AS tsquery))",
            [pairs_query("dan chu co so")],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = 'dinvan_search_candidates'")
        assert cursor.fetchone()[0] == ["enable_seqscan=off"]


def _analyze():
    """Statistics of the pair indexes and the search documents, as autovacuum would
    gather them."""
    with connection.cursor() as cursor:
        for table in ("agreement", "agreementparty", "contentitem", "search_document"):
            cursor.execute(f"ANALYZE agreements_{table}")


@postgresql_only
def test_a_phrase_expected_in_few_rows_is_found_through_the_word_pair_indexes(many):
    _analyze()
    # Sequential scans and nested loops off, as for a table of national size where
    # the phrase is in few rows: each branch is then read through an index.
    plan = _plan(
        selectors.agreement_list(user=_admin()).search("Dân chủ cơ sở")[:25],
        enable_seqscan="off",
        enable_nestloop="off",
    )
    for index in (
        "agreements_agreement_search_pairs",
        "agreements_agreementparty_search_pairs",
        "agreements_contentitem_search_pairs",
    ):
        assert index in plan, plan
    assert "search_trgm" not in plan, plan


@postgresql_only
def test_the_statistics_of_the_pairs_are_read_once_then_kept(many):
    agreements = Agreement.objects.all()
    _analyze()
    with CaptureQueriesContext(connection) as first:
        first_answer = agreements._pair_rows("dan chu co so")
    with CaptureQueriesContext(connection) as second:
        assert agreements._pair_rows("dan van kheo") is not None
        assert agreements._pair_rows("dan chu co so") == first_answer
    assert [q for q in first.captured_queries if "pg_stats" in q["sql"]]
    assert not second.captured_queries


@postgresql_only
def test_the_statistics_of_the_pairs_choose_the_way(many):
    agreements = Agreement.objects.all()
    # No statistics yet: nothing to go by, the documents' candidates are safe.
    assert agreements._pair_rows("dan chu co so") is None
    assert _way_of(agreements.search("dan chu co so")) == "candidates"
    _analyze()
    rows, share = agreements._pair_rows("dan chu co so")
    assert 0 <= rows < 1000
    assert 0 <= share < 0.5
    assert _way_of(agreements.search("dan chu co so")) == "pairs joined"
    # In every item of the 60 agreements: 180 rows, every document.
    rows, share = agreements._pair_rows("dan van kheo")
    assert rows > 100
    assert share == pytest.approx(1.0)
    assert _way_of(agreements.search("dan van kheo")) == "walk"
    assert agreements._pair_rows("kheo") is None
    assert _way_of(agreements.search("kheo")) == "walk"


def test_the_pairs_of_a_phrase_are_those_of_its_words():
    assert pairs_query("kheo") is None
    assert pairs_query("dan van kh") == "'dan_van' & 'van_kh':*"
    assert pairs_query("31-ctr/bdvtu") == "'31_ctr' & 'ctr_bdvtu':*"
    assert pairs_query(f"a {'b' * 150}") == f"'a_{'b' * 100}':*"


@postgresql_only
def test_a_word_of_any_length_is_indexed_and_found(db):
    # A lexeme may not exceed 2,047 bytes: the index cuts words at 100 characters.
    long_word = "x" * 5000
    agreement = _agreement(AgencyFactory(), items=0)
    ContentItemFactory(
        agreement=agreement, number=1, title="Tuyên truyền", description=f"mã {long_word} cũ"
    )
    _analyze()
    for query in (f"ma {long_word[:150]}", f"{long_word} cu"):
        found = Agreement.objects.search(query).values_list("pk", flat=True)
        assert list(found) == [agreement.pk]


def _admin():
    return UserFactory(is_staff=True, is_superuser=True)


@postgresql_only
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({}, "agreement_live_list_idx"),
        # A kind the data does not have: scanning the list in order and skipping
        # other kinds would cost more than the kind's index.
        ({"kind": "regulation"}, "agreement_live_kind_idx"),
        ({"agency": "first"}, "agreements_agreementparty_agency_id"),
        ({"status": "superseded"}, "agreement_live_supersedes_idx"),
        # Several indexes can serve the area's subquery; none may be missing.
        ({"area": "first"}, None),
    ],
)
def test_list_filters_can_use_their_indexes(many, params, index):
    params = dict(params)
    if params.get("agency") == "first":
        params["agency"] = many[0].pk
    if params.get("area") == "first":
        params["area"] = many[0].area_id
    filterset = AgreementFilterSet(
        QueryDict(urlencode(params)), queryset=selectors.agreement_list(user=_admin())
    )
    plan = _plan(filterset.qs[:25])
    assert "Seq Scan" not in plan, plan
    if index:
        assert index in plan, plan


@postgresql_only
def test_a_leaders_list_finds_the_area_through_the_party_index(many):
    # What the capped count asks (ids, no order). Nested loops off: walking the
    # agreements and looking each one's parties up is what a page of 25 does; a
    # count must find the area's parties in the index instead of joining agencies.
    # 2,000 agreements of other provinces make the area's 120 parties a small part
    # of the table, as one province is of the country (written in bulk, with the
    # area their save would copy).
    others = [AgencyFactory(area=AreaFactory()) for _ in range(20)]
    agreements = Agreement.objects.bulk_create(
        AgreementFactory.build(lead_agency=others[n % 20], number=f"{n}-CTr/KHAC")
        for n in range(2000)
    )
    AgreementParty.objects.bulk_create(
        AgreementParty(
            agreement=agreement,
            agency=agreement.lead_agency,
            agency_area_id=agreement.lead_agency.area_id,
            role=AgreementParty.Role.LEAD,
            name_as_signed=agreement.lead_agency.name,
        )
        for agreement in agreements
    )
    leader = ProfileFactory(agency=many[0], role=UserProfile.Role.LEADER).user
    ids = selectors.agreement_list(user=leader).order_by().values("pk")[:1001]
    plan = _plan(ids, enable_nestloop="off")
    assert "party_area_idx" in plan, plan
    assert "agreements_agency" not in plan, plan


def test_a_scope_by_parties_selects_the_agreements_with_such_a_party(many):
    # Scoped by area (a leader) or by agency (an editor): the agreements with a
    # party among them, each once, archived ones left out, on every database.
    other = _agreement(AgencyFactory(area=AreaFactory()), items=0)
    archived = _agreement(many[0], items=0)
    Agreement.objects.filter(pk=archived.pk).update(archived_at=datetime.datetime.now(datetime.UTC))
    leader = ProfileFactory(agency=many[0], role=UserProfile.Role.LEADER).user
    editor = ProfileFactory(agency=many[0], role=UserProfile.Role.EDITOR).user
    in_area = set(
        Agreement.objects.live()
        .filter(parties__agency__area=many[0].area)
        .values_list("pk", flat=True)
    )
    of_agency = set(
        Agreement.objects.live().filter(parties__agency=many[0]).values_list("pk", flat=True)
    )
    assert len(in_area) == 60 and 0 < len(of_agency) < 60
    for user, expected in ((leader, in_area), (editor, of_agency)):
        scoped = Agreement.objects.for_user(user)
        plans = set(scoped.filter(kind=Agreement.Kind.PLAN).values_list("pk", flat=True))
        assert 0 < len(plans) < len(expected)
        # Read in the list's order, and gathered whole (plain or narrowed further).
        for queryset, rows in (
            (scoped, expected),
            (scoped.gathered(), expected),
            (scoped.filter(kind=Agreement.Kind.PLAN).gathered(), plans),
        ):
            found = list(queryset.values_list("pk", flat=True))
            assert len(found) == len(set(found))
            assert set(found) == rows
            assert other.pk not in found and archived.pk not in found


@postgresql_only
def test_a_leaders_scope_reads_the_areas_parties_then_the_agreements_by_id(many):
    # id = ANY(ARRAY(the area's parties)): the parties from their index, the
    # agreements by id. Spelled EXISTS, PostgreSQL hashed every live agreement to
    # find a province's (national scale: 36-49 ms against 8-11).
    leader = ProfileFactory(agency=many[0], role=UserProfile.Role.LEADER).user
    scoped = Agreement.objects.for_user(leader)
    # In the list's order, EXISTS: a page or a search walks the list and stops early.
    assert "EXISTS" in str(scoped.query) and "ANY(ARRAY(" not in str(scoped.query)
    ids = scoped.gathered().order_by().values("pk")
    assert "= ANY(ARRAY(" in str(ids.query) and "EXISTS" not in str(ids.query)
    # Narrowed further, both: the array guides the plan, EXISTS stays as it was.
    narrowed = scoped.filter(kind=Agreement.Kind.PLAN).gathered()
    assert "= ANY(ARRAY(" in str(narrowed.query) and "EXISTS" in str(narrowed.query)
    plan = _plan(ids)
    assert "party_area_idx" in plan, plan
    # The parties once (an InitPlan), the agreements looked up by their ids.
    assert "InitPlan" in plan, plan
    assert re.search(r"Index Cond: \(id = ANY \(\$\d+\)\)", plan), plan
    assert "Hash" not in plan, plan


@postgresql_only
@pytest.mark.parametrize("way", WAYS)
def test_a_leaders_search_checks_only_the_agreements_of_the_area(many, monkeypatch, way):
    # The scope is a condition of the list, but PostgreSQL tests it after the
    # search's. Without the scope's hash tested first, every candidate of the
    # country had its parties and items checked ("dan van kheo", national scale:
    # 1 s, 130 ms with it), a walk looked up the parties of every agreement it
    # passed ("mat tran to quoc": 147 ms, 24 ms), and the rows holding a phrase's
    # pairs were all tested for the phrase ("doan thanh nien": 73 ms, 20-36 ms).
    _choose(monkeypatch, way)
    _analyze()
    leader = ProfileFactory(agency=many[0], role=UserProfile.Role.LEADER).user
    ids = selectors.agreement_list(user=leader, query="dan van kheo").values("pk")[:1001]
    assert _way_of(ids) == way
    plan = _plan(ids)
    bodies = dict(re.findall(r"SubPlan (\d+)\n(.*?)(?=SubPlan \d+\n|$)", plan, re.S))
    tested_first = [
        number
        for line in plan.splitlines()
        if "CASE WHEN" in line
        for number in re.findall(r"(?:WHEN|AND) \(hashed SubPlan (\d+)\)", line)
    ]
    assert any("agency_area_id" in bodies.get(number, "") for number in tested_first), plan


@postgresql_only
def test_period_choices_are_read_from_the_index(many):
    # Bitmap scans off: on 60 rows one would fetch the rows from any partial index.
    # Either live index answers alone (at national scale: agreement_live_period_idx).
    plan = _plan(periods(selectors.agreement_list(user=_admin())), enable_bitmapscan="off")
    assert re.search(r"Index Only Scan (Backward )?using agreement_live_(period|years)_idx", plan)
    assert "Seq Scan" not in plan and "Heap Scan" not in plan, plan


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_leaders_period_choices_are_read_from_the_years_index(many):
    # The area's agreements, their years from the covering index: at national scale
    # PostgreSQL otherwise read the whole table (94 ms against 24 ms). Vacuumed, as
    # the tables of a running database are: reading an index alone is planned as
    # cheap only for pages the visibility map knows are all visible.
    with connection.cursor() as cursor:
        for table in ("agreements_agreement", "agreements_agreementparty"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    leader = ProfileFactory(agency=many[0], role=UserProfile.Role.LEADER).user
    with transaction.atomic():  # for _plan's SET LOCAL
        plan = _plan(periods(selectors.agreement_list(user=leader)), enable_bitmapscan="off")
    assert "Index Only Scan using agreement_live_years_idx" in plan, plan


# --- suggestions for the agency and area boxes ---------------------------------------


def test_suggestions_need_a_login(client, db):
    response = client.get(_options_url("agency"), {"q": "ban"})
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_suggestions_for_an_unknown_field_are_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(_options_url("password")).status_code == 404


def _labels(client, field, text):
    response = client.get(_options_url(field), {"q": text})
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


def test_an_outsider_gets_no_suggestions(client, outsider, agency_a):
    _agreement(agency_a)
    client.force_login(outsider)
    assert _labels(client, "agency", "ban dan van") == []
    assert _labels(client, "area", "") == []


def test_an_editor_gets_only_agencies_and_areas_of_their_agreements(
    client, editor_a, agency_a, agency_b
):
    partner = AgencyFactory(name="Ủy ban MTTQ tỉnh Lai Châu", area=agency_a.area)
    _agreement(agency_a, partners=[partner])
    hidden = AgencyFactory(name="Ủy ban MTTQ tỉnh Nghệ An")
    _agreement(agency_b, partners=[hidden])
    client.force_login(editor_a)
    assert _labels(client, "agency", "uy ban mttq") == ["Ủy ban MTTQ tỉnh Lai Châu"]
    assert _labels(client, "agency", "ban dan van") == ["Ban Dân vận Tỉnh ủy Lai Châu"]
    assert _labels(client, "area", "") == [agency_a.area.name]


def test_an_admin_gets_every_agency_with_the_day_it_ended(client, admin_user):
    AgencyFactory(name="Ban Dân vận Tỉnh ủy Hà Giang", active_until=datetime.date(2025, 6, 30))
    client.force_login(admin_user)
    assert _labels(client, "agency", "ban dan van tinh uy ha giang") == [
        "Ban Dân vận Tỉnh ủy Hà Giang (đến 30/06/2025)"
    ]


def test_suggestions_query_count_is_the_same_for_3_and_30_agencies(client, leader, area):
    def add(count):
        for _ in range(count):
            _agreement(AgencyFactory(area=area), partners=[AgencyFactory(area=area)])

    client.force_login(leader)
    add(3)
    client.get(_options_url("agency"), {"q": "ban"})
    small, response = _queries(client, _options_url("agency"), {"q": "ban"})
    assert len(response.json()["results"]) == 6
    add(27)
    large, response = _queries(client, _options_url("agency"), {"q": "ban"})
    assert len(response.json()["results"]) == 20
    assert large == small


# --- the agency and area boxes without JavaScript ------------------------------------


def _titles(client, params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return sorted(a.title for a in response.context["object_list"]), response


def test_a_typed_agency_name_filters_through_the_lineage(client, admin_user):
    old = AgencyFactory(name="Ban Dân vận Tỉnh ủy Vĩnh Phúc")
    new = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Phú Thọ")
    AgencyChange.objects.create(predecessor=old, successor=new, kind=AgencyChange.Kind.MERGED)
    _agreement(old, title="trước sáp nhập")
    _agreement(new, title="sau sáp nhập")
    _agreement(AgencyFactory(), title="nơi khác")
    client.force_login(admin_user)
    titles, _response = _titles(client, {"agency_name": "ban tuyen giao va dan van"})
    assert titles == ["sau sáp nhập", "trước sáp nhập"]


def test_a_chosen_agency_shows_its_name_and_a_name_typed_over_it_wins(client, admin_user):
    first = AgencyFactory(name="Hội Nông dân tỉnh")
    second = AgencyFactory(name="Hội Cựu chiến binh tỉnh")
    _agreement(first, title="nông dân")
    _agreement(second, title="cựu chiến binh")
    client.force_login(admin_user)
    titles, response = _titles(client, {"agency": first.pk})
    assert titles == ["nông dân"]
    assert 'value="Hội Nông dân tỉnh"' in response.content.decode()
    titles, _response = _titles(client, {"agency": first.pk, "agency_name": "Hội Nông dân tỉnh"})
    assert titles == ["nông dân"]
    titles, _response = _titles(client, {"agency": first.pk, "agency_name": "cuu chien binh"})
    assert titles == ["cựu chiến binh"]


def test_a_typed_name_matching_nothing_or_too_much_is_reported_and_ignored(
    client, admin_user, monkeypatch
):
    monkeypatch.setattr("agreements.filters.NAME_MATCH_LIMIT", 1)
    _agreement(AgencyFactory(name="Hội Nông dân tỉnh"), title="một")
    _agreement(AgencyFactory(name="Hội Nông dân huyện"), title="hai")
    client.force_login(admin_user)
    titles, response = _titles(client, {"agency_name": "khong co ai"})
    assert titles == ["hai", "một"]
    assert "Không có tên nào chứa “khong co ai”." in response.content.decode()
    titles, response = _titles(client, {"agency_name": "hoi nong dan"})
    assert titles == ["hai", "một"]
    assert "Có hơn 1 tên chứa “hoi nong dan”" in response.content.decode()


def test_the_list_page_has_no_select_of_agencies_or_areas(client, admin_user):
    for _ in range(30):
        AgencyFactory()
    client.force_login(admin_user)
    body = client.get(LIST_URL).content.decode()
    assert '<select name="agency"' not in body
    assert '<select name="area"' not in body
    assert 'data-autocomplete="/agreements/filter-options/agency/"' in body
    assert "js/autocomplete" in body


# --- a list too long to count ---------------------------------------------------------


def test_a_long_list_says_more_than_the_cap_and_pages_forward(client, admin_user, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 30)
    agency = AgencyFactory()
    for _ in range(31 + 25):
        _agreement(agency, items=0)
    client.force_login(admin_user)
    response = client.get(LIST_URL)
    body = response.content.decode()
    assert "Hơn 30 văn bản" in body
    assert 'rel="next"' in body
    assert len(response.context["object_list"]) == 25
    last = client.get(LIST_URL, {"page": 3})
    assert len(last.context["object_list"]) == 6
    assert 'rel="next"' not in last.content.decode()
    assert client.get(LIST_URL, {"page": 4}).status_code == 404
    assert client.get(LIST_URL, {"page": "x"}).status_code == 404


def test_a_search_counts_to_its_own_cap_and_a_plain_list_to_the_lists(
    client, admin_user, monkeypatch
):
    # A search's matches are found one agreement at a time: it counts to 200, the
    # plain list (its count cached) to 1,000. Here 5 and 30.
    monkeypatch.setattr(CappedPaginator, "cap", 30)
    monkeypatch.setattr(CappedPaginator, "search_cap", 5)
    assert CappedPaginator.search_cap < CappedPaginator.cap
    agency = AgencyFactory()
    for n in range(8):
        _agreement(agency, items=0, title=f"Kế hoạch dân vận khéo số {n}")
    client.force_login(admin_user)
    plain = client.get(LIST_URL).content.decode()
    assert "Hơn 30 văn bản" not in plain
    assert "Hơn 5 văn bản" not in plain
    searched = client.get(LIST_URL, {"q": "dan van kheo"})
    assert "Hơn 5 văn bản" in searched.content.decode()
    assert len(searched.context["object_list"]) == 8


def test_the_search_cap_is_200():
    assert CappedPaginator.search_cap == 200
    assert CappedPaginator.cap == 1000


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("matches", [10, 31 + 25 + 4])
def test_a_searched_list_pages_as_before_and_reads_its_matches_once(
    client, admin_user, monkeypatch, matches, way
):
    """A search's matches are read once, in the list's order, for the count and the
    pages within the cap (the condition is the costly part: the matches were walked
    or gathered for the count and again for the page), whichever way PostgreSQL is
    asked; the rows and pages are those of the list read directly, within the cap
    and beyond it."""
    if way != "walk" and connection.vendor != "postgresql":
        pytest.skip("the word-pair indexes are PostgreSQL's")
    monkeypatch.setattr(CappedPaginator, "search_cap", 30)
    _choose(monkeypatch, way)
    agency = AgencyFactory()
    for n in range(matches):
        _agreement(agency, items=1 if n % 2 else 0, title=f"Kế hoạch dân vận khéo số {n}")
    for n in range(5):
        _agreement(agency, items=0, title=f"Kế hoạch khác số {n}")
    if connection.vendor == "postgresql":
        _analyze()
    searched = selectors.agreement_list(user=admin_user).search("dan van kheo")
    if connection.vendor == "postgresql":
        assert _way_of(searched) == way
    assert searched.searched and searched.filter(kind="plan").searched
    assert not selectors.agreement_list(user=admin_user).searched
    expected = [a.title for a in searched]
    assert len(expected) == matches
    client.force_login(admin_user)
    pages = -(-matches // 25)
    seen = []
    for page in range(1, pages + 1):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST_URL, {"q": "dân vận khéo", "page": page})
        assert response.status_code == 200
        rows = [a.title for a in response.context["object_list"]]
        assert rows == expected[(page - 1) * 25 : page * 25]
        seen += rows
        # The agency names matched are looked up first, once, as before.
        searching = [
            q
            for q in captured.captured_queries
            if "dan van kheo" in q["sql"] and 'FROM "agreements_agreement"' in q["sql"]
        ]
        if page * 25 <= CappedPaginator.search_cap:
            assert len(searching) == 1, [q["sql"][:200] for q in searching]
    assert seen == expected
    assert client.get(LIST_URL, {"q": "dân vận khéo", "page": pages + 1}).status_code == 404


@postgresql_only
def test_the_admins_agency_list_reads_its_first_page_in_order_from_an_index(many):
    # The changelist's order: Agency.Meta.ordering (name), then "-pk" added by the
    # admin. Without the index, every page sorted every agency (42,000 nationally).
    from django.contrib import admin as django_admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/agreements/agency/")
    request.user = _admin()
    changelist = django_admin.site.get_model_admin(Agency).get_changelist_instance(request)
    # Five agencies are sorted faster than read in order: sorting is made the last
    # resort, as it is for 42,000 rows, so the plan shows that the index can serve.
    plan = _plan(changelist.get_queryset(request)[:100], enable_sort="off")
    assert "agency_name_idx" in plan, plan
    assert "Sort" not in plan.split("agency_name_idx")[0], plan
