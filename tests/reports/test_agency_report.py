"""Agency report: what an agency (with its lineage) is party to and what it owes."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import AgencyChange, Agreement, AgreementParty, AnnualPlan, PlanActivity
from reports.services import summaries_refresh
from tests.factories import AgencyFactory, AgreementPartyFactory
from tests.reports.table_helpers import (
    TODAY,
    agreement_of,
    content,
    csv_rows,
    freeze_today,
    workbook,
)

URL = reverse("reports:agency")


@pytest.fixture
def today(monkeypatch):
    return freeze_today(monkeypatch)


def _activity(plan, agency, text, *, deadline, done_on=None):
    return PlanActivity.objects.create(
        plan=plan, activity=text, responsible_agency=agency, deadline=deadline, done_on=done_on
    )


@pytest.fixture
def world(today, agency_a):
    """agency_a continues a merged office; on 01/06/2024 two agreements owe their
    annual reviews of 2022 and 2023 (one led by agency_a, one by a partner)."""
    old = AgencyFactory(name="Ban Dân vận Thị ủy Lai Châu", area=agency_a.area)
    AgencyChange.objects.create(predecessor=old, successor=agency_a, kind="merged")
    partner = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu", area=agency_a.area)
    led = agreement_of(
        agency_a,
        partners=[partner],
        title="Chương trình phối hợp do Ban Dân vận chủ trì",
        annual_review_required=True,
        signed_on=datetime.date(2021, 8, 30),
    )
    joined = agreement_of(
        partner,
        title="Chương trình phối hợp do Đảng đoàn chủ trì",
        annual_review_required=True,
        signed_on=datetime.date(2021, 9, 15),
    )
    AgreementPartyFactory(
        agreement=joined, agency=agency_a, name_as_signed="Ban Dân vận Tỉnh ủy", order=1
    )
    inherited = agreement_of(
        old,
        title="Kế hoạch phối hợp của Ban Dân vận Thị ủy",
        kind=Agreement.Kind.PLAN,
        name_as_signed="Ban Dân vận Thị ủy Lai Châu",
        signed_on=datetime.date(2022, 3, 1),
    )
    unrelated = agreement_of(partner, title="Quy chế phối hợp không có Ban Dân vận")
    plan = AnnualPlan.objects.create(agreement=led, year=2024)
    late = _activity(plan, agency_a, "Tổ chức hội nghị đối thoại", deadline=TODAY.replace(month=3))
    late_old = _activity(
        plan,
        old,
        "Sơ kết mô hình Dân vận khéo",
        deadline=TODAY.replace(day=1) - datetime.timedelta(days=1),
    )
    _activity(plan, agency_a, "Đã xong", deadline=TODAY.replace(month=2), done_on=TODAY)
    _activity(plan, agency_a, "Chưa đến hạn", deadline=TODAY.replace(month=12))
    _activity(plan, partner, "Việc của Đảng đoàn", deadline=TODAY.replace(month=1))
    return {
        "old": old,
        "partner": partner,
        "led": led,
        "joined": joined,
        "inherited": inherited,
        "unrelated": unrelated,
        "late": [late, late_old],
    }


def _expected_agreements(agencies):
    return set(Agreement.objects.filter(parties__agency__in=agencies).distinct())


def _expected_late_activities(agencies):
    return set(
        PlanActivity.objects.filter(
            responsible_agency__in=agencies, deadline__lt=TODAY, done_on__isnull=True
        )
    )


def test_it_lists_everything_the_agency_is_party_to_through_its_lineage(
    client, editor_a, agency_a, world
):
    client.force_login(editor_a)
    response = client.get(URL, {"agency": agency_a.pk})
    assert response.status_code == 200
    report = response.context["report"]
    listed = {row["agreement"] for row in report["agreements"]}
    assert listed == _expected_agreements([agency_a, world["old"]])
    assert world["unrelated"] not in listed
    rows = {row["agreement"]: row for row in report["agreements"]}
    assert rows[world["joined"]]["roles"] == ["Phối hợp"]
    assert rows[world["joined"]]["names"] == ["Ban Dân vận Tỉnh ủy"]
    assert rows[world["inherited"]]["roles"] == ["Chủ trì"]
    assert rows[world["inherited"]]["names"] == ["Ban Dân vận Thị ủy Lai Châu"]
    body = response.content.decode()
    assert "Văn bản tham gia (3)" in body
    assert world["unrelated"].title not in body


def test_it_defaults_to_the_users_own_agency(client, editor_a, agency_a, world):
    client.force_login(editor_a)
    report = client.get(URL).context["report"]
    assert report["agency"] == agency_a
    assert len(report["agreements"]) == 3


def test_it_lists_due_reviews_saying_whether_the_agency_is_responsible(
    client, editor_a, agency_a, world
):
    client.force_login(editor_a)
    owed = client.get(URL, {"agency": agency_a.pk}).context["report"]["owed"]
    reviews = [row for row in owed if row["type"] == "review"]
    # Each agreement owes the annual reviews of 2022 and 2023 (due 31/03/2023 and
    # 31/03/2024, both past on 01/06/2024).
    assert sorted((row["agreement"].pk, row["due_on"]) for row in reviews) == sorted(
        (agreement.pk, datetime.date(year + 1, 3, 31))
        for agreement in (world["led"], world["joined"])
        for year in (2022, 2023)
    )
    assert all(row["overdue"] for row in reviews)
    responsible = {row["agreement"]: row["responsible_here"] for row in reviews}
    assert responsible == {world["led"]: True, world["joined"]: False}
    joined = next(row for row in reviews if row["agreement"] == world["joined"])
    assert joined["responsible"] == world["partner"]
    assert str(joined["role_label"]) == "Cơ quan này là bên phối hợp"


def test_it_lists_overdue_activities_the_agency_or_its_predecessor_must_carry_out(
    client, editor_a, agency_a, world
):
    client.force_login(editor_a)
    response = client.get(URL, {"agency": agency_a.pk})
    owed = response.context["report"]["owed"]
    activities = [row for row in owed if row["type"] == "activity"]
    expected = _expected_late_activities([agency_a, world["old"]])
    assert {row["what"] for row in activities} == {a.activity for a in expected}
    assert len(activities) == 2
    body = response.content.decode()
    assert "Tổ chức hội nghị đối thoại" in body
    assert "Chưa đến hạn" not in body
    assert "Việc của Đảng đoàn" not in body


def test_owed_rows_are_sorted_by_due_date(client, editor_a, agency_a, world):
    client.force_login(editor_a)
    owed = client.get(URL, {"agency": agency_a.pk}).context["report"]["owed"]
    dates = [row["due_on"] for row in owed]
    assert dates == sorted(dates)
    assert len(owed) == 4 + 2


# --- Who sees what ---------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_agency_the_user_sees_nothing_of_yields_an_empty_report(
    client, editor_b, agency_a, world
):
    client.force_login(editor_b)
    response = client.get(URL, {"agency": agency_a.pk})
    assert response.status_code == 200
    report = response.context["report"]
    assert report["agreements"] == [] and report["owed"] == []
    body = response.content.decode()
    for agreement in (world["led"], world["joined"], world["inherited"]):
        assert agreement.title not in body
    assert "Tổ chức hội nghị đối thoại" not in body
    assert len(csv_rows(client.get(URL, {"agency": agency_a.pk, "format": "csv"}))) == 1
    owed = client.get(URL, {"agency": agency_a.pk, "format": "csv", "part": "owed"})
    assert len(csv_rows(owed)) == 1


def test_outsider_sees_nothing_and_gets_no_default_agency(client, outsider, agency_a, world):
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["report"]["agency"] is None
    response = client.get(URL, {"agency": agency_a.pk})
    assert response.context["report"]["agreements"] == []


def test_leader_sees_the_agencys_agreements_in_the_area(client, leader, agency_a, world):
    client.force_login(leader)
    report = client.get(URL, {"agency": agency_a.pk}).context["report"]
    assert {row["agreement"] for row in report["agreements"]} == _expected_agreements(
        [agency_a, world["old"]]
    )


def test_an_unknown_agency_is_reported_not_an_error(client, editor_a, world):
    client.force_login(editor_a)
    response = client.get(URL, {"agency": 999999})
    assert response.status_code == 200
    assert response.context["report"]["agency"] is None
    assert "Lựa chọn không có trong danh sách." in response.content.decode()


# --- Exports ---------------------------------------------------------------------


def test_csv_export_lists_the_agreements_with_role_and_name_as_signed(
    client, editor_a, agency_a, world
):
    client.force_login(editor_a)
    rows = csv_rows(client.get(URL, {"agency": agency_a.pk, "format": "csv"}))
    assert rows[0][:6] == [
        "STT",
        "Số, ký hiệu",
        "Trích yếu",
        "Loại",
        "Vai trò",
        "Tên cơ quan trên văn bản",
    ]
    by_title = {row[2]: row for row in rows[1:]}
    assert set(by_title) == {a.title for a in _expected_agreements([agency_a, world["old"]])}
    joined = by_title[world["joined"].title]
    assert joined[4:6] == ["Phối hợp", "Ban Dân vận Tỉnh ủy"]
    assert joined[7] == "15/09/2021"


def test_csv_owed_part_lists_reviews_and_activities(client, editor_a, agency_a, world):
    client.force_login(editor_a)
    response = client.get(URL, {"agency": agency_a.pk, "format": "csv", "part": "owed"})
    rows = csv_rows(response)
    assert rows[0][1] == "Việc phải làm"
    assert len(rows) == 1 + 4 + 2
    assert {row[4] for row in rows[1:]} >= {"Tổ chức hội nghị đối thoại", "Năm 2022", "Năm 2023"}
    assert {row[6] for row in rows[1:]} == {"Quá hạn"}


def test_xlsx_export_has_an_agreements_sheet_and_an_owed_sheet(client, editor_a, agency_a, world):
    client.force_login(editor_a)
    book = workbook(client.get(URL, {"agency": agency_a.pk, "format": "xlsx"}))
    assert book.sheetnames == ["Văn bản tham gia", "Việc phải làm"]
    agreements, owed = book["Văn bản tham gia"], book["Việc phải làm"]
    assert agreements.freeze_panes == "A2" and owed.freeze_panes == "A2"
    assert agreements["B1"].font.bold
    assert agreements.max_row == 1 + 3
    assert isinstance(agreements["A2"].value, int)
    signed = [agreements.cell(row=r, column=8).value for r in range(2, agreements.max_row + 1)]
    assert all(isinstance(value, datetime.datetime) for value in signed)
    assert owed.max_row == 1 + 4 + 2
    assert isinstance(owed["F2"].value, datetime.datetime)
    assert owed["F2"].number_format == "DD/MM/YYYY"


# --- Queries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "params", [{}, {"format": "csv"}, {"format": "csv", "part": "owed"}, {"format": "xlsx"}]
)
def test_query_count_does_not_grow_with_rows(
    client, leader, agency_a, today, params, django_assert_max_num_queries
):
    def add_agreement():
        partner = AgencyFactory(area=agency_a.area)
        agreement = agreement_of(agency_a, partners=[partner], annual_review_required=True)
        plan = AnnualPlan.objects.create(agreement=agreement, year=2024)
        _activity(plan, agency_a, "Hội nghị", deadline=TODAY.replace(month=1))
        AgreementPartyFactory(
            agreement=agreement_of(partner),
            agency=agency_a,
            role=AgreementParty.Role.PARTNER,
            order=1,
        )

    add_agreement()
    client.force_login(leader)
    query = {"agency": agency_a.pk, **params}
    summaries_refresh()  # as a service does after its write
    # The page lists the first rows of each table and counts them all (two queries).
    with django_assert_max_num_queries(23) as small:
        content(client.get(URL, query))
    for _ in range(6):
        add_agreement()
    summaries_refresh()  # as a service does after its write
    with django_assert_max_num_queries(len(small.captured_queries)):
        content(client.get(URL, query))
