"""Role fixtures: two editors of different agencies, a leader, an admin, an outsider."""

import pytest
from django.core.cache import cache

from agreements.models import UserProfile
from tests.factories import AgencyFactory, AreaFactory, ProfileFactory, UserFactory


@pytest.fixture
def area(db):
    return AreaFactory(name="Tỉnh Lai Châu", code="12")


@pytest.fixture
def agency_a(area):
    return AgencyFactory(name="Ban Dân vận Tỉnh ủy Lai Châu", short_name="BDV Tỉnh ủy", area=area)


@pytest.fixture
def agency_b(db):
    return AgencyFactory(name="Ban Dân vận Tỉnh ủy Nghệ An", short_name="BDV Nghệ An")


@pytest.fixture
def editor_a(agency_a):
    return ProfileFactory(agency=agency_a, role=UserProfile.Role.EDITOR).user


@pytest.fixture
def editor_b(agency_b):
    return ProfileFactory(agency=agency_b, role=UserProfile.Role.EDITOR).user


@pytest.fixture
def leader(area):
    office = AgencyFactory(name="Tỉnh ủy Lai Châu", short_name="Tỉnh ủy", area=area)
    return ProfileFactory(agency=office, role=UserProfile.Role.LEADER).user


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rendered parts are keyed by the summaries' generation, which starts again from
    the same number in every test (each rolls back): one test's parts must not be
    served to the next."""
    cache.clear()
    yield
    cache.clear()
