"""dinvan.auth: the signed-in user comes with profile and agency in one query, the
session's own."""

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dinvan import auth
from dinvan.auth import ModelBackend


def test_the_user_is_read_with_profile_and_agency_in_one_query(
    editor_a, agency_a, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(editor_a.pk)
        assert user.profile.agency == agency_a


def test_a_user_without_profile_costs_no_second_query(outsider, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = ModelBackend().get_user(outsider.pk)
        assert not hasattr(user, "profile")


def test_an_inactive_or_unknown_user_is_nobody(editor_a):
    User.objects.filter(pk=editor_a.pk).update(is_active=False)
    assert ModelBackend().get_user(editor_a.pk) is None
    assert ModelBackend().get_user(10**9) is None


def test_a_password_login_uses_it_and_pages_read_no_profile_again(client, editor_a):
    editor_a.set_password("mật-khẩu-dài-12345")
    editor_a.save()
    response = client.post(
        reverse("login"), {"username": editor_a.username, "password": "mật-khẩu-dài-12345"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "dinvan.auth.ModelBackend"
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == editor_a.pk


def _queries_of_a_repeat_view(client, url):
    client.get(url)  # the first view after login may renew the session
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_a_page_reads_the_session_and_the_user_in_one_query(client, editor_a):
    client.force_login(editor_a)
    queries = _queries_of_a_repeat_view(client, reverse("healthz"))
    users = [sql for sql in queries if "auth_user" in sql]
    assert len(users) == 1
    assert "agreements_usersession" in users[0]
    assert "agreements_userprofile" in users[0] and "agreements_agency" in users[0]


def test_the_user_read_with_the_session_serves_only_that_user(editor_a, editor_b):
    class Session:
        user_row = editor_a

    token = auth._session_read.set(Session())
    try:
        assert ModelBackend().get_user(editor_a.pk) is editor_a
        assert ModelBackend().get_user(str(editor_a.pk)) is editor_a
        other = ModelBackend().get_user(editor_b.pk)
        assert other.pk == editor_b.pk and other is not editor_a
        editor_a.is_active = False
        assert ModelBackend().get_user(editor_a.pk) is None
    finally:
        auth._session_read.reset(token)
    assert auth._session_read.get() is None


def test_a_changed_password_still_ends_the_other_sessions(client, editor_a):
    client.force_login(editor_a)
    url = reverse("agreements:agreement_list")
    assert client.get(url).status_code == 200
    editor_a.set_password("mật-khẩu-mới-dài-67890")
    editor_a.save()
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
