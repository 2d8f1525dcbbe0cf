"""Term summary: every agreement of a term, its counts, totals, filters, exports, scope."""

import datetime
import io

import pytest
from django.urls import reverse

from agreements.models import Agency, AgencyChange, Agreement, ContentItem, Review
from reports.services import summaries_refresh
from tests.factories import AgencyFactory, AreaFactory, ContentItemFactory, ReviewFactory
from tests.reports.table_helpers import agreement_of, content, csv_rows, freeze_today, workbook

URL = reverse("reports:term_summary")
DONE = [Review.Status.SUBMITTED, Review.Status.APPROVED]


def _term_of(agency, partner):
    """Three agreements of 2021–2026, one of 2016–2021; on 01/06/2024 only the third
    owes reviews: the annual reviews of 2022 and 2023 (due 31/03 of the next year)."""
    reviewed = agreement_of(
        agency,
        partners=[partner],
        title="Chương trình phối hợp công tác dân vận 2021 – 2026",
        declared_item_count=10,
        annual_review_required=True,
        signed_on=datetime.date(2021, 8, 30),
    )
    for number in (1, 2, 3):
        ContentItemFactory(agreement=reviewed, number=number)
    ReviewFactory(
        agreement=reviewed,
        status=Review.Status.APPROVED,
        approved_at=datetime.datetime(2023, 1, 5, tzinfo=datetime.UTC),
        period_from=datetime.date(2022, 1, 1),
        period_to=datetime.date(2022, 12, 31),
        held_on=datetime.date(2022, 12, 20),
    )
    ReviewFactory(
        agreement=reviewed, status=Review.Status.SUBMITTED, held_on=datetime.date(2023, 12, 15)
    )
    ReviewFactory(agreement=reviewed, status=Review.Status.DRAFT, held_on=datetime.date(2024, 5, 2))
    ReviewFactory(
        agreement=reviewed,
        kind=Review.Kind.LIAISON,
        status=Review.Status.APPROVED,
        approved_at=datetime.datetime(2023, 7, 1, tzinfo=datetime.UTC),
        held_on=datetime.date(2023, 6, 30),
    )
    plan = agreement_of(
        agency,
        kind=Agreement.Kind.PLAN,
        title="Kế hoạch phối hợp năm 2022",
        start_year=2022,
        end_year=2022,
        signed_on=datetime.date(2022, 2, 10),
    )
    for number in (1, 2):
        ContentItemFactory(agreement=plan, number=number)
    owing = agreement_of(
        agency,
        title="Chương trình phối hợp thực hiện dân chủ ở cơ sở",
        declared_item_count=8,
        annual_review_required=True,
        signed_on=datetime.date(2021, 12, 27),
    )
    old = agreement_of(
        agency,
        title="Chương trình phối hợp nhiệm kỳ trước",
        start_year=2016,
        end_year=2021,
        signed_on=datetime.date(2016, 12, 21),
    )
    return {"reviewed": reviewed, "plan": plan, "owing": owing, "old": old}


@pytest.fixture
def today(monkeypatch):
    return freeze_today(monkeypatch)


@pytest.fixture
def term(today, agency_a):
    partner = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu", area=agency_a.area)
    return _term_of(agency_a, partner)


def _expected_totals(agreements):
    """The totals computed from the rows, independently of the report."""
    ids = [a.pk for a in agreements]
    return {
        "count": len(ids),
        "items_entered": ContentItem.objects.filter(agreement__in=ids).count(),
        "items_declared": sum(a.declared_item_count or 0 for a in agreements),
        "reviews_done": Review.objects.filter(agreement__in=ids, status__in=DONE)
        .exclude(kind=Review.Kind.LIAISON)
        .count(),
    }


def test_it_lists_the_agreements_of_the_current_term_with_totals(client, editor_a, term):
    client.force_login(editor_a)
    response = client.get(URL)
    assert response.status_code == 200
    report = response.context["report"]
    current = [term["reviewed"], term["owing"], term["plan"]]  # by signing date
    assert [row["agreement"].pk for row in report["rows"]] == [a.pk for a in current]
    expected = _expected_totals(current)
    totals = report["totals"]
    assert {key: totals[key] for key in expected} == expected
    assert totals["reviews_due"] == 2
    body = response.content.decode()
    assert "Tổng cộng: 3 văn bản" in body
    assert term["old"].title not in body
    assert "Nhiệm kỳ: 2021 – 2026" in body


