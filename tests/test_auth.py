"""dinvan.auth: the signed-in user comes with profile and agency in one query."""

from django.contrib.auth.models import User
from django.urls import reverse

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
