"""Rows for the document-report tests: a Lai Châu program between the Ban Dân vận
Tỉnh ủy (lead, a Party body) and the Đảng đoàn HĐND tỉnh, with items, reviews and
their assessments, plans, figures and attachments, in any number."""

import datetime
import re

from django.urls import reverse

from agreements.models import (
    Agency,
    AgreementParty,
    AnnualPlan,
    Attachment,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
    Signatory,
)
from tests.factories import (
    AgencyFactory,
    AgreementFactory,
    AgreementPartyFactory,
    ContentItemFactory,
    IndicatorFactory,
    ReviewFactory,
)

D = datetime.date
PARTNER_NAME = "Đảng đoàn HĐND tỉnh Lai Châu"
LEAD_SIGNER = "Lò Văn Cương"
PARTNER_SIGNER = "Chu Lê Chinh"


def program(lead, **kwargs):
    """A program led by `lead` with its two parties and their signatories."""
    fields = {
        "number": "45-CTr/BDV-ĐĐHĐND",
        "title": (
            "Chương trình phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy "
            "với Đảng đoàn HĐND tỉnh giai đoạn 2021 - 2026"
        ),
        "signed_on": D(2021, 8, 30),
        "start_year": 2021,
        "end_year": 2026,
        **kwargs,
    }
    agreement = AgreementFactory(lead_agency=lead, **fields)
    party = AgreementPartyFactory(
        agreement=agreement, agency=lead, role=AgreementParty.Role.LEAD, name_as_signed=lead.name
    )
    Signatory.objects.create(
        party=party,
        prefix="K/T",
        on_behalf_of="Trưởng ban",
        name=LEAD_SIGNER,
        position="Phó Trưởng ban",
    )
    partner = AgencyFactory(
        name=PARTNER_NAME,
        short_name="ĐĐ HĐND tỉnh",
        kind=Agency.Kind.PARTY_COMMITTEE,
        area=lead.area,
    )
    partner_party = AgreementPartyFactory(
        agreement=agreement, agency=partner, name_as_signed=PARTNER_NAME, order=1
    )
    Signatory.objects.create(
        party=partner_party, name=PARTNER_SIGNER, position="Phó Bí thư Đảng đoàn HĐND tỉnh"
    )
    return agreement


def full_program(lead, *, items=3, reviews=2, first_year=2022, **fields):
    """A program with `items` content items and `reviews` annual reviews (one a year
    from `first_year`), each assessing every item, with papers, figures, a plan per
    review year with a done and an overdue activity, and attachments."""
    agreement = program(lead, declared_item_count=items + 2, **fields)
    created = [
        ContentItemFactory(agreement=agreement, number=n + 1, title=f"Nội dung phối hợp số {n + 1}")
        for n in range(items)
    ]
    count = IndicatorFactory(name="Số cuộc đối thoại với Nhân dân", unit="cuộc")
    for index in range(reviews):
        year = first_year + index
        review = ReviewFactory(
            agreement=agreement,
            held_on=D(year, 12, 20),
            results=f"Kết quả năm {year}",
            limitations=f"Hạn chế năm {year}",
        )
        ContributedPaper.objects.create(review=review, title=f"Tham luận năm {year}")
        ItemAssessment.objects.bulk_create(
            ItemAssessment(review=review, content_item=item, progress="in_progress")
            for item in created
        )
        IndicatorValue.objects.create(
            indicator=count, agreement=agreement, review=review, year=year, area=lead.area, value=10
        )
        plan = AnnualPlan.objects.create(agreement=agreement, year=year)
        PlanActivity.objects.create(
            plan=plan, activity=f"Hội nghị giao ban năm {year}", deadline=D(year, 6, 30)
        )
        PlanActivity.objects.create(
            plan=plan,
            activity=f"Khảo sát năm {year}",
            deadline=D(year, 9, 30),
            done_on=D(year, 9, 1),
        )
        Attachment.objects.create(
            review=review, title=f"Báo cáo năm {year}", kind="report", file="attachments/x.pdf"
        )
    Attachment.objects.create(
        agreement=agreement, title="Bản ký chương trình", kind="signed_scan", file="a/b.pdf"
    )
    return agreement


def figures_review(lead, **fields):
    """The 2022 review of a program, with the 2022 figures of Lạng Sơn's article
    (2.875 dialogues; 166 of 200 communes) and 2021 figures to compare with."""
    agreement = program(lead, **fields)
    dialogues = IndicatorFactory(name="Số cuộc, hội nghị đối thoại với Nhân dân", unit="cuộc")
    communes = IndicatorFactory(
        name="Số xã xây dựng mô hình “Chính quyền thân thiện”", unit="xã", kind="ratio"
    )
    last_year = ReviewFactory(
        agreement=agreement,
        held_on=D(2021, 12, 28),
        status="approved",
        approved_at=datetime.datetime(2021, 12, 30, tzinfo=datetime.UTC),
    )
    review = ReviewFactory(
        agreement=agreement,
        kind=Review.Kind.ANNUAL,
        held_on=D(2023, 1, 5),
        period_from=D(2022, 1, 1),
        period_to=D(2022, 12, 31),
        place="Phòng họp số 1, tầng 4, Nhà B, Trung tâm Hành chính - Chính trị tỉnh",
        chaired_by="Đồng chí Lò Văn Cương\nĐồng chí Chu Lê Chinh",
        results="Ban Dân vận Tỉnh ủy và Đảng đoàn HĐND tỉnh phối hợp chặt chẽ.",
        limitations="Việc phối hợp nắm tình hình Nhân dân có lúc chưa thường xuyên.",
        causes="Chế độ thông tin báo cáo chưa kịp thời.",
        lessons="Thống nhất nhận thức về công tác dân vận.",
        directions="Tiếp tục thực hiện 08 nội dung phối hợp.",
        recommendations="Đề nghị Thường trực Tỉnh ủy quan tâm chỉ đạo.",
    )
    IndicatorValue.objects.create(
        indicator=dialogues,
        agreement=agreement,
        review=review,
        year=2022,
        area=lead.area,
        value=2875,
    )
    IndicatorValue.objects.create(
        indicator=communes,
        agreement=agreement,
        review=review,
        year=2022,
        area=lead.area,
        value=166,
        denominator=200,
    )
    IndicatorValue.objects.create(
        indicator=communes,
        agreement=agreement,
        review=last_year,
        year=2021,
        area=lead.area,
        value=150,
        denominator=200,
    )
    item = ContentItemFactory(agreement=agreement, number=1, title="Tiếp xúc cử tri")
    ItemAssessment.objects.create(
        review=review, content_item=item, progress="done", comment="Tổ chức đúng kế hoạch"
    )
    ContributedPaper.objects.create(
        review=review, title="Nâng cao chất lượng tiếp xúc cử tri", presenter="Sùng A Hồ"
    )
    return review


def report_url(view, pk, **params):
    """The URL of a document report (`view`, e.g. "reports:agreement") with `params`."""
    url = reverse(view, args=[pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def visible_text(response):
    """The page's visible text with whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", body)
