"""The summary tables (reports.models) give exactly what counting the rows gives:
after every kind of write, after a rebuild, for every day of the years they cover;
marks cost a fixed number of queries; bulk loads are noticed."""

import datetime
import io

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import (
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
    UserProfile,
)
from reports import services as summaries
from reports.models import (
    AgreementSummary,
    ObligationSummary,
    OpenActivity,
    PendingSummary,
    SummaryState,
)
from reports.selectors import dashboard as dashboard_selectors
from reports.selectors import tables as table_selectors
from reports.selectors.obligations import review_obligations, stored_obligations
from reports.selectors.scope import Scope
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    ContentItemFactory,
    IndicatorFactory,
    ProfileFactory,
    ReviewFactory,
)

TODAY = timezone.localdate()
Y = TODAY.year
D = datetime.date


def _agreement(lead, *partners, **fields):
    defaults = {
        "signed_on": D(Y - 2, 3, 1),
        "start_year": Y - 2,
        "end_year": Y + 2,
        "annual_review_required": True,
        "meeting_frequency": "quarterly",
    }
    agreement = AgreementFactory(lead_agency=lead, **{**defaults, **fields})
    AgreementPartyFactory(agreement=agreement, agency=lead, role=AgreementParty.Role.LEAD)
    for partner in partners:
        AgreementPartyFactory(agreement=agreement, agency=partner)
    return agreement


@pytest.fixture
def world(area, agency_a):
    """Agreements of every kind and state, with items, reviews, plans and figures."""
    front = AgencyFactory(name="Ủy ban MTTQ tỉnh", area=area)
    old = _agreement(agency_a, front, start_year=Y - 7, end_year=Y - 2, signed_on=D(Y - 7, 2, 1))
    program = _agreement(agency_a, front, supersedes=old, midterm_review_year=Y - 1)
    regulation = _agreement(
        front, agency_a, kind="regulation", end_year=None, meeting_frequency="monthly"
    )
    plan = _agreement(agency_a, kind="plan", start_year=Y, end_year=Y, signed_on=D(Y, 1, 10))
    expired = _agreement(agency_a, start_year=Y - 5, end_year=Y - 1, signed_on=D(Y - 5, 1, 1))
    draft = _agreement(agency_a, lifecycle="draft")
    items = [ContentItemFactory(agreement=program, number=n) for n in (1, 2, 3)]
    review = ReviewFactory(
        agreement=program,
        status=Review.Status.SUBMITTED,
        held_on=D(Y - 1, 12, 10),
        period_from=D(Y - 1, 1, 1),
        period_to=D(Y - 1, 12, 31),
    )
    ItemAssessment.objects.create(review=review, content_item=items[0], progress="done")
    ItemAssessment.objects.create(review=review, content_item=items[1], progress="behind")
    ReviewFactory(agreement=regulation, kind="liaison", held_on=D(Y, 2, 3))
    yearly = AnnualPlan.objects.create(agreement=program, year=Y)
    PlanActivity.objects.create(plan=yearly, activity="Hội nghị", deadline=D(Y, 1, 31))
    PlanActivity.objects.create(
        plan=yearly, activity="Tập huấn", deadline=TODAY + datetime.timedelta(30)
    )
    dialogues = IndicatorFactory(unit="cuộc")
    IndicatorValue.objects.create(
        indicator=dialogues, agreement=program, year=Y - 1, agency=agency_a, value=12
    )
    admin = ProfileFactory(agency=None, role=UserProfile.Role.ADMIN).user
    return {
        "front": front,
        "old": old,
        "program": program,
        "regulation": regulation,
        "plan": plan,
        "expired": expired,
        "draft": draft,
        "items": items,
        "review": review,
        "dialogues": dialogues,
        "admin": admin,
    }


def _dashboards(monkeypatch, agreements, on=TODAY):
    """The dashboard's figures from the summaries, and counted from the rows."""
    summaries.summaries_refresh()
    assert summaries.summaries_ready(on=on) is not None
    from_summaries = dashboard_selectors._from_summaries(
        scope=Scope.of(agreements), on=on, filters={}
    )
    from_rows = dashboard_selectors._from_rows(agreements=agreements, on=on, filters={})
    return from_summaries, from_rows


