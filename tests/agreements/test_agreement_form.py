"""Entering and editing agreements: formsets, renumbering, bad input, conflicts, audit."""

import unicodedata

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementParty, ContentItem, Signatory
from tests.factories import AgencyFactory, AgreementFactory, AgreementPartyFactory


def _formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def _payload(lead, partner, items=(), **overrides):
    data = {
        "kind": "program",
        "number": "",
        "title": "Chương trình phối hợp thực hiện công tác dân vận giai đoạn 2021 - 2026",
        "signed_on": "30/08/2021",
        "place": "Lai Châu",
        "start_year": "2021",
        "end_year": "2026",
        "lifecycle": "signed",
        "meeting_frequency": "",
        "annual_review_required": "on",
        "declared_item_count": "8",
        "version": "",
    }
    data.update(
        _formset(
            "parties",
            [
                {
                    "agency": str(lead.pk),
                    "role": "lead",
                    "signatory_name": "Lò Văn Cương",
                    "signatory_position": "Trưởng Ban Dân vận Tỉnh ủy",
                },
                {
                    "agency": str(partner.pk),
                    "role": "partner",
                    "signatory_name": "Chu Lê Chinh",
                    "signatory_position": "Phó Bí thư Đảng đoàn HĐND tỉnh",
                },
            ],
        )
    )
    data.update(_formset("bases", []))
    data.update(
        _formset("items", [{"title": title, "ORDER": str(n + 1)} for n, title in enumerate(items)])
    )
    data.update(overrides)
    return data


@pytest.fixture
def partner(area):
    return AgencyFactory(name="Đảng đoàn HĐND tỉnh Lai Châu", short_name="ĐĐ HĐND", area=area)


