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


def test_the_same_create_page_posted_twice_creates_one_agreement(
    client, editor_a, agency_a, partner
):
    client.force_login(editor_a)
    page = client.get(reverse("agreements:agreement_create"))
    token = page.context["submission_token"]
    assert f'name="submission" value="{token}"' in page.content.decode()
    data = _payload(agency_a, partner, items=["Tuyên truyền"], submission=token)

    first = client.post(reverse("agreements:agreement_create"), data)
    again = client.post(reverse("agreements:agreement_create"), data)

    assert Agreement.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    followed = client.get(again["Location"])
    assert "đã được lưu ở lần gửi trước" in followed.content.decode()


def test_a_create_page_shown_again_with_errors_keeps_its_token(client, editor_a, agency_a, partner):
    client.force_login(editor_a)
    token = "0123456789abcdef0123456789abcdef"
    data = _payload(agency_a, partner, submission=token, start_year="2026", end_year="2021")
    response = client.post(reverse("agreements:agreement_create"), data)
    assert response.status_code == 200
    assert response.context["submission_token"] == token
    data = _payload(agency_a, partner, submission=token)
    assert client.post(reverse("agreements:agreement_create"), data).status_code == 302
    assert Agreement.objects.count() == 1


def test_another_users_token_does_not_redirect_to_their_record(
    client, editor_a, editor_b, agency_a, agency_b, partner
):
    token = "fedcba9876543210fedcba9876543210"
    client.force_login(editor_a)
    client.post(
        reverse("agreements:agreement_create"), _payload(agency_a, partner, submission=token)
    )
    client.force_login(editor_b)
    response = client.post(
        reverse("agreements:agreement_create"),
        _payload(agency_b, partner, submission=token, number="02-CTr/BDVTU"),
    )
    # A token is per user: B's own agreement is created, and B is not sent to A's.
    assert response.status_code == 302
    theirs = Agreement.objects.get(lead_agency=agency_b)
    assert response["Location"] == theirs.get_absolute_url()
    assert Agreement.objects.count() == 2


def test_a_post_that_loses_the_race_for_its_token_saves_nothing(
    client, editor_a, agency_a, partner, monkeypatch
):
    """Two posts of one page at once both pass the first check; the second's insert
    of the token fails, its agreement is rolled back and it is sent to the first's."""
    from agreements import selectors
    from agreements.models import FormSubmission

    token = "0" * 32
    client.force_login(editor_a)
    client.post(
        reverse("agreements:agreement_create"), _payload(agency_a, partner, submission=token)
    )
    first = Agreement.objects.get()
    real = selectors.form_submission_target
    calls = []

    def first_check_misses(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(selectors, "form_submission_target", first_check_misses)
    response = client.post(
        reverse("agreements:agreement_create"),
        _payload(agency_a, partner, submission=token, number="99-CTr/BDVTU"),
    )
    assert response.status_code == 302
    assert response["Location"] == first.get_absolute_url()
    assert Agreement.objects.count() == 1
    assert FormSubmission.objects.count() == 1
