"""Smoke test in a real browser: a user signs in and lands on the home page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e

PASSWORD = "mat-khau-thu-nghiem-2026"


def test_a_user_signs_in_and_lands_on_the_home_page(page, live_server, django_user_model, shot):
    django_user_model.objects.create_user(username="canbo", password=PASSWORD)

    page.goto(reverse("home"))
    page.wait_for_url(f"{live_server.url}{reverse('login')}?next=/")
    page.fill("input[name=username]", "canbo")
    page.fill("input[name=password]", PASSWORD)
    shot("01-login")
    # The header's language switcher is a form with a submit button too.
    page.locator("form:has(input[name=password]) [type=submit]").click()

    page.wait_for_url(f"{live_server.url}{reverse('home')}")
    shot("02-home")
    assert page.locator("input[name=password]").count() == 0
    assert page.locator("header >> text=canbo").count() == 1
    assert page.locator("text=Đăng xuất").count() == 1
