"""Queryset scoping: search, agency lineage, who sees what, area roll-up, status."""

import datetime
import unicodedata

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements.models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    Area,
    ContentItem,
    UserProfile,
)
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    AreaFactory,
    ProfileFactory,
)

pytestmark = pytest.mark.django_db

DAN_VAN_KHEO_NFD = unicodedata.normalize("NFD", "Dân vận khéo")


def _signed_by(agency, *, name_as_signed=None, **fields):
    """An agreement led by `agency`, with `agency` as its lead party."""
    agreement = AgreementFactory(lead_agency=agency, **fields)
    AgreementPartyFactory(
        agreement=agreement,
        agency=agency,
        role=AgreementParty.Role.LEAD,
        name_as_signed=name_as_signed or agency.name,
    )
    return agreement


def _change(predecessor, successor, kind=AgencyChange.Kind.MERGED, on=None):
    return AgencyChange.objects.create(
        predecessor=predecessor, successor=successor, kind=kind, changed_on=on
    )


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


# Search ----------------------------------------------------------------------------


@pytest.fixture
def kheo(db):
    return AgreementFactory(title="Phát động phong trào thi đua Dân vận khéo giai đoạn 2021 – 2026")


@pytest.fixture
def dan_chu(db):
    return AgreementFactory(title="Thực hiện dân chủ ở cơ sở")


@pytest.mark.parametrize(
    "query",
    ["dan van kheo", "Dân vận khéo", DAN_VAN_KHEO_NFD, "DÂN VẬN KHÉO", "  dan   VAN kheo "],
    ids=["bare", "nfc", "nfd", "upper", "spaces"],
)
def test_search_ignores_diacritics_case_and_normal_form(kheo, dan_chu, query):
    assert list(Agreement.objects.search(query)) == [kheo]


def test_search_matches_document_numbers_with_d_stroke(db):
    lai_chau = AgreementFactory(
        kind=Agreement.Kind.REGULATION,
        number="31B-QCPH/BDV-ĐĐHĐND",
        title="Quy chế phối hợp công tác dân vận",
    )
    AgreementFactory(number="19/KH-UBND", title="Kế hoạch dân vận chính quyền năm 2019")
    for query in ("ĐĐHĐND", "ddhdnd", "đđhđnd", "31b-qcph/bdv", "BDV-ĐĐHĐND"):
        assert list(Agreement.objects.search(query)) == [lai_chau], query


def test_search_accepts_both_number_styles(db):
    party_style = AgreementFactory(number="161-CTr/BCSĐUBND-BDVTU")
    state_style = AgreementFactory(number="01/QCPH/UBND-UBMTTQ")
    assert list(Agreement.objects.search("161-CTr")) == [party_style]
    assert list(Agreement.objects.search("01/QCPH")) == [state_style]


def test_search_finds_an_agreement_by_a_party_agency_name(kheo, dan_chu):
    partner = AgencyFactory(name="Đảng đoàn Hội đồng nhân dân tỉnh", short_name="ĐĐ HĐND tỉnh")
    AgreementPartyFactory(agreement=dan_chu, agency=partner)
    assert list(Agreement.objects.search("dang doan hoi dong nhan dan")) == [dan_chu]
    assert list(Agreement.objects.search("ĐĐ HĐND")) == [dan_chu]


def test_search_finds_an_agreement_by_a_content_item_title(kheo, dan_chu):
    ContentItem.objects.create(agreement=kheo, number=1, title="Tiếp công dân, đối thoại")
    ContentItem.objects.create(agreement=kheo, number=2, title="Tiếp công dân định kỳ")
    ContentItem.objects.create(agreement=dan_chu, number=1, title="Cải cách hành chính")
    # Two matching items, one row: the match is an EXISTS, not a join.
    assert list(Agreement.objects.search("tiep cong dan")) == [kheo]


def test_search_with_empty_text_returns_everything(kheo, dan_chu):
    assert _ids(Agreement.objects.search("")) == {kheo.pk, dan_chu.pk}
    assert _ids(Agreement.objects.search("   ")) == {kheo.pk, dan_chu.pk}


def test_search_finds_nothing_for_an_unknown_word(kheo, dan_chu):
    assert not Agreement.objects.search("quoc phong").exists()


def test_search_finds_an_agreement_by_the_party_name_as_signed(db):
    today = AgencyFactory(name="Đảng ủy Ủy ban nhân dân tỉnh Nghệ An", short_name="ĐU UBND")
    agreement = _signed_by(today, name_as_signed="Ban cán sự đảng UBND tỉnh Nghệ An")
    assert list(Agreement.objects.search("ban can su dang")) == [agreement]


