"""Indicator report and `indicator_totals`: sums, averages, latest figures, ratios,
comparison with the previous year, roll-up through merged areas, exports, scope."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.models import AgencyChange, Indicator, IndicatorValue
from reports import exports
from reports.selectors.indicators import area_value_filter, indicator_totals
from reports.services import summaries_refresh
from tests.factories import AgencyFactory, AreaFactory, IndicatorFactory
from tests.reports.table_helpers import agreement_of, content, csv_rows, workbook

URL = reverse("reports:indicators")


def _value(agreement, indicator, year, value, *, area=None, agency=None, denominator=None):
    return IndicatorValue.objects.create(
        indicator=indicator,
        agreement=agreement,
        year=year,
        area=area,
        agency=agency if agency or area else agreement.lead_agency,
        value=Decimal(value),
        denominator=None if denominator is None else Decimal(denominator),
    )


@pytest.fixture
def dialogues(db):
    return IndicatorFactory(
        code="doi-thoai", name="Số cuộc đối thoại với Nhân dân", unit="cuộc", order=1
    )


@pytest.fixture
def friendly(db):
    return IndicatorFactory(
        code="chinh-quyen-than-thien",
        name="Số xã xây dựng mô hình “Chính quyền thân thiện”",
        unit="xã",
        kind=Indicator.Kind.RATIO,
        aggregation=Indicator.Aggregation.LATEST,
        denominator_label="tổng số xã",
        order=2,
    )


def _totals(rows, **where):
    return [row for row in rows if all(row[k] == v for k, v in where.items())]


# --- indicator_totals ------------------------------------------------------------


def test_sum_indicator_adds_the_values_of_a_year(agency_a, dialogues):
    agreement = agreement_of(agency_a)
    figures = {2022: [2875, 125], 2023: [520]}
    for year, values in figures.items():
        for value in values:
            _value(agreement, dialogues, year, value, area=agency_a.area)
    rows = indicator_totals(values=IndicatorValue.objects.all())
    assert [(row["year"], row["value"], row["count"]) for row in rows] == [
        (year, Decimal(sum(values)), len(values)) for year, values in figures.items()
    ]
    assert rows[0]["indicator"] == dialogues
    assert rows[0]["percentage"] is None


def test_ratio_percentage_is_the_sum_of_values_over_the_sum_of_denominators(agency_a, friendly):
    agreement = agreement_of(agency_a)
    other = AreaFactory(name="Tỉnh Hà Tĩnh")
    _value(agreement, friendly, 2022, 166, denominator=200, area=agency_a.area)
    _value(agreement, friendly, 2022, 50, denominator=100, area=other)
    [row] = indicator_totals(values=IndicatorValue.objects.all())
    assert (row["value"], row["denominator"]) == (Decimal(216), Decimal(300))
    assert row["percentage"] == (Decimal(216) * 100 / Decimal(300)).quantize(Decimal("0.01"))


def test_latest_takes_each_places_most_recent_figure_and_adds_places(agency_a, friendly):
    agreement = agreement_of(agency_a)
    other = AreaFactory(name="Tỉnh Hà Tĩnh")
    _value(agreement, friendly, 2022, 100, denominator=200, area=agency_a.area)
    _value(agreement, friendly, 2023, 150, denominator=200, area=agency_a.area)
    _value(agreement, friendly, 2023, 50, denominator=100, area=other)
    [row] = indicator_totals(values=IndicatorValue.objects.all(), by=("indicator",))
    assert (row["value"], row["denominator"], row["count"]) == (Decimal(200), Decimal(300), 2)
    by_year = indicator_totals(values=IndicatorValue.objects.all())
    assert [(row["year"], row["value"]) for row in by_year] == [
        (2022, Decimal(100)),
        (2023, Decimal(200)),
    ]


def test_latest_within_a_year_is_the_last_figure_entered(agency_a, friendly):
    agreement = agreement_of(agency_a)
    _value(agreement, friendly, 2022, 120, denominator=200, area=agency_a.area)
    _value(agreement, friendly, 2022, 166, denominator=200, area=agency_a.area)
    [row] = indicator_totals(values=IndicatorValue.objects.all())
    assert (row["value"], row["percentage"]) == (Decimal(166), Decimal("83.00"))


def test_average_indicator_takes_the_mean(agency_a):
    faster = IndicatorFactory(
        kind=Indicator.Kind.PERCENTAGE, aggregation=Indicator.Aggregation.AVERAGE, unit="%"
    )
    agreement = agreement_of(agency_a)
    for value in (30, 20, 40):
        _value(agreement, faster, 2019, value, area=AreaFactory())
    [row] = indicator_totals(values=IndicatorValue.objects.all())
    assert row["value"] == Decimal(30 + 20 + 40) / 3


def test_values_of_a_merged_province_and_an_abolished_district_add_up_under_the_new_province(
    agency_a, dialogues
):
    new = AreaFactory(name="Tỉnh Phú Thọ", valid_from=datetime.date(2025, 7, 1))
    old = AreaFactory(name="Tỉnh Hòa Bình", valid_until=datetime.date(2025, 6, 30))
    old.successors.add(new)
    district = AreaFactory(
        name="Huyện Lạc Sơn", level="district", parent=old, valid_until=datetime.date(2025, 6, 30)
    )
    elsewhere = AreaFactory(name="Tỉnh Lai Châu")
    agreement = agreement_of(agency_a)
    recorded = [(old, 40), (district, 12), (new, 7), (elsewhere, 1000)]
    for area, value in recorded:
        _value(agreement, dialogues, 2025, value, area=area)
    # A figure with no area, for an agency located in the old province.
    _value(agreement, dialogues, 2025, 3, agency=AgencyFactory(area=old))
    values = IndicatorValue.objects.filter(area_value_filter([new.pk]))
    [row] = indicator_totals(values=values)
    assert row["value"] == Decimal(40 + 12 + 7 + 3)
    [grouped] = indicator_totals(values=values, by=("indicator", "year", "area"))
    assert grouped["area"] == new
    assert grouped["value"] == Decimal(40 + 12 + 7 + 3)


def test_grouped_by_agency_a_predecessors_figures_count_for_its_successor(agency_a, dialogues):
    old = AgencyFactory(name="Ban Dân vận Tỉnh ủy")
    new = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy")
    AgencyChange.objects.create(predecessor=old, successor=new, kind="merged")
    agreement = agreement_of(agency_a)
    _value(agreement, dialogues, 2025, 10, agency=old)
    _value(agreement, dialogues, 2025, 5, agency=new)
    _value(agreement, dialogues, 2025, 8, agency=agency_a)
    rows = indicator_totals(values=IndicatorValue.objects.all(), by=("indicator", "agency"))
    assert {row["agency"]: row["value"] for row in rows} == {
        new: Decimal(15),
        agency_a: Decimal(8),
    }


def test_of_two_successors_the_dated_change_counts_first_on_every_database(agency_a, dialogues):
    old = AgencyFactory(name="Ban Dân vận Huyện ủy")
    renamed = AgencyFactory(name="Ban Dân vận Huyện ủy (tên mới)")
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy")
    # Recorded twice by mistake: an undated renaming and a dated merger. PostgreSQL
    # and SQLite sort the undated change differently unless told where it goes.
    AgencyChange.objects.create(predecessor=old, successor=renamed, kind="renamed")
    AgencyChange.objects.create(
        predecessor=old, successor=merged, kind="merged", changed_on=datetime.date(2025, 7, 1)
    )
    _value(agreement_of(agency_a), dialogues, 2025, 10, agency=old)
    rows = indicator_totals(values=IndicatorValue.objects.all(), by=("indicator", "agency"))
    assert [row["agency"] for row in rows] == [merged]


def test_indicator_totals_runs_a_fixed_number_of_queries(
    agency_a, dialogues, friendly, django_assert_max_num_queries
):
    agreement = agreement_of(agency_a)
    _value(agreement, dialogues, 2015, 1, area=agency_a.area)
    _value(agreement, friendly, 2015, 1, denominator=2, area=agency_a.area)
    by = ("indicator", "year", "area")
    with django_assert_max_num_queries(12) as small:
        indicator_totals(values=IndicatorValue.objects.all(), by=by)
    for year in range(2016, 2026):
        area = AreaFactory()
        _value(agreement, dialogues, year, year, area=area)
        _value(agreement, friendly, year, 10, denominator=20, area=area)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(indicator_totals(values=IndicatorValue.objects.all(), by=by)) == 22


# --- The report page -------------------------------------------------------------


@pytest.fixture
def figures(agency_a, dialogues, friendly):
    """Lai Châu's figures: dialogues 2021–2023 and the friendly-commune ratio 2022–2023."""
    agreement = agreement_of(agency_a)
    area = agency_a.area
    series = {2021: 2000, 2022: 2875, 2023: 2300}
    for year, value in series.items():
        _value(agreement, dialogues, year, value, area=area)
    _value(agreement, friendly, 2022, 166, denominator=200, area=area)
    _value(agreement, friendly, 2023, 180, denominator=200, area=area)
    return {"agreement": agreement, "dialogues": series}