def test_editor_creates_agreement_with_parties_signatories_and_items(
    client, editor_a, agency_a, partner
):
    client.force_login(editor_a)
    data = _payload(agency_a, partner, items=["Tuyên truyền", "Giám sát", "Tiếp xúc cử tri"])
    response = client.post(reverse("agreements:agreement_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get()
    assert agreement.lead_agency == agency_a
    assert list(agreement.items.values_list("number", "title")) == [
        (1, "Tuyên truyền"),
        (2, "Giám sát"),
        (3, "Tiếp xúc cử tri"),
    ]
    assert set(Signatory.objects.values_list("name", flat=True)) == {"Lò Văn Cương", "Chu Lê Chinh"}
    record = agreement.history.get()
    assert record.history_user == editor_a
    assert record.history_type == "+"


def test_items_are_renumbered_in_the_order_asked(client, editor_a, agency_a, partner):
    client.force_login(editor_a)
    data = _payload(agency_a, partner, items=["A", "B", "C"])
    data["items-0-ORDER"] = "3"
    data["items-2-ORDER"] = "1"
    data["items-1-DELETE"] = "on"
    assert client.post(reverse("agreements:agreement_create"), data).status_code == 302
    assert list(ContentItem.objects.values_list("number", "title")) == [(1, "C"), (2, "A")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("end_year", "2019", "Năm kết thúc không được trước năm bắt đầu"),
        ("signed_on", "31/02/2024", "ngày hợp lệ"),
        ("start_year", "3000", "2100"),
        ("title", "x" * 100_000, "1000"),
        ("purpose", "a\x00b", "NUL"),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_saves_nothing(
    client, editor_a, agency_a, partner, field, value, message
):
    client.force_login(editor_a)
    response = client.post(
        reverse("agreements:agreement_create"), _payload(agency_a, partner, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Agreement.objects.count() == 0
    assert ContentItem.objects.count() == 0


def test_duplicate_number_for_same_lead_and_year_is_refused(client, editor_a, agency_a, partner):
    AgreementFactory(lead_agency=agency_a, number="31B-QCPH/BDV-ĐĐHĐND", signed_on="2021-05-16")
    client.force_login(editor_a)
    response = client.post(
        reverse("agreements:agreement_create"),
        _payload(agency_a, partner, number="31B-QCPH/BDV-ĐĐHĐND"),
    )
    assert response.status_code == 200
    assert "số, ký hiệu này" in response.content.decode()
    assert Agreement.objects.count() == 1


def test_two_leads_are_refused(client, editor_a, agency_a, partner):
    client.force_login(editor_a)
    data = _payload(agency_a, partner)
    data["parties-1-role"] = "lead"
    response = client.post(reverse("agreements:agreement_create"), data)
    assert "đúng một cơ quan chủ trì" in response.content.decode()
    assert Agreement.objects.count() == 0


def test_decomposed_text_is_stored_composed(client, editor_a, agency_a, partner):
    client.force_login(editor_a)
    nfd = unicodedata.normalize("NFD", "Phong trào Dân vận khéo")
    data = _payload(agency_a, partner, items=[nfd], title=nfd)
    assert client.post(reverse("agreements:agreement_create"), data).status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.title == unicodedata.normalize("NFC", nfd)
    assert agreement.items.get().title == "Phong trào Dân vận khéo"
    assert Agreement.objects.search("dan van kheo").get() == agreement


def _existing(agency_a, partner):
    agreement = AgreementFactory(lead_agency=agency_a, title="Bản gốc")
    AgreementPartyFactory(agreement=agreement, agency=agency_a, role=AgreementParty.Role.LEAD)
    AgreementPartyFactory(agreement=agreement, agency=partner)
    return agreement


def test_second_save_from_a_stale_version_is_refused_and_keeps_input(
    client, editor_a, agency_a, partner
):
    agreement = _existing(agency_a, partner)
    url = reverse("agreements:agreement_update", args=[agreement.pk])
    client.force_login(editor_a)
    first = _payload(agency_a, partner, title="Sửa lần thứ nhất", version=str(agreement.version))
    second = _payload(agency_a, partner, title="Nội dung của người thứ hai", version="1")
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nội dung của người thứ hai" in body  # the user's input is kept
    assert "Sửa lần thứ nhất" in body  # and what the other person changed is shown
    agreement.refresh_from_db()
    assert agreement.title == "Sửa lần thứ nhất"
    assert agreement.version == 2


def test_editor_of_another_agency_cannot_edit_or_archive(client, editor_b, agency_a, partner):
    agreement = _existing(agency_a, partner)
    client.force_login(editor_b)
    for name in ("agreements:agreement_update", "agreements:agreement_archive"):
        url = reverse(name, args=[agreement.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": "1", "title": "x"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.title == "Bản gốc" and agreement.archived_at is None


def test_leader_and_anonymous_cannot_create(client, leader):
    assert client.get(reverse("agreements:agreement_create")).status_code == 302
    client.force_login(leader)
    assert client.get(reverse("agreements:agreement_create")).status_code == 404


def test_archive_hides_from_list_and_records_history(client, editor_a, agency_a, partner):
    agreement = _existing(agency_a, partner)
    client.force_login(editor_a)
    url = reverse("agreements:agreement_archive", args=[agreement.pk])
    page = client.get(url)
    assert "Lưu trữ văn bản phối hợp?" in page.content.decode()
    assert client.post(url, {"version": str(agreement.version)}).status_code == 302
    agreement.refresh_from_db()
    assert agreement.archived_at is not None
    assert agreement.history.first().history_change_reason == "Lưu trữ"
    listing = client.get(reverse("agreements:agreement_list"))
    assert listing.context["paginator"].count == 0


def test_add_row_without_javascript_keeps_input(client, editor_a, agency_a, partner):
    client.force_login(editor_a)
    data = _payload(agency_a, partner, items=["Tuyên truyền"], add_row="items")
    response = client.post(reverse("agreements:agreement_create"), data)
    assert response.status_code == 200
    assert response.context["items"].total_form_count() == 2
    assert "Tuyên truyền" in response.content.decode()
    assert Agreement.objects.count() == 0


def test_edit_page_query_count_is_bounded(
    client, editor_a, agency_a, partner, django_assert_max_num_queries
):
    agreement = _existing(agency_a, partner)
    for n in range(1, 16):
        ContentItem.objects.create(agreement=agreement, number=n, title=f"Nội dung {n}")
    client.force_login(editor_a)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("agreements:agreement_update", args=[agreement.pk]))
    assert response.status_code == 200


def test_untouched_extra_rows_are_ignored(client, editor_a, agency_a, partner):
    client.force_login(editor_a)
    data = _payload(agency_a, partner, items=["Tuyên truyền"])
    data["parties-TOTAL_FORMS"] = "3"
    data.update({"parties-2-agency": "", "parties-2-role": "", "parties-2-signatory_prefix": ""})
    data["items-TOTAL_FORMS"] = "2"
    data["items-1-title"] = ""
    response = client.post(reverse("agreements:agreement_create"), data)
    assert response.status_code == 302
    assert Agreement.objects.get().parties.count() == 2
