"""Two saves at the same moment, each on its own database connection (PostgreSQL only:
SQLite serialises every writer, so there is no race to test there).

The agreement's version claim (`UPDATE … WHERE version = …`) locks the agreement row,
so two saves of the same agreement cannot interleave their item renumbering: one wins,
the other is refused as a conflict. Two new agreements with the same number race on
the unique constraint: one is saved, the other gets the Vietnamese duplicate message,
not a server error."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from agreements import services
from agreements.models import Agreement, AgreementParty, AnnualPlan, ContentItem, Review
from tests.factories import AgencyFactory, AgreementFactory, ProfileFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL"),
]


def _race(*jobs):
    """Run the jobs in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test inspects what was raised
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _items(prefix, count):
    return [{"title": f"{prefix} nội dung {n}"} for n in range(1, count + 1)]


def test_two_saves_of_the_same_agreement_keep_items_numbered_one_to_n():
    profile = ProfileFactory()
    agreement = AgreementFactory(lead_agency=profile.agency)
    services.content_items_replace(agreement=agreement, items=_items("Cũ", 3), user=profile.user)
    version = agreement.version

    def save(prefix, count):
        def job():
            fresh = Agreement.objects.get(pk=agreement.pk)
            return services.agreement_save(
                agreement=fresh,
                user=profile.user,
                expected_version=version,
                items=_items(prefix, count),
            )

        return job

    results = _race(save("Một", 5), save("Hai", 7))

    conflicts = [r for r in results if isinstance(r, services.Conflict)]
    saved = [r for r in results if isinstance(r, Agreement)]
    assert len(saved) == 1 and len(conflicts) == 1, results
    numbers = list(
        ContentItem.objects.filter(agreement=agreement)
        .order_by("number")
        .values_list("number", "title")
    )
    winner = "Một" if len(numbers) == 5 else "Hai"
    assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1))
    assert all(title.startswith(winner) for _, title in numbers)
    assert Agreement.objects.get(pk=agreement.pk).version == version + 1


def test_two_new_agreements_with_one_number_save_once_and_refuse_the_other():
    profile = ProfileFactory()
    lead = profile.agency

    def create():
        agreement = Agreement(
            kind=Agreement.Kind.PROGRAM,
            number="07-CTr/BDVTU",
            title="Chương trình phối hợp thực hiện công tác dân vận",
            signed_on=datetime.date(2021, 8, 30),
            start_year=2021,
            end_year=2026,
        )
        party = services.PartyData(
            agency=lead, role=AgreementParty.Role.LEAD, name_as_signed=lead.name
        )
        return services.agreement_save(agreement=agreement, user=profile.user, parties=[party])

    results = _race(create, create)

    saved = [r for r in results if isinstance(r, Agreement)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert "đã có văn bản mang số, ký hiệu này" in str(refused[0])
    assert Agreement.objects.filter(number="07-CTr/BDVTU").count() == 1
    assert AgreementParty.objects.filter(agreement__number="07-CTr/BDVTU").count() == 1


def test_saves_of_different_agreements_never_conflict():
    """The lock is per agreement: a control for the tests above."""
    profile = ProfileFactory()
    first = AgreementFactory(lead_agency=profile.agency)
    second = AgreementFactory(lead_agency=AgencyFactory())

    def save(agreement):
        return lambda: services.agreement_save(
            agreement=Agreement.objects.get(pk=agreement.pk),
            user=profile.user,
            expected_version=agreement.version,
            items=_items("Mới", 4),
        )

    results = _race(save(first), save(second))
    assert all(isinstance(r, Agreement) for r in results), results
    assert ContentItem.objects.filter(agreement__in=[first, second]).count() == 8


def test_two_new_plans_for_one_year_save_once_and_refuse_the_other():
    profile = ProfileFactory()
    agreement = AgreementFactory(lead_agency=profile.agency)

    def create():
        plan = AnnualPlan(agreement=agreement, year=2024, summary="Kế hoạch năm 2024")
        return services.plan_save(plan=plan, user=profile.user)

    results = _race(create, create)

    assert sorted(type(r).__name__ for r in results) == ["AnnualPlan", "ValidationError"]
    refused = next(r for r in results if isinstance(r, ValidationError))
    assert "đã có kế hoạch thực hiện cho năm này" in str(refused)
    assert AnnualPlan.objects.filter(agreement=agreement, year=2024).count() == 1


def test_one_review_page_posted_twice_at_once_creates_one_review():
    """A double click: two posts of the same create page race; the one-time token's
    unique row lets one commit and rolls the other back, which is sent to the first's
    review."""
    from django.test import Client
    from django.urls import reverse

    profile = ProfileFactory()
    agreement = AgreementFactory(lead_agency=profile.agency)
    AgreementParty.objects.create(
        agreement=agreement,
        agency=profile.agency,
        role=AgreementParty.Role.LEAD,
        name_as_signed=profile.agency.name,
    )
    url = reverse("agreements:review_create", args=[agreement.pk])
    data = {
        "submission": "a" * 32,
        "kind": "annual",
        "title": "Hội nghị đánh giá năm 2024",
        "held_on": "20/12/2024",
        "version": "",
        **{f"papers-{k}": v for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()},
        **{f"values-{k}": v for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()},
        **{f"assessments-{k}": v for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}.items()},
    }

    def post():
        client = Client()
        client.force_login(profile.user)
        return client.post(url, data)

    responses = _race(post, post)

    assert all(getattr(r, "status_code", None) == 302 for r in responses), responses
    assert Review.objects.filter(agreement=agreement).count() == 1
    assert responses[0]["Location"] == responses[1]["Location"]


def test_a_party_saved_while_its_agency_moves_gets_the_new_area():
    """The party copies its agency's area (`AgreementParty.agency_area`, which a
    leader's list reads); the agency's move updates the copies. A party saved while
    the move is not yet committed waits for it and copies the new area: before, it
    copied the old one after the move had updated the others, and a leader of the
    new area never saw the agreement."""
    from django.db import transaction

    from tests.factories import AreaFactory

    old_area, new_area = AreaFactory(name="Huyện cũ"), AreaFactory(name="Huyện mới")
    agency = AgencyFactory(area=old_area)
    agreement = AgreementFactory(lead_agency=AgencyFactory())
    moved, party_started, party_saved = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def move():
        try:
            with transaction.atomic():
                mover = type(agency).objects.get(pk=agency.pk)
                mover.area = new_area
                mover.save()
                moved.set()
                party_started.wait(timeout=10)
                # The party's save must wait for this commit, not read around it.
                assert not party_saved.wait(timeout=1)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def add_party():
        try:
            moved.wait(timeout=10)
            party_started.set()
            with transaction.atomic():
                AgreementParty.objects.create(
                    agreement=agreement, agency=agency, name_as_signed=agency.name
                )
            party_saved.set()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move), threading.Thread(target=add_party)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors, errors
    party = AgreementParty.objects.get(agreement=agreement, agency=agency)
    assert party.agency_area_id == new_area.pk
