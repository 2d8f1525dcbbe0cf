"""Fewer round trips for a page computed after a write (issue 5): the summary state
read once per page view, a snapshot stored in one statement, a page's counts asked
together. Each gives what the separate queries gave."""

import datetime
import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements.filters import remembered_periods
from agreements.models import Agency, AgencyChange, Agreement, Area, Review
from reports import services as summaries
from reports import snapshots
from reports.models import PendingIndicatorTotal, ReportSnapshot, SummaryState
from reports.querysets import among_firsts, count_each
from reports.selectors.indicators import _indicators
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    IndicatorFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def _state_queries(captured):
    return [q for q in captured.captured_queries if 'FROM "reports_summarystate" state' in q["sql"]]


# --- The summary state, read once per page view ---------------------------------------


def test_the_state_comes_with_what_the_pages_check_beside_it():
    SummaryState.objects.all().delete()
    assert summaries.read_state() is None
    first = AgreementFactory()
    SummaryState.objects.create(complete=True, generation=7, indicator_generation=3)
    current = summaries.read_state()
    assert (current.generation, current.indicator_generation) == (7, 3)
    assert current.top == first.pk
    assert current.pending  # the new agreement's summary waits (reports.signals)
    assert not current.indicators_pending
    summaries.summaries_refresh()
    PendingIndicatorTotal.objects.create(indicator_id=1, year=2025)
    current = summaries.read_state()
    assert not current.pending and current.indicators_pending
    assert current.summarised == first.pk


def test_outside_a_page_view_every_question_reads_the_state_afresh():
    SummaryState.objects.create(complete=True, generation=7)
    with CaptureQueriesContext(connection) as captured:
        summaries.settled_generation()
        summaries.indicator_generation()
    assert len(_state_queries(captured)) == 2


def test_within_a_page_view_the_state_is_read_once_and_afresh_after_a_refresh():
    SummaryState.objects.all().delete()
    SummaryState.objects.create(complete=True, generation=7, years_from=2000, years_to=2100)
    AgreementFactory()  # marked: summaries_ready refreshes, which moves the generation on
    with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
        assert summaries.settled_generation() is None  # a write waits
        ready = summaries.summaries_ready(on=timezone.localdate())
        assert ready is not None and ready.generation > 7
        assert summaries.settled_generation() == ready.generation
        assert summaries.indicator_generation() == ready.indicator_generation
    # Once before the refresh, once after it: not once per question.
    assert len(_state_queries(captured)) == 2
    # The memory ends with the page view.
    with CaptureQueriesContext(connection) as captured:
        summaries.settled_generation()
    assert len(_state_queries(captured)) == 1


def test_a_signed_in_page_reads_the_state_with_its_session(client, admin_user):
    summaries.summaries_rebuild()
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reports:term_summary")).status_code == 200
    (state,) = _state_queries(captured)
    assert '"session_key"' in state["sql"]  # one query for both
    assert summaries._request_state.get() is None


def test_the_state_read_with_the_session_is_the_state_read_alone(client, admin_user):
    summaries.summaries_rebuild()
    summaries.areas_changed(area_ids=[AreaFactory().pk, AreaFactory().pk])
    AgreementFactory()  # a write waits: the flags are read too
    alone = summaries.read_state()
    assert len(alone.area_generations) == 2
    client.force_login(admin_user)
    seen = []
    original = summaries.StateRider.received

    def received(self, connection, values):
        original(self, connection, values)
        seen.append(summaries._request_state.get()["state"])

    from unittest import mock

    with mock.patch.object(summaries.StateRider, "received", received):
        client.get(reverse("agreements:agreement_list"))
    (with_session,) = seen
    fields = [field.attname for field in SummaryState._meta.concrete_fields]
    flags = ["pending", "indicators_pending", "top", "summarised", "area_generations"]
    assert [getattr(with_session, name) for name in fields + flags] == [
        getattr(alone, name) for name in fields + flags
    ]
    assert with_session.pending and isinstance(with_session.complete, bool)


# --- A snapshot stored in one statement ---------------------------------------------


