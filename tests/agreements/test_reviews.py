"""Reviews: entering them with assessments and figures, and the approval workflow."""

import pytest
from django.urls import reverse

from agreements.models import AgreementParty, IndicatorValue, ItemAssessment, Review, UserProfile
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


@pytest.fixture
def agreement(agency_a):
    agreement = AgreementFactory(lead_agency=agency_a, declared_item_count=3)
    AgreementPartyFactory(agreement=agreement, agency=agency_a, role=AgreementParty.Role.LEAD)
    for n in (1, 2, 3):
        ContentItemFactory(agreement=agreement, number=n, title=f"Nội dung số {n}")
    return agreement


@pytest.fixture
def ratio(db):
    return IndicatorFactory(
        code="chinh-quyen-than-thien", name="Xã xây dựng Chính quyền thân thiện", kind="ratio"
    )


def _formset(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial)}
    data[f"{prefix}-MIN_NUM_FORMS"] = "0"
    data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def _payload(agreement, agency, indicator, value="166", denominator="200", **overrides):
    items = list(agreement.items.all())
    data = {
        "kind": "annual",
        "title": "Hội nghị đánh giá năm 2022",
        "period_from": "01/01/2022",
        "period_to": "31/12/2022",
        "held_on": "20/12/2022",
        "place": "Phòng họp số 1",
        "chaired_by": "Lò Văn Cương",
        "results": "Đạt nhiều kết quả quan trọng.",
        "limitations": "Phối hợp có lúc chưa thường xuyên.",
        "version": "",
    }
    data.update(
        _formset("papers", [{"title": "Nắm tình hình Nhân dân", "presenter": "Cao Xuân Hà"}])
    )
    data.update(
        _formset(
            "assessments",
            [
                {"content_item": str(items[0].pk), "progress": "done", "comment": "Tốt"},
                {"content_item": str(items[1].pk), "progress": "behind"},
                {"content_item": str(items[2].pk), "progress": ""},
            ],
            initial=3,
        )
    )
    data.update(
        _formset(
            "values",
            [
                {
                    "indicator": str(indicator.pk),
                    "year": "2022",
                    "agency": str(agency.pk),
                    "value": value,
                    "denominator": denominator,
                }
            ],
        )
    )
    data.update(overrides)
    return data


