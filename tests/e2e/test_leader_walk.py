"""The leader's walk in a real browser: a leader of Lai Châu signs in, reads the
dashboard, follows the overdue review to the agreement, downloads the term summary as
XLSX and the agreement report as DOCX; an editor follows the same overdue item to the
review form, prefilled. Screenshots land in test-artifacts/screenshots/.

The data is dated relative to today (a term from three years ago to two years ahead)
so that the same review is overdue whatever day the test runs: the annual review of
the year before last is owed since 31/03 of last year, last year's is held.
"""

import datetime
import io
import re
from pathlib import Path

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import (
    Agency,
    Agreement,
    AgreementParty,
    ContentItem,
    Indicator,
    IndicatorValue,
    ItemAssessment,
    Review,
    Signatory,
    UserProfile,
)
from tests.factories import AgencyFactory, AgreementFactory, AreaFactory, ProfileFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-2026"
TERM_SUMMARY_HEADERS = [
    "STT",
    "Số, ký hiệu",
    "Trích yếu",
    "Loại",
    "Các bên",
    "Ngày ký",
    "Giai đoạn",
    "Tình trạng",
    "Nội dung đã nhập",
    "Nội dung theo văn bản",
    "Đã đánh giá",
    "Đến hạn, quá hạn đánh giá",
]


def _party(agreement, agency, role, signer, position, order):
    party = AgreementParty.objects.create(
        agreement=agreement, agency=agency, role=role, name_as_signed=agency.name, order=order
    )
    Signatory.objects.create(party=party, name=signer, position=position)