def test_a_newer_generations_answer_replaces_the_older_one_in_one_statement():
    calls = []

    def compute(value):
        def run():
            calls.append(value)
            return value

        return run

    assert snapshots.remembered(key="k", generation=1, compute=compute("one")) == "one"
    assert snapshots.remembered(key="k", generation=1, compute=compute("again")) == "one"
    with CaptureQueriesContext(connection) as captured:
        assert snapshots.remembered(key="k", generation=2, compute=compute("two")) == "two"
    writes = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT")
    stored = ReportSnapshot.objects.get(key="k")
    assert (stored.generation, pickle.loads(bytes(stored.payload))) == (2, "two")
    assert calls == ["one", "two"]


@pytest.mark.django_db(transaction=True)
def test_an_answer_is_stored_in_one_round_trip_outside_any_transaction():
    # In autocommit, as a page view runs: no BEGIN and COMMIT around the INSERT (which
    # bulk_create adds), and the stored answer reads back the same.
    with CaptureQueriesContext(connection) as captured:
        assert snapshots.remembered(key="k", generation=1, compute=lambda: {"a": 1}) == {"a": 1}
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) == 2 and sql[0].startswith("SELECT") and sql[1].startswith("INSERT"), sql
    assert snapshots.remembered(key="k", generation=1, compute=lambda: "again") == {"a": 1}
    snapshots.remembered(key="k", generation=3, compute=lambda: [3])
    stored = ReportSnapshot.objects.get(key="k")
    assert (stored.generation, pickle.loads(bytes(stored.payload))) == (3, [3])
    assert stored.created_at is not None and stored.created_at.tzinfo is not None


@pytest.mark.django_db(transaction=True)
def test_answers_computed_within_anothers_are_stored_with_it_in_one_statement():
    def outer():
        return {"inner": snapshots.remembered(key="inner", generation=4, compute=lambda: [1])}

    with CaptureQueriesContext(connection) as captured:
        assert snapshots.remembered(key="outer", generation=7, compute=outer) == {"inner": [1]}
    writes = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith("INSERT"), writes
    assert dict(ReportSnapshot.objects.values_list("key", "generation")) == {
        "outer": 7,
        "inner": 4,
    }
    # Each is read back by itself.
    assert snapshots.remembered(key="inner", generation=4, compute=lambda: "again") == [1]

    def failing():
        snapshots.remembered(key="lost", generation=1, compute=lambda: 1)
        raise RuntimeError

    # A computation that fails stores nothing, not even what was computed within it,
    # and leaves the next question stored by itself.
    with pytest.raises(RuntimeError):
        snapshots.remembered(key="failing", generation=1, compute=failing)
    snapshots.remembered(key="alone", generation=1, compute=lambda: 2)
    assert set(ReportSnapshot.objects.values_list("key", flat=True)) == {"outer", "inner", "alone"}


def test_snapshots_stored_before_yesterday_are_swept_at_most_once_an_hour(monkeypatch):
    old = ReportSnapshot.objects.create(key="old", generation=1, payload=pickle.dumps(1))
    ReportSnapshot.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    monkeypatch.setattr(snapshots, "_swept_at", None)
    snapshots.remembered(key="a", generation=1, compute=lambda: 1)
    # A process's first answers cost no sweep...
    assert ReportSnapshot.objects.filter(key="old").exists()
    monkeypatch.setattr(snapshots, "_swept_at", timezone.now() - datetime.timedelta(hours=2))
    snapshots.remembered(key="b", generation=1, compute=lambda: 1)
    # ...an hour later the stale ones go; the day's stay.
    assert set(ReportSnapshot.objects.values_list("key", flat=True)) == {"a", "b"}


# --- A page's counts asked together --------------------------------------------------


