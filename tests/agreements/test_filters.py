"""The agreement list's filters, sorting and pagination (`AgreementFilterSet`)."""

import datetime
import html
import itertools
import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import services
from agreements.models import AgencyChange, Agreement, AgreementParty
from reports.services import summaries_refresh
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ContentItemFactory,
    ReviewFactory,
)

THIS_YEAR = datetime.date.today().year
LIST_URL = reverse("agreements:agreement_list")


def _agreement(agency=None, partners=(), **kwargs):
    """An agreement led by `agency` (a lead party row) with optional partner parties."""
    agency = agency or AgencyFactory()
    agreement = AgreementFactory(lead_agency=agency, **kwargs)
    AgreementPartyFactory(agreement=agreement, agency=agency, role=AgreementParty.Role.LEAD)
    for partner in partners:
        AgreementPartyFactory(agreement=agreement, agency=partner)
    return agreement


def _titles(client, **params):
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [agreement.title for agreement in response.context["object_list"]]


@pytest.fixture
def staff(client, admin_user):
    """A client signed in as an admin, who sees every live agreement."""
    client.force_login(admin_user)
    return client


def test_kind_filter_keeps_only_that_kind(staff):
    _agreement(title="Quy chế phối hợp", kind=Agreement.Kind.REGULATION)
    _agreement(title="Chương trình phối hợp", kind=Agreement.Kind.PROGRAM)
    assert _titles(staff, kind="regulation") == ["Quy chế phối hợp"]
    assert _titles(staff, kind="program") == ["Chương trình phối hợp"]


@pytest.fixture
def one_of_each_status(db):
    _agreement(title="dự thảo", lifecycle=Agreement.Lifecycle.DRAFT)
    _agreement(title="chấm dứt", lifecycle=Agreement.Lifecycle.ENDED)
    _agreement(title="hiệu lực", start_year=THIS_YEAR - 1, end_year=THIS_YEAR + 3)
    _agreement(title="hết hạn", start_year=THIS_YEAR - 6, end_year=THIS_YEAR - 2)
    old = _agreement(title="bị thay thế", start_year=THIS_YEAR - 6, end_year=THIS_YEAR + 1)
    _agreement(title="thay thế", start_year=THIS_YEAR, end_year=THIS_YEAR + 5, supersedes=old)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("draft", ["dự thảo"]),
        ("ended", ["chấm dứt"]),
        ("in_force", ["hiệu lực", "thay thế"]),
        ("expired", ["hết hạn"]),
        ("superseded", ["bị thay thế"]),
    ],
)
def test_status_filter_uses_the_derived_status(staff, one_of_each_status, status, expected):
    assert sorted(_titles(staff, status=status)) == sorted(expected)


def test_period_filter_matches_the_exact_term(staff):
    _agreement(title="2016–2021", start_year=2016, end_year=2021)
    _agreement(title="2021–2026", start_year=2021, end_year=2026)
    _agreement(title="từ 2013", start_year=2013, end_year=None, kind=Agreement.Kind.REGULATION)
    assert _titles(staff, period="2021-2026") == ["2021–2026"]
    assert _titles(staff, period="2013-") == ["từ 2013"]


def test_period_choices_are_the_terms_the_user_can_see(client, editor_a, agency_a, agency_b):
    _agreement(agency_a, start_year=2021, end_year=2026)
    _agreement(agency_b, start_year=2016, end_year=2021)
    client.force_login(editor_a)
    response = client.get(LIST_URL)
    choices = [value for value, _label in response.context["filter"].form.fields["period"].choices]
    assert choices == ["", "2021-2026"]


def test_period_choices_follow_every_write(client, editor_a, agency_a):
    first = _agreement(agency_a, start_year=2021, end_year=2026)
    client.force_login(editor_a)
    assert _period_choices(client) == ["", "2021-2026"]
    _agreement(agency_a, start_year=2016, end_year=2021)
    summaries_refresh()
    assert _period_choices(client) == ["", "2021-2026", "2016-2021"]
    first.end_year = 2025
    first.save()
    summaries_refresh()
    assert _period_choices(client) == ["", "2021-2025", "2016-2021"]


