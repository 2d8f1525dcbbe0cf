"""The leaders' dashboard at "/": every figure against a count made here from the rows,
who sees what, the filters, the links, and a query count that does not grow."""

import datetime
from collections import Counter
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import (
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    Area,
    Indicator,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
    UserProfile,
)
from reports.services import summaries_refresh
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ContentItemFactory,
    IndicatorFactory,
    ProfileFactory,
    ReviewFactory,
)

TODAY = timezone.localdate()
Y = TODAY.year
D = datetime.date


def _agreement_of(lead, *partners, **fields):
    """An agreement led by `lead`, with `lead` and `partners` as its parties."""
    start = fields.get("start_year") or Y - 2
    defaults = {"signed_on": D(start, 1, 15), "annual_review_required": False}
    agreement = AgreementFactory(lead_agency=lead, **{**defaults, **fields})
    AgreementPartyFactory(agreement=agreement, agency=lead, role=AgreementParty.Role.LEAD)
    for partner in partners:
        AgreementPartyFactory(agreement=agreement, agency=partner)
    return agreement


def _get(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def world(area, agency_a):
    """Agreements of the Lai Châu commission in every state, relative to today."""
    front = AgencyFactory(name="Ủy ban MTTQ Việt Nam tỉnh Lai Châu", short_name="MTTQ", area=area)
    council = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu", short_name="ĐĐ HĐND", area=area)
    AgencyChange.objects.create(
        predecessor=council, kind=AgencyChange.Kind.ENDED, changed_on=TODAY - datetime.timedelta(90)
    )
    old = _agreement_of(agency_a, start_year=Y - 7, end_year=Y - 2, title="Nhiệm kỳ trước")
    w = {
        "front": front,
        "council": council,
        "superseded": old,
        "program": _agreement_of(
            agency_a, council, kind="program", start_year=Y - 2, end_year=Y + 2, supersedes=old
        ),
        "regulation": _agreement_of(
            agency_a,
            council,
            kind="regulation",
            start_year=Y - 5,
            end_year=None,
            annual_review_required=True,
            title="Quy chế phối hợp giữa Ban Dân vận và Đảng đoàn HĐND tỉnh",
        ),
        "plan": _agreement_of(agency_a, kind="plan", start_year=Y, end_year=Y),
        "until_december": _agreement_of(
            agency_a,
            kind="regulation",
            start_year=Y - 1,
            end_year=Y + 3,
            effective_until=D(Y, 12, 31),
        ),
        "led_by_front": _agreement_of(
            front,
            agency_a,
            kind="program",
            start_year=Y - 1,
            end_year=Y,
            effective_until=D(Y + 1, 3, 31),
        ),
        "expired": _agreement_of(agency_a, council, start_year=Y - 6, end_year=Y - 1),
        "draft": _agreement_of(agency_a, lifecycle="draft", start_year=Y, end_year=Y + 4),
    }
    w["draft_successor"] = _agreement_of(
        agency_a, lifecycle="draft", start_year=Y + 1, end_year=Y + 5, supersedes=w["program"]
    )
    w["in_force"] = [
        w[key] for key in ("program", "regulation", "plan", "until_december", "led_by_front")
    ]
    return w


# Access ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_agency_sees_an_empty_dashboard(client, outsider, world):
    response = _get(client, outsider)

    assert response.context["in_force"]["total"] == 0
    assert response.context["progress"]["total"] == 0
    assert response.context["overdue"] == []
    assert response.context["recent"] == []
    assert world["program"].title not in response.content.decode()


def test_the_editor_of_another_agency_sees_none_of_it(client, editor_b, agency_b, world):
    own = _agreement_of(agency_b, kind="plan", start_year=Y, end_year=Y)

    response = _get(client, editor_b)

    context = response.context
    assert context["in_force"]["total"] == 1
    assert [row["name"] for row in context["in_force"]["by_lead_agency"]] == [agency_b.name]
    assert context["expiring"] == [own]
    assert context["orphaned"]["count"] == 0
    assert {o.agreement for o in context["overdue"] + context["due"]} <= {own}
    assert context["progress"]["total"] == 0
    assert {row["url"] for row in context["recent"]} == {own.get_absolute_url()}
    assert world["regulation"].title not in response.content.decode()


def test_the_leader_sees_the_agreements_of_the_area(client, leader, agency_b, world):
    _agreement_of(agency_b, kind="plan", start_year=Y, end_year=Y)

    response = _get(client, leader)

    assert response.context["in_force"]["total"] == len(world["in_force"])


def test_the_editor_of_the_agency_sees_its_agreements(client, editor_a, world):
    response = _get(client, editor_a)

    assert response.context["in_force"]["total"] == len(world["in_force"])


# Figures -----------------------------------------------------------------------------


def test_agreements_in_force_are_counted_by_kind_and_by_lead_agency(
    client, editor_a, agency_a, world
):
    expected_kinds = Counter(a.kind for a in world["in_force"])
    expected_leads = Counter(a.lead_agency.name for a in world["in_force"])

    summary = _get(client, editor_a).context["in_force"]

    assert summary["total"] == len(world["in_force"])
    assert {row["kind"]: row["count"] for row in summary["by_kind"]} == {
        kind: expected_kinds.get(kind, 0) for kind in Agreement.Kind.values
    }
    assert {row["name"]: row["count"] for row in summary["by_lead_agency"]} == expected_leads
    assert summary["other_agencies"] == 0


def test_every_in_force_figure_links_to_the_list_showing_as_many(client, editor_a, world):
    summary = _get(client, editor_a).context["in_force"]

    for url, count in [(summary["url"], summary["total"])] + [
        (row["url"], row["count"]) for row in summary["by_kind"]
    ]:
        listed = client.get(url)
        assert listed.status_code == 200
        assert listed.context["paginator"].count == count, url


def test_lead_agencies_beyond_the_top_ten_are_added_up_as_others(client, admin_user, db):
    for n in range(12):
        lead = AgencyFactory(name=f"Cơ quan chủ trì {n:02d}")
        for _ in range(1 + (n % 3)):
            _agreement_of(lead, start_year=Y - 1, end_year=Y + 1)

    summary = _get(client, admin_user).context["in_force"]

    counts = sorted((1 + (n % 3) for n in range(12)), reverse=True)
    assert [row["count"] for row in summary["by_lead_agency"]] == counts[:10]
    assert summary["other_agencies"] == sum(counts[10:])


def test_agreements_expiring_this_year(client, editor_a, world):
    expiring = _get(client, editor_a).context["expiring"]

    # Ends this year: the plan of this year and the regulation valid until 31/12. The
    # program whose end year is this year is extended to next year by its end date.
    assert set(expiring) == {world["plan"], world["until_december"]}


def test_agreements_whose_signing_agency_ended_and_that_have_no_successor(client, editor_a, world):
    response = _get(client, editor_a)

    orphaned = response.context["orphaned"]
    # The program has a (draft) successor, the expired term is not in force.
    assert orphaned["count"] == 1
    assert orphaned["rows"] == [world["regulation"]]
    body = response.content.decode()
    assert "Đảng đoàn HĐND tỉnh Lai Châu: kết thúc hoạt động" in body


def test_a_merger_is_shown_with_successor_and_date(client, editor_a, agency_a, world):
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu")
    AgencyChange.objects.create(
        predecessor=agency_a, successor=merged, kind="merged", changed_on=D(2025, 3, 1)
    )

    response = _get(client, editor_a)

    orphaned = response.context["orphaned"]
    # Now every agreement in force without a successor is concerned.
    expected = [a for a in world["in_force"] if a != world["program"]]
    assert orphaned["count"] == len(expected)
    assert set(orphaned["rows"]) == set(expected)
    assert (
        "Ban Dân vận Tỉnh ủy Lai Châu → Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu, 01/03/2025"
        in response.content.decode()
    )


def test_the_listed_agreements_changed_parties_are_read_in_one_query(
    agency_a, django_assert_num_queries
):
    from reports.selectors.dashboard import _party_changes

    ended = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu")
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu")
    agreement = AgreementFactory(lead_agency=agency_a)
    AgreementPartyFactory(agreement=agreement, agency=ended, order=2)
    AgreementPartyFactory(agreement=agreement, agency=agency_a, order=1)
    other = AgreementFactory(lead_agency=agency_a)
    gone = AgencyChange.objects.create(predecessor=ended, kind="ended", changed_on=D(2025, 6, 30))
    into = AgencyChange.objects.create(
        predecessor=agency_a, successor=merged, kind="merged", changed_on=D(2025, 3, 1)
    )
    AgencyChange.objects.create(predecessor=merged, kind="ended", changed_on=D(2030, 1, 1))
    with django_assert_num_queries(1):
        _party_changes([agreement, other], on=D(2025, 12, 31))
    assert agreement.party_changes == [(agency_a.name, into), (ended.name, gone)]
    assert agreement.party_changes[0][1].successor.name == merged.name
    assert other.party_changes == []
    # On 01/04/2025 the merger had happened, the end not yet; on 01/01/2025 neither.
    _party_changes([agreement], on=D(2025, 4, 1))
    assert agreement.party_changes == [(agency_a.name, into)]
    _party_changes([agreement], on=D(2025, 1, 1))
    assert agreement.party_changes == []


def test_the_first_rows_of_several_lists_come_in_one_query_each_in_its_order(
    agency_a, monkeypatch, django_assert_num_queries
):
    from reports.models import AgreementSummary
    from reports.selectors import dashboard as selectors

    ends = [D(Y, 12, 31), D(Y, 3, 1), None, D(Y, 7, 1)]
    signed = [D(Y - 2, 1, 1), D(Y - 1, 1, 1), D(Y - 3, 1, 1), None]
    made = [
        AgreementFactory(lead_agency=agency_a, effective_until=end, signed_on=day, number=f"{n}")
        for n, (end, day) in enumerate(zip(ends, signed, strict=True))
    ]
    summaries_refresh()
    summaries = AgreementSummary.objects.filter(pk__in=[a.pk for a in made])
    monkeypatch.setattr(selectors, "LISTED", 3)

    with django_assert_num_queries(1):
        by_end, by_signing = selectors._firsts_of(
            (summaries, selectors.EXPIRING_ORDER), (summaries, selectors.ORPHANED_ORDER), on=TODAY
        )
    # Each list cut at LISTED in its own order; the agreements in both lists in each.
    assert by_end == [made[1], made[3], made[0]]
    assert by_signing == [made[1], made[0], made[2]]
    # With their status on the day, as the agreements' own query gives it.
    status = dict(Agreement.objects.with_status(on=TODAY).values_list("pk", "status_value"))
    assert [row.status for row in by_end + by_signing] == [
        status[row.pk] for row in by_end + by_signing
    ]
    # One list empty: the other's rows still come.
    assert selectors._firsts_of(
        (summaries.none(), selectors.EXPIRING_ORDER),
        (summaries, selectors.ORPHANED_ORDER),
        on=TODAY,
    ) == [[], [made[1], made[0], made[2]]]


def test_item_progress_counts_each_items_latest_assessment(client, editor_a, world):
    program = world["program"]
    items = [ContentItemFactory(agreement=program, number=n) for n in range(1, 6)]
    earlier = ReviewFactory(agreement=program, held_on=D(Y - 1, 6, 1))
    later = ReviewFactory(agreement=program, held_on=D(Y - 1, 12, 1))
    undated = ReviewFactory(agreement=program, held_on=None)
    assessed = [
        (earlier, items[0], "not_started"),
        (later, items[0], "done"),
        (earlier, items[1], "in_progress"),
        (later, items[1], "behind"),
        (undated, items[1], "done"),
        (earlier, items[2], "in_progress"),
        (undated, items[3], "not_started"),
    ]
    for review, item, progress in assessed:
        ItemAssessment.objects.create(review=review, content_item=item, progress=progress)
    # Items of an agreement no longer in force do not count.
    old_item = ContentItemFactory(agreement=world["expired"], number=1)
    ItemAssessment.objects.create(
        review=ReviewFactory(agreement=world["expired"]), content_item=old_item, progress="done"
    )
    # Latest by date held; a review without a date counts as the oldest.
    expected = Counter(["done", "behind", "in_progress", "not_started", "not_assessed"])

    progress = _get(client, editor_a).context["progress"]

    assert progress["total"] == len(items)
    assert {row["code"]: row["count"] for row in progress["rows"]} == {
        code: expected.get(code, 0) for code in [*ItemAssessment.Progress.values, "not_assessed"]
    }


def test_progress_is_drawn_as_a_bar_chart_with_a_table(client, editor_a, world):
    ContentItemFactory(agreement=world["program"], number=1)

    body = _get(client, editor_a).content.decode()

    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in body
    assert 'aria-labelledby="chart-progress-title chart-progress-desc"' in body
    assert "<caption>Số nội dung theo tiến độ</caption>" in body


def test_late_plan_activities_are_counted_and_the_oldest_listed(client, editor_a, world):
    plan = AnnualPlan.objects.create(agreement=world["program"], year=Y)
    old_plan = AnnualPlan.objects.create(agreement=world["expired"], year=Y - 1)

    def activity(plan, days, done=False):
        deadline = None if days is None else TODAY + datetime.timedelta(days)
        return PlanActivity.objects.create(
            plan=plan,
            activity=f"Hội nghị giao ban hạn {days}",
            deadline=deadline,
            done_on=TODAY if done else None,
        )

    oldest = activity(plan, -400)
    recent = activity(plan, -1)
    activity(plan, -5, done=True)
    activity(plan, 0)
    activity(plan, 10)
    activity(plan, None)
    activity(old_plan, -30)

    response = _get(client, editor_a)

    late = response.context["late_activities"]
    assert late["count"] == 2
    assert late["oldest"] == [oldest, recent]
    assert plan.get_absolute_url() in response.content.decode()


def test_reviews_waiting_for_approval_are_listed_and_highlighted_for_leaders(
    client, editor_a, leader, world
):
    waiting = ReviewFactory(
        agreement=world["program"], status="submitted", title="Báo cáo đánh giá năm"
    )
    ReviewFactory(agreement=world["program"], status="draft")

    for_leader = _get(client, leader)
    for_editor = _get(client, editor_a)

    assert for_leader.context["awaiting_approval"] == [waiting]
    assert for_editor.context["awaiting_approval"] == [waiting]
    assert waiting.get_absolute_url() in for_leader.content.decode()
    assert 'class="card dash-card highlight"' in for_leader.content.decode()
    assert 'class="card dash-card highlight"' not in for_editor.content.decode()


def test_overdue_reviews_name_the_successor_and_only_editors_get_the_entry_link(
    client, editor_a, leader, agency_a, world
):
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu")
    AgencyChange.objects.create(
        predecessor=agency_a, successor=merged, kind="merged", changed_on=D(Y - 1, 3, 1)
    )
    # The regulation owes the review of the year before last, due on 31/03 last year.
    expected_label = f"Năm {Y - 2}"

    editor_page = _get(client, editor_a)
    leader_page = _get(client, leader)

    [owed] = [
        o
        for o in editor_page.context["overdue"]
        if o.agreement == world["regulation"] and o.period_label == expected_label
    ]
    assert owed.responsible == merged
    assert owed.due_on == D(Y - 1, 3, 31)
    editor_body = editor_page.content.decode()
    assert owed.create_url.replace("&", "&amp;") in editor_body
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu" in editor_body
    assert owed.create_url.replace("&", "&amp;") not in leader_page.content.decode()


def test_the_entry_link_opens_the_review_form_prefilled(client, editor_a, world):
    owed = next(
        o for o in _get(client, editor_a).context["overdue"] if o.agreement == world["regulation"]
    )

    response = client.get(owed.create_url)

    form = response.context["form"]
    assert form["kind"].value() == "annual"
    assert form["period_from"].value() == D(owed.period_from.year, 1, 1)
    assert form["period_to"].value() == D(owed.period_from.year, 12, 31)
    assert form["title"].value() == f"Đánh giá năm {owed.period_from.year}"
    assert f'value="01/01/{owed.period_from.year}"' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "tong-ket", "period_from": "2022-13-01", "period_to": "hôm qua"},
        {"period_from": "2022-12-31", "period_to": "2022-01-01"},
        {"title": "x" * 600},
    ],
)
def test_the_review_form_ignores_bad_prefill_values(client, editor_a, world, params):
    client.force_login(editor_a)

    response = client.get(reverse("agreements:review_create", args=[world["program"].pk]), params)

    assert response.status_code == 200
    form = response.context["form"]
    assert form["kind"].value() in (None, "")
    assert form["period_from"].value() is None
    assert form["period_to"].value() is None
    assert not form["title"].value()


