"""Annual plans: per agreement and year, activities tied to items, marking done."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import AgreementParty, AnnualPlan, PlanActivity
from tests.factories import AgreementFactory, AgreementPartyFactory, ContentItemFactory


@pytest.fixture
def agreement(agency_a):
    agreement = AgreementFactory(lead_agency=agency_a)
    AgreementPartyFactory(agreement=agreement, agency=agency_a, role=AgreementParty.Role.LEAD)
    ContentItemFactory(agreement=agreement, number=1, title="Tuyên truyền")
    return agreement


def _payload(agreement, agency, year="2022", **overrides):
    item = agreement.items.get()
    data = {
        "year": year,
        "number": "12/KH-BDV",
        "issued_on": "15/01/2022",
        "summary": "Kế hoạch thực hiện chương trình phối hợp năm 2022",
        "version": "",
        "activities-TOTAL_FORMS": "1",
        "activities-INITIAL_FORMS": "0",
        "activities-MIN_NUM_FORMS": "0",
        "activities-MAX_NUM_FORMS": "1000",
        "activities-0-content_item": str(item.pk),
        "activities-0-activity": "Tổ chức hội nghị tuyên truyền",
        "activities-0-responsible_agency": str(agency.pk),
        "activities-0-deadline": "30/06/2022",
    }
    data.update(overrides)
    return data


def test_editor_creates_plan_with_activity(client, editor_a, agency_a, agreement):
    client.force_login(editor_a)
    url = reverse("agreements:plan_create", args=[agreement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _payload(agreement, agency_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = AnnualPlan.objects.get()
    activity = plan.activities.get()
    assert activity.deadline == datetime.date(2022, 6, 30)
    assert plan.history.get().history_user == editor_a


def test_second_plan_for_same_year_is_refused(client, editor_a, agency_a, agreement):
    AnnualPlan.objects.create(agreement=agreement, year=2022)
    client.force_login(editor_a)
    response = client.post(
        reverse("agreements:plan_create", args=[agreement.pk]), _payload(agreement, agency_a)
    )
    assert response.status_code == 200
    assert AnnualPlan.objects.count() == 1
    assert PlanActivity.objects.count() == 0


def test_mark_activity_done_and_overdue_badge(client, editor_a, agency_a, agreement):
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    late = PlanActivity.objects.create(
        plan=plan, activity="Giám sát", deadline=datetime.date(2022, 3, 1)
    )
    client.force_login(editor_a)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Quá hạn" in page
    client.post(reverse("agreements:activity_done", args=[late.pk]), {"done_on": "02/03/2022"})
    late.refresh_from_db()
    assert late.done_on == datetime.date(2022, 3, 2)


def test_other_agency_cannot_see_or_change_plans(client, editor_b, agreement):
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    activity = PlanActivity.objects.create(plan=plan, activity="Giám sát")
    client.force_login(editor_b)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.get(reverse("agreements:plan_update", args=[plan.pk])).status_code == 404
    assert client.get(reverse("agreements:plan_create", args=[agreement.pk])).status_code == 404
    response = client.post(reverse("agreements:activity_done", args=[activity.pk]))
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.done_on is None


def test_plan_pages_query_count_is_bounded(
    client, editor_a, agreement, django_assert_max_num_queries
):
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    item = agreement.items.get()
    for n in range(25):
        PlanActivity.objects.create(plan=plan, activity=f"Hoạt động {n}", content_item=item)
    client.force_login(editor_a)
    with django_assert_max_num_queries(12):
        assert client.get(plan.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("agreements:plan_update", args=[plan.pk])).status_code == 200
