"""An edit page posted back as a browser would, unchanged, saves: the hidden version
the page carries is the record's. (It once rendered empty, and every edit made in
the browser was refused as a conflict; tests that posted `version` themselves did not
notice. `make loadtest` did.)"""

import datetime

import pytest
from django.urls import reverse

from agreements.models import AgreementParty, AnnualPlan
from loadtest.htmlforms import find_form
from tests.factories import AgreementFactory, AgreementPartyFactory, ReviewFactory


@pytest.fixture
def agreement(agency_a):
    agreement = AgreementFactory(lead_agency=agency_a)
    AgreementPartyFactory(agreement=agreement, agency=agency_a, role=AgreementParty.Role.LEAD)
    return agreement


def _post_back(client, url):
    page = client.get(url)
    assert page.status_code == 200
    form = find_form(page.content.decode(), "version")
    assert form is not None, "the edit page has no version field"
    return form, client.post(url, _dict_of(form.fields))


def _dict_of(fields):
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def test_the_agreement_edit_page_saves_when_posted_back(client, editor_a, agreement):
    client.force_login(editor_a)
    form, response = _post_back(client, reverse("agreements:agreement_update", args=[agreement.pk]))
    assert form.value("version") == str(agreement.version)
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement.refresh_from_db()
    assert agreement.version == int(form.value("version")) + 1


def test_the_review_edit_page_saves_when_posted_back(client, editor_a, agreement):
    review = ReviewFactory(agreement=agreement, held_on=datetime.date(2022, 12, 20))
    client.force_login(editor_a)
    form, response = _post_back(client, reverse("agreements:review_update", args=[review.pk]))
    assert form.value("version") == str(review.version)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_plan_edit_page_saves_when_posted_back(client, editor_a, agreement):
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    client.force_login(editor_a)
    form, response = _post_back(client, reverse("agreements:plan_update", args=[plan.pk]))
    assert form.value("version") == str(plan.version)
    assert response.status_code == 302, response.content.decode()[:2000]