def test_recent_activity_shows_the_latest_changes_of_visible_records(
    client, editor_a, agency_b, world
):
    hidden = _agreement_of(agency_b, title="Văn bản của tỉnh khác")
    review = ReviewFactory(
        agreement=world["program"], title="Hội nghị giao ban quý", kind="liaison"
    )
    AnnualPlan.objects.create(agreement=world["regulation"], year=Y)
    ReviewFactory(agreement=hidden)

    recent = _get(client, editor_a).context["recent"]

    assert len(recent) == 10
    assert [row["when"] for row in recent] == sorted((r["when"] for r in recent), reverse=True)
    assert recent[0]["label"] == f"Kế hoạch năm {Y}"
    assert recent[1]["url"] == review.get_absolute_url()
    assert recent[1]["label"] == "Hội nghị giao ban quý"
    # Named by its kind, not as "sơ kết, tổng kết" (the model's name) for every review.
    assert recent[1]["what"] == "giao ban"
    assert all(hidden.title not in row["label"] for row in recent)


def test_recent_activity_is_one_query_and_reads_as_the_records_say(
    agency_a, django_assert_num_queries
):
    from reports.selectors.dashboard import recent_activity

    agreement = AgreementFactory(lead_agency=agency_a, number="45-CTr/BDV", title="Chương trình")
    review = ReviewFactory(agreement=agreement, kind="annual", title="", held_on=D(Y - 1, 12, 20))
    AnnualPlan.objects.create(agreement=agreement, year=Y)
    gone = ReviewFactory(agreement=agreement, kind="liaison", title="Giao ban bị xóa")
    gone_url = gone.get_absolute_url()
    gone.delete()
    other = AgreementFactory(title="Văn bản không được hỏi")

    with django_assert_num_queries(1):
        rows = recent_activity(agreements=Agreement.objects.exclude(pk=other.pk))

    assert [(row["action"], row["label"]) for row in rows] == [
        ("Xóa", "Giao ban bị xóa"),
        ("Tạo mới", "Giao ban bị xóa"),
        ("Tạo mới", f"Kế hoạch năm {Y}"),
        ("Tạo mới", f"Đánh giá năm 20/12/{Y - 1}"),
        ("Tạo mới", "45-CTr/BDV: Chương trình"),
    ]
    assert all(isinstance(row["when"], datetime.datetime) and row["when"].tzinfo for row in rows)
    assert [row["when"] for row in rows] == sorted((row["when"] for row in rows), reverse=True)
    deleted, created = rows[0], rows[1]
    assert deleted["url"] is None and created["url"] == gone_url
    assert rows[3]["url"] == review.get_absolute_url() and rows[3]["what"] == "đánh giá năm"
    assert rows[3]["agreement"].number == "45-CTr/BDV"
    assert rows[4]["agreement"] is None and rows[4]["url"] == agreement.get_absolute_url()
    with django_assert_num_queries(1):
        assert len(recent_activity(agreements=Agreement.objects.all(), limit=2)) == 2
    assert recent_activity(agreements=Agreement.objects.none()) == []


