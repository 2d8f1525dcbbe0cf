"""Django admin: every page renders, search ignores diacritics, agreements are archived
rather than deleted, bad input is refused with a Vietnamese message, lists do not
grow their query count with their rows."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import (
    Agency,
    AgencyChange,
    Agreement,
    AgreementParty,
    AnnualPlan,
    Area,
    Attachment,
    ContentItem,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    LegalBasis,
    PlanActivity,
    Review,
    Signatory,
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
    UserFactory,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _url(model, action, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def _party(agreement, agency, role=AgreementParty.Role.PARTNER, signatory="", position=""):
    party = AgreementPartyFactory(agreement=agreement, agency=agency, role=role)
    if signatory:
        Signatory.objects.create(party=party, name=signatory, position=position)
    return party


def _attachment(**owner):
    return Attachment.objects.create(
        title="Bản ký chương trình phối hợp",
        kind=Attachment.Kind.SIGNED_SCAN,
        file=SimpleUploadedFile("ban-ky.pdf", PDF),
        original_name="ban-ky.pdf",
        size=len(PDF),
        **owner,
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(db, media):
    """At least one row of every registered model (Lai Châu, 2021–2026)."""
    province = AreaFactory(name="Tỉnh Lai Châu", code="12")
    district = AreaFactory(
        name="Huyện Tam Đường",
        level=Area.Level.DISTRICT,
        parent=province,
        valid_until=datetime.date(2025, 6, 30),
    )
    commune = AreaFactory(name="Xã Bình Lư", level=Area.Level.COMMUNE, parent=province)
    district.successors.add(commune)
    bdv = AgencyFactory(
        name="Ban Dân vận Tỉnh ủy Lai Châu", short_name="BDV Tỉnh ủy", area=province
    )
    hdnd = AgencyFactory(
        name="Đảng đoàn Hội đồng nhân dân tỉnh Lai Châu",
        short_name="ĐĐ HĐND tỉnh",
        kind=Agency.Kind.PARTY_COMMITTEE,
        area=province,
        active_until=datetime.date(2025, 6, 30),
    )
    successor = AgencyFactory(
        name="Đảng ủy Hội đồng nhân dân tỉnh Lai Châu",
        short_name="ĐU HĐND tỉnh",
        kind=Agency.Kind.PARTY_COMMITTEE,
        area=province,
    )
    AgencyChange.objects.create(
        predecessor=hdnd,
        successor=successor,
        kind=AgencyChange.Kind.MERGED,
        changed_on=datetime.date(2025, 7, 1),
    )
    ProfileFactory(agency=bdv)
    Group.objects.create(name="Quản trị")
    agreement = AgreementFactory(
        number="01-CTr/BDV-ĐĐHĐND",
        title="Chương trình phối hợp công tác dân vận giai đoạn 2021 – 2026",
        lead_agency=bdv,
        declared_item_count=8,
    )
    _party(agreement, bdv, AgreementParty.Role.LEAD, "Lò Văn Cương", "Trưởng Ban Dân vận")
    _party(agreement, hdnd, signatory="Chu Lê Chinh")
    LegalBasis.objects.create(
        agreement=agreement,
        number="290-QĐ/TW",
        issued_on=datetime.date(2010, 2, 25),
        title="Ban hành Quy chế công tác dân vận của hệ thống chính trị",
    )
    item = ContentItemFactory(
        agreement=agreement, number=1, title="Tuyên truyền nghị quyết về công tác dân vận"
    )
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    PlanActivity.objects.create(plan=plan, content_item=item, activity="Tổ chức hội nghị")
    review = ReviewFactory(agreement=agreement)
    ContributedPaper.objects.create(
        review=review, title="Công tác tuyên truyền", presenter="Cao Xuân Hà"
    )
    ItemAssessment.objects.create(review=review, content_item=item, progress="done")
    indicator = IndicatorFactory()
    IndicatorValue.objects.create(
        indicator=indicator, agreement=agreement, review=review, year=2022, agency=bdv, value=4
    )
    _attachment(agreement=agreement)
    return {"agreement": agreement, "bdv": bdv, "hdnd": hdnd, "successor": successor}


REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"agreements", "auth"}),
    key=lambda model: model._meta.label,
)


def test_login_throttling_pages_render_for_a_superuser(client, admin_user):
    client.force_login(admin_user)
    for model in admin.site._registry:
        if model._meta.app_label == "axes":
            assert client.get(_url(model, "changelist")).status_code == 200


def test_every_model_of_the_app_is_registered():
    # FormSubmission is bookkeeping against double posts, kept two days: nothing to manage.
    # UserSession is the session store: its key is the browser's cookie, never shown;
    # an admin ends a user's sessions by deactivating the account.
    technical = {"FormSubmission", "UserSession"}
    models = {
        model
        for model in apps.get_app_config("agreements").get_models()
        if not hasattr(model, "instance_type")  # simple-history's Historical* models
        and model.__name__ not in technical
    }
    assert models - set(admin.site._registry) == set()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_page_renders_for_a_superuser(client, admin_user, world, model):
    client.force_login(admin_user)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None

    changelist = client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    assert client.get(_url(model, "add")).status_code == 200
    assert client.get(_url(model, "change", obj.pk)).status_code == 200
    assert client.get(_url(model, "history", obj.pk)).status_code == 200


def test_agency_search_ignores_diacritics(client, admin_user):
    target = AgencyFactory(name="Ban Dân vận Tỉnh ủy", short_name="BDV Tỉnh ủy")
    other = AgencyFactory(name="Sở Nội vụ", short_name="SNV")
    client.force_login(admin_user)

    response = client.get(_url(Agency, "changelist"), {"q": "ban dan van"})

    results = list(response.context["cl"].result_list)
    assert target in results
    assert other not in results


def test_agency_autocomplete_ignores_diacritics(client, admin_user):
    AgencyFactory(name="Đảng đoàn Hội đồng nhân dân tỉnh", short_name="ĐĐ HĐND tỉnh")
    client.force_login(admin_user)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "dang doan hoi dong",
            "app_label": "agreements",
            "model_name": "agreement",
            "field_name": "lead_agency",
        },
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["ĐĐ HĐND tỉnh"]


def test_agreement_search_covers_parties_and_items_without_diacritics(client, admin_user):
    by_party = AgreementFactory(title="Quy chế phối hợp")
    _party(by_party, AgencyFactory(name="Ủy ban Mặt trận Tổ quốc tỉnh", short_name="MTTQ"))
    by_item = AgreementFactory(title="Chương trình phối hợp")
    ContentItemFactory(agreement=by_item, title="Phong trào thi đua Dân vận khéo")
    neither = AgreementFactory(title="Kế hoạch phối hợp")
    client.force_login(admin_user)

    url = _url(Agreement, "changelist")
    found_by_party = list(client.get(url, {"q": "mat tran to quoc"}).context["cl"].result_list)
    found_by_item = list(client.get(url, {"q": "DAN VAN KHEO"}).context["cl"].result_list)

    assert found_by_party == [by_party]
    assert found_by_item == [by_item]
    assert neither not in found_by_party + found_by_item


def test_agreement_list_shows_dates_as_dd_mm_yyyy_and_the_derived_status(client, admin_user):
    AgreementFactory(signed_on=datetime.date(2021, 8, 30), start_year=2021, end_year=2026)
    client.force_login(admin_user)

    response = client.get(_url(Agreement, "changelist"))

    content = response.content.decode()
    assert "30/08/2021" in content
    assert "2021 – 2026" in content
    assert str(Agreement.Status.IN_FORCE.label) in content


def test_archive_action_archives_and_restore_restores(client, admin_user):
    agreement = AgreementFactory()
    client.force_login(admin_user)
    url = _url(Agreement, "changelist")

    response = client.post(url, {"action": "archive", "_selected_action": [agreement.pk]})

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.archived_at is not None
    assert agreement.version == 2
    assert agreement.history.first().history_user == admin_user
    assert agreement not in client.get(url).context["cl"].result_list
    archived_url = f"{url}?luu_tru=archived"
    assert list(client.get(archived_url).context["cl"].result_list) == [agreement]

    client.post(archived_url, {"action": "restore", "_selected_action": [agreement.pk]})

    agreement.refresh_from_db()
    assert agreement.archived_at is None
    assert agreement in client.get(url).context["cl"].result_list


def test_agreements_cannot_be_deleted_in_admin(client, admin_user):
    agreement = AgreementFactory()
    client.force_login(admin_user)

    response = client.get(_url(Agreement, "changelist"))
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]

    assert "delete_selected" not in actions
    assert {"archive", "restore"} <= set(actions)
    assert client.get(_url(Agreement, "delete", agreement.pk)).status_code == 403
    assert client.post(_url(Agreement, "delete", agreement.pk), {"post": "yes"}).status_code == 403
    assert Agreement.objects.filter(pk=agreement.pk).exists()


def _management(*prefixes):
    data = {}
    for prefix in prefixes:
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


AGREEMENT_INLINES = ("parties", "legal_bases", "items", "attachments")


def _agreement_post(agency, **overrides):
    """The Nghệ An 2016–2021 program, as the admin add form posts it."""
    data = {
        "kind": Agreement.Kind.PROGRAM,
        "number": "161-CTr/BCSĐUBND-BDVTU",
        "title": "Chương trình phối hợp công tác dân vận giai đoạn 2016 – 2021",
        "signed_on": "21/12/2016",
        "place": "Nghệ An",
        "lead_agency": str(agency.pk),
        "lifecycle": Agreement.Lifecycle.SIGNED,
        "start_year": "2016",
        "end_year": "2021",
        "meeting_frequency": "",
        "annual_review_required": "on",
        "declared_item_count": "7",
        **_management(*AGREEMENT_INLINES),
    }
    return data | overrides


def test_it_rejects_end_year_before_start_year_via_admin_add(client, admin_user):
    agency = AgencyFactory()
    client.force_login(admin_user)

    response = client.post(_url(Agreement, "add"), _agreement_post(agency, end_year="2015"))

    assert response.status_code == 200
    assert "Năm kết thúc không được trước năm bắt đầu." in response.content.decode()
    assert not Agreement.objects.exists()


def test_a_valid_agreement_is_added_through_the_service(client, admin_user):
    agency = AgencyFactory()
    client.force_login(admin_user)

    response = client.post(_url(Agreement, "add"), _agreement_post(agency))

    assert response.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.number == "161-CTr/BCSĐUBND-BDVTU"
    assert agreement.signed_on == datetime.date(2016, 12, 21)
    assert agreement.history.get().history_user == admin_user


def _change_post(agreement, **overrides):
    return _agreement_post(
        agreement.lead_agency,
        kind=agreement.kind,
        number=agreement.number,
        title=agreement.title,
        signed_on=agreement.signed_on.strftime("%d/%m/%Y"),
        start_year=str(agreement.start_year),
        end_year=str(agreement.end_year),
        expected_version=str(agreement.version),
        **overrides,
    )


def test_an_admin_save_bumps_the_version(client, admin_user):
    agreement = AgreementFactory()
    client.force_login(admin_user)

    response = client.post(
        _url(Agreement, "change", agreement.pk), _change_post(agreement, place="Lai Châu")
    )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.place == "Lai Châu"
    assert agreement.version == 2


def test_it_refuses_to_save_over_a_newer_version(client, admin_user):
    agreement = AgreementFactory()
    data = _change_post(agreement, place="Lai Châu")
    services.agreement_save(agreement=agreement, user=admin_user, expected_version=1)
    client.force_login(admin_user)

    response = client.post(_url(Agreement, "change", agreement.pk), data)

    assert response.status_code == 200
    assert "đã được người khác cập nhật" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.place == ""
    assert agreement.version == 2


def _item_forms(items, new=()):
    """POST data of the content items inline: existing `items` as (item, number)."""
    data = {
        "items-TOTAL_FORMS": str(len(items) + len(new)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for index, (item, number) in enumerate(items):
        data |= {
            f"items-{index}-id": str(item.pk),
            f"items-{index}-agreement": str(item.agreement_id),
            f"items-{index}-number": str(number),
            f"items-{index}-title": item.title,
        }
    for index, (number, title) in enumerate(new, start=len(items)):
        data |= {f"items-{index}-number": str(number), f"items-{index}-title": title}
    return data


def test_content_items_can_swap_numbers_in_the_inline(client, admin_user):
    agreement = AgreementFactory()
    first = ContentItemFactory(agreement=agreement, number=1, title="Tuyên truyền")
    second = ContentItemFactory(agreement=agreement, number=2, title="Dân chủ ở cơ sở")
    client.force_login(admin_user)
    data = _change_post(agreement) | _item_forms([(first, 2), (second, 1)])

    response = client.post(_url(Agreement, "change", agreement.pk), data)

    assert response.status_code == 302
    assert list(agreement.items.values_list("title", flat=True)) == [
        "Dân chủ ở cơ sở",
        "Tuyên truyền",
    ]


def test_duplicate_content_item_numbers_are_refused(client, admin_user):
    agreement = AgreementFactory()
    first = ContentItemFactory(agreement=agreement, number=1, title="Tuyên truyền")
    client.force_login(admin_user)
    data = _change_post(agreement) | _item_forms([(first, 1)], new=[(1, "Dân chủ ở cơ sở")])

    response = client.post(_url(Agreement, "change", agreement.pk), data)

    assert response.status_code == 200
    assert "Số thứ tự bị trùng" in response.content.decode()
    assert agreement.items.count() == 1


def test_only_the_lead_agency_may_be_the_lead_party(client, admin_user):
    agreement = AgreementFactory()
    other = AgencyFactory()
    client.force_login(admin_user)
    data = _change_post(agreement) | {
        "parties-TOTAL_FORMS": "1",
        "parties-0-agency": str(other.pk),
        "parties-0-role": AgreementParty.Role.LEAD,
        "parties-0-name_as_signed": other.name,
        "parties-0-order": "0",
    }

    response = client.post(_url(Agreement, "change", agreement.pk), data)

    assert response.status_code == 200
    assert "Bên chủ trì phải là cơ quan chủ trì của văn bản" in response.content.decode()
    assert not agreement.parties.exists()


def test_agreement_page_lists_signatories_with_a_link_to_their_party(client, admin_user):
    agreement = AgreementFactory()
    party = _party(
        agreement, agreement.lead_agency, AgreementParty.Role.LEAD, "Lò Văn Cương", "Trưởng Ban"
    )
    client.force_login(admin_user)

    response = client.get(_url(Agreement, "change", agreement.pk))

    content = response.content.decode()
    assert "Lò Văn Cương, Trưởng Ban" in content
    assert _url(AgreementParty, "change", party.pk) in content


def test_agency_page_shows_predecessors_and_successors(client, admin_user, world):
    client.force_login(admin_user)

    before = client.get(_url(Agency, "change", world["hdnd"].pk)).content.decode()
    after = client.get(_url(Agency, "change", world["successor"].pk)).content.decode()

    assert _url(Agency, "change", world["successor"].pk) in before
    assert _url(Agency, "change", world["hdnd"].pk) in after


def test_agency_active_filter_uses_active_until(client, admin_user):
    active = AgencyFactory()
    ended = AgencyFactory(active_until=datetime.date(2025, 2, 28))
    client.force_login(admin_user)
    url = _url(Agency, "changelist")

    assert list(client.get(url, {"hoat_dong": "active"}).context["cl"].result_list) == [active]
    assert list(client.get(url, {"hoat_dong": "ended"}).context["cl"].result_list) == [ended]


def test_user_page_edits_the_profile_inline(client, admin_user, world):
    user = UserFactory()
    client.force_login(admin_user)

    response = client.get(reverse("admin:auth_user_change", args=[user.pk]))

    assert response.status_code == 200
    assert 'name="profile-TOTAL_FORMS"' in response.content.decode()


def test_an_approved_review_is_read_only(client, admin_user):
    review = ReviewFactory(status=Review.Status.APPROVED, approved_at=timezone.now())
    client.force_login(admin_user)
    url = _url(Review, "change", review.pk)

    page = client.get(url)

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(url, {"title": "Sửa sau phê duyệt"}).status_code == 403
    paper = ContributedPaper.objects.create(review=review, title="Tham luận")
    assert client.post(_url(ContributedPaper, "change", paper.pk), {}).status_code == 403


def test_history_is_in_vietnamese_and_read_only(client, admin_user):
    agreement = AgreementFactory(signed_on=datetime.date(2021, 8, 30))
    agreement.signed_on = datetime.date(2021, 8, 31)
    agreement.lifecycle = Agreement.Lifecycle.DRAFT
    services.agreement_save(agreement=agreement, user=admin_user, expected_version=1)
    client.force_login(admin_user)

    response = client.get(_url(Agreement, "history", agreement.pk))

    content = response.content.decode()
    assert "Lịch sử thay đổi" in content
    assert admin_user.username in content
    assert "30/08/2021&nbsp;&rarr;&nbsp;31/08/2021" in content
    assert "Đã ký&nbsp;&rarr;&nbsp;Dự thảo" in content
    record = agreement.history.first()
    revert = reverse(
        "admin:agreements_agreement_simple_history", args=[agreement.pk, record.history_id]
    )
    assert client.get(revert).status_code == 200
    assert client.post(revert, {}).status_code == 403


@pytest.mark.parametrize(
    "model, build, message",
    [
        (
            Area,
            lambda: {
                "name": "Huyện Tam Đường",
                "level": Area.Level.DISTRICT,
                "valid_from": "01/07/2025",
                "valid_until": "30/06/2025",
            },
            "Ngày hết hiệu lực không được trước ngày có hiệu lực.",
        ),
        (
            AgencyChange,
            lambda: {
                "predecessor": str(AgencyFactory().pk),
                "successor": str(AgencyFactory().pk),
                "kind": AgencyChange.Kind.ENDED,
            },
            "Cơ quan kết thúc hoạt động thì không có cơ quan kế thừa.",
        ),
        (
            IndicatorValue,
            lambda: {
                "indicator": str(IndicatorFactory().pk),
                "agreement": str(AgreementFactory().pk),
                "year": "2022",
                "value": "2875",
            },
            "Cần chọn địa bàn hoặc cơ quan, đơn vị.",
        ),
        (
            ContentItem,
            lambda: {
                "agreement": str(AgreementFactory().pk),
                "number": "0",
                "title": "Tuyên truyền",
            },
            "Số thứ tự bắt đầu từ 1.",
        ),
    ],
    ids=["area", "agencychange", "indicatorvalue", "contentitem"],
)
def test_constraint_violations_are_reported_in_vietnamese(
    client, admin_user, model, build, message
):
    client.force_login(admin_user)
    before = model.objects.count()

    response = client.post(_url(model, "add"), build())

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "Constraint" not in content
    assert model.objects.count() == before


def test_an_uploaded_attachment_is_checked_and_described(client, admin_user, media):
    agreement = AgreementFactory()
    client.force_login(admin_user)
    data = {"title": "Bản ký", "kind": Attachment.Kind.SIGNED_SCAN, "agreement": agreement.pk}

    fake = client.post(
        _url(Attachment, "add"),
        data | {"file": SimpleUploadedFile("ban-ky.pdf", b"<html>not a pdf</html>")},
    )
    real = client.post(
        _url(Attachment, "add"), data | {"file": SimpleUploadedFile("ban-ky.pdf", PDF)}
    )

    assert fake.status_code == 200
    assert real.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.size) == ("ban-ky.pdf", len(PDF))
    assert attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == admin_user


# --- query counts -------------------------------------------------------------------


def _one_agreement():
    agreement = AgreementFactory()
    _party(agreement, agreement.lead_agency, AgreementParty.Role.LEAD, "Lò Văn Cương")
    _party(agreement, AgencyFactory(), signatory="Chu Lê Chinh")
    ContentItemFactory(agreement=agreement)
    ReviewFactory(agreement=agreement)
    AgreementFactory(supersedes=agreement, signed_on=datetime.date(2026, 8, 1), lifecycle="draft")
    return agreement


def _one_area():
    area = AreaFactory(parent=AreaFactory())
    area.successors.add(AreaFactory())


def _one_review_child(model, **fields):
    review = ReviewFactory()
    item = ContentItemFactory(agreement=review.agreement)
    if model is ItemAssessment:
        return ItemAssessment.objects.create(review=review, content_item=item, progress="done")
    return IndicatorValue.objects.create(
        indicator=IndicatorFactory(),
        agreement=review.agreement,
        review=review,
        year=2022,
        agency=AgencyFactory(),
        area=AreaFactory(),
        value=166,
        denominator=200,
    )


BUILDERS = {
    Agreement: _one_agreement,
    Agency: lambda: AgencyChange.objects.create(
        predecessor=AgencyFactory(parent=AgencyFactory()),
        successor=AgencyFactory(),
        kind=AgencyChange.Kind.MERGED,
    ),
    Area: _one_area,
    AgreementParty: lambda: _party(AgreementFactory(), AgencyFactory(), signatory="Lò Văn Cương"),
    ContentItem: lambda: ContentItemFactory(lead_agency=AgencyFactory()),
    Review: ReviewFactory,
    ItemAssessment: lambda: _one_review_child(ItemAssessment),
    IndicatorValue: lambda: _one_review_child(IndicatorValue),
    Attachment: lambda: _attachment(agreement=AgreementFactory()),
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("model", BUILDERS, ids=lambda model: model._meta.model_name)
def test_changelist_queries_do_not_grow_with_rows(
    client, admin_user, media, django_assert_max_num_queries, model
):
    client.force_login(admin_user)
    url = _url(model, "changelist")
    BUILDERS[model]()
    client.get(url)  # warm caches (content types, session)
    with_one = _queries(client, url)
    for _ in range(19):
        BUILDERS[model]()

    with django_assert_max_num_queries(with_one):
        response = client.get(url)

    assert response.context["cl"].result_count >= 20


def test_plan_and_review_saves_go_through_their_services(client, admin_user):
    review = ReviewFactory()
    plan = AnnualPlan.objects.create(agreement=review.agreement, year=2022)
    client.force_login(admin_user)

    plan_response = client.post(
        _url(AnnualPlan, "change", plan.pk),
        {
            "agreement": str(plan.agreement_id),
            "year": "2022",
            "number": "19/KH-UBND",
            "expected_version": "1",
            **_management("activities", "attachments"),
        },
    )
    review_response = client.post(
        _url(Review, "change", review.pk),
        {
            "agreement": str(review.agreement_id),
            "kind": Review.Kind.FINAL,
            "held_on": "30/08/2021",
            "expected_version": "1",
            **_management("papers", "assessments", "attachments"),
        },
    )

    assert (plan_response.status_code, review_response.status_code) == (302, 302)
    plan.refresh_from_db()
    review.refresh_from_db()
    assert (plan.number, plan.version) == ("19/KH-UBND", 2)
    assert (review.kind, review.held_on, review.version) == (
        Review.Kind.FINAL,
        datetime.date(2021, 8, 30),
        2,
    )
    assert review.history.first().history_user == admin_user


def test_years_are_not_grouped_like_quantities(client, admin_user, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    IndicatorValue.objects.create(
        indicator=IndicatorFactory(),
        agreement=AgreementFactory(),
        year=2022,
        agency=AgencyFactory(),
        value=2875,
    )
    client.force_login(admin_user)

    content = client.get(_url(IndicatorValue, "changelist")).content.decode()

    assert ">2022<" in content
    assert "2.022" not in content
    assert "2.875" in content


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_action_checkbox_is_djangos_markup_written_directly(db, language):
    # HistoryAdmin.action_checkbox writes what Django's widget renders, without
    # rendering templates for every row; the actions' JavaScript depends on it.
    from django.utils import translation

    agreement = AgreementFactory(title='Quy chế "Dân vận khéo" <tỉnh> & xã')
    model_admin = admin.site.get_model_admin(Agreement)
    with translation.override(language):
        ours = model_admin.action_checkbox(agreement)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, agreement)
    assert ours == djangos
    assert 'name="_selected_action"' in ours and "&lt;tỉnh&gt; &amp; xã" in ours
