"""The agreement list's results (filters, count, table, pages) are rendered once per
scope, parameters, day, language and generation, then served from the cache (issue
5: the list's throughput). What must hold: a repeat view costs a few queries and
shows the same; every write shows at once; nobody sees another scope's list."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, AgreementParty, UserProfile
from loadtest.htmlforms import find_form
from reports import services as summaries
from tests.factories import AgencyFactory, AgreementFactory, AgreementPartyFactory

LIST_URL = reverse("agreements:agreement_list")


def _agreement(agency, title, **kwargs):
    agreement = AgreementFactory(lead_agency=agency, title=title, **kwargs)
    AgreementPartyFactory(agreement=agreement, agency=agency, role=AgreementParty.Role.LEAD)
    return agreement


@pytest.fixture
def agreements(agency_a, agency_b):
    made = {
        "a": _agreement(agency_a, "Quy chế phối hợp của Lai Châu"),
        "b": _agreement(agency_b, "Chương trình phối hợp của Nghệ An"),
    }
    # Summaries built and nothing pending: the generation is settled, the results
    # may be remembered (what a running office's database looks like).
    summaries.summaries_rebuild()
    return made


def _get(client, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL, params or {})
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _unmasked(html):
    """The page without its CSRF tokens, which are masked anew on every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _titles(html):
    return re.findall(r'<td><a href="/agreements/\d+/">([^<]+)</a></td>', html)


def test_a_repeat_view_is_served_from_the_cache_and_shows_the_same(client, admin_user, agreements):
    client.force_login(admin_user)
    _get(client)  # the session's first write is not part of the page
    cache.clear()
    first, computed = _get(client)
    again, remembered = _get(client)
    assert _unmasked(again) == _unmasked(first)
    assert sorted(_titles(again)) == sorted(a.title for a in agreements.values())
    # Session, user (with profile and agency), generation: nothing of the list.
    assert remembered <= 3 < computed


def test_an_edit_in_the_browser_shows_in_the_list_at_once(
    client, editor_a, agreements, django_capture_on_commit_callbacks
):
    client.force_login(editor_a)
    before, _ = _get(client)
    assert "Quy chế phối hợp của Lai Châu" in before
    url = reverse("agreements:agreement_update", args=[agreements["a"].pk])
    form = find_form(client.get(url).content.decode(), "version")
    data = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    data["title"] = ["Quy chế phối hợp đã sửa"]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    after, _ = _get(client)
    assert _titles(after) == ["Quy chế phối hợp đã sửa"]


def test_a_write_that_bypasses_the_services_shows_at_once(client, admin_user, agreements):
    """The admin or a shell saves the row: its summary is only marked, so the list is
    computed afresh (not remembered) until the summaries catch up."""
    client.force_login(admin_user)
    _get(client)
    Agreement.objects.filter(pk=agreements["b"].pk).update(title="Không qua dịch vụ")
    agreements["b"].refresh_from_db()
    agreements["b"].save()  # the signal marks it, as the admin's save would
    html, queries = _get(client)
    assert "Chương trình phối hợp đã sửa" not in html
    assert "Không qua dịch vụ" in html
    assert queries > 3
    summaries.summaries_refresh()
    html, _ = _get(client)
    assert "Không qua dịch vụ" in html
    again, remembered = _get(client)
    assert _unmasked(again) == _unmasked(html) and remembered <= 3


def test_each_scope_sees_its_own_list(client, editor_a, editor_b, leader, admin_user, agreements):
    seen = {}
    for user in (admin_user, editor_a, editor_b, leader, editor_a, admin_user):
        client.force_login(user)
        html, _ = _get(client)
        seen.setdefault(user.username, set()).add(tuple(sorted(_titles(html))))
    assert seen[admin_user.username] == {
        ("Chương trình phối hợp của Nghệ An", "Quy chế phối hợp của Lai Châu")
    }
    assert seen[editor_a.username] == {("Quy chế phối hợp của Lai Châu",)}
    assert seen[editor_b.username] == {("Chương trình phối hợp của Nghệ An",)}
    # The leader of Lai Châu's area: the agreement of an agency located there.
    assert seen[leader.username] == {("Quy chế phối hợp của Lai Châu",)}


