"""The review obligations engine: what is due and overdue on a given day, at the edges."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from agreements.models import AgencyChange, Agreement, Review
from reports.selectors.obligations import _responsible_agencies, review_obligations
from tests.factories import AgencyFactory, AgreementFactory, ReviewFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _program(**fields):
    """A 2023–2026 program signed on 01/03/2023, yearly review, no meetings agreed."""
    defaults = {
        "start_year": 2023,
        "end_year": 2026,
        "signed_on": D(2023, 3, 1),
        "annual_review_required": True,
        "meeting_frequency": "",
    }
    return AgreementFactory(**{**defaults, **fields})


def _owed(agreement, on, kind=None):
    found = review_obligations(agreements=Agreement.objects.filter(pk=agreement.pk), on=on)
    return [o for o in found if kind is None or o.kind == kind]


def _labels(obligations):
    return [(o.kind, o.period_label, o.overdue) for o in obligations]


# Annual reviews -----------------------------------------------------------------------


def test_a_year_is_owed_its_review_from_the_first_day_of_the_next_year():
    agreement = _program()

    assert _owed(agreement, D(2023, 12, 31)) == []
    [owed] = _owed(agreement, D(2024, 1, 1))
    assert (owed.kind, owed.period_label, owed.due_on) == ("annual", "Năm 2023", D(2024, 3, 31))
    assert not owed.overdue


def test_the_annual_review_is_due_on_31_march_and_overdue_on_1_april():
    agreement = _program()

    [on_the_day] = _owed(agreement, D(2024, 3, 31))
    [day_after] = _owed(agreement, D(2024, 4, 1))

    assert not on_the_day.overdue
    assert day_after.overdue


def test_years_older_than_two_years_are_history_not_tasks():
    agreement = _program(start_year=2019, signed_on=D(2019, 5, 1), end_year=2026)

    owed = _owed(agreement, D(2024, 6, 1), kind="annual")

    assert [o.period_label for o in owed] == ["Năm 2022", "Năm 2023"]
    assert all(o.overdue for o in owed)


def test_signing_year_counts_when_no_start_year_is_recorded():
    agreement = _program(start_year=None, end_year=None, signed_on=D(2023, 6, 1))

    assert [o.period_label for o in _owed(agreement, D(2024, 2, 1))] == ["Năm 2023"]


def test_no_annual_review_when_the_agreement_does_not_require_one():
    agreement = _program(annual_review_required=False)

    assert _owed(agreement, D(2024, 6, 1)) == []


def test_a_returned_review_does_not_fulfil_the_year():
    agreement = _program()
    ReviewFactory(
        agreement=agreement,
        kind=Review.Kind.ANNUAL,
        status=Review.Status.DRAFT,
        returned_reason="Thiếu số liệu so sánh với năm trước",
        period_from=D(2023, 1, 1),
        period_to=D(2023, 12, 31),
        held_on=D(2023, 12, 20),
    )

    [owed] = _owed(agreement, D(2024, 5, 1))

    assert (owed.period_label, owed.overdue) == ("Năm 2023", True)


@pytest.mark.parametrize("status", [Review.Status.SUBMITTED, Review.Status.APPROVED])
def test_a_submitted_or_approved_review_covering_the_year_fulfils_it(status):
    agreement = _program()
    ReviewFactory(
        agreement=agreement,
        kind=Review.Kind.ANNUAL,
        status=status,
        period_from=D(2023, 1, 1),
        period_to=D(2023, 12, 31),
        held_on=D(2024, 1, 10),
        **({"approved_at": "2024-01-20T09:00:00+07:00"} if status == "approved" else {}),
    )

    assert _owed(agreement, D(2024, 5, 1)) == []


@pytest.mark.parametrize(
    ("held_on", "fulfilled"),
    [
        (D(2023, 11, 30), False),
        (D(2023, 12, 1), True),
        (D(2024, 3, 31), True),
        (D(2024, 4, 1), False),
    ],
)
def test_a_review_without_period_counts_for_the_year_from_december_to_march(held_on, fulfilled):
    agreement = _program()
    ReviewFactory(agreement=agreement, kind=Review.Kind.ANNUAL, status="submitted", held_on=held_on)

    owed = _owed(agreement, D(2024, 6, 1))

    assert (owed == []) is fulfilled


def test_a_midterm_review_covering_the_year_fulfils_the_annual_review_but_a_meeting_does_not():
    agreement = _program()
    ReviewFactory(
        agreement=agreement,
        kind="liaison",
        status="approved",
        held_on=D(2023, 12, 15),
        approved_at="2023-12-20T09:00:00+07:00",
    )
    assert len(_owed(agreement, D(2024, 6, 1))) == 1

    ReviewFactory(
        agreement=agreement,
        kind=Review.Kind.MIDTERM,
        status="submitted",
        period_from=D(2023, 3, 1),
        period_to=D(2024, 2, 28),
        held_on=D(2024, 3, 5),
    )
    assert _owed(agreement, D(2024, 6, 1)) == []


# Mid-term and final reviews ---------------------------------------------------------


def test_the_midterm_review_is_listed_from_october_and_overdue_after_its_year():
    agreement = _program(annual_review_required=False, midterm_review_year=2024)

    assert _owed(agreement, D(2024, 9, 30)) == []
    [due] = _owed(agreement, D(2024, 10, 1))
    [overdue] = _owed(agreement, D(2025, 1, 1))

    assert (due.kind, due.period_label, due.due_on, due.overdue) == (
        "midterm",
        "Sơ kết giữa nhiệm kỳ 2024",
        D(2024, 12, 31),
        False,
    )
    assert overdue.overdue


def test_a_midterm_review_held_the_next_year_fulfils_it():
    agreement = _program(annual_review_required=False, midterm_review_year=2024)
    ReviewFactory(agreement=agreement, kind="midterm", status="submitted", held_on=D(2025, 2, 1))

    assert _owed(agreement, D(2025, 3, 1)) == []


def test_the_final_review_is_listed_from_october_of_the_last_year():
    agreement = _program(annual_review_required=False)

    assert _owed(agreement, D(2026, 9, 30)) == []
    [final] = _owed(agreement, D(2026, 10, 1))

    assert (final.kind, final.period_label, final.due_on, final.overdue) == (
        "final",
        "Tổng kết 2023 – 2026",
        D(2026, 12, 31),
        False,
    )


def test_a_term_that_ended_owes_its_final_review_for_a_year_then_no_more():
    agreement = _program(start_year=2016, end_year=2021, signed_on=D(2016, 12, 21))

    in_2022 = _owed(agreement, D(2022, 6, 1))

    # Expired: only the final review is owed, not the review of its last year.
    assert _labels(in_2022) == [("final", "Tổng kết 2016 – 2021", True)]
    assert in_2022[0].due_on == D(2021, 12, 31)
    assert _owed(agreement, D(2024, 1, 1)) == []


def test_the_final_review_year_overrides_the_end_year():
    agreement = _program(
        start_year=2016, end_year=2021, signed_on=D(2016, 12, 21), final_review_year=2022
    )

    [final] = _owed(agreement, D(2022, 10, 1))

    assert final.due_on == D(2022, 12, 31)
    assert not final.overdue


@pytest.mark.parametrize(
    ("held_on", "fulfilled"),
    [(D(2020, 9, 30), False), (D(2020, 10, 1), True), (D(2021, 8, 30), True)],
)
def test_a_final_review_counts_from_october_of_the_year_before_the_end(held_on, fulfilled):
    agreement = _program(start_year=2016, end_year=2021, signed_on=D(2016, 12, 21))
    ReviewFactory(agreement=agreement, kind="final", status="submitted", held_on=held_on)

    assert (_owed(agreement, D(2022, 3, 1)) == []) is fulfilled


@pytest.mark.parametrize(
    "fields",
    [
        {"lifecycle": Agreement.Lifecycle.DRAFT},
        {"lifecycle": Agreement.Lifecycle.ENDED},
        {"archived_at": "2024-01-05T08:00:00+07:00"},
    ],
)
def test_drafts_ended_and_archived_agreements_owe_nothing(fields):
    agreement = _program(**fields)

    assert _owed(agreement, D(2024, 5, 1)) == []


def test_a_superseded_agreement_owes_nothing():
    old = _program(start_year=2016, end_year=2021, signed_on=D(2016, 12, 21))
    _program(start_year=2021, end_year=2026, signed_on=D(2021, 12, 27), supersedes=old)

    assert _owed(old, D(2022, 3, 1)) == []


# Liaison meetings ----------------------------------------------------------------------


def test_quarterly_meetings_are_owed_for_every_quarter_of_this_and_last_year():
    agreement = _program(
        start_year=2021,
        signed_on=D(2021, 8, 30),
        annual_review_required=False,
        meeting_frequency=Agreement.Frequency.QUARTERLY,
    )
    # Any review held within a quarter is that quarter's meeting, even a draft.
    ReviewFactory(agreement=agreement, kind="liaison", status="draft", held_on=D(2022, 5, 10))
    ReviewFactory(agreement=agreement, kind="annual", status="draft", held_on=D(2023, 1, 1))

    owed = _owed(agreement, D(2023, 8, 15))

    assert _labels(owed) == [
        ("liaison", "Quý 1/2022", True),
        ("liaison", "Quý 3/2022", True),
        ("liaison", "Quý 4/2022", True),
        ("liaison", "Quý 2/2023", True),
        ("liaison", "Quý 3/2023", False),
    ]
    assert owed[-1].due_on == D(2023, 9, 30)


def test_meetings_are_owed_only_within_the_term():
    agreement = _program(
        annual_review_required=False, meeting_frequency=Agreement.Frequency.QUARTERLY
    )

    owed = _owed(agreement, D(2023, 12, 1))

    # Signed on 01/03/2023: the first quarter began before the signing.
    assert _labels(owed) == [
        ("liaison", "Quý 2/2023", True),
        ("liaison", "Quý 3/2023", True),
        ("liaison", "Quý 4/2023", False),
    ]


@pytest.mark.parametrize(
    ("frequency", "labels"),
    [
        (
            Agreement.Frequency.SIX_MONTHLY,
            ["6 tháng đầu năm 2023", "6 tháng cuối năm 2023", "6 tháng đầu năm 2024"],
        ),
        (Agreement.Frequency.YEARLY, ["Năm 2023"]),
        (Agreement.Frequency.AD_HOC, []),
    ],
)
def test_meeting_periods_follow_the_agreed_frequency(frequency, labels):
    agreement = _program(annual_review_required=False, meeting_frequency=frequency)

    owed = _owed(agreement, D(2024, 6, 1))

    assert [o.period_label for o in owed] == labels


def test_monthly_meetings_count_the_months_begun():
    agreement = _program(
        start_year=2021,
        signed_on=D(2021, 8, 30),
        annual_review_required=False,
        meeting_frequency="monthly",
    )

    owed = _owed(agreement, D(2024, 3, 10))

    # 12 months of 2023, January and February overdue, March coming due.
    assert len([o for o in owed if o.overdue]) == 14
    assert [o.period_label for o in owed if not o.overdue] == ["Tháng 3/2024"]


# Responsible agency, link, queries ---------------------------------------------------


def _renamed_then_merged():
    """Lai Châu's Ban Dân vận, renamed on 01/01/2024, merged on 01/03/2025."""
    bdv = AgencyFactory(name="Ban Dân vận Tỉnh ủy Lai Châu")
    renamed = AgencyFactory(name="Ban Dân vận Tỉnh ủy Lai Châu (tên mới)")
    merged = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu")
    AgencyChange.objects.create(
        predecessor=bdv, successor=renamed, kind="renamed", changed_on=D(2024, 1, 1)
    )
    AgencyChange.objects.create(
        predecessor=renamed, successor=merged, kind="merged", changed_on=D(2025, 3, 1)
    )
    return bdv, renamed, merged


