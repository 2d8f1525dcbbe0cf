"""Rules the database itself enforces, model validation messages, and NFC storage.

The constraint tests bypass forms and `full_clean()` on purpose (`objects.create`,
`QuerySet.update`): a bulk import or a careless service must be stopped by the
database, on SQLite and on PostgreSQL alike.
"""

import datetime
import unicodedata
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation

from agreements.models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    Attachment,
    ContentItem,
    Indicator,
    IndicatorValue,
    Review,
)
from agreements.text import fold
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    IndicatorFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def _agreement(lead, **fields):
    """An agreement written straight through the manager, no validation on the way."""
    values = {
        "kind": Agreement.Kind.PROGRAM,
        "number": "161-CTr/BCSĐUBND-BDVTU",
        "title": "Chương trình phối hợp công tác dân vận giai đoạn 2021 – 2026",
        "signed_on": datetime.date(2021, 12, 27),
        "start_year": 2021,
        "end_year": 2026,
    }
    values.update(fields)
    return Agreement.objects.create(lead_agency=lead, **values)


def _value(**fields):
    """An indicator value written straight through the manager."""
    values = {"year": 2022, "value": Decimal("166")}
    values.update(fields)
    if "indicator" not in values:
        values["indicator"] = IndicatorFactory()
    if "agreement" not in values:
        values["agreement"] = AgreementFactory()
    return IndicatorValue.objects.create(**values)


@contextmanager
def _refused(check=None):
    """Assert the database refuses the write inside, in a savepoint so the test goes on.

    `check` names the CHECK constraint expected to fire; SQLite and PostgreSQL both
    put that name in the error message. Unique violations name columns on SQLite, so
    those tests pass no name.
    """
    with pytest.raises(IntegrityError, match=check), transaction.atomic():
        yield


# Content items -------------------------------------------------------------------


def test_it_rejects_a_duplicate_item_number_in_one_agreement():
    agreement = AgreementFactory()
    ContentItem.objects.create(agreement=agreement, number=1, title="Tuyên truyền")
    with _refused():
        ContentItem.objects.create(agreement=agreement, number=1, title="Dân chủ ở cơ sở")
    assert agreement.items.count() == 1


def test_it_allows_the_same_item_number_in_another_agreement():
    ContentItem.objects.create(agreement=AgreementFactory(), number=1, title="Tuyên truyền")
    ContentItem.objects.create(agreement=AgreementFactory(), number=1, title="Tuyên truyền")
    assert ContentItem.objects.filter(number=1).count() == 2


def test_it_rejects_renumbering_an_item_onto_a_taken_number():
    agreement = AgreementFactory()
    ContentItem.objects.create(agreement=agreement, number=1, title="Tuyên truyền")
    second = ContentItem.objects.create(agreement=agreement, number=2, title="Tiếp công dân")
    with _refused():
        ContentItem.objects.filter(pk=second.pk).update(number=1)


def test_it_rejects_item_number_zero():
    with _refused("contentitem_number_positive"):
        ContentItem.objects.create(agreement=AgreementFactory(), number=0, title="Tuyên truyền")


# Document numbers ----------------------------------------------------------------


def test_it_rejects_the_same_number_from_the_same_lead_in_the_same_year():
    lead = AgencyFactory()
    _agreement(lead, number="31B-QCPH/BDV-ĐĐHĐND", signed_on=datetime.date(2013, 5, 16))
    with _refused():
        _agreement(lead, number="31B-QCPH/BDV-ĐĐHĐND", signed_on=datetime.date(2013, 11, 2))


def test_it_allows_the_same_number_from_the_same_lead_in_another_year():
    lead = AgencyFactory()
    _agreement(lead, number="19/KH-UBND", signed_on=datetime.date(2019, 2, 26))
    _agreement(lead, number="19/KH-UBND", signed_on=datetime.date(2020, 2, 26))
    assert Agreement.objects.filter(number="19/KH-UBND").count() == 2


def test_it_allows_another_lead_agency_to_reuse_a_number():
    signed_on = datetime.date(2019, 2, 26)
    _agreement(AgencyFactory(), number="19/KH-UBND", signed_on=signed_on)
    _agreement(AgencyFactory(), number="19/KH-UBND", signed_on=signed_on)
    assert Agreement.objects.filter(number="19/KH-UBND").count() == 2


def test_blank_numbers_never_clash():
    lead = AgencyFactory()
    signed_on = datetime.date(2021, 12, 27)
    _agreement(lead, number="", signed_on=signed_on)
    _agreement(lead, number="", signed_on=signed_on)
    assert Agreement.objects.filter(lead_agency=lead, number="").count() == 2