def _section(report, indicator):
    return next(s for s in report["sections"] if s["indicator"] == indicator)


def _total_points(report, indicator):
    series = _section(report, indicator)["series"]
    return {point["year"]: point for point in series[-1]["points"]}


def test_page_shows_a_ratio_as_a_vietnamese_percentage(client, editor_a, figures, friendly):
    client.force_login(editor_a)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "83,0%" in body
    assert "90,0%" in body
    assert "2.875" in body


def test_each_year_is_compared_with_the_previous_one(client, editor_a, figures, dialogues):
    client.force_login(editor_a)
    points = _total_points(client.get(URL).context["report"], dialogues)
    series = figures["dialogues"]
    assert points[2021]["previous"] is None
    assert points[2021]["difference"] is None and points[2021]["change"] is None
    assert points[2022]["previous"] == series[2021]
    assert points[2022]["difference"] == series[2022] - series[2021]
    expected = Decimal(series[2022] - series[2021]) * 100 / series[2021]
    assert points[2022]["change"] == expected.quantize(Decimal("0.01"))
    assert points[2023]["difference"] == series[2023] - series[2022]


def test_comparison_shows_sign_and_percentage_on_the_page(client, editor_a, figures):
    client.force_login(editor_a)
    body = client.get(URL).content.decode()
    assert "+875" in body and "+43,8%" in body
    assert "-575" in body and "-20,0%" in body