_views = itertools.count()


def _period_choices(client):
    # The list's results are remembered whole (tests/agreements/test_list_cache.py),
    # per query string: a parameter of its own on each view, so that the period
    # options are computed, or read from the cache where they are remembered per
    # scope, which is what this tests.
    response = client.get(LIST_URL, {"view": next(_views)})
    return [value for value, _label in response.context["filter"].form.fields["period"].choices]


def test_period_choices_are_remembered_until_a_write_changes_an_agreement(
    client, editor_a, agency_a
):
    first = _agreement(agency_a, start_year=2021, end_year=2026)
    client.force_login(editor_a)
    # While the write waits for its summaries, the choices are read afresh.
    assert _period_choices(client) == ["", "2021-2026"]
    summaries_refresh()
    assert _period_choices(client) == ["", "2021-2026"]
    with CaptureQueriesContext(connection) as again:
        assert _period_choices(client) == ["", "2021-2026"]
    assert not [q for q in again.captured_queries if "DISTINCT" in q["sql"]]

    second = _agreement(agency_a, start_year=2016, end_year=2021)
    assert _period_choices(client) == ["", "2021-2026", "2016-2021"]
    summaries_refresh()
    assert _period_choices(client) == ["", "2021-2026", "2016-2021"]

    services.agreement_archive(agreement=second, user=editor_a, expected_version=second.version)
    first.end_year = 2025
    first.save()
    summaries_refresh()
    assert _period_choices(client) == ["", "2021-2025"]


def test_year_filter_finds_agreements_whose_period_covers_the_year(staff):
    _agreement(title="2016–2021", start_year=2016, end_year=2021)
    _agreement(title="2021–2026", start_year=2021, end_year=2026)
    _agreement(title="từ 2013", start_year=2013, end_year=None, kind=Agreement.Kind.REGULATION)
    assert sorted(_titles(staff, year=2018)) == ["2016–2021", "từ 2013"]
    assert sorted(_titles(staff, year=2021)) == ["2016–2021", "2021–2026", "từ 2013"]
    assert sorted(_titles(staff, year=2024)) == ["2021–2026", "từ 2013"]
    assert _titles(staff, year=2010) == []


def test_agency_filter_by_successor_finds_what_the_predecessor_signed(staff):
    predecessor = AgencyFactory(name="Ban cán sự đảng UBND tỉnh")
    successor = AgencyFactory(name="Đảng ủy UBND tỉnh")
    AgencyChange.objects.create(
        predecessor=predecessor, successor=successor, kind=AgencyChange.Kind.MERGED
    )
    _agreement(predecessor, title="ký bởi cơ quan trước")
    _agreement(successor, title="ký bởi cơ quan kế thừa")
    _agreement(title="cơ quan khác")
    assert sorted(_titles(staff, agency=successor.pk)) == [
        "ký bởi cơ quan kế thừa",
        "ký bởi cơ quan trước",
    ]
    assert _titles(staff, agency=predecessor.pk) == ["ký bởi cơ quan trước"]


def test_agency_filter_matches_partner_parties_too(staff):
    front = AgencyFactory(name="Ủy ban MTTQ tỉnh")
    _agreement(title="có Mặt trận", partners=[front])
    _agreement(title="không có Mặt trận")
    assert _titles(staff, agency=front.pk) == ["có Mặt trận"]


