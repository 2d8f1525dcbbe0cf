"""Every URL that takes an object id, for GET and POST, as someone who may not see
that object: an editor of another agency, a leader of another area, anonymous.
The answer is 404 (or 405, or a redirect to the login page) and the database does
not change. New URL patterns are picked up automatically."""

import datetime

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from agreements.models import (
    AgreementParty,
    AnnualPlan,
    Attachment,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    UserProfile,
)
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ContentItemFactory,
    IndicatorFactory,
    ProfileFactory,
    ReviewFactory,
)


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + route)
        elif isinstance(entry, URLPattern) and isinstance(entry.pattern, RoutePattern):
            if entry.pattern.converters:
                yield prefix + route, entry.pattern.converters


def _fill(route, converters, value):
    path = route
    for name in converters:
        for converter in ("int", "path", "str", "slug"):
            path = path.replace(f"<{converter}:{name}>", str(value))
    return "/" + path


@pytest.fixture
def world(db, tmp_path, settings):
    """One agency's private records, one of each kind."""
    settings.MEDIA_ROOT = tmp_path
    owner = AgencyFactory(area=AreaFactory(name="Tỉnh Lai Châu"))
    agreement = AgreementFactory(lead_agency=owner)
    AgreementPartyFactory(agreement=agreement, agency=owner, role=AgreementParty.Role.LEAD)
    item = ContentItemFactory(agreement=agreement, number=1)
    review = ReviewFactory(agreement=agreement, status="submitted")
    ItemAssessment.objects.create(review=review, content_item=item, progress="done")
    IndicatorValue.objects.create(
        indicator=IndicatorFactory(),
        agreement=agreement,
        review=review,
        year=2022,
        agency=owner,
        value=5,
    )
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    activity = PlanActivity.objects.create(
        plan=plan, activity="Giám sát", deadline=datetime.date(2022, 6, 30)
    )
    attachment = Attachment(agreement=agreement, title="Bản ký", kind="signed_scan")
    attachment.file.save("ban-ky.pdf", __import__("io").BytesIO(b"%PDF-1.4 mat"), save=False)
    attachment.save()
    ids = {agreement.pk, review.pk, plan.pk, activity.pk, attachment.pk, item.pk}
    return {"ids": sorted(ids), "secret": agreement.title}


def _snapshot():
    counts = {}
    for model in apps.get_app_config("agreements").get_models():
        counts[model._meta.label] = model._default_manager.count()
    return counts


def _strangers():
    other_area = AreaFactory(name="Tỉnh Nghệ An")
    editor = ProfileFactory(
        agency=AgencyFactory(area=other_area), role=UserProfile.Role.EDITOR
    ).user
    leader = ProfileFactory(
        agency=AgencyFactory(area=other_area), role=UserProfile.Role.LEADER
    ).user
    return {"editor of another agency": editor, "leader of another area": leader, "anonymous": None}


def test_object_urls_never_serve_or_change_another_agencys_records(client, world):
    patterns = list(_patterns())
    own = [(r, c) for r, c in patterns if not r.startswith("admin/")]
    admin = [(r, c) for r, c in patterns if r.startswith("admin/")]
    assert len(own) >= 10, "expected the staff pages' object URLs"
    strangers = _strangers()
    before = _snapshot()
    problems = []
    for who, user in strangers.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        checks = [(r, c, pk) for r, c in own for pk in world["ids"]]
        checks += [(r, c, world["ids"][0]) for r, c in admin]
        for route, converters, pk in checks:
            url = _fill(route, converters, pk)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                status = response.status_code
                location = response.get("Location", "")
                allowed = status in (404, 405) or (status == 302 and "login" in location)
                body = b"" if response.streaming else response.content
                leaked = world["secret"].encode() in body
                if not allowed or leaked:
                    problems.append(f"{who}: {method.upper()} {url} -> {status} {location}")
    assert problems == []
    assert _snapshot() == before