def test_first_year_shown_is_still_compared_with_the_year_before(
    client, editor_a, figures, dialogues
):
    client.force_login(editor_a)
    report = client.get(URL, {"year_from": 2022, "year_to": 2022}).context["report"]
    points = _total_points(report, dialogues)
    assert list(points) == [2022]
    assert points[2022]["previous"] == figures["dialogues"][2021]
    assert report["years"] == [2022]


def test_grouped_by_area_each_area_has_its_rows_and_the_total_adds_them(
    client, admin_user, figures, dialogues
):
    other = AreaFactory(name="Tỉnh Hà Tĩnh")
    _value(figures["agreement"], dialogues, 2023, 520, area=other)
    client.force_login(admin_user)
    report = client.get(URL, {"group_by": "area", "indicator": dialogues.pk}).context["report"]
    series = _section(report, dialogues)["series"]
    labels = [s["label"] for s in series]
    assert labels == ["Tỉnh Hà Tĩnh", "Tỉnh Lai Châu", "Tổng cộng"]
    total_2023 = {p["year"]: p["value"] for p in series[-1]["points"]}[2023]
    assert total_2023 == figures["dialogues"][2023] + 520


def test_area_filter_adds_up_figures_of_merged_areas(client, admin_user, dialogues):
    new = AreaFactory(name="Tỉnh Phú Thọ")
    old = AreaFactory(name="Tỉnh Hòa Bình")
    old.successors.add(new)
    district = AreaFactory(name="Huyện Mai Châu", level="district", parent=old)
    agreement = agreement_of(AgencyFactory(area=old))
    _value(agreement, dialogues, 2019, 1084, area=old)
    _value(agreement, dialogues, 2019, 68, area=district)
    _value(agreement, dialogues, 2019, 9, area=AreaFactory(name="Tỉnh Lạng Sơn"))
    client.force_login(admin_user)
    report = client.get(URL, {"area": new.pk, "group_by": "area"}).context["report"]
    series = _section(report, dialogues)["series"]
    assert [s["label"] for s in series] == ["Tỉnh Phú Thọ", "Tổng cộng"]
    assert series[0]["points"][0]["value"] == 1084 + 68


def test_group_filter_keeps_one_group_of_indicators(client, editor_a, figures, dialogues):
    Indicator.objects.filter(pk=dialogues.pk).update(group="Công tác dân vận chính quyền")
    client.force_login(editor_a)
    report = client.get(URL, {"group": "Công tác dân vận chính quyền"}).context["report"]
    assert [s["indicator"] for s in report["sections"]] == [dialogues]
    body = client.get(URL, {"group": "Công tác dân vận chính quyền"}).content.decode()
    assert "Nhóm chỉ tiêu: Công tác dân vận chính quyền" in body