def test_a_merged_lead_agency_hands_the_review_to_its_successor():
    bdv, _renamed, merged = _renamed_then_merged()
    agreement = _program(start_year=2021, signed_on=D(2021, 8, 30), lead_agency=bdv)

    [before] = _owed(agreement, D(2022, 2, 1))
    owed_later = _owed(agreement, D(2025, 5, 1))

    assert before.responsible == bdv
    assert {o.responsible for o in owed_later} == {merged}
    assert owed_later[0].agreement.lead_agency == bdv


def test_the_chain_stops_at_a_change_not_yet_made_and_a_split_goes_to_the_first(
    django_assert_max_num_queries,
):
    bdv = AgencyFactory(name="Ban Dân vận Huyện ủy Tam Đường")
    first = AgencyFactory(name="Đảng ủy xã Bình Lư")
    second = AgencyFactory(name="Đảng ủy xã Sơn Bình")
    later = AgencyFactory(name="Ban Xây dựng Đảng Tỉnh ủy Lai Châu")
    AgencyChange.objects.create(predecessor=bdv, successor=second, kind="split", changed_on=None)
    AgencyChange.objects.create(
        predecessor=bdv, successor=first, kind="split", changed_on=D(2025, 6, 30)
    )
    AgencyChange.objects.create(
        predecessor=first, successor=later, kind="merged", changed_on=D(2025, 9, 1)
    )
    agreement = _program(start_year=2021, signed_on=D(2021, 8, 30), lead_agency=bdv)

    # Of the two halves the first recorded continues: by date, an undated change
    # after the dated ones on every database; `later` is not in force yet.
    with django_assert_max_num_queries(4):
        owed = _owed(agreement, D(2025, 8, 1))
    assert {o.responsible for o in owed} == {first}
    assert {o.responsible for o in _owed(agreement, D(2025, 10, 1))} == {later}