def test_counts_asked_together_are_the_counts_asked_one_by_one():
    agreements = [AgreementFactory() for _ in range(3)]
    ReviewFactory(agreement=agreements[0], status=Review.Status.SUBMITTED)
    ReviewFactory(agreement=agreements[1])
    querysets = {
        "agreements": Agreement.objects.all(),
        "one": Agreement.objects.filter(pk=agreements[0].pk),
        "submitted": Review.objects.filter(status=Review.Status.SUBMITTED),
        "with_reviews": Agreement.objects.filter(reviews__isnull=False).distinct(),
        "no_rows": Agreement.objects.filter(pk__in=[]),
        "none": Agreement.objects.none(),
    }
    expected = {name: queryset.count() for name, queryset in querysets.items()}
    assert expected["agreements"] == 3 and expected["with_reviews"] == 2
    with CaptureQueriesContext(connection) as captured:
        assert count_each(**querysets) == expected
    assert len(captured) == 1
    with CaptureQueriesContext(connection) as captured:
        assert count_each(nothing=Agreement.objects.none()) == {"nothing": 0}
    assert len(captured) == 0


def test_totals_over_every_group_come_on_the_first_groups_rows():
    from django.db.models import Count, Q

    from reports.querysets import OverAll

    lead, other, third = AgencyFactory(), AgencyFactory(), AgencyFactory()
    for agency, kinds in ((lead, ["plan", "plan", "program"]), (other, ["plan"]), (third, [])):
        for kind in kinds:
            AgreementFactory(lead_agency=agency, kind=kind)
    grouped = (
        Agreement.objects.order_by()
        .values("lead_agency")
        .annotate(
            n=Count("pk"),
            plans=OverAll(Count("pk", filter=Q(kind="plan"))),
            every=OverAll(Count("pk")),
        )
        .order_by("-n", "lead_agency")
    )
    # The window is computed before LIMIT: the first group's row carries the totals
    # over both groups.
    (first,) = grouped[:1]
    assert (first["lead_agency"], first["n"], first["plans"], first["every"]) == (lead.pk, 3, 3, 4)
    assert not grouped.filter(lead_agency=third.pk).exists()


# --- A leader's areas and an editor's lineage, remembered within page views ---------


def _walks(captured):
    return [q for q in captured.captured_queries if q["sql"].startswith("WITH RECURSIVE edges")]


def test_an_area_walk_is_remembered_within_page_views_until_an_area_changes(area):
    summaries.summaries_rebuild()
    commune = AreaFactory(name="Xã Bình Lư", parent=area)
    for expected_walks in (1, 0):
        with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
            assert Area.objects.rollup_ids([area.pk]) == {area.pk, commune.pk}
        assert len(_walks(captured)) == expected_walks
    # A new unit moves the structure generation on (reports.signals): walked afresh.
    later = AreaFactory(name="Xã Phong Thổ", parent=area)
    with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
        assert Area.objects.rollup_ids([area.pk]) == {area.pk, commune.pk, later.pk}
    assert len(_walks(captured)) == 1
    # Outside a page view, every walk reads the areas.
    with CaptureQueriesContext(connection) as captured:
        Area.objects.rollup_ids([area.pk])
        Area.objects.rollup_ids([area.pk])
    assert len(_walks(captured)) == 2


def test_a_lineage_walk_is_remembered_within_page_views_until_the_lineage_changes(agency_a):
    summaries.summaries_rebuild()
    old = AgencyFactory(name="Ban Dân vận Huyện ủy Tam Đường")
    AgencyChange.objects.create(predecessor=old, successor=agency_a, kind="merged")
    for expected_walks in (1, 0):
        with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
            assert Agency.objects.lineage_ids([agency_a.pk]) == {agency_a.pk, old.pk}
        assert len(_walks(captured)) == expected_walks
    older = AgencyFactory(name="Ban Dân vận Thị ủy Lai Châu")
    AgencyChange.objects.create(predecessor=older, successor=agency_a, kind="merged")
    with summaries.reading_state():
        assert Agency.objects.lineage_ids([agency_a.pk]) == {agency_a.pk, old.pk, older.pk}


