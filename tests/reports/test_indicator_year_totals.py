"""The whole country's indicator totals per (indicator, year), stored and kept exact:
after every kind of write they equal adding every figure up again; the admin's
dashboard and indicator report read them; other questions never do."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, models, transaction
from django.urls import reverse

from agreements import services
from agreements.models import Indicator, IndicatorValue, Review, UserProfile
from reports import services as summaries
from reports.models import (
    IndicatorYearTotal,
    PendingIndicatorTotal,
    ReportSnapshot,
    SummaryState,
)
from reports.selectors import indicators as indicator_selectors
from reports.selectors.indicators import (
    indicator_totals,
    live_values,
    unarchived_values,
    whole_country_totals,
)
from tests.factories import AgencyFactory, AreaFactory, IndicatorFactory, ProfileFactory
from tests.reports.table_helpers import agreement_of

Y = datetime.date.today().year


def _value(agreement, indicator, year, value, *, denominator=None, agency=None):
    return IndicatorValue.objects.create(
        indicator=indicator,
        agreement=agreement,
        year=year,
        agency=agency or agreement.lead_agency,
        value=Decimal(value),
        denominator=None if denominator is None else Decimal(denominator),
    )


@pytest.fixture
def figures(agency_a, area):
    """Two agreements with figures of a summed, an averaged and a latest-figure
    ratio indicator over three years."""
    other = AgencyFactory(name="Hội Nông dân tỉnh Điện Biên", area=AreaFactory(name="Điện Biên"))
    first = agreement_of(agency_a)
    second = agreement_of(other)
    dialogues = IndicatorFactory(code="doi-thoai", order=1)
    meetings = IndicatorFactory(
        code="hop", order=2, aggregation=Indicator.Aggregation.AVERAGE, unit="cuộc"
    )
    communes = IndicatorFactory(
        code="xa",
        order=3,
        group="Nông thôn mới",
        kind=Indicator.Kind.RATIO,
        aggregation=Indicator.Aggregation.LATEST,
    )
    for year in (Y - 2, Y - 1, Y):
        _value(first, dialogues, year, 12)
        _value(second, dialogues, year, "7.5")
        _value(first, meetings, year, 3)
        _value(second, meetings, year, 4)
        _value(first, communes, year, 150, denominator=200)
        _value(first, communes, year, 166, denominator=200)  # entered later: counts
        _value(second, communes, year, 20, denominator=25)
    admin = ProfileFactory(agency=None, role=UserProfile.Role.ADMIN).user
    return {
        "first": first,
        "second": second,
        "dialogues": dialogues,
        "meetings": meetings,
        "communes": communes,
        "admin": admin,
    }


def assert_stored_exactly():
    summaries.summaries_refresh()  # archiving marks its figures here
    stored = whole_country_totals(live_values())
    assert stored is not None
    assert stored == indicator_totals(values=live_values())
    assert not PendingIndicatorTotal.objects.exists()
    return {(row["indicator"].code, row["year"]): row for row in stored}


def test_the_values_not_of_an_archived_agreement_are_those_of_the_live_ones(figures):
    first = figures["first"]
    services.agreement_archive(
        agreement=first, user=figures["admin"], expected_version=first.version
    )
    live = set(live_values().values_list("pk", flat=True))
    assert live and not live & set(first.indicator_values.values_list("pk", flat=True))
    assert set(unarchived_values().values_list("pk", flat=True)) == live


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN of PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_pairs_total_is_added_up_from_the_covering_index_alone(figures):
    # What a new figure recomputes: its (indicator, year) over the whole country.
    # Vacuumed, as a running database's tables are (an index alone is planned as
    # cheap only for pages the visibility map knows are all visible).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE agreements_indicatorvalue")
    values = unarchived_values().filter(indicator=figures["dialogues"], year__in=[Y])
    added = values.values("indicator_id", "year").annotate(
        total=models.Sum("value"), d=models.Sum("denominator"), n=models.Count("id")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        sql, params = added.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using indicatorvalue_year_idx" in plan, plan
    assert "agreement_archived_idx" in plan, plan


def test_the_store_is_built_on_an_empty_database_and_kept_by_every_figure(figures):
    assert SummaryState.objects.get().indicator_totals_built
    rows = assert_stored_exactly()

    assert rows["doi-thoai", Y]["value"] == Decimal("19.50")
    assert rows["hop", Y]["value"] == Decimal("3.50")
    assert rows["xa", Y]["value"] == Decimal("186.00")
    assert rows["xa", Y]["percentage"] == Decimal("82.67")
    assert IndicatorYearTotal.objects.count() == 9


def test_a_figure_edited_into_another_year_and_indicator_updates_both_pairs(figures):
    value = IndicatorValue.objects.filter(indicator=figures["dialogues"], year=Y).first()
    value.year = Y - 5
    value.indicator = figures["meetings"]
    value.save()

    rows = assert_stored_exactly()
    assert rows["hop", Y - 5]["value"] == value.value
    assert rows["doi-thoai", Y]["count"] == 1


def test_deleting_the_last_figures_of_a_year_removes_its_total(figures):
    IndicatorValue.objects.filter(indicator=figures["dialogues"], year=Y - 2).delete()
    for value in IndicatorValue.objects.filter(indicator=figures["meetings"], year=Y - 2):
        value.delete()

    rows = assert_stored_exactly()
    assert ("hop", Y - 2) not in rows


def test_archiving_and_restoring_an_agreement_moves_its_figures_out_and_back(figures):
    first = figures["first"]
    services.agreement_archive(
        agreement=first, user=figures["admin"], expected_version=first.version
    )
    rows = assert_stored_exactly()
    assert rows["doi-thoai", Y]["value"] == Decimal("7.50")

    services.agreement_restore(agreement=first, user=figures["admin"])
    rows = assert_stored_exactly()
    assert rows["doi-thoai", Y]["value"] == Decimal("19.50")


def test_changing_how_an_indicator_adds_up_recomputes_its_years(figures):
    communes = figures["communes"]
    communes.aggregation = Indicator.Aggregation.SUM
    communes.save()

    rows = assert_stored_exactly()
    assert rows["xa", Y]["value"] == Decimal("336.00")


def test_a_review_entering_figures_shows_them_on_the_admins_dashboard(client, figures):
    client.force_login(figures["admin"])
    client.get("/")
    review = Review(agreement=figures["first"], kind="annual", held_on=datetime.date(Y, 1, 5))
    value = IndicatorValue(
        indicator=figures["dialogues"], year=Y, agency=figures["first"].lead_agency, value=30
    )
    services.review_save(review=review, user=figures["admin"], indicator_values=[value])

    trends = client.get("/").context["indicators"]

    [dialogues] = [t for t in trends if t["indicator"].code == "doi-thoai"]
    assert {p["year"]: p["row"]["value"] for p in dialogues["points"]}[Y] == Decimal("49.50")
    assert_stored_exactly()


def test_a_reviews_figures_are_added_up_in_the_writers_request_once_committed(
    figures, django_capture_on_commit_callbacks
):
    # The whole-country total of the saved figure's (indicator, year) is recomputed
    # after the commit, by the write's service: the next page reads it ready.
    assert_stored_exactly()
    review = Review(agreement=figures["first"], kind="annual", held_on=datetime.date(Y, 1, 5))
    value = IndicatorValue(
        indicator=figures["dialogues"], year=Y, agency=figures["first"].lead_agency, value=30
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.review_save(review=review, user=figures["admin"], indicator_values=[value])
    assert PendingIndicatorTotal.objects.exists()

    for callback in callbacks:
        callback()

    assert not PendingIndicatorTotal.objects.exists()
    stored = IndicatorYearTotal.objects.get(indicator=figures["dialogues"], year=Y)
    assert stored.value == Decimal("49.50")


def test_a_rebuild_gives_the_same_store_as_the_marks(figures):
    IndicatorValue.objects.filter(indicator=figures["meetings"], year=Y).first().delete()
    _value(figures["second"], figures["dialogues"], Y - 7, 5)
    assert_stored_exactly()
    incremental = sorted(
        IndicatorYearTotal.objects.values_list(
            "indicator_id", "year", "value", "denominator", "percentage", "count"
        )
    )

    summaries.summaries_rebuild()

    assert (
        sorted(
            IndicatorYearTotal.objects.values_list(
                "indicator_id", "year", "value", "denominator", "percentage", "count"
            )
        )
        == incremental
    )


def _without_adding_up(monkeypatch):
    """Adding every figure up again fails: a page that answers read the store."""

    def fail(**kwargs):
        raise AssertionError("indicator totals added up from the figures")

    monkeypatch.setattr(indicator_selectors, "indicator_totals", fail)


def test_the_admins_dashboard_and_indicator_report_read_the_store(client, monkeypatch, figures):
    client.force_login(figures["admin"])
    asked = [
        {},
        {"year_from": Y - 1, "year_to": Y},
        {"indicator": figures["communes"].pk},
        {"group": figures["communes"].group},
    ]
    url = reverse("reports:indicators")
    _value(figures["second"], figures["dialogues"], Y, 1)
    _without_adding_up(monkeypatch)

    dashboard = client.get("/").context["indicators"]
    reports = [client.get(url, filters).context["report"]["sections"] for filters in asked]

    monkeypatch.undo()
    ReportSnapshot.objects.all().delete()
    cache.clear()  # the dashboard's rendered figures, remembered for this generation
    SummaryState.objects.update(indicator_totals_built=False)
    assert client.get("/").context["indicators"] == dashboard
    for filters, sections in zip(asked, reports, strict=True):
        assert sections
        assert client.get(url, filters).context["report"]["sections"] == sections, filters


def test_questions_the_store_cannot_answer_add_the_figures_up(figures, area):
    values = live_values()
    assert whole_country_totals(values.filter(area_id=area.pk)) is None
    assert whole_country_totals(values.filter(year__gte=Y), years=(Y - 1, None)) is None
    assert whole_country_totals(IndicatorValue.objects.all()) is None

    SummaryState.objects.update(indicator_totals_built=False)
    assert whole_country_totals(values) is None


def test_a_leaders_dashboard_adds_up_its_own_figures(client, monkeypatch, figures, agency_a):
    leader = ProfileFactory(agency=agency_a, role=UserProfile.Role.LEADER).user
    client.force_login(leader)
    trends = client.get("/").context["indicators"]

    [dialogues] = [t for t in trends if t["indicator"].code == "doi-thoai"]
    assert {p["year"]: p["row"]["value"] for p in dialogues["points"]}[Y] == Decimal("12.00")
