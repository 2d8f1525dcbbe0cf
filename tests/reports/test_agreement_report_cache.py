"""The agreement report's body is rendered once per agreement, day, language and
generation, then served from the cache (issue 5: the report of an agreement with 30
items and 10 reviews). What must hold: a repeat view shows the same without reading
the agreement's rows; every write of something the report shows shows at once; the
page is still refused to whoever may not open it."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import (
    AgreementParty,
    Attachment,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    LegalBasis,
    PlanActivity,
    Signatory,
)
from reports import services as summaries

from .document_rows import full_program, report_url, visible_text

D = datetime.date


@pytest.fixture
def agreement(agency_a):
    agreement = full_program(agency_a, items=3, reviews=2)
    summaries.summaries_rebuild()  # nothing pending: the generation is settled
    return agreement


def _get(client, agreement):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(report_url("reports:agreement", agreement.pk))
    assert response.status_code == 200
    read = [q for q in captured.captured_queries if "agreements_contentitem" in q["sql"]]
    return response, len(read)


def _text(client, agreement):
    summaries.summaries_refresh()  # as the next page of any user does
    response, _read = _get(client, agreement)
    return visible_text(response)


def _unmasked(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_repeat_view_shows_the_same_body_without_reading_the_agreement_rows(
    client, leader, agreement
):
    client.force_login(leader)
    first, read = _get(client, agreement)
    again, read_again = _get(client, agreement)
    assert _unmasked(again.content.decode()) == _unmasked(first.content.decode())
    assert "Nội dung phối hợp số 3" in visible_text(again)
    assert read >= 1 and read_again == 0


def test_a_repeat_view_costs_a_few_queries(
    client, leader, agreement, django_assert_max_num_queries
):
    client.force_login(leader)
    _get(client, agreement)
    # The session with its user, the generation, the agreement (its scope checked).
    with django_assert_max_num_queries(4):
        client.get(report_url("reports:agreement", agreement.pk))


def test_what_only_the_report_shows_appears_at_once(client, leader, agreement):
    client.force_login(leader)
    _get(client, agreement)
    LegalBasis.objects.create(agreement=agreement, number="Quyết định 23-QĐ/TW")
    assert "Quyết định 23-QĐ/TW" in _text(client, agreement)
    party = AgreementParty.objects.filter(agreement=agreement).order_by("order").first()
    signatory = Signatory.objects.filter(party=party).first()
    signatory.name = "Giàng A Lử"
    signatory.save()
    assert "Giàng A Lử" in _text(client, agreement)
    review = agreement.reviews.order_by("held_on").first()
    ContributedPaper.objects.create(review=review, title="Tham luận của xã Mường Tè")
    assert "Tham luận của xã Mường Tè" in _text(client, agreement)
    Attachment.objects.create(
        agreement=agreement, title="Biên bản giao ban", kind="other", file="a/c.pdf"
    )
    assert "Biên bản giao ban" in _text(client, agreement)
    paper = ContributedPaper.objects.get(title="Tham luận của xã Mường Tè")
    paper.delete()
    assert "Tham luận của xã Mường Tè" not in _text(client, agreement)


def test_items_assessments_activities_figures_and_agencies_appear_at_once(
    client, leader, agreement, agency_a
):
    client.force_login(leader)
    _get(client, agreement)
    item = agreement.items.order_by("number").first()
    item.title = "Tuyên truyền, vận động Nhân dân"
    item.save()
    assert "Tuyên truyền, vận động Nhân dân" in _text(client, agreement)
    assessment = ItemAssessment.objects.filter(content_item=item).order_by("-id").first()
    assessment.progress = "done"
    assessment.save()
    assert "Hoàn thành" in _text(client, agreement)
    activity = PlanActivity.objects.filter(plan__agreement=agreement).first()
    activity.activity = "Hội nghị đối thoại ở xã Pa Tần"
    activity.save()
    assert "Hội nghị đối thoại ở xã Pa Tần" in _text(client, agreement)
    value = IndicatorValue.objects.filter(agreement=agreement).first()
    value.value = 2875
    value.save()
    assert "2.875" in _text(client, agreement)
    agency_a.name = "Ban Dân vận Tỉnh ủy Lai Châu (mới)"
    agency_a.save()
    assert "Ban Dân vận Tỉnh ủy Lai Châu (mới)" in _text(client, agreement)


def test_each_language_has_its_own_body(client, leader, agreement):
    client.force_login(leader)
    vietnamese = visible_text(_get(client, agreement)[0])
    client.cookies["django_language"] = "en"
    english = visible_text(_get(client, agreement)[0])
    assert "Thông tin chung" in vietnamese and "Thông tin chung" not in english


def test_the_report_is_refused_to_whoever_may_not_open_it(client, leader, editor_b, agreement):
    client.force_login(leader)
    _get(client, agreement)  # the body is in the cache now
    client.force_login(editor_b)
    assert client.get(report_url("reports:agreement", agreement.pk)).status_code == 404


def test_a_pending_write_renders_the_body_afresh(client, leader, agreement):
    client.force_login(leader)
    _get(client, agreement)
    agreement.title = "Chương trình phối hợp đã sửa"
    agreement.save()  # marked; the generation moves when the summaries are refreshed
    response, read = _get(client, agreement)
    assert "Chương trình phối hợp đã sửa" in visible_text(response) and read >= 1