# Indicators ----------------------------------------------------------------------------


@pytest.fixture
def merged_provinces(db):
    """Phú Thọ today; Hòa Bình merged into it on 01/07/2025; Huyện Lạc Sơn, a district
    of Hòa Bình abolished the same day."""
    phu_tho = AreaFactory(name="Tỉnh Phú Thọ", code="25")
    hoa_binh = AreaFactory(name="Tỉnh Hòa Bình", code="17", valid_until=D(2025, 6, 30))
    hoa_binh.successors.add(phu_tho)
    lac_son = AreaFactory(
        name="Huyện Lạc Sơn", level=Area.Level.DISTRICT, parent=hoa_binh, valid_until=D(2025, 6, 30)
    )
    return phu_tho, hoa_binh, lac_son


def test_indicator_totals_for_an_area_add_up_merged_and_abolished_units(
    client, admin_user, merged_provinces, area
):
    phu_tho, hoa_binh, lac_son = merged_provinces
    ubnd = AgencyFactory(name="UBND tỉnh Hòa Bình", kind="state", area=hoa_binh)
    district_office = AgencyFactory(name="UBND huyện Lạc Sơn", kind="state", area=lac_son)
    agreement = _agreement_of(ubnd, start_year=Y - 3, end_year=Y + 1)
    dialogues = IndicatorFactory(name="Số cuộc đối thoại với Nhân dân", unit="cuộc")
    friendly = IndicatorFactory(
        name="Xã xây dựng mô hình Chính quyền thân thiện", unit="xã", kind="ratio"
    )
    rows = [
        # (indicator, year, area, agency, value, denominator)
        (dialogues, Y - 2, hoa_binh, None, 100, None),
        (dialogues, Y - 2, lac_son, None, 20, None),
        (dialogues, Y - 2, None, district_office, 5, None),
        (dialogues, Y - 1, phu_tho, None, 40, None),
        (dialogues, Y - 2, area, None, 1000, None),  # Lai Châu: another province
        (friendly, Y - 1, phu_tho, None, 166, 200),
        (friendly, Y - 1, hoa_binh, None, 34, 100),
    ]
    for indicator, year, where, agency, value, denominator in rows:
        IndicatorValue.objects.create(
            indicator=indicator,
            agreement=agreement,
            year=year,
            area=where,
            agency=agency,
            value=value,
            denominator=denominator,
        )
    in_phu_tho = {lac_son.pk, hoa_binh.pk, phu_tho.pk}

    def expected(indicator, year):
        chosen = [
            r
            for r in rows
            if r[0] == indicator
            and r[1] == year
            and ((r[2] and r[2].pk in in_phu_tho) or (r[3] and r[3].area_id in in_phu_tho))
        ]
        return sum(r[4] for r in chosen), sum(r[5] or 0 for r in chosen)

    response = _get(client, admin_user, area=phu_tho.pk)

    trends = {t["indicator"]: t for t in response.context["indicators"]}
    dialogue_points = {p["year"]: p["row"] for p in trends[dialogues]["points"]}
    assert list(dialogue_points) == [Y - 2, Y - 1]
    assert dialogue_points[Y - 2]["value"] == expected(dialogues, Y - 2)[0] == 125
    assert dialogue_points[Y - 1]["value"] == expected(dialogues, Y - 1)[0] == 40
    [ratio] = [p["row"] for p in trends[friendly]["points"]]
    value, denominator = expected(friendly, Y - 1)
    assert (ratio["value"], ratio["denominator"]) == (value, denominator) == (200, 300)
    assert ratio["percentage"].quantize(Decimal("0.1")) == Decimal("66.7")
    body = response.content.decode()
    assert "66,7%" in body
    assert "<caption>Số liệu “Số cuộc đối thoại với Nhân dân” theo năm</caption>" in body