def assert_same_figures(monkeypatch, agreements=None, on=TODAY):
    agreements = agreements if agreements is not None else Agreement.objects.live()
    from_summaries, from_rows = _dashboards(monkeypatch, agreements, on)
    assert from_summaries.keys() == from_rows.keys()
    for key in from_rows:
        assert from_summaries[key] == from_rows[key], key
    return from_summaries


def assert_same_reports(monkeypatch, user):
    """The term summary and the agency report with and without the summaries."""
    filters = {"term": ""}
    with_summaries = table_selectors.term_summary(user=user, filters=filters)
    monkeypatch.setattr(table_selectors, "summaries_ready", lambda **kwargs: None)
    from_rows = table_selectors.term_summary(user=user, filters=filters)
    monkeypatch.undo()
    assert with_summaries["totals"] == from_rows["totals"]
    assert [_comparable(r) for r in with_summaries["rows"]] == [
        _comparable(r) for r in from_rows["rows"]
    ]
    for agency in {a.lead_agency for a in Agreement.objects.select_related("lead_agency")}:
        for limit in (None, 2):
            asked = {"agency": str(agency.pk)}
            with_summaries = table_selectors.agency_report(user=user, filters=asked, limit=limit)
            monkeypatch.setattr(table_selectors, "summaries_ready", lambda **kwargs: None)
            from_rows = table_selectors.agency_report(user=user, filters=asked, limit=limit)
            monkeypatch.undo()
            for key in ("agreements_count", "owed_count"):
                assert with_summaries[key] == from_rows[key], key
            assert [_comparable(r) for r in with_summaries["agreements"]] == [
                _comparable(r) for r in from_rows["agreements"]
            ]
            assert with_summaries["owed"] == from_rows["owed"]


def _comparable(row):
    return {key: value for key, value in row.items() if key != "agreement"} | {
        "agreement": row["agreement"].pk
    }


# --- Every kind of write -------------------------------------------------------------


def test_the_summaries_of_the_world_match_the_rows(monkeypatch, world):
    figures = assert_same_figures(monkeypatch)

    assert figures["in_force"]["total"] == 3
    assert figures["overdue_count"] > 0
    assert_same_reports(monkeypatch, world["admin"])


def test_creating_and_editing_an_agreement_through_the_service(monkeypatch, world, agency_a):
    user = world["admin"]
    new = Agreement(
        kind="program",
        title="Chương trình phối hợp mới",
        signed_on=D(Y - 1, 5, 1),
        start_year=Y - 1,
        end_year=Y + 3,
        meeting_frequency="six_monthly",
        midterm_review_year=Y,
    )
    parties = [services.PartyData(agency=agency_a, role="lead", name_as_signed=agency_a.name)]
    services.agreement_save(agreement=new, user=user, parties=parties, items=[{"title": "Một"}])
    assert_same_figures(monkeypatch)

    new.effective_until = TODAY - datetime.timedelta(1)
    services.agreement_save(agreement=new, user=user, expected_version=new.version)
    figures = assert_same_figures(monkeypatch)
    assert new not in figures["expiring"] or new.effective_until.year == Y
    assert_same_reports(monkeypatch, user)


def test_archiving_and_restoring_an_agreement(monkeypatch, world):
    user = world["admin"]
    before = assert_same_figures(monkeypatch)["in_force"]["total"]

    program = world["program"]
    services.agreement_archive(agreement=program, user=user, expected_version=program.version)
    assert assert_same_figures(monkeypatch)["in_force"]["total"] == before - 1
    # The superseded term is no longer superseded by a live agreement.
    assert AgreementSummary.objects.get(pk=world["old"].pk).superseded_on is None

    services.agreement_restore(agreement=program, user=user)
    assert assert_same_figures(monkeypatch)["in_force"]["total"] == before
    assert_same_reports(monkeypatch, user)


def test_superseding_an_agreement_with_a_new_signed_one(monkeypatch, world, agency_a):
    _agreement(agency_a, supersedes=world["regulation"], signed_on=D(Y, 6, 1))

    figures = assert_same_figures(monkeypatch)

    assert world["regulation"].pk not in {o.agreement.pk for o in figures["overdue"]}


