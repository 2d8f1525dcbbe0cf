"""Project settings: Vietnamese formats, the default language, and the deploy check."""

import datetime
import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.utils import formats, translation

BASE_DIR = Path(__file__).resolve().parents[1]

# The production environment the README documents (section "Triển khai").
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "danvan.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://danvan.example.gov.vn",
    "BEHIND_TLS_PROXY": "1",
    "TRUSTED_PROXY_COUNT": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_vietnamese_is_the_default_language():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_date_fields_accept_day_month_year(language):
    with translation.override(language):
        assert "%d/%m/%Y" in formats.get_format("DATE_INPUT_FORMATS")
        assert forms.DateField().clean("18/01/2024") == datetime.date(2024, 1, 18)


def test_it_rejects_a_date_that_does_not_exist():
    with translation.override("vi"), pytest.raises(forms.ValidationError):
        forms.DateField().clean("31/02/2024")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_render_as_day_month_year(language):
    day = datetime.date(2024, 1, 18)
    with translation.override(language):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "18/01/2024"
        assert Template("{{ day }}").render(Context({"day": day})) == "18/01/2024"


def test_numbers_use_a_dot_for_thousands_and_a_comma_for_decimals():
    with translation.override("vi"):
        assert formats.number_format(2875, force_grouping=True) == "2.875"
        assert formats.number_format(1743, force_grouping=True) == "1.743"
        # Grouping is asked for explicitly; years must not read "2.022".
        assert Template("{{ year }}").render(Context({"year": 2022})) == "2022"
        assert intcomma(2875) == "2.875"
        assert formats.number_format(83.0, decimal_pos=1) == "83,0"
        assert formats.localize(Decimal("83.0")) == "83,0"


def test_years_are_not_grouped_unless_asked():
    with translation.override("vi"):
        assert formats.localize(2022) == "2022"


def test_the_documented_production_environment_passes_the_deploy_check(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(PRODUCTION_ENV)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_several_servers_can_share_a_redis_cache(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    code = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE); "
        "import redis"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "dinvan.sessions",
    ]


def test_one_server_keeps_its_cache_in_memory_and_sessions_in_the_database():
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert settings.SESSION_ENGINE == "dinvan.sessions"


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="PostgreSQL setting",
)
@pytest.mark.parametrize(
    ("name", "value"),
    # No JIT; a query gets one parallel worker at most.
    [("jit", "off"), ("max_parallel_workers_per_gather", "1")],
)
def test_postgresql_connections_run_with_the_projects_settings(db, name, value):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        assert cursor.fetchone() == (value,)