def test_the_agencies_continuing_a_chain_of_changes_are_read_in_one_query(
    django_assert_num_queries,
):
    bdv, renamed, merged = _renamed_then_merged()
    kept = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu")
    with django_assert_num_queries(1):
        found = _responsible_agencies([bdv.pk, kept.pk], on=D(2025, 5, 1))
    assert found == {bdv.pk: merged}
    assert found[bdv.pk].name == "Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu"
    with django_assert_num_queries(1):
        assert _responsible_agencies([bdv.pk], on=D(2024, 6, 1)) == {bdv.pk: renamed}


def test_an_agency_that_ended_without_successor_stays_responsible():
    ended = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu")
    AgencyChange.objects.create(predecessor=ended, kind="ended", changed_on=D(2025, 3, 1))
    agreement = _program(lead_agency=ended)

    assert {o.responsible for o in _owed(agreement, D(2025, 5, 1))} == {ended}


def test_the_link_opens_the_review_form_with_kind_and_period():
    agreement = _program()

    [owed] = _owed(agreement, D(2024, 2, 1))

    url = urlsplit(owed.create_url)
    assert url.path == reverse("agreements:review_create", args=[agreement.pk])
    query = parse_qs(url.query)
    assert query["kind"] == ["annual"]
    assert query["period_from"] == ["2023-01-01"]
    assert query["period_to"] == ["2023-12-31"]
    assert query["title"] == ["Đánh giá năm 2023"]