@pytest.mark.parametrize("step", ["submit", "approve", "return"])
def test_submitting_approving_and_returning_a_review(monkeypatch, world, step):
    user = world["admin"]
    review = Review(
        agreement=world["regulation"],
        kind="annual",
        held_on=D(Y, 1, 20),
        period_from=D(Y - 1, 1, 1),
        period_to=D(Y - 1, 12, 31),
    )
    services.review_save(review=review, user=user)
    assert_same_figures(monkeypatch)

    services.review_submit(review=review, user=user, expected_version=review.version)
    assert_same_figures(monkeypatch)
    if step == "approve":
        services.review_approve(review=review, user=user, expected_version=review.version)
    elif step == "return":
        services.review_return(
            review=review, user=user, expected_version=review.version, reason="Bổ sung"
        )
    assert_same_figures(monkeypatch)
    assert_same_reports(monkeypatch, user)


def test_assessing_items_moves_the_progress(monkeypatch, world):
    later = ReviewFactory(agreement=world["program"], held_on=D(Y, 6, 1))
    ItemAssessment.objects.create(review=later, content_item=world["items"][0], progress="behind")
    ItemAssessment.objects.create(
        review=later, content_item=world["items"][2], progress="in_progress"
    )

    figures = assert_same_figures(monkeypatch)

    counts = {row["code"]: row["count"] for row in figures["progress"]["rows"]}
    assert counts["behind"] == 2
    assert counts["in_progress"] == 1


def test_plan_activities_done_and_added(monkeypatch, world):
    user = world["admin"]
    activity = PlanActivity.objects.get(activity="Hội nghị")
    assert assert_same_figures(monkeypatch)["late_activities"]["count"] == 1

    services.plan_activity_mark_done(activity=activity, user=user, done_on=TODAY)
    assert assert_same_figures(monkeypatch)["late_activities"]["count"] == 0

    plan = AnnualPlan.objects.create(agreement=world["regulation"], year=Y)
    PlanActivity.objects.create(plan=plan, activity="Giao ban", deadline=D(Y, 2, 1))
    assert assert_same_figures(monkeypatch)["late_activities"]["count"] == 1


def test_a_merger_of_a_signing_agency(monkeypatch, world, agency_a):
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận")
    assert assert_same_figures(monkeypatch)["orphaned"]["count"] == 0

    AgencyChange.objects.create(
        predecessor=agency_a, successor=merged, kind="merged", changed_on=D(Y - 1, 3, 1)
    )

    figures = assert_same_figures(monkeypatch)
    assert figures["orphaned"]["count"] > 0
    assert {o.responsible for o in figures["overdue"] if o.agreement.lead_agency == agency_a} == {
        merged
    }


def test_a_change_dated_later_counts_from_its_day(monkeypatch, world, agency_a):
    AgencyChange.objects.create(
        predecessor=world["front"], kind="ended", changed_on=TODAY + datetime.timedelta(10)
    )

    assert assert_same_figures(monkeypatch)["orphaned"]["count"] == 0
    later = TODAY + datetime.timedelta(10)
    if later.year == Y:
        assert assert_same_figures(monkeypatch, on=later)["orphaned"]["count"] > 0


def test_indicator_values_added_through_a_review_show_at_once(client, monkeypatch, world):
    client.force_login(world["admin"])
    before = client.get("/").context["indicators"]

    review = Review(agreement=world["program"], kind="annual", held_on=D(Y, 1, 5))
    value = IndicatorValue(
        indicator=world["dialogues"], year=Y - 1, area=world["front"].area, value=30
    )
    services.review_save(review=review, user=world["admin"], indicator_values=[value])
    after = client.get("/").context["indicators"]

    def total(trends):
        [trend] = trends
        return {p["year"]: p["row"]["value"] if p["row"] else None for p in trend["points"]}

    assert total(before)[Y - 1] == 12
    assert total(after)[Y - 1] == 42


def test_a_page_read_twice_without_a_write_is_answered_from_its_snapshot(
    client, world, django_assert_max_num_queries
):
    def figures(response):
        page = response.content.decode()
        return page[page.index('<div class="dashboard">') : page.index("</main>")]

    client.force_login(world["admin"])
    first = client.get("/")
    with django_assert_max_num_queries(12):
        again = client.get("/")

    assert figures(again) == figures(first)
    ReviewFactory(agreement=world["plan"], status=Review.Status.SUBMITTED)
    assert client.get("/").context["awaiting_count"] == first.context["awaiting_count"] + 1