def test_editor_records_a_review_with_assessments_and_figures(
    client, editor_a, agency_a, agreement, ratio
):
    client.force_login(editor_a)
    url = reverse("agreements:review_create", args=[agreement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _payload(agreement, agency_a, ratio))
    assert response.status_code == 302, response.content.decode()[:2000]
    review = Review.objects.get()
    assert review.status == "draft"
    assert dict(review.assessments.values_list("content_item__number", "progress")) == {
        1: "done",
        2: "behind",
    }
    value = IndicatorValue.objects.get()
    assert (value.value, value.denominator, value.agreement) == (166, 200, agreement)
    assert review.papers.get().presenter == "Cao Xuân Hà"
    page = client.get(review.get_absolute_url()).content.decode()
    assert "83,0%" in page


def test_value_above_denominator_is_refused_and_nothing_saved(
    client, editor_a, agency_a, agreement, ratio
):
    client.force_login(editor_a)
    url = reverse("agreements:review_create", args=[agreement.pk])
    response = client.post(url, _payload(agreement, agency_a, ratio, value="250"))
    assert response.status_code == 200
    assert "Mẫu số phải lớn hơn 0 và không nhỏ hơn giá trị" in response.content.decode()
    assert Review.objects.count() == 0
    assert ItemAssessment.objects.count() == 0


def test_ratio_without_denominator_is_refused(client, editor_a, agency_a, agreement, ratio):
    client.force_login(editor_a)
    url = reverse("agreements:review_create", args=[agreement.pk])
    response = client.post(url, _payload(agreement, agency_a, ratio, denominator=""))
    assert "cần nhập mẫu số" in response.content.decode()
    assert Review.objects.count() == 0


def test_submit_approve_and_lock(client, editor_a, leader, agreement):
    review = ReviewFactory(agreement=agreement)
    client.force_login(editor_a)
    client.post(reverse("agreements:review_submit", args=[review.pk]), {"version": "1"})
    review.refresh_from_db()
    assert review.status == "submitted"
    # An editor cannot approve their own review.
    client.post(reverse("agreements:review_approve", args=[review.pk]), {"version": "2"})
    review.refresh_from_db()
    assert review.status == "submitted"
    client.force_login(leader)
    client.post(reverse("agreements:review_approve", args=[review.pk]), {"version": "2"})
    review.refresh_from_db()
    assert review.status == "approved"
    assert review.approved_by == leader and review.approved_at is not None
    assert [h.history_change_reason for h in review.history.all()[:2]] == [
        "Phê duyệt",
        "Gửi phê duyệt",
    ]
    client.force_login(editor_a)
    edit = client.get(reverse("agreements:review_update", args=[review.pk]))
    assert edit.status_code == 302  # approved reviews are read-only


def test_leader_returns_with_reason(client, editor_a, leader, agreement):
    review = ReviewFactory(agreement=agreement, status="submitted")
    client.force_login(leader)
    url = reverse("agreements:review_return", args=[review.pk])
    client.post(url, {"version": "1", "reason": ""})
    review.refresh_from_db()
    assert review.status == "submitted"
    client.post(url, {"version": "1", "reason": "Bổ sung số liệu năm 2022"})
    review.refresh_from_db()
    assert review.status == "draft"
    assert review.returned_reason == "Bổ sung số liệu năm 2022"


def test_leader_of_another_area_cannot_see_or_approve(client, agreement):
    other = AgencyFactory(area=AreaFactory(name="Tỉnh Nghệ An"))
    stranger = ProfileFactory(agency=other, role=UserProfile.Role.LEADER).user
    review = ReviewFactory(agreement=agreement, status="submitted")
    client.force_login(stranger)
    assert client.get(review.get_absolute_url()).status_code == 404
    url = reverse("agreements:review_approve", args=[review.pk])
    assert client.post(url, {"version": "1"}).status_code == 404
    review.refresh_from_db()
    assert review.status == "submitted"


def test_editor_of_another_agency_cannot_create_or_edit(client, editor_b, agreement):
    review = ReviewFactory(agreement=agreement)
    client.force_login(editor_b)
    assert client.get(reverse("agreements:review_create", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("agreements:review_update", args=[review.pk])).status_code == 404
    assert client.post(reverse("agreements:review_submit", args=[review.pk])).status_code == 404


def test_stale_review_save_is_refused_and_input_kept(client, editor_a, agency_a, agreement, ratio):
    review = ReviewFactory(agreement=agreement, results="Bản đầu")
    client.force_login(editor_a)
    url = reverse("agreements:review_update", args=[review.pk])
    first = _payload(agreement, agency_a, ratio, version="1", results="Sửa của người thứ nhất")
    assert client.post(url, first).status_code == 302
    second = _payload(agreement, agency_a, ratio, version="1", results="Nội dung người thứ hai")
    response = client.post(url, second)
    assert response.status_code == 409
    assert "Nội dung người thứ hai" in response.content.decode()
    review.refresh_from_db()
    assert review.results == "Sửa của người thứ nhất"


def test_review_pages_query_count_is_bounded(
    client, editor_a, agency_a, agreement, ratio, django_assert_max_num_queries
):
    review = ReviewFactory(agreement=agreement)
    for item in agreement.items.all():
        ItemAssessment.objects.create(review=review, content_item=item, progress="done")
    for year in range(2016, 2026):
        IndicatorValue.objects.create(
            indicator=ratio,
            agreement=agreement,
            review=review,
            year=year,
            agency=agency_a,
            value=1,
            denominator=2,
        )
    client.force_login(editor_a)
    with django_assert_max_num_queries(15):
        assert client.get(review.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("agreements:review_update", args=[review.pk])).status_code == 200
