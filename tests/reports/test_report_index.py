"""The reports index: the five reports, reachable from the main navigation."""

import pytest
from django.urls import reverse

URL = reverse("reports:index")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize("role", ["editor_a", "editor_b", "leader", "outsider"])
def test_every_signed_in_user_sees_the_five_reports(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for title in (
        "Báo cáo một văn bản phối hợp",
        "Tổng hợp nhiệm kỳ",
        "Báo cáo chỉ tiêu",
        "Báo cáo theo cơ quan",
        "Báo cáo sơ kết, tổng kết",
    ):
        assert title in body
    assert body.count('class="card"') == 5


def test_it_links_the_table_reports_and_says_where_documents_are_opened(client, editor_a):
    client.force_login(editor_a)
    body = client.get(URL).content.decode()
    for name in ("reports:term_summary", "reports:indicators", "reports:agency"):
        assert f'href="{reverse(name)}"' in body
    assert f'href="{reverse("agreements:agreement_list")}"' in body
    assert "mở từ trang của từng văn bản" in body
    assert "mở từ trang của từng hội nghị" in body


def test_main_navigation_links_to_the_reports(client, editor_a):
    client.force_login(editor_a)
    body = client.get(reverse("agreements:agreement_list")).content.decode()
    assert f'<a href="{URL}">Báo cáo</a>' in body


def test_index_runs_few_queries(client, leader, django_assert_max_num_queries):
    client.force_login(leader)
    # Session, user, profile and agency for the header, session renewal: nothing more.
    with django_assert_max_num_queries(8):
        client.get(URL)