def test_a_changed_role_or_agency_changes_the_list_at_once(client, editor_a, agency_b, agreements):
    client.force_login(editor_a)
    html, _ = _get(client)
    assert _titles(html) == ["Quy chế phối hợp của Lai Châu"]
    profile = editor_a.profile
    profile.agency = agency_b
    profile.save()
    html, _ = _get(client)
    assert _titles(html) == ["Chương trình phối hợp của Nghệ An"]
    profile.role = UserProfile.Role.ADMIN
    profile.save()
    html, _ = _get(client)
    assert len(_titles(html)) == 2


def test_filters_pages_and_their_order_are_part_of_the_key(client, admin_user, agreements):
    client.force_login(admin_user)
    all_titles = sorted(_titles(_get(client)[0]))
    assert len(all_titles) == 2
    searched, _ = _get(client, {"q": "nghe an"})
    assert _titles(searched) == ["Chương trình phối hợp của Nghệ An"]
    by_title, _ = _get(client, {"sort": "title", "q": ""})
    by_title_other_order, _ = _get(client, {"q": "", "sort": "title"})
    assert _titles(by_title) == _titles(by_title_other_order) == all_titles
    # The links keep the parameters in the order given.
    assert "?sort=title&amp;q=" in by_title or "?sort=-title&amp;q=" in by_title
    assert "?q=&amp;sort=" in by_title_other_order
    bad, _ = _get(client, {"kind": "nope"})
    assert "không hợp lệ" in bad


def test_the_results_follow_the_language(client, admin_user, agreements):
    client.force_login(admin_user)
    vietnamese, _ = _get(client)
    assert "Tình trạng" in vietnamese
    client.cookies["django_language"] = "en"
    english, _ = _get(client)
    assert "Status" in english and "Tình trạng" not in english


def test_a_renamed_agency_shows_in_the_filter_at_once(client, admin_user, agency_a, agreements):
    client.force_login(admin_user)
    html, _ = _get(client, {"agency": agency_a.pk})
    assert agency_a.name in html
    agency_a.name = "Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu"
    agency_a.save()  # moves the generation on at once (reports.signals)
    html, _ = _get(client, {"agency": agency_a.pk})
    assert "Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu" in html


def test_statuses_move_with_the_day(client, admin_user, agency_a, monkeypatch):
    """A plan in force until today has ended tomorrow, with no write in between."""
    today = datetime.date(2026, 12, 1)
    _agreement(
        agency_a,
        "Kế hoạch đến hết hôm nay",
        kind=Agreement.Kind.PLAN,
        start_year=2026,
        end_year=2026,
        signed_on=datetime.date(2026, 1, 5),
        effective_from=datetime.date(2026, 1, 5),
        effective_until=today,
    )
    summaries.summaries_rebuild(on=today)
    client.force_login(admin_user)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today)
    on_the_day, _ = _get(client)
    monkeypatch.setattr(
        "django.utils.timezone.localdate", lambda *args: today + datetime.timedelta(days=1)
    )
    next_day, _ = _get(client)
    status = re.compile(r'<span class="badge ([a-z_]+)">')
    assert status.findall(on_the_day) != status.findall(next_day)


def test_another_agency_in_the_same_area_is_another_scope(client, agency_a, agreements):
    """Two editors of one area do not share a list: editors see their agency's."""
    from tests.factories import ProfileFactory

    neighbour = AgencyFactory(name="Hội Nông dân tỉnh Lai Châu", area=agency_a.area)
    editor = ProfileFactory(agency=neighbour, role=UserProfile.Role.EDITOR).user
    client.force_login(editor)
    html, _ = _get(client)
    assert _titles(html) == []