def test_search_ignores_nul_characters(kheo, dan_chu):
    assert list(Agreement.objects.search("dan van\x00 kheo")) == [kheo]


# Lineage: merged, renamed and ended agencies ------------------------------------


@pytest.fixture
def merger(area):
    """The 2025 merger: BDV Tỉnh ủy (P) into Ban Tuyên giáo và Dân vận (S)."""
    old = AgencyFactory(name="Ban Dân vận Tỉnh ủy", short_name="BDV Tỉnh ủy", area=area)
    agreement = _signed_by(old, name_as_signed="Ban Dân vận Tỉnh ủy")
    new = AgencyFactory(
        name="Ban Tuyên giáo và Dân vận Tỉnh ủy",
        short_name="BTGDV Tỉnh ủy",
        area=area,
        active_from=datetime.date(2025, 3, 1),
    )
    _change(old, new, on=datetime.date(2025, 3, 1))
    Agency.objects.filter(pk=old.pk).update(active_until=datetime.date(2025, 2, 28))
    return {"old": old, "new": new, "agreement": agreement}


def test_an_agreement_of_a_merged_agency_is_found_under_its_successor(merger):
    found = Agreement.objects.for_agencies([merger["new"].pk])
    assert list(found) == [merger["agreement"]]


def test_the_party_keeps_the_name_it_signed_under(merger):
    agreement = Agreement.objects.for_agencies([merger["new"].pk]).get()
    party = agreement.parties.get()
    assert party.name_as_signed == "Ban Dân vận Tỉnh ủy"
    assert party.agency == merger["old"]
    assert str(party) == "Ban Dân vận Tỉnh ủy (Chủ trì)"


def test_the_merged_agency_is_no_longer_active(merger):
    active = Agency.objects.active(on=datetime.date(2025, 3, 1))
    assert merger["new"] in active
    assert merger["old"] not in active
    assert merger["old"] in Agency.objects.active(on=datetime.date(2025, 2, 28))


def test_successor_ids_names_the_agency_that_continues(merger):
    assert Agency.objects.successor_ids([merger["old"].pk]) == {merger["new"].pk}
    assert Agency.objects.successor_ids([merger["new"].pk]) == set()


def test_lineage_follows_a_chain_of_two_changes(merger):
    renamed = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu")
    _change(merger["new"], renamed, kind=AgencyChange.Kind.RENAMED)
    assert list(Agreement.objects.for_agencies([renamed.pk])) == [merger["agreement"]]
    assert Agency.objects.lineage_ids([renamed.pk]) == {
        renamed.pk,
        merger["new"].pk,
        merger["old"].pk,
    }
    assert Agency.objects.successor_ids([merger["old"].pk]) == {merger["new"].pk, renamed.pk}


def test_lineage_follows_every_branch_of_a_split(db):
    old = AgencyFactory(name="Ban Tuyên giáo Tỉnh ủy")
    agreement = _signed_by(old)
    first, second = AgencyFactory(), AgencyFactory()
    _change(old, first, kind=AgencyChange.Kind.SPLIT)
    _change(old, second, kind=AgencyChange.Kind.SPLIT)
    assert list(Agreement.objects.for_agencies([first.pk])) == [agreement]
    assert list(Agreement.objects.for_agencies([second.pk])) == [agreement]
    assert Agency.objects.successor_ids([old.pk]) == {first.pk, second.pk}


def test_an_ended_agency_has_no_successor_and_keeps_its_agreements(db):
    ended = AgencyFactory(name="Ban cán sự đảng UBND tỉnh Nghệ An")
    agreement = _signed_by(ended)
    _change(ended, None, kind=AgencyChange.Kind.ENDED)
    assert Agency.objects.successor_ids([ended.pk]) == set()
    assert list(Agreement.objects.for_agencies([ended.pk])) == [agreement]


def test_lineage_does_not_hand_a_successors_agreements_to_its_predecessor(merger):
    later = _signed_by(merger["new"], number="01-CTr/BTGDV")
    assert later not in Agreement.objects.for_agencies([merger["old"].pk])
    assert later in Agreement.objects.for_agencies([merger["new"].pk])


def test_lineage_terminates_on_a_cycle(db):
    first, second = AgencyFactory(), AgencyFactory()
    _change(first, second)
    _change(second, first)
    assert Agency.objects.lineage_ids([first.pk]) == {first.pk, second.pk}
    assert Agency.objects.successor_ids([first.pk]) == {second.pk}