def test_it_rejects_moving_the_signing_date_into_a_year_that_already_has_the_number():
    lead = AgencyFactory()
    _agreement(lead, number="19/KH-UBND", signed_on=datetime.date(2019, 2, 26))
    later = _agreement(lead, number="19/KH-UBND", signed_on=datetime.date(2020, 2, 26))
    with _refused():
        Agreement.objects.filter(pk=later.pk).update(signed_on=datetime.date(2019, 12, 31))


def test_full_clean_reports_a_duplicate_number_in_vietnamese():
    lead = AgencyFactory()
    _agreement(lead, number="593-QĐ/TU", signed_on=datetime.date(2021, 11, 11))
    duplicate = Agreement(
        kind=Agreement.Kind.REGULATION,
        number="593-QĐ/TU",
        title="Quy chế công tác dân vận của hệ thống chính trị",
        signed_on=datetime.date(2021, 1, 5),
        lead_agency=lead,
    )
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "Cơ quan chủ trì đã có văn bản mang số, ký hiệu này trong cùng năm ký." in str(
        caught.value
    )


# Years and dates -----------------------------------------------------------------


def test_it_rejects_end_year_before_start_year():
    with _refused("agreement_end_year_after_start"):
        _agreement(AgencyFactory(), start_year=2026, end_year=2021)


def test_it_rejects_end_year_before_start_year_on_update():
    agreement = _agreement(AgencyFactory(), start_year=2021, end_year=2026)
    with _refused("agreement_end_year_after_start"):
        Agreement.objects.filter(pk=agreement.pk).update(end_year=2020)


def test_it_accepts_a_single_year_agreement():
    agreement = _agreement(AgencyFactory(), start_year=2019, end_year=2019)
    assert agreement.period_label == "2019"


@pytest.mark.parametrize(
    "years",
    [
        {"start_year": 1800, "end_year": None},
        {"start_year": 1800, "end_year": 2026},
        {"start_year": 1944, "end_year": None},
        {"start_year": None, "end_year": 2500},
        {"start_year": 2021, "end_year": 2500},
        {"start_year": None, "end_year": 2101},
    ],
)
def test_it_rejects_years_outside_a_sane_range(years):
    with _refused("_year_sane"):
        _agreement(AgencyFactory(), **years)


@pytest.mark.parametrize("field", ["start_year", "end_year"])
def test_it_rejects_an_insane_year_written_by_update(field):
    agreement = _agreement(AgencyFactory(), start_year=None, end_year=None)
    with _refused(f"agreement_{field}_sane"):
        Agreement.objects.filter(pk=agreement.pk).update(**{field: 2500})


def test_it_accepts_the_edges_of_the_year_range():
    agreement = _agreement(AgencyFactory(), start_year=1945, end_year=2100)
    agreement.refresh_from_db()
    assert (agreement.start_year, agreement.end_year) == (1945, 2100)


def test_it_rejects_an_effective_range_that_ends_before_it_starts():
    with _refused("agreement_effective_range"):
        _agreement(
            AgencyFactory(),
            effective_from=datetime.date(2021, 12, 27),
            effective_until=datetime.date(2021, 12, 26),
        )


def test_it_accepts_an_effective_range_of_one_day():
    day = datetime.date(2021, 12, 27)
    agreement = _agreement(AgencyFactory(), effective_from=day, effective_until=day)
    assert agreement.pk


# Indicator values ----------------------------------------------------------------


def test_it_rejects_a_negative_indicator_value():
    with _refused("indicatorvalue_non_negative"):
        _value(agency=AgencyFactory(), value=Decimal("-1"))


def test_it_rejects_a_denominator_below_the_value():
    with _refused("indicatorvalue_denominator_covers_value"):
        _value(agency=AgencyFactory(), value=Decimal("250"), denominator=Decimal("200"))


def test_it_rejects_a_zero_denominator():
    with _refused("indicatorvalue_denominator_covers_value"):
        _value(agency=AgencyFactory(), value=Decimal("0"), denominator=Decimal("0"))


def test_it_rejects_raising_a_value_above_its_denominator_by_update():
    value = _value(agency=AgencyFactory(), value=Decimal("166"), denominator=Decimal("200"))
    with _refused("indicatorvalue_denominator_covers_value"):
        IndicatorValue.objects.filter(pk=value.pk).update(value=Decimal("201"))


def test_it_accepts_a_value_equal_to_its_denominator():
    value = _value(agency=AgencyFactory(), value=Decimal("200"), denominator=Decimal("200"))
    assert value.percentage == 100