def test_indicator_trend_covers_the_chosen_term_year_by_year(client, admin_user, agency_a):
    agreement = _agreement_of(agency_a, start_year=Y - 4, end_year=Y + 1)
    dialogues = IndicatorFactory(unit="cuộc")
    for year, value in [(Y - 6, 7), (Y - 3, 2875), (Y - 1, 520)]:
        IndicatorValue.objects.create(
            indicator=dialogues, agreement=agreement, year=year, agency=agency_a, value=value
        )

    response = _get(client, admin_user, period=f"{Y - 4}-{Y + 1}")

    [trend] = response.context["indicators"]
    points = {p["year"]: (p["row"] or {}).get("value") for p in trend["points"]}
    assert points == {Y - 4: None, Y - 3: 2875, Y - 2: None, Y - 1: 520, Y: None, Y + 1: None}
    body = response.content.decode()
    assert "2.875" in body
    assert 'class="chart-value"' in body


# Filters ---------------------------------------------------------------------------------


def test_the_kind_filter_narrows_every_figure_and_is_kept_in_the_links(client, editor_a, world):
    response = _get(client, editor_a, kind="regulation")

    summary = response.context["in_force"]
    expected = [a for a in world["in_force"] if a.kind == "regulation"]
    assert summary["total"] == len(expected)
    assert parse_qs(urlsplit(summary["url"]).query) == {
        "kind": ["regulation"],
        "status": ["in_force"],
    }
    assert set(response.context["expiring"]) == {world["until_december"]}
    assert "<strong>Loại văn bản</strong>: Quy chế phối hợp" in response.content.decode()


