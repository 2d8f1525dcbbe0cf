"""dinvan.sessions: Django's database sessions, with the signed-in user in a column."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from agreements.models import UserProfile, UserSession
from dinvan.sessions import SessionStore
from tests.factories import ProfileFactory, UserFactory

PASSWORD = "mật-khẩu-dài-12345"


def _log_in(client, user):
    user.set_password(PASSWORD)
    user.save()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_a_login_writes_the_user_beside_the_session_and_a_logout_removes_it(client, editor_a):
    _log_in(client, editor_a)
    key = client.session.session_key
    assert UserSession.objects.get(session_key=key).user_id == editor_a.pk
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=editor_a).exists()


def test_an_anonymous_session_names_nobody(db):
    session = SessionStore()
    session["lang"] = "vi"
    session.create()
    row = UserSession.objects.get(session_key=session.session_key)
    assert row.user_id is None
    loaded = SessionStore(session.session_key)
    assert loaded["lang"] == "vi" and loaded.user_row is None


def test_reading_a_session_reads_its_user_profile_and_agency(
    client, editor_a, agency_a, django_assert_num_queries
):
    client.force_login(editor_a)
    with django_assert_num_queries(1):
        session = SessionStore(client.session.session_key)
        assert session["_auth_user_id"] == str(editor_a.pk)
        assert session.user_row == editor_a
        assert session.user_row.profile.agency == agency_a


@pytest.mark.django_db(transaction=True)
def test_a_renewed_session_is_saved_in_one_statement(client, editor_a):
    import datetime

    from django.contrib.sessions.backends.base import UpdateError
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    client.force_login(editor_a)
    session = SessionStore(client.session.session_key)
    session["lang"] = "en"
    session.set_expiry(3600)
    with CaptureQueriesContext(connection) as captured:
        session.save()
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["UPDATE"]
    stored = UserSession.objects.get(session_key=session.session_key)
    assert stored.user_id == editor_a.pk and stored.get_decoded()["lang"] == "en"
    expected = timezone.now() + datetime.timedelta(seconds=3600)
    assert abs(stored.expire_date - expected) < datetime.timedelta(seconds=60)
    # Deleted meanwhile (a logout in another tab): the save fails as Django's does.
    UserSession.objects.filter(session_key=session.session_key).delete()
    with pytest.raises(UpdateError):
        session.save()
    assert not UserSession.objects.exists()


def test_deleting_a_user_ends_their_sessions(client, editor_a):
    client.force_login(editor_a)
    assert UserSession.objects.filter(user=editor_a).exists()
    User.objects.filter(pk=editor_a.pk).delete()
    assert not UserSession.objects.exists()
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 302


def test_expired_sessions_are_cleared(client, editor_a):
    client.force_login(editor_a)
    UserSession.objects.update(expire_date="2020-01-01T00:00:00Z")
    SessionStore.clear_expired()
    assert not UserSession.objects.exists()


def _values(instance):
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


@pytest.mark.parametrize("who", ["editor", "without agency", "without profile"])
def test_the_session_and_its_user_are_what_the_orm_reads(
    client, editor_a, who, django_assert_num_queries
):
    user = {
        "editor": editor_a,
        "without agency": ProfileFactory(agency=None, role=UserProfile.Role.ADMIN).user,
        "without profile": UserFactory(),
    }[who]
    client.force_login(user)
    key = client.session.session_key
    expected = UserSession.objects.select_related("user__profile__agency").get(session_key=key)
    stored = UserSession.objects.get(session_key=key)
    assert _values(SessionStore(key)._get_session_from_db()) == _values(stored)
    session = SessionStore(key)
    with django_assert_num_queries(1):
        session.load()
        row = session.user_row
        hasattr(row, "profile") and row.profile.agency
    assert row is not None
    assert _values(row) == _values(expected.user)
    assert row.last_login == expected.user.last_login and row.last_login.tzinfo is not None
    if who == "without profile":
        assert not hasattr(row, "profile")  # no profile, and no query to find out
        return
    assert _values(row.profile) == _values(expected.user.profile)
    assert row.profile.user is row
    if who == "without agency":
        assert row.profile.agency is None
    else:
        assert _values(row.profile.agency) == _values(expected.user.profile.agency)


def test_an_unknown_or_expired_session_is_a_new_empty_one(client, editor_a):
    assert SessionStore("x" * 32).load() == {}
    client.force_login(editor_a)
    key = client.session.session_key
    UserSession.objects.filter(session_key=key).update(expire_date="2020-01-01T00:00:00Z")
    session = SessionStore(key)
    assert session.load() == {} and session.session_key is None and session.user_row is None