def test_for_agencies_lists_an_agreement_once_even_with_two_lineage_parties(merger):
    AgreementPartyFactory(agreement=merger["agreement"], agency=merger["new"])
    assert Agreement.objects.for_agencies([merger["new"].pk]).count() == 1


# Who sees what -----------------------------------------------------------------------


def test_an_editor_of_the_successor_sees_the_predecessors_agreement(merger):
    editor = ProfileFactory(agency=merger["new"], role=UserProfile.Role.EDITOR).user
    assert list(Agreement.objects.for_user(editor)) == [merger["agreement"]]
    assert list(Agreement.objects.editable_by(editor)) == [merger["agreement"]]


def test_an_editor_of_an_unrelated_agency_sees_nothing(merger, editor_b):
    assert not Agreement.objects.for_user(editor_b).exists()
    assert not Agreement.objects.editable_by(editor_b).exists()


def test_an_anonymous_user_sees_nothing(merger):
    assert not Agreement.objects.for_user(AnonymousUser()).exists()


def test_a_user_without_profile_sees_nothing(merger, outsider):
    assert not Agreement.objects.for_user(outsider).exists()


def test_an_inactive_editor_sees_nothing(merger):
    editor = ProfileFactory(agency=merger["new"], role=UserProfile.Role.EDITOR).user
    editor.is_active = False
    editor.save()
    assert not Agreement.objects.for_user(editor).exists()


def test_archived_agreements_are_hidden_from_every_role(merger, leader, admin_user):
    editor = ProfileFactory(agency=merger["new"], role=UserProfile.Role.EDITOR).user
    kept = _signed_by(merger["new"], number="02-CTr/BTGDV")
    Agreement.objects.filter(pk=merger["agreement"].pk).update(archived_at=timezone.now())
    for user in (editor, leader, admin_user):
        assert list(Agreement.objects.for_user(user)) == [kept], user
    assert list(Agreement.objects.editable_by(editor)) == [kept]


def test_the_admin_sees_every_agreement(merger, admin_user):
    elsewhere = _signed_by(AgencyFactory())
    assert _ids(Agreement.objects.for_user(admin_user)) == {merger["agreement"].pk, elsewhere.pk}


def test_a_leader_sees_the_agreements_of_the_area_but_edits_none(merger, leader):
    elsewhere = _signed_by(AgencyFactory(area=AreaFactory(name="Tỉnh Nghệ An")))
    visible = Agreement.objects.for_user(leader)
    assert merger["agreement"] in visible
    assert elsewhere not in visible
    assert not Agreement.objects.editable_by(leader).exists()


def test_a_party_records_where_its_agency_is(db):
    area = AreaFactory(name="Tỉnh Điện Biên")
    party = AgreementPartyFactory(agency=AgencyFactory(area=area))
    assert party.agency_area == area
    assert AgreementPartyFactory(agency=AgencyFactory(area=None)).agency_area is None


def test_a_party_saved_with_an_outdated_agency_instance_takes_the_stored_area(db):
    old, new = AreaFactory(name="Tỉnh Hà Giang"), AreaFactory(name="Tỉnh Tuyên Quang")
    agency = AgencyFactory(area=old)
    Agency.objects.filter(pk=agency.pk).update(area=new)
    party = AgreementPartyFactory(agency=agency)  # the instance still says `old`
    assert party.agency_area == new


def test_an_agency_that_moves_takes_its_agreements_to_the_new_area(db):
    old, new = AreaFactory(name="Tỉnh Hà Giang"), AreaFactory(name="Tỉnh Tuyên Quang")
    agency = AgencyFactory(area=old)
    agreement = _signed_by(agency)
    old_leader = ProfileFactory(agency=AgencyFactory(area=old), role=UserProfile.Role.LEADER)
    new_leader = ProfileFactory(agency=AgencyFactory(area=new), role=UserProfile.Role.LEADER)
    assert agreement in Agreement.objects.for_user(old_leader.user)

    agency.area = new
    agency.save()

    assert AgreementParty.objects.get(agreement=agreement).agency_area == new
    assert agreement not in Agreement.objects.for_user(old_leader.user)
    assert agreement in Agreement.objects.for_user(new_leader.user)


def test_an_agency_saved_without_moving_touches_no_party(db):
    agency = AgencyFactory(area=AreaFactory())
    _signed_by(agency)
    agency.name = "Ban Dân vận Huyện ủy"
    with CaptureQueriesContext(connection) as ctx:
        agency.save()
    assert not [q for q in ctx.captured_queries if "agreements_agreementparty" in q["sql"]]


