"""Read pages of the staff workspace: access scoping, content, query counts."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import AgreementParty, IndicatorValue, ItemAssessment, Signatory
from tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ContentItemFactory,
    IndicatorFactory,
    ReviewFactory,
)


def _agreement_of(agency, **kwargs):
    agreement = AgreementFactory(lead_agency=agency, **kwargs)
    party = AgreementPartyFactory(agreement=agreement, agency=agency, role=AgreementParty.Role.LEAD)
    Signatory.objects.create(party=party, name="Lò Văn Cương", position="Trưởng Ban Dân vận")
    return agreement


def _rich_agreement(agency, items=5, reviews=3):
    agreement = _agreement_of(agency, declared_item_count=items + 2)
    created = [ContentItemFactory(agreement=agreement, number=n + 1) for n in range(items)]
    indicator = IndicatorFactory()
    for year in range(reviews):
        review = ReviewFactory(agreement=agreement, held_on=datetime.date(2022 + year, 12, 1))
        for item in created:
            ItemAssessment.objects.create(review=review, content_item=item, progress="done")
        IndicatorValue.objects.create(
            indicator=indicator,
            agreement=agreement,
            review=review,
            year=2022 + year,
            agency=agency,
            value=166,
            denominator=200,
        )
    return agreement


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_list_shows_only_agreements_of_the_editors_agency(client, editor_a, agency_a, agency_b):
    own = _agreement_of(agency_a, title="Chương trình phối hợp của Lai Châu")
    other = _agreement_of(agency_b, title="Chương trình phối hợp của Nghệ An")
    client.force_login(editor_a)
    response = client.get(reverse("agreements:agreement_list"))
    assert response.status_code == 200
    assert own.title in response.content.decode()
    assert other.title not in response.content.decode()


def test_list_search_ignores_diacritics(client, editor_a, agency_a):
    _agreement_of(agency_a, title="Phong trào thi đua Dân vận khéo")
    _agreement_of(agency_a, title="Quy chế dân chủ ở cơ sở")
    client.force_login(editor_a)
    response = client.get(reverse("agreements:agreement_list"), {"q": "dan van kheo"})
    body = response.content.decode()
    assert "Phong trào thi đua Dân vận khéo" in body
    assert "Quy chế dân chủ ở cơ sở" not in body


def test_detail_checks_ownership(client, editor_b, agency_a):
    agreement = _agreement_of(agency_a)
    client.force_login(editor_b)
    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert response.status_code == 404


def test_detail_is_404_for_user_without_profile(client, outsider, agency_a):
    agreement = _agreement_of(agency_a)
    client.force_login(outsider)
    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert response.status_code == 404


def test_leader_sees_agreements_in_the_area(client, leader, agency_a):
    agreement = _agreement_of(agency_a)
    client.force_login(leader)
    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert response.status_code == 200


def test_detail_shows_parties_items_reviews_and_missing_items(client, editor_a, agency_a):
    agreement = _rich_agreement(agency_a, items=3, reviews=2)
    client.force_login(editor_a)
    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    body = response.content.decode()
    assert "Lò Văn Cương" in body
    assert "còn 2 nội dung chưa được nhập" in body
    assert "Hoàn thành" in body
    assert "166/200" in body
    assert "83,0%" in body


def test_detail_query_count_does_not_grow_with_rows(
    client, editor_a, agency_a, django_assert_max_num_queries
):
    small = _rich_agreement(agency_a, items=1, reviews=1)
    big = _rich_agreement(agency_a, items=12, reviews=6)
    client.force_login(editor_a)
    # 18 queries, plus the session write that renews the idle timeout (once a
    # minute: savepoint, update, release); one of the 18 is the agency lineage
    # that says who owes the agreement's reviews, one the generation that keys the
    # cached figures table (a repeat view then skips reading the figures).
    with django_assert_max_num_queries(21) as small_ctx:
        client.get(reverse("agreements:agreement_detail", args=[small.pk]))
    with django_assert_max_num_queries(len(small_ctx.captured_queries)):
        client.get(reverse("agreements:agreement_detail", args=[big.pk]))


def test_list_query_count_does_not_grow_with_rows(
    client, editor_a, agency_a, django_assert_max_num_queries
):
    _agreement_of(agency_a)
    client.force_login(editor_a)
    with django_assert_max_num_queries(15) as ctx:
        client.get(reverse("agreements:agreement_list"))
    for _ in range(20):
        _agreement_of(agency_a)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get(reverse("agreements:agreement_list"))
    assert response.context["paginator"].count == 21


def test_review_detail_checks_ownership(client, editor_a, editor_b, agency_a):
    review = ReviewFactory(agreement=_agreement_of(agency_a), results="Đạt nhiều kết quả")
    client.force_login(editor_b)
    assert client.get(reverse("agreements:review_detail", args=[review.pk])).status_code == 404
    client.force_login(editor_a)
    response = client.get(reverse("agreements:review_detail", args=[review.pk]))
    assert response.status_code == 200
    assert "Đạt nhiều kết quả" in response.content.decode()


def test_home_counts_visible_agreements(client, editor_a, agency_a, agency_b):
    _agreement_of(agency_a)
    _agreement_of(agency_b)
    client.force_login(editor_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["in_force"]["total"] == 1


@pytest.mark.parametrize("name", ["agreements:agreement_detail", "agreements:review_detail"])
def test_object_pages_are_404_for_unknown_ids(client, editor_a, name):
    client.force_login(editor_a)
    assert client.get(reverse(name, args=[999999])).status_code == 404


def test_detail_history_says_who_changed_which_fields(client, editor_a, agency_a):
    from agreements import services

    agreement = _agreement_of(agency_a, title="Bản đầu")
    agreement.title = "Bản đã sửa"
    agreement.place = "Lai Châu"
    services.agreement_save(agreement=agreement, user=editor_a, expected_version=1)
    client.force_login(editor_a)
    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    rows = response.context["history"]
    assert rows[0]["record"].history_user == editor_a
    assert set(rows[0]["changed"]) == {"trích yếu", "địa danh"}
    assert "Trích yếu, địa danh" in response.content.decode() or "Địa danh, trích yếu" in (
        response.content.decode()
    )


def test_detail_lists_what_the_agreement_owes_with_a_link_to_enter_it(client, editor_a, agency_a):
    year = datetime.date.today().year
    agreement = _agreement_of(
        agency_a,
        signed_on=datetime.date(year - 3, 8, 30),
        start_year=year - 3,
        end_year=year + 2,
        annual_review_required=True,
    )
    ReviewFactory(
        agreement=agreement,
        kind="annual",
        status="submitted",
        held_on=datetime.date(year - 1, 12, 20),
        period_from=datetime.date(year - 2, 1, 1),
        period_to=datetime.date(year - 2, 12, 31),
    )
    client.force_login(editor_a)

    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))

    owed = response.context["obligations"]
    # year - 2 was reviewed; year - 3 is older than the obligations kept (two years).
    assert [o.period_from.year for o in owed if o.kind == "annual"] == [year - 1]
    body = response.content.decode()
    section = body.split('id="owed"')[1].split("</section>")[0]
    assert owed[0].title in section
    # Due by 31/03: overdue from April on.
    assert ("quá hạn" in section) == any(o.overdue for o in owed)
    assert owed[0].create_url.replace("&", "&amp;") in section


def test_detail_has_no_owed_section_when_nothing_is_due(client, editor_a, agency_a):
    year = datetime.date.today().year
    agreement = _agreement_of(
        agency_a,
        signed_on=datetime.date(year, 1, 5),
        start_year=year,
        end_year=year + 4,
        annual_review_required=False,
    )
    client.force_login(editor_a)
    response = client.get(reverse("agreements:agreement_detail", args=[agreement.pk]))
    assert 'id="owed"' not in response.content.decode()