def test_obligations_are_sorted_by_due_date():
    late = _program(start_year=2021, meeting_frequency="six_monthly")
    soon = _program(annual_review_required=False, meeting_frequency="quarterly")

    owed = review_obligations(agreements=Agreement.objects.all(), on=D(2024, 2, 1))

    assert [o.due_on for o in owed] == sorted(o.due_on for o in owed)
    assert {o.agreement for o in owed} == {late, soon}


def _many(count):
    for n in range(count):
        agency = AgencyFactory()
        successor = AgencyFactory()
        AgencyChange.objects.create(
            predecessor=agency, successor=successor, kind="merged", changed_on=D(2023, 1, 1)
        )
        agreement = _program(
            start_year=2021,
            lead_agency=agency,
            meeting_frequency="quarterly",
            midterm_review_year=2023,
        )
        ReviewFactory(agreement=agreement, kind="liaison", held_on=D(2023, 2, 1 + n % 20))


def test_the_number_of_queries_does_not_grow_with_the_agreements(django_assert_num_queries):
    _many(2)
    # The agreements, their reviews, the lineage of their lead agencies with the
    # agencies that took over (one recursive query).
    with django_assert_num_queries(3) as small:
        small_found = review_obligations(agreements=Agreement.objects.all(), on=D(2024, 2, 1))
    _many(20)
    with django_assert_num_queries(len(small.captured_queries)):
        found = review_obligations(agreements=Agreement.objects.all(), on=D(2024, 2, 1))
        # Reading what the page shows costs nothing more either.
        [(o.agreement.lead_agency.name, o.responsible.name) for o in found]
    assert len(found) == 11 * len(small_found)