# Area roll-up -------------------------------------------------------------------------


@pytest.fixture
def provinces(db):
    """Two provinces merged into one on 01/7/2025, with the abolished district level."""
    end = datetime.date(2025, 6, 30)
    new = AreaFactory(name="Tỉnh Tuyên Quang", valid_from=datetime.date(2025, 7, 1))
    merged = AreaFactory(name="Tỉnh Hà Giang", valid_until=end)
    merged.successors.add(new)
    district = AreaFactory(
        name="Huyện Vị Xuyên", level=Area.Level.DISTRICT, parent=merged, valid_until=end
    )
    commune = AreaFactory(name="Xã Phú Linh", level=Area.Level.COMMUNE, parent=district)
    new_commune = AreaFactory(name="Xã Minh Xuân", level=Area.Level.COMMUNE, parent=new)
    unrelated = AreaFactory(name="Tỉnh Lạng Sơn")
    unrelated_commune = AreaFactory(name="Xã Mai Pha", level=Area.Level.COMMUNE, parent=unrelated)
    return {
        "new": new,
        "merged": merged,
        "district": district,
        "commune": commune,
        "new_commune": new_commune,
        "unrelated": unrelated,
        "unrelated_commune": unrelated_commune,
    }


def test_rollup_includes_merged_provinces_their_districts_and_communes(provinces):
    ids = Area.objects.rollup_ids([provinces["new"].pk])
    expected = {"new", "merged", "district", "commune", "new_commune"}
    assert ids == {provinces[name].pk for name in expected}


def test_rollup_leaves_unrelated_provinces_out(provinces):
    ids = Area.objects.rollup_ids([provinces["new"].pk])
    assert provinces["unrelated"].pk not in ids
    assert provinces["unrelated_commune"].pk not in ids


def test_rollup_does_not_climb_from_an_old_unit_to_its_successor(provinces):
    ids = Area.objects.rollup_ids([provinces["merged"].pk])
    assert ids == {provinces[name].pk for name in ("merged", "district", "commune")}


def test_rollup_follows_mergers_of_mergers(provinces):
    older = AreaFactory(name="Tỉnh Hà Tuyên", valid_until=datetime.date(1991, 8, 12))
    older.successors.add(provinces["merged"])
    assert older.pk in Area.objects.rollup_ids([provinces["new"].pk])


def test_a_leader_of_the_new_province_sees_agreements_from_the_old_one(provinces):
    old_office = AgencyFactory(area=provinces["district"])
    agreement = _signed_by(old_office)
    office = AgencyFactory(area=provinces["new"])
    leader = ProfileFactory(agency=office, role=UserProfile.Role.LEADER).user
    assert list(Agreement.objects.for_user(leader)) == [agreement]
    stranger = ProfileFactory(
        agency=AgencyFactory(area=provinces["unrelated"]), role=UserProfile.Role.LEADER
    ).user
    assert not Agreement.objects.for_user(stranger).exists()


# Status ----------------------------------------------------------------------------------


def _status_pair(agreement, day):
    annotated = Agreement.objects.with_status(on=day).get(pk=agreement.pk).status_value
    return annotated, agreement.status_on(day)


def _superseded_by(lifecycle="signed", archived=False, old_lifecycle="signed"):
    """A builder for a 2016–2021 agreement that a next-term agreement supersedes."""

    def build():
        old = AgreementFactory(start_year=2016, end_year=2021, lifecycle=old_lifecycle)
        AgreementFactory(
            supersedes=old,
            lifecycle=lifecycle,
            archived_at=timezone.now() if archived else None,
        )
        return old

    return build