def test_the_agency_filter_follows_the_lineage(client, admin_user, world):
    successor = AgencyFactory(name="Ủy ban MTTQ Việt Nam tỉnh Lai Châu (mới)")
    AgencyChange.objects.create(
        predecessor=world["front"], successor=successor, kind="renamed", changed_on=D(2025, 7, 1)
    )

    response = _get(client, admin_user, agency=successor.pk)

    assert response.context["in_force"]["total"] == 1
    assert response.context["in_force"]["by_lead_agency"][0]["name"] == world["front"].name


def test_the_area_and_term_filters_apply(client, admin_user, agency_b, world):
    _agreement_of(agency_b, kind="program", start_year=Y - 2, end_year=Y + 2)

    by_area = _get(client, admin_user, area=agency_b.area_id).context["in_force"]
    by_term = _get(client, admin_user, period=f"{Y - 2}-{Y + 2}").context["in_force"]

    assert by_area["total"] == 1
    assert by_term["total"] == 2


def test_invalid_filter_values_are_reported_and_ignored(client, editor_a, world):
    response = _get(client, editor_a, area="khong-phai-so", kind="regulation")

    assert "Một số điều kiện lọc không hợp lệ" in response.content.decode()
    assert response.context["in_force"]["total"] == len(
        [a for a in world["in_force"] if a.kind == "regulation"]
    )