def test_area_filter_rolls_up_merged_and_lower_areas(staff):
    merged_away = AreaFactory(name="Tỉnh cũ")
    today = AreaFactory(name="Tỉnh mới")
    merged_away.successors.add(today)
    commune = AreaFactory(name="Xã Mới", level="commune", parent=today)
    _agreement(AgencyFactory(area=merged_away), title="tỉnh cũ")
    _agreement(AgencyFactory(area=today), title="tỉnh mới")
    _agreement(AgencyFactory(area=commune), title="xã")
    _agreement(AgencyFactory(), title="nơi khác")
    assert sorted(_titles(staff, area=today.pk)) == ["tỉnh cũ", "tỉnh mới", "xã"]
    assert _titles(staff, area=merged_away.pk) == ["tỉnh cũ"]


def test_signed_year_filter(staff):
    _agreement(title="ký 2016", signed_on=datetime.date(2016, 12, 21))
    _agreement(title="ký 2021", signed_on=datetime.date(2021, 12, 27))
    _agreement(title="chưa có ngày ký", signed_on=None)
    assert _titles(staff, signed_year=2021) == ["ký 2021"]


# The overdue rule, on a fixed day: 15/03/2026. The window for a review is 01/01/2025..15/03/2026.
ON = datetime.date(2026, 3, 15)


def _overdue_titles():
    return sorted(Agreement.objects.review_overdue(on=ON).values_list("title", flat=True))


def _program(title, **kwargs):
    kwargs.setdefault("start_year", 2021)
    kwargs.setdefault("end_year", 2026)
    return _agreement(title=title, **kwargs)


@pytest.mark.parametrize(
    ("held_on", "kind", "overdue"),
    [
        (None, None, True),
        (datetime.date(2024, 12, 31), "annual", True),
        (datetime.date(2025, 1, 1), "annual", False),
        (datetime.date(2026, 3, 15), "midterm", False),
        (datetime.date(2026, 3, 16), "annual", True),
        (datetime.date(2025, 6, 30), "six_monthly", False),
        (datetime.date(2025, 12, 20), "final", False),
        (datetime.date(2025, 12, 20), "liaison", True),
    ],
)
def test_review_overdue_boundary(db, held_on, kind, overdue):
    program = _program("chương trình")
    if held_on:
        ReviewFactory(agreement=program, held_on=held_on, kind=kind)
    assert _overdue_titles() == (["chương trình"] if overdue else [])


def test_review_overdue_needs_a_completed_year_and_a_term_reaching_last_year(db):
    _program("đủ một năm", start_year=2025, end_year=2030)
    _program("chưa đủ một năm", start_year=2026, end_year=2031)
    _program("kết thúc năm ngoái", start_year=2020, end_year=2025)
    _program("kết thúc từ lâu", start_year=2016, end_year=2021)
    _program("hết hiệu lực sớm", effective_until=datetime.date(2024, 6, 30))
    _agreement(title="quy chế không thời hạn", start_year=2013, end_year=None)
    _agreement(title="không ghi năm", start_year=None, end_year=None)  # signed 2021
    assert _overdue_titles() == sorted(
        ["đủ một năm", "kết thúc năm ngoái", "quy chế không thời hạn", "không ghi năm"]
    )


def test_review_overdue_skips_drafts_ended_superseded_and_not_required(db):
    _program("dự thảo", lifecycle=Agreement.Lifecycle.DRAFT)
    _program("chấm dứt", lifecycle=Agreement.Lifecycle.ENDED)
    _program("không yêu cầu", annual_review_required=False)
    old = _program("bị thay thế")
    _program("nhiệm kỳ sau", start_year=2026, end_year=2031, supersedes=old)
    assert _overdue_titles() == []


def test_overdue_checkbox_narrows_the_list(staff):
    late = _program("chậm đánh giá", start_year=THIS_YEAR - 2, end_year=THIS_YEAR + 3)
    ReviewFactory(agreement=late, held_on=datetime.date(THIS_YEAR - 2, 12, 1))
    reviewed = _program("đã đánh giá", start_year=THIS_YEAR - 2, end_year=THIS_YEAR + 3)
    ReviewFactory(agreement=reviewed, held_on=datetime.date(THIS_YEAR - 1, 12, 1))
    assert _titles(staff, overdue="on") == ["chậm đánh giá"]
    assert sorted(_titles(staff)) == ["chậm đánh giá", "đã đánh giá"]


