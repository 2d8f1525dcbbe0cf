"""The agreement report page (/reports/agreements/<pk>/) and its DOCX download:
who may see it, what it shows, and how many queries it costs."""

import datetime
import io

import docx
import pytest
from django.urls import reverse

from agreements.models import Agreement, ItemAssessment
from tests.factories import AgencyFactory, ContentItemFactory, ReviewFactory

from .document_rows import (
    LEAD_SIGNER,
    PARTNER_NAME,
    full_program,
    program,
    report_url,
    visible_text,
)

D = datetime.date


def _url(agreement, **params):
    return report_url("reports:agreement", agreement.pk, **params)


_text = visible_text


# --- Access --------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, agency_a):
    agreement = program(agency_a)
    for url in (_url(agreement), _url(agreement, format="docx")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_editor_of_a_party_sees_the_report(client, editor_a, agency_a):
    agreement = program(agency_a)
    client.force_login(editor_a)
    response = client.get(_url(agreement))
    assert response.status_code == 200
    assert agreement.title in response.content.decode()


def test_it_checks_ownership(client, editor_b, agency_a):
    agreement = program(agency_a)
    client.force_login(editor_b)
    assert client.get(_url(agreement)).status_code == 404
    assert client.get(_url(agreement, format="docx")).status_code == 404


def test_an_outsider_gets_404(client, outsider, agency_a):
    agreement = program(agency_a)
    client.force_login(outsider)
    assert client.get(_url(agreement)).status_code == 404
    assert client.get(_url(agreement, format="docx")).status_code == 404


def test_a_leader_sees_the_agreements_of_the_area(client, leader, agency_a):
    agreement = program(agency_a)
    client.force_login(leader)
    assert client.get(_url(agreement)).status_code == 200


def test_a_leader_of_another_area_gets_404(client, agency_a):
    from agreements.models import UserProfile
    from tests.factories import ProfileFactory

    elsewhere = AgencyFactory(name="Tỉnh ủy Nghệ An")
    other_leader = ProfileFactory(agency=elsewhere, role=UserProfile.Role.LEADER).user
    client.force_login(other_leader)
    assert client.get(_url(program(agency_a))).status_code == 404


def test_an_archived_agreement_is_not_reported(client, editor_a, agency_a):
    agreement = program(agency_a)
    Agreement.objects.filter(pk=agreement.pk).update(
        archived_at=datetime.datetime.now(datetime.UTC)
    )
    client.force_login(editor_a)
    assert client.get(_url(agreement)).status_code == 404


# --- Content -------------------------------------------------------------------------


def test_the_page_shows_the_agreement_in_full(client, editor_a, agency_a):
    agreement = full_program(agency_a, items=2, reviews=2)
    client.force_login(editor_a)
    text = _text(client.get(_url(agreement)))
    assert "45-CTr/BDV-ĐĐHĐND" in text
    assert "30/08/2021" in text
    assert "2021 – 2026" in text
    assert PARTNER_NAME in text and LEAD_SIGNER in text
    assert "còn 2 nội dung chưa được nhập" in text
    assert "Hội nghị giao ban năm 2022" in text
    assert "Hoàn thành ngày 01/09/2022" in text
    assert "Quá hạn" in text
    assert "Kết quả năm 2023" in text and "Hạn chế năm 2022" in text
    assert "Tham luận năm 2022" in text
    assert "Bản ký chương trình" in text and "Báo cáo năm 2023" in text
    assert "Văn bản Word (DOCX)" in text


def test_the_matrix_shows_each_items_latest_assessment_per_year(client, editor_a, agency_a):
    agreement = program(agency_a)
    item = ContentItemFactory(agreement=agreement, number=1, title="Tiếp xúc cử tri")
    june = ReviewFactory(agreement=agreement, kind="six_monthly", held_on=D(2022, 6, 30))
    december = ReviewFactory(agreement=agreement, held_on=D(2022, 12, 20))
    ItemAssessment.objects.create(review=june, content_item=item, progress="behind")
    ItemAssessment.objects.create(review=december, content_item=item, progress="done")
    client.force_login(editor_a)
    response = client.get(_url(agreement))
    matrix = response.content.decode().split('class="assessment-matrix"')[1].split("</table>")[0]
    assert '<th scope="col">2022</th>' in matrix
    assert "Hoàn thành" in matrix
    assert "Chậm tiến độ" not in matrix


def test_figures_show_value_denominator_and_percentage(client, editor_a, agency_a):
    from agreements.models import IndicatorValue
    from tests.factories import IndicatorFactory

    agreement = program(agency_a)
    IndicatorValue.objects.create(
        indicator=IndicatorFactory(kind="ratio", unit="xã"),
        agreement=agreement,
        year=2022,
        area=agency_a.area,
        value=166,
        denominator=200,
    )
    IndicatorValue.objects.create(
        indicator=IndicatorFactory(), agreement=agreement, year=2022, area=agency_a.area, value=2875
    )
    client.force_login(editor_a)
    text = _text(client.get(_url(agreement)))
    assert "166 200 83,0%" in text
    assert "2.875" in text


def test_predecessor_and_successor_link_to_their_reports(client, editor_a, agency_a):
    old = program(agency_a, number="31B-QCPH/BDV-ĐĐHĐND", signed_on=D(2013, 5, 16))
    new = program(agency_a, supersedes=old)
    client.force_login(editor_a)
    assert _url(old) in client.get(_url(new)).content.decode()
    assert _url(new) in client.get(_url(old)).content.decode()


# --- DOCX ----------------------------------------------------------------------------


def test_docx_is_a_word_download_named_after_the_number(client, editor_a, agency_a):
    agreement = program(agency_a)
    client.force_login(editor_a)
    response = client.get(_url(agreement, format="docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert (
        'attachment; filename="bao-cao-45-ctr-bdv-ddhdnd.docx"' in response["Content-Disposition"]
    )
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert "BÁO CÁO" in texts
    assert f"Tình hình thực hiện {agreement.title}" in texts


# --- Queries -------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"format": "docx"}])
def test_query_count_does_not_grow_with_items_and_reviews(
    client, editor_a, agency_a, django_assert_max_num_queries, params
):
    small = full_program(agency_a, items=1, reviews=1)
    big = full_program(agency_a, items=5, reviews=5, number="46-CTr/BDV-ĐĐHĐND")
    client.force_login(editor_a)
    # 17 queries, plus the session write that renews the idle timeout (once a
    # minute: savepoint, update, release).
    with django_assert_max_num_queries(20) as small_queries:
        assert client.get(_url(small, **params)).status_code == 200
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert client.get(_url(big, **params)).status_code == 200