def test_it_rejects_an_indicator_value_without_area_or_agency():
    with _refused("indicatorvalue_has_area_or_agency"):
        _value(area=None, agency=None)


@pytest.mark.parametrize("owner", ["area", "agency"])
def test_it_accepts_an_indicator_value_for_an_area_or_an_agency(owner):
    factory = {"area": AreaFactory, "agency": AgencyFactory}[owner]
    value = _value(**{owner: factory()})
    assert value.pk


# Agency lineage ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind",
    [AgencyChange.Kind.MERGED, AgencyChange.Kind.RENAMED, AgencyChange.Kind.SPLIT],
)
def test_it_requires_a_successor_unless_the_agency_ended(kind):
    with _refused("agencychange_successor_unless_ended"):
        AgencyChange.objects.create(predecessor=AgencyFactory(), successor=None, kind=kind)


def test_it_forbids_a_successor_when_the_agency_ended():
    with _refused("agencychange_successor_unless_ended"):
        AgencyChange.objects.create(
            predecessor=AgencyFactory(), successor=AgencyFactory(), kind=AgencyChange.Kind.ENDED
        )


def test_it_accepts_an_ended_agency_without_successor():
    change = AgencyChange.objects.create(
        predecessor=AgencyFactory(), successor=None, kind=AgencyChange.Kind.ENDED
    )
    assert change.pk


def test_it_rejects_changing_an_ended_record_into_a_merger_without_successor():
    change = AgencyChange.objects.create(predecessor=AgencyFactory(), kind="ended")
    with _refused("agencychange_successor_unless_ended"):
        AgencyChange.objects.filter(pk=change.pk).update(kind=AgencyChange.Kind.MERGED)


# Attachments and reviews ---------------------------------------------------------


def _attachment(**owners):
    return Attachment.objects.create(
        title="Bản ký chương trình phối hợp",
        kind=Attachment.Kind.SIGNED_SCAN,
        file="attachments/2021/12/ban-ky.pdf",
        **owners,
    )


def test_it_rejects_an_attachment_without_owner():
    with _refused("attachment_exactly_one_owner"):
        _attachment()


def test_it_rejects_an_attachment_with_two_owners():
    review = ReviewFactory()
    with _refused("attachment_exactly_one_owner"):
        _attachment(agreement=review.agreement, review=review)


def test_it_accepts_an_attachment_with_exactly_one_owner():
    assert _attachment(review=ReviewFactory()).pk


def test_it_rejects_an_approved_review_without_approval_time():
    with _refused("review_approved_has_time"):
        Review.objects.create(
            agreement=AgreementFactory(), kind=Review.Kind.FINAL, status=Review.Status.APPROVED
        )


def test_it_rejects_approving_a_review_by_update_without_approval_time():
    review = ReviewFactory(status=Review.Status.SUBMITTED)
    with _refused("review_approved_has_time"):
        Review.objects.filter(pk=review.pk).update(status=Review.Status.APPROVED)


def test_it_accepts_an_approved_review_with_approval_time():
    review = ReviewFactory(status=Review.Status.APPROVED, approved_at=timezone.now())
    assert review.is_locked


# Deletion is refused where history hangs on a row --------------------------------


def test_deleting_an_agency_that_is_a_party_is_refused():
    partner = AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu")
    party = AgreementPartyFactory(agency=partner)
    assert party.agreement.lead_agency != partner  # only the party row protects it
    with pytest.raises(ProtectedError):
        partner.delete()
    assert Agency.objects.filter(pk=partner.pk).exists()
    assert AgreementParty.objects.filter(pk=party.pk).exists()


def test_deleting_an_indicator_with_values_is_refused():
    value = _value(agency=AgencyFactory())
    with pytest.raises(ProtectedError):
        value.indicator.delete()
    assert Indicator.objects.filter(pk=value.indicator_id).exists()
    assert IndicatorValue.objects.filter(pk=value.pk).exists()


def test_deleting_an_unused_indicator_is_allowed():
    indicator = IndicatorFactory()
    indicator.delete()
    assert not Indicator.objects.filter(pk=indicator.pk).exists()


# Validation messages -------------------------------------------------------------


def test_full_clean_says_in_vietnamese_that_end_year_is_before_start_year():
    agreement = Agreement(
        kind=Agreement.Kind.PROGRAM,
        title="Chương trình phối hợp",
        lead_agency=AgencyFactory(),
        signed_on=datetime.date(2021, 12, 27),
        start_year=2026,
        end_year=2021,
    )
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        agreement.full_clean()
    assert caught.value.message_dict == {"end_year": ["Năm kết thúc không được trước năm bắt đầu."]}


