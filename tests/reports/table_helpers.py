"""Shared builders for the table-report tests (term summary, indicators, agency)."""

import csv
import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook

from agreements.models import AgreementParty, Signatory
from tests.factories import AgreementFactory, AgreementPartyFactory

# A fixed "today" for the reports: due and overdue depend on it.
TODAY = datetime.date(2024, 6, 1)


def freeze_today(monkeypatch, day=TODAY):
    """Make `timezone.localdate()` return `day` for the test."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


def agreement_of(agency, *, partners=(), name_as_signed=None, **kwargs):
    """An agreement led by `agency` (a party under `name_as_signed`), with partners."""
    kwargs.setdefault("annual_review_required", False)
    agreement = AgreementFactory(lead_agency=agency, **kwargs)
    party = AgreementPartyFactory(
        agreement=agreement,
        agency=agency,
        role=AgreementParty.Role.LEAD,
        name_as_signed=name_as_signed or agency.name,
        order=0,
    )
    Signatory.objects.create(party=party, name="Lò Văn Cương", position="Trưởng Ban Dân vận")
    for order, partner in enumerate(partners, start=1):
        AgreementPartyFactory(agreement=agreement, agency=partner, order=order)
    return agreement


def content(response):
    """The body of a response, streamed or not."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def workbook(response):
    return load_workbook(io.BytesIO(content(response)))