# Queries ---------------------------------------------------------------------------------


def _grow(agency, partner, count):
    indicator = Indicator.objects.first() or IndicatorFactory()
    for n in range(count):
        agreement = _agreement_of(
            agency,
            partner,
            start_year=Y - 2,
            end_year=Y + 2,
            annual_review_required=True,
            meeting_frequency="quarterly",
        )
        item = ContentItemFactory(agreement=agreement, number=1)
        review = ReviewFactory(
            agreement=agreement, status=Review.Status.SUBMITTED, held_on=D(Y - 1, 12, 1)
        )
        ItemAssessment.objects.create(review=review, content_item=item, progress="done")
        plan = AnnualPlan.objects.create(agreement=agreement, year=Y)
        PlanActivity.objects.create(
            plan=plan, activity="Giao ban", deadline=TODAY - datetime.timedelta(n + 1)
        )
        IndicatorValue.objects.create(
            indicator=indicator, agreement=agreement, year=Y - 1 - n % 3, agency=agency, value=n
        )


@pytest.mark.parametrize("role", ["editor", "leader"])
def test_the_query_count_does_not_grow_with_the_rows(
    client, area, agency_a, world, role, django_assert_max_num_queries
):
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu", area=area)
    AgencyChange.objects.create(
        predecessor=agency_a, successor=merged, kind="merged", changed_on=D(Y - 1, 3, 1)
    )
    office = agency_a if role == "editor" else AgencyFactory(area=area)
    user = ProfileFactory(agency=office, role=UserProfile.Role(role)).user
    client.force_login(user)
    _grow(agency_a, world["council"], 2)
    # The summaries of what was just written are recomputed first, as a service does
    # after its write (a fixed number of queries too: see test_summaries.py).
    summaries_refresh()
    # The first view after new figures and new areas' rows: the session with its user
    # and the state, the leader's areas or the editor's lineage walked again, the
    # page's sections computed and stored, the indicator totals added up again and
    # stored, the term filter's choices, the session's last activity saved (23). A
    # repeat view is one query (test_round_trips.py).
    with django_assert_max_num_queries(23) as small:
        client.get(reverse("home"))
    _grow(agency_a, world["council"], 20)
    summaries_refresh()
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("home"))
    assert response.context["late_activities"]["count"] == 22