def _lai_chau():
    """Two agreements in force in Lai Châu and one in Nghệ An that a Lai Châu leader
    must not see. Returns a dict of what the assertions need."""
    year = timezone.localdate().year
    start, end = year - 3, year + 2
    lai_chau = AreaFactory(name="Tỉnh Lai Châu", code="12")
    bdv = AgencyFactory(
        name="Ban Dân vận Tỉnh ủy Lai Châu", short_name="BDV Tỉnh ủy", area=lai_chau
    )
    hdnd = AgencyFactory(
        name="Đảng đoàn HĐND tỉnh Lai Châu",
        short_name="ĐĐ HĐND tỉnh",
        area=lai_chau,
        kind=Agency.Kind.PARTY_COMMITTEE,
    )
    ubnd = AgencyFactory(
        name="Ủy ban nhân dân tỉnh Lai Châu",
        short_name="UBND tỉnh",
        area=lai_chau,
        kind=Agency.Kind.STATE,
    )
    mttq = AgencyFactory(
        name="Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lai Châu",
        short_name="UBMTTQ tỉnh",
        area=lai_chau,
        kind=Agency.Kind.FATHERLAND_FRONT,
    )
    office = AgencyFactory(name="Tỉnh ủy Lai Châu", short_name="Tỉnh ủy", area=lai_chau)
    ProfileFactory(user__username="lanhdao", agency=office, role=UserProfile.Role.LEADER)
    ProfileFactory(user__username="bientap", agency=bdv, role=UserProfile.Role.EDITOR)

    # The program: 4 items declared, 3 entered; last year's review held and approved,
    # the review of the year before last never held.
    program = AgreementFactory(
        kind=Agreement.Kind.PROGRAM,
        number="12-CTr/BDV-ĐĐHĐND",
        title=(
            "Chương trình phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy "
            f"và Đảng đoàn HĐND tỉnh giai đoạn {start} - {end}"
        ),
        signed_on=datetime.date(start, 8, 30),
        place="Lai Châu",
        lead_agency=bdv,
        start_year=start,
        end_year=end,
        annual_review_required=True,
        declared_item_count=4,
    )
    _party(
        program,
        bdv,
        AgreementParty.Role.LEAD,
        "Lò Văn Cương",
        "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy",
        0,
    )
    _party(
        program,
        hdnd,
        AgreementParty.Role.PARTNER,
        "Chu Lê Chinh",
        "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng đoàn HĐND tỉnh",
        1,
    )
    items = [
        ContentItem.objects.create(agreement=program, number=number, title=title)
        for number, title in enumerate(
            [
                "Nâng cao chất lượng, hiệu quả công tác dân vận chính quyền của cơ quan dân cử",
                "Nắm tình hình Nhân dân, tâm tư, nguyện vọng chính đáng của Nhân dân",
                "Giải quyết kiến nghị của cử tri và Nhân dân",
            ],
            start=1,
        )
    ]
    held = Review.objects.create(
        agreement=program,
        kind=Review.Kind.ANNUAL,
        title=f"Hội nghị đánh giá kết quả thực hiện Chương trình phối hợp năm {year - 1}",
        period_from=datetime.date(year - 1, 1, 1),
        period_to=datetime.date(year - 1, 12, 31),
        held_on=datetime.date(year - 1, 12, 20),
        results="Các bên phối hợp chặt chẽ trong tiếp xúc cử tri và giám sát.",
        status=Review.Status.APPROVED,
        approved_at=timezone.now(),
    )
    for item, progress in zip(items, ["done", "done", "in_progress"], strict=True):
        ItemAssessment.objects.create(review=held, content_item=item, progress=progress)
    dialogues = Indicator.objects.create(
        code="doi-thoai", name="Số cuộc đối thoại với Nhân dân", unit="cuộc"
    )
    IndicatorValue.objects.create(
        indicator=dialogues, agreement=program, year=year - 2, agency=bdv, value=9
    )
    IndicatorValue.objects.create(
        indicator=dialogues, agreement=program, review=held, year=year - 1, agency=bdv, value=12
    )

    # The regulation: led by a State body, no yearly review required, its six-monthly
    # review waiting for the leader.
    regulation = AgreementFactory(
        kind=Agreement.Kind.REGULATION,
        number="01/QCPH-UBND-UBMTTQ",
        title=(
            "Quy chế phối hợp giữa Ủy ban nhân dân tỉnh và Ủy ban Mặt trận Tổ quốc "
            "Việt Nam tỉnh Lai Châu"
        ),
        signed_on=datetime.date(year - 1, 3, 15),
        lead_agency=ubnd,
        start_year=year - 1,
        end_year=None,
        annual_review_required=False,
        declared_item_count=2,
    )
    _party(regulation, ubnd, AgreementParty.Role.LEAD, "Lê Văn Lương", "Chủ tịch UBND tỉnh", 0)
    _party(
        regulation,
        mttq,
        AgreementParty.Role.PARTNER,
        "Giàng Páo Mỷ",
        "Chủ tịch Ủy ban MTTQ Việt Nam tỉnh",
        1,
    )
    for number in (1, 2):
        ContentItem.objects.create(
            agreement=regulation, number=number, title=f"Nội dung phối hợp số {number}"
        )
    waiting = Review.objects.create(
        agreement=regulation,
        kind=Review.Kind.SIX_MONTHLY,
        title=f"Sơ kết 6 tháng đầu năm {year - 1} thực hiện Quy chế phối hợp",
        period_from=datetime.date(year - 1, 1, 1),
        period_to=datetime.date(year - 1, 6, 30),
        held_on=datetime.date(year - 1, 7, 10),
        status=Review.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )

    # Elsewhere: overdue too, but not the Lai Châu leader's business.
    nghe_an = AreaFactory(name="Tỉnh Nghệ An", code="40")
    bdv_nghe_an = AgencyFactory(
        name="Ban Dân vận Tỉnh ủy Nghệ An", short_name="BDV Nghệ An", area=nghe_an
    )
    elsewhere = AgreementFactory(
        number="88-CTr/BCSĐUBND-BDVTU",
        title=f"Chương trình phối hợp công tác dân vận tỉnh Nghệ An giai đoạn {start} - {end}",
        signed_on=datetime.date(start, 12, 21),
        lead_agency=bdv_nghe_an,
        start_year=start,
        end_year=end,
    )
    AgreementParty.objects.create(
        agreement=elsewhere,
        agency=bdv_nghe_an,
        role=AgreementParty.Role.LEAD,
        name_as_signed=bdv_nghe_an.name,
    )
    return {
        "year": year,
        "start": start,
        "end": end,
        "area": lai_chau,
        "program": program,
        "regulation": regulation,
        "elsewhere": elsewhere,
        "waiting": waiting,
    }


def _login(page, username):
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    # The header's language switcher is a form with a submit button too.
    page.locator("form:has(input[name=password]) [type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def _rows(locator):
    """The visible text of every cell of the rows `locator` finds, whitespace collapsed."""
    return locator.evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => "
        "cell.innerText.replace(/\\s+/g, ' ').trim()))"
    )


def _section(page, key):
    return page.locator(f"section[aria-labelledby=dash-{key}]")


def _day(value):
    return value.strftime("%d/%m/%Y")


def _date_line(place, day):
    """The official date line: "Lai Châu, ngày 05 tháng 02 năm 2026"."""
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day_text} tháng {month_text} năm {day.year}"


def _file(download):
    """A downloaded file, opened in memory (Playwright saves it without an extension)."""
    return io.BytesIO(Path(download.path()).read_bytes())