# --- Obligations for every day ---------------------------------------------------------


def test_stored_obligations_are_those_the_rules_give_on_every_day_they_cover(world):
    summaries.summaries_refresh()
    state = SummaryState.objects.get()
    agreements = Agreement.objects.all()
    day = D(state.years_from, 1, 1)
    checked = 0
    while day <= D(state.years_to, 12, 31):
        stored = (
            ObligationSummary.objects.owed(day)
            .select_related("summary__agreement__lead_agency")
            .in_order()
        )
        assert stored_obligations(stored, on=day) == review_obligations(
            agreements=agreements, on=day
        ), day
        day += datetime.timedelta(days=11)
        checked += 1
    assert checked > 60


def test_obligations_never_listed_in_the_stored_years_are_not_stored(world):
    """The agreement superseded two years ago owes reviews by the rules, but no day of
    the stored years lists them: they are not stored (the overdue list walked such
    rows first), nor the open plan activities of agreements ended before those years.
    Every stored obligation carries its agreement's status dates."""
    old = world["old"]
    for ended in (old, world["expired"]):
        plan = AnnualPlan.objects.create(agreement=ended, year=Y - 3)
        PlanActivity.objects.create(plan=plan, activity="Tọa đàm", deadline=D(Y - 3, 6, 30))
    summaries.summaries_refresh()
    state = SummaryState.objects.get()
    # Their late plan activities neither: they cannot be in force on any day.
    assert set(OpenActivity.objects.values_list("summary_id", flat=True)) == {world["program"].pk}
    owed_by_rules = review_obligations(
        agreements=Agreement.objects.filter(pk=old.pk), on=D(Y - 3, 12, 31)
    )
    assert owed_by_rules, "the superseded agreement owed reviews while it was in force"
    assert state.years_from == Y
    assert not ObligationSummary.objects.filter(summary_id=old.pk).exists()
    assert ObligationSummary.objects.filter(summary_id=world["program"].pk).exists()
    rows = ObligationSummary.objects.select_related("summary")
    assert rows
    for row in rows:
        summary = row.summary
        assert (row.superseded_on, row.effective_until, row.end_year) == (
            summary.superseded_on,
            summary.effective_until,
            summary.end_year,
        )


def test_the_migration_copies_the_status_dates_of_stored_obligations(world):
    import importlib

    migration = importlib.import_module("reports.migrations.0003_obligation_status_dates")
    summaries.summaries_refresh()
    program = world["program"]
    AgreementSummary.objects.filter(pk=program.pk).update(
        superseded_on=D(Y, 6, 1), effective_until=D(Y + 1, 5, 31), end_year=Y + 1
    )
    ObligationSummary.objects.update(superseded_on=None, effective_until=None, end_year=None)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.copy_dates(None, editor)
    assert set(
        ObligationSummary.objects.filter(summary_id=program.pk).values_list(
            "superseded_on", "effective_until", "end_year"
        )
    ) == {(D(Y, 6, 1), D(Y + 1, 5, 31), Y + 1)}
    others = ObligationSummary.objects.exclude(summary_id=program.pk).select_related("summary")
    for row in others:
        assert row.end_year == row.summary.end_year


def test_the_summary_carries_the_agreements_number_and_the_migration_copies_it(world):
    import importlib

    summaries.summaries_refresh()
    program = world["program"]
    program.number = "45-CTr/BDVTU"
    services.agreement_save(
        agreement=program, user=world["admin"], expected_version=program.version
    )
    summaries.summaries_refresh()
    assert AgreementSummary.objects.get(pk=program.pk).number == "45-CTr/BDVTU"

    migration = importlib.import_module("reports.migrations.0004_summary_number")
    AgreementSummary.objects.update(number="")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.copy_numbers(django_apps, editor)
    for summary in AgreementSummary.objects.select_related("agreement"):
        assert summary.number == summary.agreement.number


# --- Rebuild, marks, bulk loads ------------------------------------------------------------