def test_a_computed_dashboard_asks_the_summaries_state_and_the_lineage_once(
    client, world, admin_user
):
    # The key of the rendered figures, the figures themselves and the term filter's
    # choices share one reading of the summary state (reports.services.read_state);
    # both obligation lists share one lineage lookup.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    summaries_refresh()
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.context["overdue"] and response.context["due"]
    sql = [query["sql"] for query in captured.captured_queries]
    assert sum('FROM "reports_summarystate" state' in q for q in sql) == 1
    assert sum(q.startswith("WITH RECURSIVE edges(source, target, changed_on") for q in sql) == 1


# The rendered figures, kept until a write -------------------------------------------


def _figures_rendered(monkeypatch):
    from reports.views.dashboard import DashboardView

    calls = []
    render = DashboardView.render_figures

    def counted(self):
        calls.append(self.request.user.pk)
        return render(self)

    monkeypatch.setattr(DashboardView, "render_figures", counted)
    return calls


def test_a_repeat_view_serves_the_figures_rendered_for_the_first(
    client, editor_a, world, monkeypatch, django_assert_max_num_queries
):
    def figures(response):
        page = response.content.decode()
        return page[page.index('<div class="dashboard">') : page.index("</main>")]

    rendered = _figures_rendered(monkeypatch)
    first = figures(_get(client, editor_a))
    with django_assert_max_num_queries(6) as repeat:
        again = figures(client.get(reverse("home")))
    # The session with its user, the scope's lineage, the marks and the state of the
    # summaries, and the filter's period options (one DISTINCT on SQLite; the
    # generation and the snapshot that remembers them on PostgreSQL).
    assert again == first and len(rendered) == 1, [q["sql"] for q in repeat.captured_queries]