def test_each_row_counts_items_and_reviews(client, editor_a, term):
    client.force_login(editor_a)
    rows = {row["agreement"].pk: row for row in client.get(URL).context["report"]["rows"]}
    reviewed = rows[term["reviewed"].pk]
    assert (reviewed["items_entered"], reviewed["items_declared"]) == (3, 10)
    # Approved and submitted count; the draft and the liaison meeting do not.
    assert reviewed["reviews_done"] == 2
    assert reviewed["reviews_due"] == 0
    assert rows[term["plan"].pk]["items_declared"] is None
    assert rows[term["owing"].pk]["reviews_due"] == 2
    assert rows[term["owing"].pk]["reviews_overdue"] == 2


def test_a_returned_review_does_not_count_as_done(client, editor_a, term):
    ReviewFactory(
        agreement=term["owing"],
        status=Review.Status.DRAFT,
        returned_reason="Bổ sung số liệu",
        period_from=datetime.date(2023, 1, 1),
        period_to=datetime.date(2023, 12, 31),
    )
    client.force_login(editor_a)
    rows = {row["agreement"].pk: row for row in client.get(URL).context["report"]["rows"]}
    assert rows[term["owing"].pk]["reviews_done"] == 0
    assert rows[term["owing"].pk]["reviews_due"] == 2


def test_parties_show_the_names_they_signed_under(client, editor_a, agency_a, today):
    agreement = agreement_of(agency_a, name_as_signed="Ban Dân vận Tỉnh ủy")
    Agency.objects.filter(pk=agency_a.pk).update(name="Ban Tuyên giáo và Dân vận Tỉnh ủy")
    client.force_login(editor_a)
    response = client.get(URL)
    [row] = response.context["report"]["rows"]
    assert row["agreement"] == agreement
    assert row["parties"] == ["Ban Dân vận Tỉnh ủy"]
    table = response.content.decode().split("<table", 1)[1]
    assert "Ban Dân vận Tỉnh ủy" in table
    assert "Ban Tuyên giáo và Dân vận" not in table


def test_an_empty_term_shows_every_term(client, editor_a, term):
    client.force_login(editor_a)
    report = client.get(URL, {"term": ""}).context["report"]
    assert report["totals"]["count"] == 4
    assert report["term"] == ""


def test_an_older_term_can_be_chosen(client, editor_a, term):
    client.force_login(editor_a)
    report = client.get(URL, {"term": "2016-2021"}).context["report"]
    assert [row["agreement"] for row in report["rows"]] == [term["old"]]


def test_an_unknown_term_is_reported_and_ignored(client, editor_a, term):
    client.force_login(editor_a)
    response = client.get(URL, {"term": "1990-1995"})
    assert response.context["report"]["totals"]["count"] == 4
    assert "không có trong danh sách" in response.content.decode()


def test_kind_filter_keeps_one_kind(client, editor_a, term):
    client.force_login(editor_a)
    report = client.get(URL, {"kind": "plan"}).context["report"]
    assert [row["agreement"] for row in report["rows"]] == [term["plan"]]
    assert ("Loại văn bản", "Kế hoạch phối hợp") in [
        (str(label), value) for label, value in report["applied"]
    ]


def test_area_filter_rolls_up_through_a_merged_province(client, admin_user, today):
    new = AreaFactory(name="Tỉnh Phú Thọ", valid_from=datetime.date(2025, 7, 1))
    old = AreaFactory(name="Tỉnh Hòa Bình", valid_until=datetime.date(2025, 6, 30))
    old.successors.add(new)
    district = AreaFactory(name="Huyện Lạc Sơn", level="district", parent=old)
    elsewhere = AreaFactory(name="Tỉnh Lai Châu")
    merged = agreement_of(AgencyFactory(area=old))
    local = agreement_of(AgencyFactory(area=district))
    agreement_of(AgencyFactory(area=elsewhere))
    client.force_login(admin_user)
    report = client.get(URL, {"area": new.pk}).context["report"]
    assert {row["agreement"] for row in report["rows"]} == {merged, local}


def test_agency_filter_follows_the_lineage(client, admin_user, today):
    old = AgencyFactory(name="Ban Dân vận Tỉnh ủy Hòa Bình")
    new = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Phú Thọ")
    AgencyChange.objects.create(predecessor=old, successor=new, kind="merged")
    signed_by_old = agreement_of(old)
    agreement_of(AgencyFactory())
    client.force_login(admin_user)
    report = client.get(URL, {"agency": new.pk}).context["report"]
    assert [row["agreement"] for row in report["rows"]] == [signed_by_old]