def _cell_texts(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_leader_reads_dashboard_follows_overdue_and_downloads_reports(page, shot):
    data = _lai_chau()
    year, start, end = data["year"], data["start"], data["end"]
    program, regulation = data["program"], data["regulation"]
    term = f"{start} – {end}"

    _login(page, "lanhdao")
    shot("01-dashboard")
    assert page.locator("h1").inner_text() == "Tổng quan"
    # The filter form lists every agency and area; the figures only Lai Châu's.
    text = page.locator(".dashboard").inner_text()
    assert data["elsewhere"].number not in text
    assert "Nghệ An" not in text

    # In force: the program and the regulation, by kind and by lead agency.
    in_force = _section(page, "in-force")
    assert in_force.locator(".stat").inner_text() == "2"
    tables = in_force.locator("table")
    assert _rows(tables.nth(0).locator("tbody tr")) == [
        ["Quy chế phối hợp", "1"],
        ["Chương trình phối hợp", "1"],
        ["Kế hoạch phối hợp", "0"],
    ]
    assert sorted(_rows(tables.nth(1).locator("tbody tr"))) == [
        ["Ban Dân vận Tỉnh ủy Lai Châu", "1"],
        ["Ủy ban nhân dân tỉnh Lai Châu", "1"],
    ]
    assert _section(page, "expiring").locator(".stat").inner_text() == "0"
    assert _section(page, "orphaned").locator(".stat").inner_text() == "0"

    # One overdue review, nothing coming due; a leader enters no reviews.
    overdue = _section(page, "overdue")
    assert overdue.locator("h2 .count").inner_text() == "1"
    assert _rows(overdue.locator("tbody tr")) == [
        [
            _day(datetime.date(year - 1, 3, 31)),
            str(program),
            f"Đánh giá năm {year - 2}",
            "Ban Dân vận Tỉnh ủy Lai Châu",
        ]
    ]
    assert overdue.locator("text=Nhập").count() == 0
    due = _section(page, "due")
    assert due.locator("h2 .count").inner_text() == "0"
    assert due.locator("text=Không có.").count() == 1

    # Five items in force: two done, one under way, two never assessed.
    progress = _section(page, "progress")
    assert "5 nội dung của các văn bản đang hiệu lực" in progress.inner_text()
    assert _rows(progress.locator("table tbody tr")) == [
        ["Chưa triển khai", "0"],
        ["Đang thực hiện", "1"],
        ["Hoàn thành", "2"],
        ["Chậm tiến độ", "0"],
        ["Chưa đánh giá", "2"],
    ]
    assert progress.locator("svg").count() == 1

    # The indicator's two years, as a chart and a table.
    indicators = _section(page, "indicators")
    assert indicators.locator("figure.indicator-trend").count() == 1
    assert indicators.locator("figure.indicator-trend svg").count() == 1
    assert _rows(indicators.locator("tbody tr")) == [[str(year - 2), "9"], [str(year - 1), "12"]]

    approval = _section(page, "approval")
    assert approval.locator("h2 .count").inner_text() == "1"
    assert approval.locator(f"a:has-text('{data['waiting'].title}')").count() == 1

    # A figure links to the agreements it counts.
    in_force.locator("a.stat").click()
    page.wait_for_url(re.compile(r"status=in_force"))
    assert page.locator("main >> text=2 văn bản").count() == 1
    listed = [row[0] for row in _rows(page.locator("main table tbody tr"))]
    assert sorted(listed) == sorted([program.number, regulation.number])
    page.go_back()
    page.wait_for_url(re.compile(r"/$"))

    # The overdue item leads to its agreement.
    overdue.locator("tbody tr a").first.click()
    page.wait_for_url(f"**{program.get_absolute_url()}")
    shot("02-overdue-agreement")
    assert page.locator("h1").inner_text() == f"Chương trình phối hợp số {program.number}"
    assert page.locator(f"text={program.title}").count() >= 1
    assert page.locator(".card .badge.in_force").inner_text() == "Đang hiệu lực"
    assert page.locator(".timeline >> text=Đã phê duyệt").count() == 1
    # Leaders read and approve; they add no review.
    assert page.locator("text=Thêm giao ban, sơ kết, tổng kết").count() == 0

    # The term summary, filtered to the term and the area.
    page.click("nav.main-nav >> text=Báo cáo")
    page.wait_for_url(f"**{reverse('reports:index')}")
    shot("03-reports-index")
    page.click(".report-list >> text=Tổng hợp nhiệm kỳ")
    page.wait_for_url(f"**{reverse('reports:term_summary')}")
    page.select_option("select[name=term]", f"{start}-{end}")
    page.select_option("select[name=area]", str(data["area"].pk))
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"area="))
    shot("04-term-summary")
    assert page.locator("h1").inner_text() == f"Tổng hợp văn bản phối hợp nhiệm kỳ {term}"
    assert "Nhiệm kỳ: " + term in page.locator(".applied-filters").inner_text()
    rows = _rows(page.locator("table.report-table tbody tr"))
    assert [row[1] for row in rows[:2]] == [program.number, regulation.number]
    assert rows[0][7:] == ["3/4", "1", "1 (1 quá hạn)"]
    assert rows[1][7:] == ["2/2", "1", "0"]
    assert rows[2][1:] == ["5/6", "2", "1 (1 quá hạn)"]
    assert rows[2][0] == "Tổng cộng: 2 văn bản"

    with page.expect_download() as info:
        page.click(".export-links >> text=Excel (XLSX)")
    download = info.value
    assert download.suggested_filename == f"Tổng hợp văn bản phối hợp nhiệm kỳ {start}-{end}.xlsx"
    sheet = openpyxl.load_workbook(_file(download)).active
    assert sheet.title == "Tổng hợp nhiệm kỳ"
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == TERM_SUMMARY_HEADERS
    assert cells[1] == [
        1,
        program.number,
        program.title,
        "Chương trình phối hợp",
        "Ban Dân vận Tỉnh ủy Lai Châu; Đảng đoàn HĐND tỉnh Lai Châu",
        datetime.datetime(start, 8, 30),
        term,
        "Đang hiệu lực",
        3,
        4,
        1,
        1,
    ]
    assert cells[2] == [
        2,
        regulation.number,
        regulation.title,
        "Quy chế phối hợp",
        "Ủy ban nhân dân tỉnh Lai Châu; Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Lai Châu",
        datetime.datetime(year - 1, 3, 15),
        regulation.period_label,
        "Đang hiệu lực",
        2,
        2,
        1,
        0,
    ]
    assert cells[3] == [None, "Tổng cộng: 2 văn bản", *[None] * 6, 5, 6, 2, 1]
    assert len(cells) == 4

    # The agreement report, on screen, printed, and as a Word file under the Party header.
    page.goto(program.get_absolute_url())
    page.click(".actions >> text=Báo cáo")
    page.wait_for_url(f"**{reverse('reports:agreement', args=[program.pk])}")
    shot("05-agreement-report")
    assert page.locator("h1").inner_text() == f"Chương trình phối hợp số {program.number}"
    assert page.locator(".report-subject").inner_text() == program.title
    page.emulate_media(media="print")
    shot("06-agreement-report-printed")
    assert page.locator(".export-links").is_hidden()
    page.emulate_media(media="screen")

    today = timezone.localdate()
    with page.expect_download() as info:
        page.click(".export-links >> text=Văn bản Word (DOCX)")
    assert info.value.suggested_filename == "Báo cáo 12-CTr-BDV-ĐĐHĐND.docx"
    document = docx.Document(_file(info.value))
    header = _cell_texts(document.tables[0])
    assert header == [
        ["TỈNH ỦY LAI CHÂU\nBAN DÂN VẬN\n*", "ĐẢNG CỘNG SẢN VIỆT NAM"],
        ["Số        -BC/BDVTU", _date_line("Lai Châu", today)],
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert "Độc lập - Tự do - Hạnh phúc" not in "\n".join(paragraphs)
    assert "BÁO CÁO" in paragraphs
    assert f"Tình hình thực hiện {program.title}" in paragraphs
    assert f"Số, ký hiệu: {program.number}" in paragraphs
    assert f"Trích yếu: {program.title}" in paragraphs
    assert f"Giai đoạn / nhiệm kỳ: {term}" in paragraphs

    # The regulation's report is issued by a State body: the national motto.
    page.goto(reverse("reports:agreement", args=[regulation.pk]))
    shot("07-regulation-report")
    with page.expect_download() as info:
        page.click(".export-links >> text=Văn bản Word (DOCX)")
    document = docx.Document(_file(info.value))
    assert _cell_texts(document.tables[0]) == [
        [
            "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        ],
        ["Số:        /BC-UBND", _date_line("Lai Châu", today)],
    ]
    paragraphs = [p.text for p in document.paragraphs]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in "\n".join(paragraphs)
    assert f"Số, ký hiệu: {regulation.number}" in paragraphs
    assert f"Tình hình thực hiện {regulation.title}" in paragraphs


def test_editor_follows_overdue_item_to_prefilled_review_form(page, shot):
    data = _lai_chau()
    year, program = data["year"], data["program"]

    _login(page, "bientap")
    overdue = _section(page, "overdue")
    assert overdue.locator("h2 .count").inner_text() == "1"
    # The editor of the Ban Dân vận sees only the program it signed.
    assert page.locator(f"text={data['regulation'].number}").count() == 0
    shot("01-dashboard")
    overdue.locator("a.button:has-text('Nhập')").click()
    page.wait_for_url(f"**{reverse('agreements:review_create', args=[program.pk])}?*")
    shot("02-review-form")
    assert page.locator("#id_kind").input_value() == Review.Kind.ANNUAL
    assert page.locator("#id_period_from").input_value() == f"01/01/{year - 2}"
    assert page.locator("#id_period_to").input_value() == f"31/12/{year - 2}"
    assert page.locator("#id_title").input_value() == f"Đánh giá năm {year - 2}"
    assert page.locator("#id_held_on").input_value() == ""