def test_a_new_figure_or_party_leaves_the_areas_lineage_and_catalogue_remembered(area, agency_a):
    from agreements.models import IndicatorValue

    summaries.summaries_rebuild()
    indicator = IndicatorFactory(name="Số cuộc đối thoại")
    agreement = AgreementFactory(lead_agency=agency_a)

    def asked():
        with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
            Area.objects.rollup_ids([area.pk])
            Agency.objects.lineage_ids([agency_a.pk])
            _indicators({indicator.pk})
        return len(captured)

    asked()
    before = SummaryState.objects.get()
    AgreementPartyFactory(agreement=agreement, agency=agency_a)
    IndicatorValue.objects.create(
        indicator=indicator, agreement=agreement, year=2025, agency=agency_a, value=3
    )
    after = SummaryState.objects.get()
    # The figures' snapshots are void; what the page views remembered is not.
    assert after.indicator_generation > before.indicator_generation
    assert after.structure_generation == before.structure_generation
    assert asked() == 1  # the state alone
    AreaFactory(name="Xã Bình Lư", parent=area)
    assert SummaryState.objects.get().structure_generation > before.structure_generation
    assert asked() > 1


def test_a_leaders_repeat_view_of_an_agreement_walks_no_area(client, leader, area, agency_a):
    agreement = AgreementFactory(lead_agency=agency_a)
    AgreementPartyFactory(agreement=agreement, agency=agency_a)
    summaries.summaries_rebuild()
    client.force_login(leader)
    url = reverse("agreements:agreement_detail", args=[agreement.pk])
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert _walks(captured) == []


# --- The term filter's choices, remembered in the cache ----------------------------


def test_the_term_choices_are_remembered_until_a_write_and_never_stored_as_rows(agency_a):
    AgreementFactory(lead_agency=agency_a, start_year=2021, end_year=2026)
    summaries.summaries_rebuild()
    snapshots_before = ReportSnapshot.objects.count()
    for expected_reads in (1, 0):
        with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
            assert remembered_periods(Agreement.objects.live()) == [(2021, 2026)]
        reads = [q for q in captured.captured_queries if "DISTINCT" in q["sql"]]
        assert len(reads) == expected_reads
    assert ReportSnapshot.objects.count() == snapshots_before
    AgreementFactory(lead_agency=agency_a, start_year=2016, end_year=2021)
    summaries.summaries_refresh()
    with summaries.reading_state():
        assert remembered_periods(Agreement.objects.live()) == [(2021, 2026), (2016, 2021)]


def test_the_indicator_catalogue_is_remembered_within_page_views_until_it_changes():
    summaries.summaries_rebuild()
    first = IndicatorFactory(name="Số cuộc đối thoại")
    for expected_reads in (1, 0):
        with summaries.reading_state(), CaptureQueriesContext(connection) as captured:
            assert _indicators({first.pk}) == {first.pk: first}
        reads = [q for q in captured.captured_queries if '"agreements_indicator"' in q["sql"]]
        assert len(reads) == expected_reads
    first.name = "Số cuộc đối thoại trực tiếp"
    first.save()  # moves the structure generation on
    second = IndicatorFactory(name="Số mô hình dân vận khéo")
    with summaries.reading_state():
        found = _indicators({first.pk, second.pk})
    assert found[first.pk].name == "Số cuộc đối thoại trực tiếp" and second.pk in found


def test_the_first_rows_of_several_lists_are_read_in_one_query():
    agreements = [AgreementFactory(number=f"{n}-CTr/BDV") for n in range(6)]
    by_number = Agreement.objects.order_by("number").values("pk")[:2]
    newest = Agreement.objects.order_by("-pk").values("pk")[:3]
    expected = {agreements[0].pk, agreements[1].pk, *(a.pk for a in agreements[-3:])}
    with CaptureQueriesContext(connection) as captured:
        found = set(
            Agreement.objects.filter(among_firsts(by_number, newest)).values_list("pk", flat=True)
        )
    assert found == expected
    assert len(captured) == 1 and "UNION ALL" in captured[0]["sql"]
    nothing = Agreement.objects.none().values("pk")
    assert set(
        Agreement.objects.filter(among_firsts(nothing, newest)).values_list("pk", flat=True)
    ) == {a.pk for a in agreements[-3:]}
    assert not Agreement.objects.filter(among_firsts(nothing)).exists()