STATUS_CASES = {
    "draft": (lambda: AgreementFactory(lifecycle="draft"), datetime.date(2023, 6, 1), "draft"),
    "ended": (lambda: AgreementFactory(lifecycle="ended"), datetime.date(2023, 6, 1), "ended"),
    "superseded": (_superseded_by(), datetime.date(2021, 9, 1), "superseded"),
    "not yet superseded before the successor is signed": (
        _superseded_by(),
        datetime.date(2021, 8, 29),
        "in_force",
    ),
    "not superseded by a draft": (
        _superseded_by(lifecycle="draft"),
        datetime.date(2021, 6, 1),
        "in_force",
    ),
    "not superseded by an archived agreement": (
        _superseded_by(archived=True),
        datetime.date(2021, 6, 1),
        "in_force",
    ),
    "expired by effective_until": (
        lambda: AgreementFactory(effective_until=datetime.date(2024, 12, 31)),
        datetime.date(2025, 1, 1),
        "expired",
    ),
    "in force on its last effective day": (
        lambda: AgreementFactory(effective_until=datetime.date(2024, 12, 31)),
        datetime.date(2024, 12, 31),
        "in_force",
    ),
    "effective_until beats end_year": (
        lambda: AgreementFactory(end_year=2021, effective_until=datetime.date(2022, 6, 30)),
        datetime.date(2022, 3, 1),
        "in_force",
    ),
    "expired by end_year": (
        lambda: AgreementFactory(start_year=2016, end_year=2021),
        datetime.date(2022, 1, 1),
        "expired",
    ),
    "in force": (lambda: AgreementFactory(), datetime.date(2023, 6, 1), "in_force"),
    "open-ended regulation": (
        lambda: AgreementFactory(kind="regulation", start_year=2013, end_year=None),
        datetime.date(2040, 1, 1),
        "in_force",
    ),
    "end_year 2026 on 31/12/2026": (
        lambda: AgreementFactory(end_year=2026),
        datetime.date(2026, 12, 31),
        "in_force",
    ),
    "end_year 2026 on 01/01/2027": (
        lambda: AgreementFactory(end_year=2026),
        datetime.date(2027, 1, 1),
        "expired",
    ),
    "draft wins over expiry": (
        lambda: AgreementFactory(lifecycle="draft", end_year=2021),
        datetime.date(2030, 1, 1),
        "draft",
    ),
    "ended wins over superseded": (
        _superseded_by(old_lifecycle="ended"),
        datetime.date(2021, 6, 1),
        "ended",
    ),
}


@pytest.mark.parametrize(("build", "day", "expected"), STATUS_CASES.values(), ids=STATUS_CASES)
def test_database_and_python_status_agree(db, build, day, expected):
    agreement = build()
    assert _status_pair(agreement, day) == (expected, expected)


def test_status_property_uses_the_annotation(db):
    agreement = AgreementFactory(end_year=2021)
    annotated = Agreement.objects.with_status(on=datetime.date(2021, 6, 1)).get(pk=agreement.pk)
    assert annotated.status == Agreement.Status.IN_FORCE


def test_in_force_leaves_out_archived_and_expired_agreements(db):
    day = datetime.date(2026, 12, 31)
    current = AgreementFactory(end_year=2026)
    AgreementFactory(end_year=2026, archived_at=timezone.now())
    AgreementFactory(start_year=2016, end_year=2021)
    AgreementFactory(lifecycle="draft")
    assert list(Agreement.objects.in_force(on=day)) == [current]
    assert not Agreement.objects.in_force(on=datetime.date(2027, 1, 1)).exists()


def test_an_agency_ended_on_an_unknown_date_is_not_active(db):
    from agreements.models import Agency, AgencyChange

    ended = AgencyFactory(name="Ban cán sự đảng UBND tỉnh")
    merged = AgencyFactory(name="Ban Dân vận Tỉnh ủy")
    successor = AgencyFactory(name="Ban Tuyên giáo và Dân vận Tỉnh ủy")
    later = AgencyFactory(name="Sở Nội vụ")
    AgencyChange.objects.create(predecessor=ended, kind="ended")
    AgencyChange.objects.create(
        predecessor=merged, successor=successor, kind="merged", changed_on=datetime.date(2025, 3, 1)
    )
    AgencyChange.objects.create(
        predecessor=later, kind="ended", changed_on=datetime.date(2099, 1, 1)
    )
    active = set(Agency.objects.active(on=datetime.date(2025, 6, 1)))
    assert ended not in active
    assert merged not in active
    assert {successor, later} <= active
    assert merged in set(Agency.objects.active(on=datetime.date(2025, 2, 28)))


def test_rollup_is_one_query_however_deep_the_tree(provinces, django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = Area.objects.rollup_ids([provinces["new"].pk])
    assert len(ids) == 5


def test_rollup_ends_on_a_cycle_recorded_by_mistake(provinces):
    # Two units each recorded as merged into the other: still a finite answer.
    provinces["new"].successors.add(provinces["merged"])
    ids = Area.objects.rollup_ids([provinces["merged"].pk])
    assert provinces["new"].pk in ids and provinces["merged"].pk in ids


def test_rollup_of_nothing_is_empty(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert Area.objects.rollup_ids([]) == set()