def test_full_clean_says_in_vietnamese_that_the_denominator_is_below_the_value():
    value = IndicatorValue(
        indicator=IndicatorFactory(kind=Indicator.Kind.RATIO),
        agreement=AgreementFactory(),
        agency=AgencyFactory(),
        year=2022,
        value=Decimal("250"),
        denominator=Decimal("200"),
    )
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        value.full_clean()
    assert caught.value.message_dict == {
        "denominator": ["Mẫu số phải lớn hơn 0 và không nhỏ hơn giá trị."]
    }


@pytest.mark.parametrize("number", ["", "29/KH-UBND"])
def test_full_clean_accepts_an_agreement_without_signing_date(number):
    # Drafts have no signing date yet; services call full_clean() on every save.
    draft = Agreement(
        kind=Agreement.Kind.PLAN,
        number=number,
        title="Kế hoạch thực hiện công tác dân vận chính quyền năm 2019",
        lead_agency=AgencyFactory(),
        lifecycle=Agreement.Lifecycle.DRAFT,
    )
    draft.full_clean()


def test_an_agreement_without_signing_date_never_clashes_in_the_database():
    lead = AgencyFactory()
    _agreement(lead, number="29/KH-UBND", signed_on=None)
    _agreement(lead, number="29/KH-UBND", signed_on=None)
    assert Agreement.objects.filter(number="29/KH-UBND").count() == 2


def test_full_clean_accepts_a_valid_agreement():
    agreement = Agreement(
        kind=Agreement.Kind.PROGRAM,
        number="161-CTr/BCSĐUBND-BDVTU",
        title="Chương trình phối hợp",
        lead_agency=AgencyFactory(),
        signed_on=datetime.date(2021, 12, 27),
        start_year=2021,
        end_year=2026,
    )
    agreement.full_clean()


# Text is stored in NFC, with a folded search key ---------------------------------

NFC_TITLE = "Phong trào thi đua Dân vận khéo"
NFD_TITLE = unicodedata.normalize("NFD", NFC_TITLE)


def test_saving_decomposed_text_stores_it_composed():
    assert NFD_TITLE != NFC_TITLE
    agreement = _agreement(AgencyFactory(), title=NFD_TITLE, place="Nghệ An\x00")
    agreement.refresh_from_db()
    assert agreement.title == NFC_TITLE
    assert agreement.place == "Nghệ An"
    # Compared by the database, not only by Python after the read.
    assert Agreement.objects.filter(pk=agreement.pk, title=NFC_TITLE).exists()
    assert not Agreement.objects.filter(pk=agreement.pk, title=NFD_TITLE).exists()


def test_saving_keeps_the_search_key_folded():
    agreement = _agreement(
        AgencyFactory(), number="31B-QCPH/BDV-ĐĐHĐND", title=NFD_TITLE, place="Lai Châu"
    )
    agreement.refresh_from_db()
    assert agreement.search_key == "31b-qcph/bdv-ddhdnd phong trao thi dua dan van kheo lai chau"


def test_saving_with_update_fields_refreshes_the_search_key():
    agreement = _agreement(AgencyFactory(), title="Quy chế dân chủ ở cơ sở")
    agreement.title = NFD_TITLE
    agreement.save(update_fields=["title"])
    agreement.refresh_from_db()
    assert agreement.title == NFC_TITLE
    assert fold(NFC_TITLE) in agreement.search_key
    assert "dan chu" not in agreement.search_key


def test_the_search_key_is_recomputed_not_trusted():
    agreement = Agreement(
        kind=Agreement.Kind.PROGRAM,
        title="Dân vận khéo",
        lead_agency=AgencyFactory(),
        search_key="gia tri sai",
    )
    agreement.save()
    agreement.refresh_from_db()
    assert agreement.search_key == "dan van kheo"


def test_other_models_store_nfc_too():
    name = "Ban Tuyên giáo và Dân vận Tỉnh ủy"
    agency = AgencyFactory(name=unicodedata.normalize("NFD", name), short_name="")
    item = ContentItem.objects.create(
        agreement=AgreementFactory(),
        number=1,
        title=unicodedata.normalize("NFD", "Tiếp công dân, đối thoại"),
    )
    agency.refresh_from_db()
    item.refresh_from_db()
    assert agency.name == name
    assert agency.search_key == "ban tuyen giao va dan van tinh uy"
    assert item.title == "Tiếp công dân, đối thoại"
    assert item.search_key == "tiep cong dan, doi thoai"
