"""The review report page (/reports/reviews/<pk>/), laid out as the report a province
sends upward, and its DOCX download: access, content, query counts."""

import datetime
import io
import re

import docx
import pytest
from django.urls import reverse

from agreements.models import ContributedPaper, IndicatorValue, ItemAssessment
from tests.factories import AgencyFactory, ContentItemFactory, IndicatorFactory, ReviewFactory

from .document_rows import (
    LEAD_SIGNER,
    PARTNER_NAME,
    figures_review,
    program,
    report_url,
    visible_text,
)

D = datetime.date
HEADINGS = [
    "I. KẾT QUẢ ĐẠT ĐƯỢC",
    "II. HẠN CHẾ, YẾU KÉM",
    "III. NGUYÊN NHÂN",
    "IV. BÀI HỌC KINH NGHIỆM",
    "V. PHƯƠNG HƯỚNG, GIẢI PHÁP",
    "VI. KIẾN NGHỊ, ĐỀ XUẤT",
]


def _url(review, **params):
    return report_url("reports:review", review.pk, **params)


_text = visible_text


# --- Access --------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, agency_a):
    review = ReviewFactory(agreement=program(agency_a))
    for url in (_url(review), _url(review, format="docx")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_editor_of_a_party_sees_the_report(client, editor_a, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_a)
    assert client.get(_url(review)).status_code == 200


def test_it_checks_ownership(client, editor_b, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_b)
    assert client.get(_url(review)).status_code == 404
    assert client.get(_url(review, format="docx")).status_code == 404


def test_an_outsider_gets_404(client, outsider, agency_a):
    review = figures_review(agency_a)
    client.force_login(outsider)
    assert client.get(_url(review)).status_code == 404
    assert client.get(_url(review, format="docx")).status_code == 404


def test_a_leader_sees_the_reviews_of_the_area(client, leader, agency_a):
    review = figures_review(agency_a)
    client.force_login(leader)
    assert client.get(_url(review)).status_code == 200
    assert client.get(_url(review, format="docx")).status_code == 200


def test_a_missing_review_is_404(client, editor_a):
    client.force_login(editor_a)
    assert client.get(reverse("reports:review", args=[999999])).status_code == 404


# --- Content -------------------------------------------------------------------------


def test_the_page_is_laid_out_as_an_official_report(client, editor_a, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_a)
    text = _text(client.get(_url(review)))
    assert "TỈNH ỦY LAI CHÂU" in text and "BAN DÂN VẬN" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Lai Châu, ngày 05 tháng 01 năm 2023" in text
    assert f"BÁO CÁO Kết quả thực hiện {review.agreement.title} năm 2022" in text
    positions = [text.index(heading) for heading in HEADINGS]
    assert positions == sorted(positions)
    assert review.causes in text and review.recommendations in text
    assert f"- {PARTNER_NAME};" in text
    assert "K/T TRƯỞNG BAN PHÓ TRƯỞNG BAN" in text and LEAD_SIGNER in text


def test_a_state_issuer_gets_the_national_motto(client, admin_user):
    from agreements.models import Agency

    ubnd = AgencyFactory(name="Ủy ban nhân dân tỉnh Hòa Bình", kind=Agency.Kind.STATE)
    review = ReviewFactory(agreement=program(ubnd))
    client.force_login(admin_user)
    text = _text(client.get(_url(review)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in text


def test_figures_are_compared_with_the_year_before(client, editor_a, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_a)
    table = client.get(_url(review)).content.decode().split('class="figures-table"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("</table>")[0], re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).split() for row in rows[1:]]
    dialogues = " ".join(next(c for c in cells if "đối" in c))
    communes = " ".join(next(c for c in cells if "thân" in c))
    assert "2.875 —" in dialogues
    assert communes.endswith("166 200 83,0% 150 (75,0%)")


def test_the_year_before_is_that_of_the_same_place(client, editor_a, agency_a):
    review = ReviewFactory(agreement=program(agency_a), held_on=D(2023, 1, 5))
    indicator = IndicatorFactory()
    other = AgencyFactory(area=agency_a.area)
    IndicatorValue.objects.create(
        indicator=indicator,
        agreement=review.agreement,
        review=review,
        year=2022,
        agency=agency_a,
        value=40,
    )
    IndicatorValue.objects.create(
        indicator=indicator, agreement=review.agreement, year=2021, agency=other, value=7
    )
    client.force_login(editor_a)
    table = client.get(_url(review)).content.decode().split('class="figures-table"')[1]
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.split("</table>")[0].split("<tr>")[2]))
    assert "40" in row and " 7 " not in row and "—" in row


def test_assessments_and_papers_are_listed(client, editor_a, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_a)
    text = _text(client.get(_url(review)))
    assert "Tiếp xúc cử tri Hoàn thành Tổ chức đúng kế hoạch" in text
    assert "Nâng cao chất lượng tiếp xúc cử tri: Sùng A Hồ" in text


def test_an_unapproved_review_is_marked_as_a_draft(client, editor_a, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_a)
    assert "báo cáo là bản dự thảo" in _text(client.get(_url(review)))


# --- DOCX ----------------------------------------------------------------------------


def test_docx_is_a_word_download_with_the_six_sections(client, editor_a, agency_a):
    review = figures_review(agency_a)
    client.force_login(editor_a)
    response = client.get(_url(review, format="docx"))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert 'filename="bao-cao-danh-gia-nam-05-01-2023.docx"' in response["Content-Disposition"]
    texts = [p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs]
    assert all(heading in texts for heading in HEADINGS)


# --- Queries -------------------------------------------------------------------------


def _grown_review(lead, *, rows, number):
    review = figures_review(lead, number=number)
    for n in range(rows):
        item = ContentItemFactory(agreement=review.agreement, number=10 + n)
        ItemAssessment.objects.create(review=review, content_item=item, progress="in_progress")
        ContributedPaper.objects.create(review=review, title=f"Tham luận {n}")
        indicator = IndicatorFactory()
        for year in (2021, 2022):
            IndicatorValue.objects.create(
                indicator=indicator,
                agreement=review.agreement,
                review=review,
                year=year,
                area=lead.area,
                value=n + year,
            )
    return review


@pytest.mark.parametrize("params", [{}, {"format": "docx"}])
def test_query_count_does_not_grow_with_rows(
    client, editor_a, agency_a, django_assert_max_num_queries, params
):
    small = _grown_review(agency_a, rows=1, number="1-CTr/BDV")
    big = _grown_review(agency_a, rows=5, number="2-CTr/BDV")
    client.force_login(editor_a)
    # The ceiling includes the session write that renews the idle timeout.
    with django_assert_max_num_queries(18) as small_queries:
        assert client.get(_url(small, **params)).status_code == 200
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert client.get(_url(big, **params)).status_code == 200