@pytest.mark.parametrize(
    "query",
    [
        "dan van kheo",  # title
        "31b-qcph/bdv-ddhdnd",  # number, "Đ" folded to "d"
        "dang doan hoi dong nhan dan",  # a party's agency
        "tiep cong dan, doi thoai",  # a content item
        "DÂN VẬN KHÉO",
    ],
)
def test_q_ignores_diacritics_over_number_title_parties_and_items(staff, query):
    council = AgencyFactory(name="Đảng đoàn Hội đồng nhân dân tỉnh Lai Châu")
    match = _agreement(
        number="31B-QCPH/BDV-ĐĐHĐND",
        title="Phong trào thi đua Dân vận khéo",
        partners=[council],
    )
    ContentItemFactory(agreement=match, number=1, title="Tiếp công dân, đối thoại với Nhân dân")
    _agreement(number="19/KH-UBND", title="Kế hoạch cải cách hành chính")
    assert _titles(staff, q=query) == [match.title]


@pytest.fixture
def three_sortable(db):
    """A < B < C in every sortable column (kind and status in declared order)."""
    _agreement(
        number="01-QCPH/BDV",
        title="An ninh trật tự",
        kind=Agreement.Kind.REGULATION,
        signed_on=datetime.date(2019, 1, 1),
        start_year=2016,
        end_year=2030,
        lifecycle=Agreement.Lifecycle.DRAFT,
    )
    _agreement(
        number="02-CTr/BDV",
        title="Bảo đảm dân chủ",
        kind=Agreement.Kind.PROGRAM,
        signed_on=datetime.date(2020, 1, 1),
        start_year=2018,
        end_year=THIS_YEAR + 2,
    )
    _agreement(
        number="03-KH/BDV",
        title="Cải cách hành chính",
        kind=Agreement.Kind.PLAN,
        signed_on=datetime.date(2021, 1, 1),
        start_year=2021,
        end_year=2022,
    )


@pytest.mark.parametrize("column", ["number", "title", "kind", "signed_on", "period", "status"])
def test_sort_by_each_column_both_directions(staff, three_sortable, column):
    ascending = ["An ninh trật tự", "Bảo đảm dân chủ", "Cải cách hành chính"]
    assert _titles(staff, sort=column) == ascending
    assert _titles(staff, sort=f"-{column}") == ascending[::-1]


def test_sort_headers_toggle_direction_and_keep_filters(staff, three_sortable):
    response = staff.get(LIST_URL, {"kind": "program", "sort": "title", "page": "1"})
    body = response.content.decode()
    assert 'href="?kind=program&amp;sort=-title"' in body
    assert 'aria-sort="ascending"' in body
    assert 'href="?kind=program&amp;sort=number"' in body
    response = staff.get(LIST_URL, {"kind": "program", "sort": "-title"})
    body = response.content.decode()
    assert 'href="?kind=program&amp;sort=title"' in body
    assert 'aria-sort="descending"' in body
    # The filter form carries the sort along when the filters change.
    assert '<input type="hidden" name="sort" value="-title">' in body


def _link(body, rel):
    """The query of the pagination link `rel` ("next" or "prev"), as a dict of lists."""
    match = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', body)
    assert match, f"no {rel} link"
    return parse_qs(html.unescape(match.group(1)))


