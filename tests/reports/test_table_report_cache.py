"""The table reports' bodies (term summary, indicators, agency) are rendered once per
report, parameters, scope, agency, day, language and generation, then served from
the cache (issue 5). What must hold: a repeat view shows the same without reading
the agreements; a write shows at once; each scope, agency, filter and language sees
its own; the exports are never served from the cache."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import UserProfile
from reports import services as summaries
from tests.factories import AgencyFactory, ProfileFactory
from tests.reports.table_helpers import agreement_of, content, freeze_today

REPORTS = ["reports:term_summary", "reports:indicators", "reports:agency"]


@pytest.fixture
def world(monkeypatch, agency_a, agency_b):
    freeze_today(monkeypatch)
    agreement_of(agency_a, number="45-CTr/BDV", title="Chương trình phối hợp của Lai Châu")
    agreement_of(agency_b, number="12-QC/BDV", title="Quy chế phối hợp của Nghệ An")
    summaries.summaries_rebuild()  # nothing pending: the generation is settled


def _get(client, name, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    # The summary state's query asks the highest agreement id (reports.services.read_state):
    # an index's last entry, not a read of the agreements.
    read = [
        q
        for q in captured.captured_queries
        if "agreements_agreement" in q["sql"]
        and 'FROM "reports_summarystate" state' not in q["sql"]
    ]
    return response.content.decode(), len(read)


def _unmasked(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("name", REPORTS)
def test_a_repeat_view_shows_the_same_without_reading_the_agreements(
    client, admin_user, world, name
):
    client.force_login(admin_user)
    first, read = _get(client, name)
    again, read_again = _get(client, name)
    assert _unmasked(again) == _unmasked(first)
    assert read_again == 0


def test_a_write_shows_at_once(client, admin_user, world, agency_a):
    client.force_login(admin_user)
    before, _read = _get(client, "reports:term_summary")
    assert "Kế hoạch mới của Lai Châu" not in before
    agreement_of(agency_a, number="7-KH/BDV", title="Kế hoạch mới của Lai Châu")
    html, read = _get(client, "reports:term_summary")  # pending: computed afresh
    assert "Kế hoạch mới của Lai Châu" in html and read >= 1
    summaries.summaries_refresh()
    html, _read = _get(client, "reports:term_summary")
    assert "Kế hoạch mới của Lai Châu" in html


def test_each_scope_sees_its_own(client, admin_user, editor_a, editor_b, world):
    client.force_login(admin_user)
    everything, _read = _get(client, "reports:term_summary")
    assert "Nghệ An" in everything and "Lai Châu" in everything
    client.force_login(editor_a)
    own, _read = _get(client, "reports:term_summary")
    assert "Chương trình phối hợp của Lai Châu" in own and "Quy chế phối hợp của Nghệ An" not in own
    client.force_login(editor_b)
    own, _read = _get(client, "reports:term_summary")
    assert "Quy chế phối hợp của Nghệ An" in own and "Chương trình phối hợp của Lai Châu" not in own


def test_the_agency_report_of_two_users_in_one_scope_starts_from_their_own_agency(
    client, leader, area, agency_a, world
):
    # Two leaders of one area see the same agreements, each report of their own agency.
    other = ProfileFactory(
        agency=AgencyFactory(name="Ủy ban MTTQ tỉnh Lai Châu", area=area),
        role=UserProfile.Role.LEADER,
    ).user
    client.force_login(leader)
    first, _read = _get(client, "reports:agency")
    client.force_login(other)
    second, _read = _get(client, "reports:agency")
    assert "Tỉnh ủy Lai Châu" in first and "Ủy ban MTTQ tỉnh Lai Châu" not in first
    assert "Ủy ban MTTQ tỉnh Lai Châu" in second


def test_each_filter_and_language_has_its_own_body(client, admin_user, world):
    client.force_login(admin_user)
    everything, _read = _get(client, "reports:term_summary")
    programs, _read = _get(client, "reports:term_summary", kind="program")
    assert everything != programs
    client.cookies["django_language"] = "en"
    english, _read = _get(client, "reports:term_summary")
    assert "Tổng hợp" in everything and "Term summary" in english


def test_the_exports_are_read_afresh(client, admin_user, world, agency_a):
    client.force_login(admin_user)
    _get(client, "reports:term_summary")
    agreement_of(agency_a, number="8-KH/BDV", title="Kế hoạch xuất tệp")
    summaries.summaries_refresh()
    response = client.get(reverse("reports:term_summary"), {"format": "csv"})
    assert "Kế hoạch xuất tệp" in content(response).decode("utf-8-sig")


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("reports:term_summary", {"format": "pdf"}),
        ("reports:indicators", {"format": "docx"}),
        ("reports:agency", {"format": "docx"}),
        ("reports:agency", {"format": ""}),
    ],
)
def test_a_format_the_report_has_not_shows_the_page(client, admin_user, world, name, params):
    client.force_login(admin_user)
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert 'class="filters" role="search"' in response.content.decode()


def test_an_unknown_format_shows_the_term_summary_one_page_at_a_time(
    client, admin_user, world, monkeypatch
):
    from reports.selectors import tables

    monkeypatch.setattr(tables, "PAGE_SIZE", 1)
    client.force_login(admin_user)
    html = client.get(reverse("reports:term_summary"), {"format": "pdf"}).content.decode()
    assert "Trang 1/2" in html
