"""The figures table of the agreement page is rendered once per agreement, day,
language and generation, then served from the cache (issue 5: the detail page of an
agreement with hundreds of figures). What must hold: a repeat view shows the same
without reading the figures; every write of a figure, an indicator, an area or an
agency shows at once; the page is still refused to whoever may not open it."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import (
    AgreementParty,
    ContentItem,
    IndicatorValue,
    LegalBasis,
    Signatory,
)
from reports import services as summaries
from tests.factories import AgreementFactory, AgreementPartyFactory, IndicatorFactory


@pytest.fixture
def agreement(agency_a):
    agreement = AgreementFactory(lead_agency=agency_a, title="Quy chế phối hợp của Lai Châu")
    AgreementPartyFactory(agreement=agreement, agency=agency_a, role=AgreementParty.Role.LEAD)
    indicator = IndicatorFactory(name="Số cuộc đối thoại", unit="cuộc")
    for year, value in [(2022, "12"), (2023, "1250.5")]:
        IndicatorValue.objects.create(
            indicator=indicator, agreement=agreement, year=year, area=agency_a.area, value=value
        )
    summaries.summaries_rebuild()  # nothing pending: the generation is settled
    return agreement


def _url(agreement):
    return reverse("agreements:agreement_detail", args=[agreement.pk])


def _get(client, agreement, table="agreements_indicatorvalue"):
    """The page's HTML and how many of its queries read `table` (the figures)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(_url(agreement))
    assert response.status_code == 200
    read = [q for q in captured.captured_queries if table in q["sql"]]
    return response.content.decode(), len(read)


def _figures(html):
    table = html.split("<h2>Chỉ tiêu</h2>", 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", table)]


def _unmasked(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_a_repeat_view_shows_the_same_figures_without_reading_them(client, admin_user, agreement):
    client.force_login(admin_user)
    first, read = _get(client, agreement)
    again, read_again = _get(client, agreement)
    assert _unmasked(again) == _unmasked(first)
    assert "Số cuộc đối thoại" in _figures(again)
    assert "1.250,50 cuộc" in _figures(again)  # Vietnamese number format
    assert read >= 1 and read_again == 0


def test_a_new_edited_or_deleted_figure_shows_at_once(client, admin_user, agreement, agency_a):
    client.force_login(admin_user)
    _get(client, agreement)
    value = IndicatorValue.objects.create(
        indicator=IndicatorFactory(name="Số mô hình dân vận khéo"),
        agreement=agreement,
        year=2024,
        agency=agency_a,
        value=3,
    )
    html, _ = _get(client, agreement)
    assert "Số mô hình dân vận khéo" in _figures(html)
    value.value = Decimal("4")
    value.save()
    html, _ = _get(client, agreement)
    assert "4 cuộc" in _figures(html) and "3 cuộc" not in _figures(html)
    value.delete()
    html, _ = _get(client, agreement)
    assert "Số mô hình dân vận khéo" not in _figures(html)


def test_renamed_indicators_areas_and_agencies_show_at_once(client, admin_user, agreement):
    client.force_login(admin_user)
    _get(client, agreement)
    value = IndicatorValue.objects.filter(agreement=agreement).first()
    indicator = value.indicator
    indicator.name = "Số cuộc tiếp xúc, đối thoại"
    indicator.save()
    area = value.area
    area.name = "Tỉnh Lai Châu (mới)"
    area.save()
    html, _ = _get(client, agreement)
    assert "Số cuộc tiếp xúc, đối thoại" in _figures(html)
    assert "Tỉnh Lai Châu (mới)" in _figures(html)


def test_each_agreement_and_language_has_its_own_table(client, admin_user, agreement, agency_a):
    client.force_login(admin_user)
    other = AgreementFactory(lead_agency=agency_a, title="Kế hoạch không có số liệu")
    AgreementPartyFactory(agreement=other, agency=agency_a, role=AgreementParty.Role.LEAD)
    _get(client, agreement)
    html, _ = _get(client, other)
    assert "Chưa có số liệu chỉ tiêu." in html
    client.cookies["django_language"] = "en"
    english, _ = _get(client, agreement)
    assert "Chỉ tiêu</h2>" not in english and "Indicators</h2>" in english
    assert "1.250,50" in english  # numbers are written the Vietnamese way in both


def test_the_page_is_refused_to_whoever_may_not_open_it(client, admin_user, editor_b, agreement):
    client.force_login(admin_user)
    _get(client, agreement)  # the figures are in the cache now
    client.force_login(editor_b)
    assert client.get(_url(agreement)).status_code == 404


# --- The page's body (all but attachments and history) ------------------------------


def _items_read(client, agreement):
    return _get(client, agreement, table="agreements_contentitem")


def test_a_repeat_view_serves_the_body_without_reading_the_items(client, admin_user, agreement):
    ContentItem.objects.create(agreement=agreement, number=1, title="Tuyên truyền, vận động")
    summaries.summaries_refresh()
    client.force_login(admin_user)
    first, read = _items_read(client, agreement)
    again, read_again = _items_read(client, agreement)
    assert _unmasked(again) == _unmasked(first)
    assert "Tuyên truyền, vận động" in again
    assert read >= 1 and read_again == 0


def test_a_repeat_view_costs_a_few_queries(
    client, admin_user, agreement, django_assert_max_num_queries
):
    client.force_login(admin_user)
    client.get(_url(agreement))
    # The session with its user, the generation, the agreement, its attachments and
    # its history.
    with django_assert_max_num_queries(6):
        client.get(_url(agreement))


def test_writes_of_what_the_body_shows_appear_at_once(client, admin_user, agreement):
    client.force_login(admin_user)
    client.get(_url(agreement))
    LegalBasis.objects.create(agreement=agreement, number="Quyết định 23-QĐ/TW")
    summaries.summaries_refresh()
    assert "Quyết định 23-QĐ/TW" in client.get(_url(agreement)).content.decode()
    party = agreement.parties.first()
    Signatory.objects.create(party=party, name="Giàng A Lử", position="Trưởng ban")
    summaries.summaries_refresh()
    assert "Giàng A Lử" in client.get(_url(agreement)).content.decode()
    item = ContentItem.objects.create(agreement=agreement, number=2, title="Đối thoại ở xã")
    summaries.summaries_refresh()
    assert "Đối thoại ở xã" in client.get(_url(agreement)).content.decode()
    item.delete()
    summaries.summaries_refresh()
    assert "Đối thoại ở xã" not in client.get(_url(agreement)).content.decode()


def test_who_may_edit_gets_the_buttons_whoever_viewed_first(client, leader, editor_a, agreement):
    edit = reverse("agreements:agreement_update", args=[agreement.pk])
    client.force_login(leader)
    assert edit not in client.get(_url(agreement)).content.decode()
    client.force_login(editor_a)
    assert edit in client.get(_url(agreement)).content.decode()
    client.force_login(leader)
    assert edit not in client.get(_url(agreement)).content.decode()


def test_the_history_and_its_users_are_read_on_every_view(client, admin_user, agreement):
    agreement.title = "Quy chế phối hợp của Lai Châu (sửa)"
    agreement._history_user = admin_user
    agreement.save()
    summaries.summaries_refresh()
    client.force_login(admin_user)
    client.get(_url(agreement))  # the body is in the cache now
    admin_user.username = "quan.tri.moi"
    admin_user.save()  # moves no generation: the history is not part of the body
    assert "quan.tri.moi" in client.get(_url(agreement)).content.decode()
