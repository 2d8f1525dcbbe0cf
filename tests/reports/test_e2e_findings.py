"""Defects found by the leader's browser walk (tests/e2e/test_leader_walk.py), pinned
down without a browser."""

import datetime
import html
import re

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, AgreementParty
from reports.selectors.tables import term_summary
from tests.factories import AgreementFactory, AgreementPartyFactory

LONG_TITLE = (
    "Chương trình phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy "
    "và Đảng đoàn HĐND tỉnh Lai Châu giai đoạn 2021 - 2026"
)


def _led_by(agency, **fields):
    agreement = AgreementFactory(lead_agency=agency, **fields)
    AgreementPartyFactory(agreement=agreement, agency=agency, role=AgreementParty.Role.LEAD)
    return agreement


def test_the_dashboard_cuts_a_long_agreement_title_with_an_ellipsis(client, leader, agency_a):
    # `Agreement.__str__` cuts the title at 80 characters without marking the cut, so
    # the overdue list showed "… giữa Ban Dân vận Tỉnh ủy và Đản" (and so did the
    # report's breadcrumbs and the review form's back link).
    year = timezone.localdate().year
    agreement = _led_by(
        agency_a,
        title=LONG_TITLE,
        signed_on=datetime.date(year - 3, 8, 30),
        start_year=year - 3,
        end_year=year + 2,
    )
    client.force_login(leader)

    response = client.get(reverse("home"))

    assert {o.agreement for o in response.context["overdue"]} == {agreement}
    page = response.content.decode()
    overdue = page.split('aria-labelledby="dash-overdue"')[1].split("</section>")[0]
    link = re.search(rf'<a href="{agreement.get_absolute_url()}">([^<]*)</a>', overdue)
    shown = html.unescape(link.group(1))
    assert shown == f"{agreement.number}: {LONG_TITLE}" or shown.endswith("…")


def test_an_open_ended_regulation_does_not_read_as_a_one_year_period(leader, agency_a):
    # A regulation from 2025 without an end year ("quy chế không thời hạn") was shown
    # with the period "2025", exactly like a plan for the year 2025: on the term
    # summary, in its XLSX/CSV/DOCX, on the agreement list and the agreement report.
    regulation = _led_by(
        agency_a,
        kind=Agreement.Kind.REGULATION,
        number="01/QCPH-UBND-UBMTTQ",
        signed_on=datetime.date(2025, 3, 15),
        start_year=2025,
        end_year=None,
    )
    plan = _led_by(
        agency_a,
        kind=Agreement.Kind.PLAN,
        number="19/KH-UBND",
        signed_on=datetime.date(2025, 2, 10),
        start_year=2025,
        end_year=2025,
    )

    report = term_summary(user=leader, filters=QueryDict("term="))

    periods = {row["agreement"]: row["period"] for row in report["rows"]}
    assert periods[plan] == "2025"
    assert "2025" in periods[regulation]
    assert periods[regulation] != periods[plan]