# --- Who sees what ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_editor_of_another_agency_sees_none_of_the_figures(client, editor_b, figures):
    client.force_login(editor_b)
    assert client.get(URL).context["report"]["sections"] == []
    assert len(csv_rows(client.get(URL, {"format": "csv"}))) == 1


def test_outsider_sees_no_figures(client, outsider, figures):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["report"]["sections"] == []


def test_leader_sees_the_figures_of_the_area(client, leader, figures, dialogues, agency_b):
    _value(agreement_of(agency_b), dialogues, 2022, 99999, area=agency_b.area)
    client.force_login(leader)
    points = _total_points(client.get(URL).context["report"], dialogues)
    assert points[2022]["value"] == figures["dialogues"][2022]


def test_editor_sees_the_figures_of_the_agencys_agreements(client, editor_a, figures, dialogues):
    client.force_login(editor_a)
    points = _total_points(client.get(URL).context["report"], dialogues)
    assert {year: p["value"] for year, p in points.items()} == figures["dialogues"]


# --- Exports ---------------------------------------------------------------------


def test_xlsx_export_keeps_figures_and_percentages_numeric(client, editor_a, figures, friendly):
    client.force_login(editor_a)
    response = client.get(URL, {"format": "xlsx"})
    sheet = workbook(response).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    headers = [cell.value for cell in sheet[1]]
    assert headers[:5] == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Phạm vi", "Năm"]
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]
    ratio_2022 = next(r for r in rows if r[0].value == friendly.code and r[4].value == 2022)
    assert ratio_2022[1].value == "Số xã xây dựng mô hình “Chính quyền thân thiện”"
    assert isinstance(ratio_2022[4].value, int)
    assert isinstance(ratio_2022[5].value, int) and ratio_2022[5].value == 166
    assert ratio_2022[6].value == 200
    assert isinstance(ratio_2022[7].value, float | int) and ratio_2022[7].value == 83
    assert ratio_2022[7].number_format == exports.PERCENT_FORMAT
    ratio_2023 = next(r for r in rows if r[0].value == friendly.code and r[4].value == 2023)
    assert ratio_2023[8].value == 166 and ratio_2023[9].value == 14
    assert ratio_2023[10].value == pytest.approx(14 * 100 / 166, abs=0.01)


def test_csv_export_has_one_row_per_indicator_and_year(client, editor_a, figures, dialogues):
    client.force_login(editor_a)
    rows = csv_rows(client.get(URL, {"format": "csv"}))
    dialogue_rows = [row for row in rows[1:] if row[0] == dialogues.code]
    assert [(row[4], row[5]) for row in dialogue_rows] == [
        (str(year), str(value)) for year, value in figures["dialogues"].items()
    ]
    assert dialogue_rows[0][1] == "Số cuộc đối thoại với Nhân dân"


# --- Queries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "params", [{}, {"group_by": "area"}, {"format": "xlsx", "group_by": "agency"}]
)
def test_query_count_does_not_grow_with_rows(
    client, leader, agency_a, dialogues, friendly, params, django_assert_max_num_queries
):
    agreement = agreement_of(agency_a)
    district = AreaFactory(level="district", parent=agency_a.area)
    _value(agreement, dialogues, 2022, 1, area=district)
    _value(agreement, friendly, 2022, 1, denominator=2, agency=agency_a)
    client.force_login(leader)
    # Grouped, the report reads totals and groups separately (two aggregations, each
    # with its lineage lookups), plus the session and the filter form's choices.
    summaries_refresh()  # as a service does after its write
    # Also the indicator generation and, for each aggregation, a snapshot looked up
    # and stored (see reports.snapshots).
    with django_assert_max_num_queries(34) as small:
        content(client.get(URL, params))
    for year in range(2016, 2026):
        district = AreaFactory(level="district", parent=agency_a.area)
        more = agreement_of(AgencyFactory(area=agency_a.area))
        _value(more, dialogues, year, year, area=district)
        _value(more, friendly, year, 10, denominator=20, agency=more.lead_agency)
    summaries_refresh()  # as a service does after its write
    with django_assert_max_num_queries(len(small.captured_queries)):
        content(client.get(URL, params))
