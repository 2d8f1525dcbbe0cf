"""loaddemo: the seed articles' data, loaded faithfully, and a second run changes nothing."""

import datetime
import re
import unicodedata
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from agreements.models import (
    Agency,
    AgencyChange,
    Agreement,
    Area,
    ContentItem,
    IndicatorValue,
    LegalBasis,
    Review,
    Signatory,
)

PASSWORD_LINE = re.compile(r"^  (\S+)  (\S+)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_loaddemo():
    out = StringIO()
    call_command("loaddemo", stdout=out)
    return out.getvalue()


@pytest.fixture
def first_output(db):
    return run_loaddemo()


def snapshot():
    """Every row of every agreements table (history and m2m tables included) and users."""
    models = [
        *apps.get_app_config("agreements").get_models(include_auto_created=True),
        get_user_model(),
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def agency(name):
    return Agency.objects.get(name=name)


def values_of(code, **filters):
    return IndicatorValue.objects.filter(indicator__code=code, **filters)


# --- idempotence ---------------------------------------------------------------------


def test_a_second_run_changes_nothing(first_output):
    before = snapshot()
    assert before["agreements.HistoricalAgreement"], "the first run writes history"

    second_output = run_loaddemo()

    assert snapshot() == before
    assert "tạo mới 0, cập nhật 0" in second_output
    assert "mật khẩu" not in second_output
    for _username, password in PASSWORD_LINE.findall(first_output):
        assert password not in second_output


def test_it_prints_each_new_users_password_once(first_output):
    printed = dict(PASSWORD_LINE.findall(first_output))
    user_model = get_user_model()

    assert {"admin", "lanhdao", "bdv.laichau", "ddhdnd.laichau"} <= printed.keys()
    assert len(printed) == user_model.objects.count()
    for username, password in printed.items():
        assert user_model.objects.get(username=username).check_password(password)
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_it_restores_a_changed_value_and_writes_one_history_row(first_output):
    value = values_of("doi-thoai-nhan-dan", year=2022).get()
    IndicatorValue.objects.filter(pk=value.pk).update(value=1)
    history_before = value.history.count()

    output = run_loaddemo()

    value.refresh_from_db()
    assert value.value == 2875
    assert value.history.count() == history_before + 1
    assert "cập nhật 1" in output


# --- faithful to the articles ----------------------------------------------------------


def test_document_numbers_are_stored_exactly_as_written(first_output):
    regulation = Agreement.objects.get(number="31B-QCPH/BDV-ĐĐHĐND")
    assert regulation.signed_on == datetime.date(2013, 5, 16)
    assert regulation.kind == Agreement.Kind.REGULATION
    lang_son = Agreement.objects.get(number="593-QĐ/TU")
    assert lang_son.signed_on == datetime.date(2021, 11, 11)
    assert lang_son.lead_agency.name == "Ban Thường vụ Tỉnh ủy Lạng Sơn"


def test_the_31b_regulation_has_its_three_legal_bases(first_output):
    bases = LegalBasis.objects.filter(agreement__number="31B-QCPH/BDV-ĐĐHĐND")
    assert {(b.number, b.issued_on) for b in bases} == {
        ("290-QĐ/TW", datetime.date(2010, 2, 25)),
        ("18/2000/CT-TTg", datetime.date(2000, 9, 21)),
        ("1899-QĐ/TU", datetime.date(2010, 5, 28)),
    }


def test_the_31b_final_review_names_only_the_presenters_the_article_names(first_output):
    review = Review.objects.get(agreement__number="31B-QCPH/BDV-ĐĐHĐND")
    assert review.kind == Review.Kind.FINAL
    assert review.held_on == datetime.date(2021, 8, 30)
    assert review.status == Review.Status.APPROVED
    assert (
        timezone.localtime(review.approved_at).date() == review.held_on
        and review.approved_by is None
    )
    papers = list(review.papers.order_by("order"))
    assert len(papers) == 4
    assert [p.presenter for p in papers] == ["", "", "Cao Xuân Hà", "Sùng A Hồ"]


def test_nghe_an_programs_declare_7_and_10_items_and_only_named_items_are_entered(
    first_output,
):
    lead = agency("Ban Cán sự đảng UBND tỉnh Nghệ An")
    old = Agreement.objects.get(lead_agency=lead, start_year=2016, end_year=2021)
    new = Agreement.objects.get(lead_agency=lead, start_year=2021, end_year=2026)

    assert (old.declared_item_count, old.signed_on) == (7, datetime.date(2016, 12, 21))
    assert (new.declared_item_count, new.signed_on) == (10, datetime.date(2021, 12, 27))
    assert new.supersedes == old
    assert not ContentItem.objects.filter(agreement=old).exists()
    assert 0 < new.items.count() < new.declared_item_count
    assert list(new.items.values_list("number", flat=True)) == list(range(1, new.items.count() + 1))
    review = old.reviews.get()
    assert (review.kind, review.held_on) == (Review.Kind.FINAL, datetime.date(2021, 12, 27))


def test_lai_chau_program_has_8_items_and_two_named_signatories(first_output):
    program = Agreement.objects.get(
        lead_agency__name="Ban Dân vận Tỉnh ủy Lai Châu", start_year=2021, end_year=2026
    )
    assert program.declared_item_count == 8
    assert program.number == ""
    assert program.annual_review_required and program.midterm_review_year is None
    assert program.supersedes.number == "31B-QCPH/BDV-ĐĐHĐND"
    signatories = {
        s.party.agency.name: s.name
        for s in Signatory.objects.filter(party__agreement=program).select_related("party__agency")
    }
    assert signatories == {
        "Ban Dân vận Tỉnh ủy Lai Châu": "Lò Văn Cương",
        "Đảng đoàn HĐND tỉnh Lai Châu": "Chu Lê Chinh",
    }


def test_lang_son_2022_figures(first_output):
    lang_son = Area.objects.get(code="20")
    figures = {
        v.indicator.code: (v.value, v.denominator)
        for v in IndicatorValue.objects.filter(
            agreement__number="593-QĐ/TU", year=2022, area=lang_son, review=None
        ).select_related("indicator")
    }
    assert figures == {
        "doi-thoai-nhan-dan": (2875, None),
        "chinh-quyen-than-thien": (166, 200),
        "dan-van-kheo-cap-huyen": (411, None),
        "phan-bien-du-thao": (78, None),
        "phan-bien-y-kien": (478, None),
    }


def test_ha_tinh_2023_figures_belong_to_the_annual_review(first_output):
    review = Review.objects.get(held_on=datetime.date(2024, 1, 18))
    assert review.kind == Review.Kind.ANNUAL
    assert (review.period_from, review.period_to) == (
        datetime.date(2023, 1, 1),
        datetime.date(2023, 12, 31),
    )
    figures = {v.indicator.code: v.value for v in review.indicator_values.filter(year=2023)}
    assert figures == {"doi-thoai-nhan-dan": 520, "dan-van-kheo-tong-so": 1743}


def test_hoa_binh_figures_are_the_department_of_constructions(first_output):
    department = agency("Sở Xây dựng tỉnh Hòa Bình")
    figures = {
        v.indicator.code: v.value
        for v in IndicatorValue.objects.filter(agency=department, year=2019, agreement__number="29")
    }
    assert figures == {
        "ho-so-tiep-nhan-moi": 1084,
        "ho-so-ky-truoc-chuyen-sang": 68,
        "ho-so-da-tra": 1100,
        "thoi-gian-giam-so-quy-dinh": 30,
    }


def test_all_text_is_stored_in_nfc(first_output):
    for agreement in Agreement.objects.all():
        for text in (agreement.title, agreement.number, agreement.notes):
            assert unicodedata.is_normalized("NFC", text)


# --- lineage and areas ---------------------------------------------------------------


def test_the_lai_chau_program_shows_under_the_merged_commission(first_output):
    successor = agency("Ban Tuyên giáo và Dân vận Tỉnh ủy Lai Châu")
    found = Agreement.objects.for_agencies([successor.id])

    program = found.get(start_year=2021, end_year=2026)
    party = program.parties.get(role="lead")
    assert party.name_as_signed == "Ban Dân vận Tỉnh ủy Lai Châu"
    assert party.agency.active_until == datetime.date(2025, 2, 28)
    change = AgencyChange.objects.get(predecessor=party.agency)
    assert (change.kind, change.successor, change.changed_on) == (
        AgencyChange.Kind.MERGED,
        successor,
        datetime.date(2025, 3, 1),
    )


def test_the_party_committees_that_ended_in_2025_have_no_invented_successor(first_output):
    for name in ("Đảng đoàn HĐND tỉnh Lai Châu", "Ban Cán sự đảng UBND tỉnh Nghệ An"):
        change = AgencyChange.objects.get(predecessor__name=name)
        assert change.kind == AgencyChange.Kind.ENDED
        assert change.successor is None and change.changed_on is None


def test_hoa_binh_rolls_up_into_phu_tho(first_output):
    hoa_binh = Area.objects.get(code="17")
    phu_tho = Area.objects.get(code="25")
    assert hoa_binh.valid_until == datetime.date(2025, 6, 30)
    assert list(hoa_binh.successors.all()) == [phu_tho]
    assert hoa_binh.id in Area.objects.rollup_ids([phu_tho.id])


# --- demo users ----------------------------------------------------------------------


def test_every_demo_editor_sees_their_agencys_agreements(first_output):
    editors = (
        get_user_model().objects.filter(profile__role="editor").select_related("profile__agency")
    )
    assert {e.username for e in editors} == {
        "bdv.laichau",
        "ddhdnd.laichau",
        "bcsd.nghean",
        "bdv.nghean",
        "btv.langson",
        "bcdqcdc.hatinh",
        "bcddvk.hatinh",
        "bcdtongiao.hatinh",
        "ubnd.hoabinh",
    }
    for editor in editors:
        visible = Agreement.objects.for_user(editor)
        assert visible.exists(), editor.username
        assert set(visible) == set(Agreement.objects.for_agencies([editor.profile.agency_id]))


def test_the_leader_sees_lai_chau_and_nothing_else(first_output):
    leader = get_user_model().objects.get(username="lanhdao")
    visible = Agreement.objects.for_user(leader)
    assert visible.count() == 2
    assert {a.lead_agency.area.code for a in visible} == {"12"}


def test_demo_pages_render_for_the_admin(first_output, client):
    client.force_login(get_user_model().objects.get(username="admin"))
    for agreement in Agreement.objects.all():
        assert client.get(agreement.get_absolute_url()).status_code == 200
    for review in Review.objects.all():
        assert client.get(review.get_absolute_url()).status_code == 200
    assert client.get(reverse("agreements:agreement_list")).status_code == 200
