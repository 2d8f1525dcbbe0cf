"""Attachments: type checked by content, size limit, generated names, downloads only."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import AgreementParty, AnnualPlan, Attachment
from tests.factories import AgreementFactory, AgreementPartyFactory, ReviewFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _docx_bytes():
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Chương trình phối hợp")
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_MB = 1
    return tmp_path


@pytest.fixture
def agreement(agency_a):
    agreement = AgreementFactory(lead_agency=agency_a)
    AgreementPartyFactory(agreement=agreement, agency=agency_a, role=AgreementParty.Role.LEAD)
    return agreement


def _upload(client, url, name, content, title="Bản ký"):
    return client.post(
        url,
        {"title": title, "kind": "signed_scan", "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ban-ky.pdf", PDF),
        ("phu-luc.docx", _docx_bytes()),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("anh.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
        ("bang.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
    ],
)
def test_accepted_files_are_stored_under_generated_names(
    client, editor_a, agreement, media, name, content
):
    client.force_login(editor_a)
    url = reverse("agreements:agreement_attachment_create", args=[agreement.pk])
    assert _upload(client, url, name, content).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == name
    assert name not in attachment.file.name
    assert attachment.size == len(content)
    assert attachment.history.get().history_user == editor_a


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("trang.pdf", b"<html><script>alert(1)</script></html>", "không đúng định dạng PDF"),
        ("virus.exe", b"MZ\x90\x00", "Chỉ nhận tệp"),
        ("trang.html", b"<html></html>", "Chỉ nhận tệp"),
        ("gia.docx", b"PK\x03\x04not really a zip", "không đúng định dạng DOCX"),
        ("rong.pdf", b"", "rỗng"),
        ("lon.pdf", PDF + b"0" * (1024 * 1024), "Tệp quá lớn"),
    ],
)
def test_disguised_or_oversized_files_are_refused(
    client, editor_a, agreement, media, name, content, message
):
    client.force_login(editor_a)
    url = reverse("agreements:agreement_attachment_create", args=[agreement.pk])
    response = _upload(client, url, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Attachment.objects.count() == 0
    assert not any(p.is_file() for p in media.rglob("*"))


def test_download_is_an_attachment_with_original_name(client, editor_a, agreement):
    client.force_login(editor_a)
    url = reverse("agreements:agreement_attachment_create", args=[agreement.pk])
    _upload(client, url, "Bản ký Chương trình.pdf", PDF)
    attachment = Attachment.objects.get()
    response = client.get(reverse("agreements:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_outsiders_cannot_download_upload_or_delete(client, editor_a, editor_b, agreement):
    client.force_login(editor_a)
    _upload(
        client, reverse("agreements:agreement_attachment_create", args=[agreement.pk]), "a.pdf", PDF
    )
    attachment = Attachment.objects.get()
    client.force_login(editor_b)
    assert (
        client.get(reverse("agreements:attachment_download", args=[attachment.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("agreements:attachment_delete", args=[attachment.pk])).status_code
        == 404
    )
    url = reverse("agreements:agreement_attachment_create", args=[agreement.pk])
    assert _upload(client, url, "b.pdf", PDF).status_code == 404
    assert Attachment.objects.count() == 1
    client.logout()
    response = client.get(reverse("agreements:attachment_download", args=[attachment.pk]))
    assert response.status_code == 302


def test_upload_on_review_and_plan_and_delete(
    client, editor_a, agreement, media, django_capture_on_commit_callbacks
):
    review = ReviewFactory(agreement=agreement)
    plan = AnnualPlan.objects.create(agreement=agreement, year=2022)
    client.force_login(editor_a)
    for name, owner in (("review_attachment_create", review), ("plan_attachment_create", plan)):
        url = reverse(f"agreements:{name}", args=[owner.pk])
        assert _upload(client, url, "bao-cao.pdf", PDF).status_code == 302
    assert Attachment.objects.filter(review=review).count() == 1
    assert Attachment.objects.filter(plan=plan).count() == 1
    attachment = Attachment.objects.get(review=review)
    path = media / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agreements:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert Attachment.objects.filter(review=review).count() == 0
    assert not path.exists()
    assert attachment.history.first().history_type == "-"