def test_a_write_shows_in_the_next_view(client, editor_a, agency_a, world, monkeypatch):
    rendered = _figures_rendered(monkeypatch)
    before = _get(client, editor_a).context["in_force"]["total"]
    _agreement_of(agency_a, kind="plan", start_year=Y, end_year=Y, title="Kế hoạch mới")
    after = _get(client, editor_a)
    assert after.context["in_force"]["total"] == before + 1
    assert len(rendered) == 2


def test_roles_languages_and_filters_have_figures_of_their_own(
    client, editor_a, agency_a, world, monkeypatch
):
    rendered = _figures_rendered(monkeypatch)
    leader = ProfileFactory(agency=agency_a, role=UserProfile.Role.LEADER).user
    _get(client, editor_a)
    _get(client, leader)
    _get(client, editor_a, kind="plan")
    client.cookies["django_language"] = "en"
    english = _get(client, editor_a)
    assert '<h2 id="dash-in-force">Agreements in force</h2>' in english.content.decode()
    assert len(rendered) == 4
    del client.cookies["django_language"]
    vietnamese = _get(client, editor_a)
    assert '<h2 id="dash-in-force">Văn bản đang hiệu lực</h2>' in vietnamese.content.decode()
    _get(client, leader)
    assert len(rendered) == 4


def test_invalid_filters_are_still_reported_when_the_figures_come_from_the_cache(
    client, editor_a, world
):
    _get(client, editor_a, period="9999")
    response = _get(client, editor_a, period="9999")
    assert response.context["filter"].form.errors
    assert "không hợp lệ" in response.content.decode()