def test_pagination_links_keep_the_filters(staff):
    agency = AgencyFactory()
    for n in range(27):
        _agreement(agency, title=f"Chương trình dân vận {n}", kind=Agreement.Kind.PROGRAM)
    _agreement(agency, title="Kế hoạch dân vận", kind=Agreement.Kind.PLAN)
    params = {"q": "dân vận", "kind": "program", "sort": "title"}
    response = staff.get(LIST_URL, params)
    assert response.context["paginator"].count == 27
    expected = {key: [value] for key, value in params.items()}
    assert _link(response.content.decode(), "next") == {**expected, "page": ["2"]}
    second = staff.get(LIST_URL, {**params, "page": 2})
    assert len(second.context["object_list"]) == 2
    assert "Kế hoạch dân vận" not in second.content.decode()
    assert _link(second.content.decode(), "prev") == {**expected, "page": ["1"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"signed_year": "abc"}, "Năm phải là một số"),
        ({"year": "20x"}, "Năm phải là một số"),
        ({"signed_year": "99999"}, "Năm không được sau 2100"),
        ({"agency": "999999"}, "Lựa chọn không có trong danh sách"),
        ({"area": "abc"}, "Lựa chọn không có trong danh sách"),
        ({"status": "bogus"}, "Lựa chọn “bogus” không có trong danh sách"),
        ({"kind": "bogus"}, "Lựa chọn “bogus” không có trong danh sách"),
        ({"period": "1900-1901"}, "không có trong danh sách"),
        ({"sort": "password"}, "không có trong danh sách"),
    ],
)
def test_invalid_filter_is_reported_in_vietnamese_and_ignored(staff, params, message):
    _agreement(title="Quy chế", kind=Agreement.Kind.REGULATION)
    _agreement(title="Chương trình", kind=Agreement.Kind.PROGRAM)
    response = staff.get(LIST_URL, params)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Một số điều kiện lọc không hợp lệ nên chưa được áp dụng" in body
    assert message in body
    assert sorted(a.title for a in response.context["object_list"]) == ["Chương trình", "Quy chế"]


def test_valid_filters_still_apply_next_to_an_invalid_one(staff):
    _agreement(title="Quy chế", kind=Agreement.Kind.REGULATION)
    _agreement(title="Chương trình", kind=Agreement.Kind.PROGRAM)
    assert _titles(staff, kind="program", agency="999999") == ["Chương trình"]


def test_no_filter_shows_another_agencys_agreements_to_an_editor(
    client, editor_a, agency_a, agency_b
):
    own = _agreement(agency_a, title="Của Lai Châu", start_year=2021, end_year=2026)
    other = _agreement(
        agency_b, title="Của Nghệ An", start_year=2021, end_year=2026, number="593-QĐ/TU"
    )
    client.force_login(editor_a)
    attempts = [
        {},
        {"agency": agency_b.pk},
        {"area": agency_b.area_id},
        {"q": "nghe an"},
        {"q": "593-qd/tu"},
        {"kind": other.kind},
        {"status": "in_force"},
        {"period": "2021-2026"},
        {"year": 2022},
        {"signed_year": other.signed_on.year},
        {"overdue": "on"},
        {"sort": "-title"},
    ]
    for params in attempts:
        response = client.get(LIST_URL, params)
        listed = {a.pk for a in response.context["paginator"].object_list}
        assert other.pk not in listed, params
        assert "Của Nghệ An" not in response.content.decode(), params
    assert _titles(client, agency=agency_a.pk) == [own.title]


def test_filtered_list_query_count_does_not_grow_with_rows(
    client, editor_a, agency_a, django_assert_max_num_queries
):
    partner = AgencyFactory(area=agency_a.area)

    def add(count):
        for _ in range(count):
            agreement = _agreement(agency_a, partners=[partner, AgencyFactory()])
            ContentItemFactory(agreement=agreement, number=1)

    params = {
        "q": "chuong trinh",
        "kind": "program",
        "status": "in_force",
        "period": "2021-2026",
        "year": 2024,
        "agency": agency_a.pk,
        "area": agency_a.area_id,
        "signed_year": 2021,
        "sort": "-status",
    }
    add(3)
    client.force_login(editor_a)
    with django_assert_max_num_queries(25) as ctx:
        response = client.get(LIST_URL, params)
    assert response.context["paginator"].count == 3
    add(27)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get(LIST_URL, params)
    assert response.context["paginator"].count == 30