OBLIGATION_FIELDS = [
    field.attname for field in ObligationSummary._meta.concrete_fields if field.attname != "id"
]


def _tables():
    return (
        sorted(AgreementSummary.objects.values_list()),
        sorted(ObligationSummary.objects.values_list(*OBLIGATION_FIELDS)),
        sorted(OpenActivity.objects.values_list()),
    )


def test_a_rebuild_gives_the_same_tables_as_the_marks(world, agency_a):
    services.agreement_archive(
        agreement=world["plan"], user=world["admin"], expected_version=world["plan"].version
    )
    AgencyChange.objects.create(predecessor=agency_a, kind="ended", changed_on=D(Y - 1, 7, 1))
    summaries.summaries_refresh()
    state = SummaryState.objects.get()
    incremental = _tables()

    summaries.summaries_rebuild(on=D(state.years_from, 6, 1))

    assert _tables() == incremental
    assert incremental[0] and incremental[1] and incremental[2]


def test_the_command_rebuilds_everything(world):
    AgreementSummary.objects.all().delete()
    out = io.StringIO()

    call_command("refresh_report_summaries", stdout=out)

    assert AgreementSummary.objects.count() == Agreement.objects.count()
    assert SummaryState.objects.get().complete
    assert "Đã tính lại bảng tổng hợp" in out.getvalue()


def test_a_refresh_runs_a_fixed_number_of_queries(
    agency_a, django_assert_max_num_queries, django_assert_num_queries
):
    def grow(count):
        for n in range(count):
            agreement = _agreement(agency_a, signed_on=D(Y - 1, 1, 1 + n))
            ContentItemFactory(agreement=agreement, number=1)
            ReviewFactory(agreement=agreement, kind="liaison", held_on=D(Y, 1, 1 + n))

    grow(2)
    # On PostgreSQL one more: the advisory lock that serialises refreshes. Three for
    # the provinces' generations (the parties' areas, their roots, the increment).
    with django_assert_max_num_queries(24) as small:
        summaries.summaries_refresh()
    grow(20)
    with django_assert_num_queries(len(small.captured_queries)):
        summaries.summaries_refresh()


def test_agreements_loaded_behind_the_summaries_back_are_noticed(world, agency_a):
    summaries.summaries_refresh()
    assert summaries.summaries_ready(on=TODAY) is not None
    top = Agreement.objects.aggregate(top=Max("pk"))["top"]

    Agreement.objects.bulk_create(
        [Agreement(pk=top + 1, kind="plan", title="Nạp hàng loạt", lead_agency=agency_a)]
    )

    assert summaries.summaries_ready(on=TODAY) is None


def test_a_day_outside_the_stored_years_is_counted_from_the_rows(world):
    state = SummaryState.objects.get()

    assert summaries.summaries_ready(on=D(state.years_to + 1, 1, 1)) is None
    assert summaries.summaries_ready(on=D(state.years_from, 1, 1)) is not None


def test_the_scope_of_an_admin_is_every_live_agreement(world):
    summaries.summaries_refresh()
    scope = Scope.of(Agreement.objects.live())

    assert scope.ids is None
    assert set(scope.summaries().values_list("pk", flat=True)) == set(
        Agreement.objects.live().values_list("pk", flat=True)
    )
    narrowed = Scope.of(Agreement.objects.filter(kind="plan"))
    assert set(narrowed.summaries().values_list("pk", flat=True)) == set(
        Agreement.objects.filter(kind="plan").values_list("pk", flat=True)
    )


def test_reviews_awaiting_approval_leave_out_archived_agreements_in_every_scope(world, agency_a):
    """The whole country's reviews awaiting approval are read as "not of an archived
    agreement" (Scope.filter_few), a leader's through the scope's ids: the same
    reviews as the join with the live agreements."""
    waiting = ReviewFactory(agreement=world["program"], status="submitted")
    archived = _agreement(agency_a)
    left_out = ReviewFactory(agreement=archived, status="submitted")
    Agreement.objects.filter(pk=archived.pk).update(archived_at=timezone.now())
    expected = list(
        Review.objects.filter(status="submitted", agreement__archived_at__isnull=True).order_by(
            "submitted_at", "pk"
        )
    )
    assert waiting in expected and left_out not in expected
    for agreements in (Agreement.objects.live(), Agreement.objects.live().filter(kind="program")):
        scope = Scope.of(agreements)
        found = dashboard_selectors.awaiting_approval(scope=scope)
        assert (found["rows"], found["count"]) == (expected, len(expected))
    whole = Scope.of(Agreement.objects.live()).filter_few(Review.objects.order_by())
    assert "JOIN" not in str(whole.query)


