"""Authentication and session hardening: throttling, timeouts, CSP, logging, hashes."""

import logging
import time

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agreements.models import UserSession
from dinvan import security
from tests.factories import ProfileFactory

PASSWORD = "mat-khau-thu-nghiem-2026"


@pytest.fixture
def editor(db):
    return ProfileFactory(user__username="bientap").user


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_works_and_starts_a_new_session(client, editor):
    client.get(reverse("login"))
    before = client.session.session_key
    response = _login(client, "bientap", PASSWORD)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert client.session[security.LOGIN_AT_KEY] <= time.time()


def test_repeated_failures_lock_that_username_from_that_address_only(client, editor, db):
    ProfileFactory(user__username="dongnghiep")
    for _ in range(5):
        _login(client, "bientap", "sai-mat-khau", ip="10.0.0.1")
    locked = _login(client, "bientap", PASSWORD, ip="10.0.0.1")
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    # A colleague behind the same office address can still sign in…
    assert _login(client, "dongnghiep", PASSWORD, ip="10.0.0.1").status_code == 302
    client.logout()
    # …and so can the same person from another machine.
    assert _login(client, "bientap", PASSWORD, ip="10.0.0.2").status_code == 302


def test_failed_login_is_logged_without_the_password(client, editor, caplog):
    with caplog.at_level(logging.INFO, logger="dinvan.security"):
        _login(client, "bientap", "bi-mat-khong-duoc-ghi")
    text = caplog.text
    assert "login failed username=bientap" in text
    assert "bi-mat-khong-duoc-ghi" not in text


def test_logout_ends_the_session_on_the_server(client, editor):
    _login(client, "bientap", PASSWORD)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(session_key=key).exists()


def test_deactivating_a_user_ends_their_sessions(client, editor):
    client.force_login(editor)
    assert client.get(reverse("agreements:agreement_list")).status_code == 200
    get_user_model().objects.filter(pk=editor.pk).update(is_active=False)
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_session_older_than_the_absolute_limit_is_ended(client, editor, settings):
    client.force_login(editor)
    session = client.session
    session[security.LOGIN_AT_KEY] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    assert client.get(reverse("agreements:agreement_list")).status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_script(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()


def test_not_found_page_is_vietnamese_and_the_denial_is_logged(client, editor, caplog):
    client.force_login(editor)
    with caplog.at_level(logging.WARNING, logger="dinvan.security"):
        response = client.get(reverse("agreements:agreement_detail", args=[999999]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert f"access denied status=404 user_id={editor.pk}" in caplog.text
    assert "sessionid" not in caplog.text


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgraded(client, editor):
    assert editor.password.startswith("argon2")
    from django.contrib.auth.hashers import make_password

    get_user_model().objects.filter(pk=editor.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    _login(client, "bientap", PASSWORD)
    editor.refresh_from_db()
    assert editor.password.startswith("argon2")


def test_short_and_common_passwords_are_refused(client, editor):
    client.force_login(editor)
    for weak in ("12345678", "password123", "ngan"):
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)


def test_behind_nginx_the_lock_follows_the_forwarded_client_address(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def attempt(password, forwarded):
        return client.post(
            reverse("login"),
            {"username": "bientap", "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for _ in range(5):
        # A client forging the header still ends up with its real address last.
        attempt("sai-mat-khau", "1.2.3.4, 10.0.0.7")
    assert attempt(PASSWORD, "10.0.0.7").status_code == 429
    assert attempt(PASSWORD, "10.0.0.8").status_code == 302


def test_client_ip_is_an_address_or_none(rf, settings):
    """django-axes stores the answer in an inet column on PostgreSQL: never "-"."""
    from dinvan.security import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(None) is None
    assert client_ip(rf.get("/", REMOTE_ADDR="")) is None
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.7")) == "10.0.0.7"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.1.1.1")) == "10.1.1.1"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip")) is None


def _expiry(client):
    return UserSession.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_renews_the_idle_timeout_at_most_once_a_minute(client, editor, settings):
    from django.utils import timezone

    from dinvan.middleware import SEEN_AT_KEY

    client.force_login(editor)
    url = reverse("agreements:agreement_list")
    client.get(url)
    first = _expiry(client)
    client.get(url)
    assert _expiry(client) == first, "the session was written again within a minute"

    session = client.session
    session[SEEN_AT_KEY] = time.time() - settings.SESSION_RENEW_SECONDS - 1
    session.save()
    UserSession.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timezone.timedelta(seconds=30)
    )
    client.get(url)
    renewed = _expiry(client)
    assert renewed > timezone.now() + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)


def test_an_idle_session_ends(client, editor):
    from django.utils import timezone

    client.force_login(editor)
    client.get(reverse("agreements:agreement_list"))
    UserSession.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