# --- Who sees what ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_editor_of_another_agency_sees_none_of_it(client, editor_b, term):
    client.force_login(editor_b)
    response = client.get(URL, {"term": ""})
    assert response.context["report"]["totals"]["count"] == 0
    assert term["reviewed"].title not in response.content.decode()
    export = client.get(URL, {"term": "", "format": "csv"})
    assert len(csv_rows(export)) == 2  # the header and the (empty) totals row


def test_outsider_sees_an_empty_summary(client, outsider, term):
    client.force_login(outsider)
    response = client.get(URL, {"term": ""})
    assert response.status_code == 200
    assert response.context["report"]["rows"] == []


def test_leader_sees_the_agreements_of_the_area(client, leader, term, agency_b):
    agreement_of(agency_b, title="Chương trình của tỉnh khác")
    client.force_login(leader)
    response = client.get(URL)
    assert response.context["report"]["totals"]["count"] == 3
    assert "Chương trình của tỉnh khác" not in response.content.decode()


# --- Exports ---------------------------------------------------------------------


def test_csv_export_has_the_rows_and_the_totals(client, editor_a, term):
    client.force_login(editor_a)
    response = client.get(URL, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert "2021-2026" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][:3] == ["STT", "Số, ký hiệu", "Trích yếu"]
    assert rows[1][2] == "Chương trình phối hợp công tác dân vận 2021 – 2026"
    assert rows[1][4] == "Ban Dân vận Tỉnh ủy Lai Châu; Đảng đoàn HĐND tỉnh Lai Châu"
    assert rows[1][5] == "30/08/2021"
    expected = _expected_totals([term["reviewed"], term["plan"], term["owing"]])
    assert rows[-1][1] == "Tổng cộng: 3 văn bản"
    assert rows[-1][8:12] == [
        str(expected["items_entered"]),
        str(expected["items_declared"]),
        str(expected["reviews_done"]),
        "2",
    ]


def test_xlsx_export_has_numbers_dates_and_a_frozen_bold_header(client, editor_a, term):
    client.force_login(editor_a)
    sheet = workbook(client.get(URL, {"format": "xlsx"})).active
    assert sheet.freeze_panes == "A2"
    assert sheet["C1"].value == "Trích yếu" and sheet["C1"].font.bold
    assert sheet["E2"].value == "Ban Dân vận Tỉnh ủy Lai Châu; Đảng đoàn HĐND tỉnh Lai Châu"
    assert isinstance(sheet["F2"].value, datetime.datetime)
    assert sheet["F2"].value.date() == datetime.date(2021, 8, 30)
    assert sheet["F2"].number_format == "DD/MM/YYYY"
    assert isinstance(sheet["I2"].value, int) and sheet["I2"].value == 3
    expected = _expected_totals([term["reviewed"], term["plan"], term["owing"]])
    last = sheet.max_row
    assert sheet.cell(row=last, column=9).value == expected["items_entered"]
    assert sheet.cell(row=last, column=10).value == expected["items_declared"]
    assert sheet.cell(row=last, column=11).value == expected["reviews_done"]
    assert sheet.cell(row=last, column=12).value == 2


def test_docx_export_opens_as_a_word_document(client, editor_a, term):
    pytest.importorskip("docx")
    from docx import Document

    client.force_login(editor_a)
    response = client.get(URL, {"format": "docx"})
    assert response.status_code == 200
    assert "wordprocessingml" in response["Content-Type"]
    document = Document(io.BytesIO(content(response)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for cell in table._cells)
    assert "2021 – 2026" in text + cells
    assert "Chương trình phối hợp công tác dân vận 2021 – 2026" in cells


def test_page_links_to_the_exports_with_the_same_filters(client, editor_a, term):
    client.force_login(editor_a)
    body = client.get(URL, {"kind": "program"}).content.decode()
    assert "?kind=program&amp;format=csv" in body
    assert "?kind=program&amp;format=xlsx" in body
    assert "?kind=program&amp;format=docx" in body


# --- Queries ---------------------------------------------------------------------


@pytest.mark.parametrize("export", ["", "csv", "xlsx"])
def test_query_count_does_not_grow_with_rows(
    client, leader, agency_a, today, export, django_assert_max_num_queries
):
    partner = AgencyFactory(area=agency_a.area)
    _term_of(agency_a, partner)
    client.force_login(leader)
    params = {"format": export} if export else {}
    summaries_refresh()  # as a service does after its write
    # A first view: the page and its term options are computed and stored as
    # snapshots (19 queries); a repeat view reads them back.
    with django_assert_max_num_queries(22) as small:
        content(client.get(URL, params))
    for _ in range(4):
        _term_of(agency_a, AgencyFactory(area=agency_a.area))
    summaries_refresh()  # as a service does after its write
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(URL, params)
        content(response)
