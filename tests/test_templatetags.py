"""dinvan.templatetags: the header's brand and menu, rendered once per language and
kind of user."""

import pytest
from django.urls import reverse

from dinvan import templatetags
from tests.factories import ProfileFactory


def _header(response):
    page = response.content.decode()
    return page[page.index('<header class="site-header">') : page.index('<div class="user-box">')]


@pytest.fixture
def staff(agency_a):
    user = ProfileFactory(agency=agency_a, role="admin").user
    user.is_staff = True
    user.save()
    return user


def test_the_menu_follows_the_user_and_the_language(client, editor_a, staff):
    client.force_login(editor_a)
    editor_header = _header(client.get(reverse("home")))
    assert f'href="{reverse("agreements:agreement_list")}">Văn bản phối hợp</a>' in editor_header
    assert reverse("admin:index") not in editor_header
    client.force_login(staff)
    assert f'href="{reverse("admin:index")}">Quản trị</a>' in _header(client.get(reverse("home")))
    client.cookies["django_language"] = "en"
    english = _header(client.get(reverse("home")))
    assert ">Dashboard</a>" in english and ">Administration</a>" in english
    client.logout()
    login = client.get(reverse("login")).content.decode()
    assert 'class="brand"' in login and 'class="main-nav"' not in login


def test_the_remembered_menu_is_the_menu_rendered_afresh(settings):
    for key in [("vi", True, False, "/"), ("en", True, True, "/"), ("vi", False, False, "/")]:
        assert templatetags._remembered_nav(*key) == templatetags._render_nav(*key)
    settings.DEBUG = True  # rendered every time, so that edited templates show at once
    templatetags._remembered_nav.cache_clear()

    class Anonymous:
        is_authenticated = False

    templatetags.site_nav({"user": Anonymous()})
    assert templatetags._remembered_nav.cache_info().currsize == 0