def test_a_scope_read_as_ids_narrows_every_table_to_them(world, agency_a):
    """A leader's scope is read once as ids and passed to each query: on
    PostgreSQL as one array constant (`= ANY(…)`, whose length the planner knows),
    elsewhere as a JSON list. The rows are those of the agreements themselves."""
    summaries.summaries_refresh()
    leader = ProfileFactory(agency=agency_a, role=UserProfile.Role.LEADER).user
    agreements = Agreement.objects.for_user(leader)
    expected = set(agreements.values_list("pk", flat=True))
    assert expected
    scope = Scope.of(agreements)
    assert scope.size == len(expected)
    assert set(scope.summaries().values_list("pk", flat=True)) == expected
    reviews = scope.filter(Review.objects.all())
    assert set(reviews.values_list("agreement_id", flat=True)) == set(
        Review.objects.filter(agreement__in=expected).values_list("agreement_id", flat=True)
    )
    owed = scope.filter(ObligationSummary.objects.all(), "summary")
    assert set(owed.values_list("summary_id", flat=True)) <= expected
    spelled = "= ANY(" if connection.vendor == "postgresql" else "json_each"
    for queryset in (scope.summaries(), reviews, owed):
        assert spelled in str(queryset.query)


def test_the_whole_countrys_owed_obligations_are_read_from_one_table(world):
    owed = Scope.of(Agreement.objects.live()).filter(ObligationSummary.objects.all(), "summary")
    sql = str(owed.owed(TODAY).query)
    assert "reports_agreementsummary" not in sql and "JOIN" not in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
def test_the_whole_countrys_reviews_awaiting_approval_are_counted_from_two_small_indexes(world):
    submitted = Scope.of(Agreement.objects.live()).filter_few(
        Review.objects.filter(status="submitted")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = submitted.order_by().values("pk").explain()
    assert "review_submitted_idx" in plan
    assert "agreement_archived_idx" in plan


def test_a_lineage_change_moved_to_another_agency_updates_both(monkeypatch, world, agency_a):
    change = AgencyChange.objects.create(
        predecessor=agency_a, kind="ended", changed_on=D(Y - 1, 7, 1)
    )
    assert assert_same_figures(monkeypatch)["orphaned"]["count"] > 0

    change.predecessor = AgencyFactory(name="Cơ quan không ký văn bản nào")
    change.save()

    assert assert_same_figures(monkeypatch)["orphaned"]["count"] == 0


# --- Queries on the summary path, at two sizes ---------------------------------------


def _grow(lead, partner, count, dialogues):
    for n in range(count):
        agreement = _agreement(lead, partner, signed_on=D(Y - 2, 1 + n % 12, 1 + n % 28))
        item = ContentItemFactory(agreement=agreement, number=1)
        review = ReviewFactory(agreement=agreement, status="submitted", held_on=D(Y - 1, 12, 1))
        ItemAssessment.objects.create(review=review, content_item=item, progress="done")
        plan = AnnualPlan.objects.create(agreement=agreement, year=Y)
        PlanActivity.objects.create(
            plan=plan, activity="Giao ban", deadline=D(Y, 1, 1 + n % 28), responsible_agency=lead
        )
        IndicatorValue.objects.create(
            indicator=dialogues, agreement=agreement, year=Y - 1 - n % 3, agency=lead, value=n
        )


@pytest.mark.parametrize(
    "path", ["/", "/reports/term-summary/?term=", "/reports/indicators/", "/reports/agencies/"]
)
def test_pages_read_from_the_summaries_in_as_many_queries_for_3_as_for_30_agreements(
    client, area, agency_a, path, django_assert_num_queries, django_assert_max_num_queries
):
    partner = AgencyFactory(area=area)
    dialogues = IndicatorFactory()
    leader = ProfileFactory(agency=agency_a, role=UserProfile.Role.LEADER).user
    client.force_login(leader)
    # The first request of a session renews its idle timeout (a session write); do
    # it now so that every measured request below counts the same queries.
    client.get(reverse("agreements:agreement_list"))
    _grow(agency_a, partner, 3, dialogues)
    summaries.summaries_refresh()
    assert summaries.summaries_ready(on=TODAY) is not None
    # Computed (the first view after a write), then answered from the snapshot. The
    # cache emptied before each computed view: what page views remember until the
    # areas or the catalogue change (a new figure does not) is asked each time.
    cache.clear()
    with django_assert_max_num_queries(50) as cold:
        assert client.get(path).status_code == 200
    with django_assert_max_num_queries(20) as warm:
        client.get(path)

    _grow(agency_a, partner, 27, dialogues)
    summaries.summaries_refresh()
    cache.clear()
    with django_assert_num_queries(len(cold.captured_queries)):
        client.get(path)
    with django_assert_num_queries(len(warm.captured_queries)):
        client.get(path)


def test_lead_agencies_with_as_many_agreements_rank_the_same_way_on_both_paths(monkeypatch, area):
    for name in ["Đảng ủy xã", "ban Dân vận", "Ánh Dương", "Ban Dân vận", "Zeta", "Ủy ban"] * 2:
        _agreement(AgencyFactory(name=name, area=area), meeting_frequency="")

    figures = assert_same_figures(monkeypatch)

    assert len(figures["in_force"]["by_lead_agency"]) == 10


def test_a_write_marks_in_its_transaction_and_recomputes_after_it_commits(
    world, agency_a, django_capture_on_commit_callbacks
):
    """Recomputing inside the write's transaction deadlocked two concurrent writers on
    PostgreSQL (the write holds the state row, the refresh waits for it under the
    refresh lock); the refresh now runs once the write has committed."""
    from reports.models import PendingSummary

    new = Agreement(
        kind="program",
        title="Chương trình phối hợp mới",
        signed_on=D(Y - 1, 5, 1),
        start_year=Y - 1,
        end_year=Y + 3,
    )
    parties = [services.PartyData(agency=agency_a, role="lead", name_as_signed=agency_a.name)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.agreement_save(agreement=new, user=world["admin"], parties=parties)
    assert PendingSummary.objects.filter(agreement_id=new.pk).exists()
    assert not AgreementSummary.objects.filter(pk=new.pk).exists()

    for callback in callbacks:
        callback()

    assert not PendingSummary.objects.exists()
    assert AgreementSummary.objects.filter(pk=new.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics of PostgreSQL")
def test_a_rebuild_leaves_fresh_planner_statistics(world):
    # Autovacuum may be off or late: without ANALYZE the planner takes the rebuilt
    # tables for empty and plans the dashboard's first view after a write for 27
    # rows instead of 150,000 (seconds instead of milliseconds at national scale).
    summaries.summaries_rebuild(on=TODAY)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('reports_agreementsummary', 'reports_obligationsummary', 'reports_openactivity')"
        )
        estimates = dict(cursor.fetchall())
    assert estimates["reports_agreementsummary"] == AgreementSummary.objects.count()
    assert estimates["reports_obligationsummary"] == ObligationSummary.objects.count()
    assert estimates["reports_openactivity"] == OpenActivity.objects.count()


@pytest.mark.django_db
def test_the_settled_generation_is_none_while_a_write_waits_for_its_summaries():
    def by_the_orm():
        from django.db.models import Exists

        return (
            SummaryState.objects.filter(~Exists(PendingSummary.objects.all()))
            .order_by("pk")
            .values_list("generation", flat=True)
            .first()
        )

    SummaryState.objects.all().delete()
    assert summaries.settled_generation() is None
    SummaryState.objects.create(complete=True, generation=41)
    assert summaries.settled_generation() == 41 == by_the_orm()
    summaries.summaries_mark(agreement_ids=[AgreementFactory().pk])
    assert summaries.settled_generation() is None
    assert by_the_orm() is None
    summaries.summaries_refresh()
    assert summaries.settled_generation() == by_the_orm() is not None
