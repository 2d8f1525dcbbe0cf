"""DOCX builders: each document opened back with python-docx and checked against the
official format (A4, margins, Times New Roman, header block, page numbers from page
2, number and date line, signature block) and against the rows it was built from."""

import datetime
import io
from decimal import Decimal

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from agreements.models import Agency, Agreement, ItemAssessment, Review
from reports import documents
from reports.selectors.documents import agreement_report, review_report
from tests.factories import AgencyFactory, AreaFactory, ContentItemFactory, ReviewFactory

from .document_rows import (
    LEAD_SIGNER,
    PARTNER_NAME,
    PARTNER_SIGNER,
    figures_review,
    full_program,
    program,
)

D = datetime.date
ON = D(2024, 1, 5)


def _open(content):
    return docx.Document(io.BytesIO(content))


def _agreement_docx(agreement, on=ON):
    agreement = (
        Agreement.objects.with_status()
        .select_related("lead_agency__area", "lead_agency__parent", "supersedes")
        .get(pk=agreement.pk)
    )
    return documents.agreement_docx(agreement, data=agreement_report(agreement=agreement, on=on))


def _review_docx(review):
    review = Review.objects.select_related(
        "agreement__lead_agency__area", "agreement__lead_agency__parent"
    ).get(pk=review.pk)
    return documents.review_docx(review, data=review_report(review=review))


def _cell_texts(table):
    return [cell.text for row in table.rows for cell in row.cells]


def _all_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(_cell_texts(table))
    return "\n".join(parts)


def _table_with(document, header):
    for table in document.tables:
        if header in [cell.text for cell in table.rows[0].cells]:
            return table
    raise AssertionError(f"no table with the column {header!r}")


@pytest.fixture
def state_agency(db):
    area = AreaFactory(name="Tỉnh Hòa Bình", code="17")
    return AgencyFactory(
        name="Ủy ban nhân dân tỉnh Hòa Bình",
        short_name="UBND tỉnh",
        kind=Agency.Kind.STATE,
        area=area,
    )


# --- Page, fonts, page numbers -------------------------------------------------------


def test_documents_are_a4_portrait_with_the_official_margins(agency_a):
    document = _open(_agreement_docx(program(agency_a)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # Word stores margins in twentieths of a point: 15 mm is 850 twips, 14.99 mm.
    assert 20 <= round(section.top_margin.mm, 1) <= 25
    assert 20 <= round(section.bottom_margin.mm, 1) <= 25
    assert 30 <= round(section.left_margin.mm, 1) <= 35
    assert 15 <= round(section.right_margin.mm, 1) <= 20


def test_every_script_is_times_new_roman(agency_a):
    document = _open(_review_docx(figures_review(agency_a)))
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"
    assert fonts.get(qn("w:cs")) == "Times New Roman"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    default_fonts = defaults.find(qn("w:rPr")).find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:ascii")) == "Times New Roman"
    assert default_fonts.get(qn("w:asciiTheme")) is None


def test_page_numbers_are_centred_at_the_top_from_page_two(agency_a):
    document = _open(_agreement_docx(full_program(agency_a)))
    section = document.sections[0]
    assert section.different_first_page_header_footer is True
    header_xml = section.header._element.xml
    assert "PAGE" in header_xml and "fldChar" in header_xml
    assert section.header.paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in section.first_page_header._element.xml


def test_body_text_is_justified_with_an_indented_first_line(agency_a):
    review = figures_review(agency_a)
    document = _open(_review_docx(review))
    paragraph = next(p for p in document.paragraphs if p.text == review.causes)
    form = paragraph.style.paragraph_format
    assert form.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(form.first_line_indent.mm) == 10
    assert paragraph.style.base_style.name == "Normal"
    assert document.styles["Normal"].font.size.pt == 14


# --- Header block --------------------------------------------------------------------


def test_a_party_body_gets_the_party_header(agency_a):
    document = _open(_agreement_docx(program(agency_a)))
    left, right, number, dated = _cell_texts(document.tables[0])
    assert left.splitlines() == ["TỈNH ỦY LAI CHÂU", "BAN DÂN VẬN", "*"]
    assert right == "ĐẢNG CỘNG SẢN VIỆT NAM"
    party_run = document.tables[0].rows[0].cells[1].paragraphs[0].runs[0]
    assert party_run.bold and party_run.underline and party_run.font.size.pt == 15
    body_run = document.tables[0].rows[0].cells[0].paragraphs[1].runs[0]
    assert body_run.bold and (body_run.font.size or document.styles["Normal"].font.size).pt == 14
    assert number.split() == ["Số", "-BC/BDVTU"]
    assert dated == "Lai Châu, ngày 05 tháng 01 năm 2024"
    assert document.tables[0].rows[1].cells[1].paragraphs[0].runs[0].italic


def test_a_state_body_gets_the_national_motto(state_agency):
    document = _open(_agreement_docx(program(state_agency), on=D(2019, 11, 6)))
    left, right, number, dated = _cell_texts(document.tables[0])
    assert left == "ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH"
    assert right.splitlines() == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    motto = document.tables[0].rows[0].cells[1].paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in _all_text(document)
    assert number.split() == ["Số:", "/BC-UBND"]
    assert dated == "Hòa Bình, ngày 06 tháng 11 năm 2019"


def test_the_header_table_has_no_borders(agency_a):
    document = _open(_agreement_docx(program(agency_a)))
    borders = document.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}


def test_the_title_is_bao_cao_with_the_subject(agency_a):
    agreement = program(agency_a)
    texts = [p.text for p in _open(_agreement_docx(agreement)).paragraphs]
    index = texts.index("BÁO CÁO")
    assert texts[index + 1] == f"Tình hình thực hiện {agreement.title}"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2021, 8, 30), "Lai Châu, ngày 30 tháng 8 năm 2021"),
        (D(2024, 1, 18), "Lai Châu, ngày 18 tháng 01 năm 2024"),
        (D(2019, 2, 6), "Lai Châu, ngày 06 tháng 02 năm 2019"),
        (D(2021, 12, 27), "Lai Châu, ngày 27 tháng 12 năm 2021"),
    ],
)
def test_the_date_line_pads_small_days_and_january_and_february(day, expected):
    assert documents.date_line("Lai Châu", day) == expected


@pytest.mark.parametrize(
    ("short_name", "symbol"),
    [
        ("BDV Tỉnh ủy", "BDVTU"),
        ("ĐĐ HĐND tỉnh", "ĐĐHĐND"),
        ("BCSĐ UBND tỉnh", "BCSĐUBND"),
        ("Sở Xây dựng", "SXD"),
    ],
)
def test_the_document_symbol_comes_from_the_short_name(short_name, symbol):
    assert documents.document_symbol(Agency(name="x", short_name=short_name)) == symbol


def test_a_provincial_committee_sits_under_its_party_organisation(db):
    area = AreaFactory(name="Tỉnh Lạng Sơn")
    committee = AgencyFactory(name="Tỉnh ủy Lạng Sơn", kind=Agency.Kind.PARTY_COMMITTEE, area=area)
    assert documents.superior_body(committee) == "ĐẢNG BỘ TỈNH LẠNG SƠN"
    assert documents.issuing_body(committee, "ĐẢNG BỘ TỈNH LẠNG SƠN") == "TỈNH ỦY LẠNG SƠN"


# --- Numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("2875.00"), "2.875"),
        (Decimal("1743"), "1.743"),
        (Decimal("78"), "78"),
        (Decimal("1234.50"), "1.234,5"),
        (Decimal("0.25"), "0,25"),
    ],
)
def test_numbers_use_dots_for_thousands_and_commas_for_decimals(value, text):
    assert documents.format_number(value) == text


def test_percentages_have_one_decimal():
    assert documents.format_percentage(Decimal(166) * 100 / Decimal(200)) == "83,0%"


# --- Review report -------------------------------------------------------------------


def test_the_review_report_has_the_six_sections_in_order(agency_a):
    review = figures_review(agency_a)
    texts = [p.text for p in _open(_review_docx(review)).paragraphs]
    headings = [
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "II. HẠN CHẾ, YẾU KÉM",
        "III. NGUYÊN NHÂN",
        "IV. BÀI HỌC KINH NGHIỆM",
        "V. PHƯƠNG HƯỚNG, GIẢI PHÁP",
        "VI. KIẾN NGHỊ, ĐỀ XUẤT",
    ]
    positions = [texts.index(h) for h in headings]
    assert positions == sorted(positions)
    assert texts[positions[1] + 1] == review.limitations
    assert texts[positions[5] + 1] == review.recommendations


def test_the_review_report_subject_names_the_agreement_and_the_year(agency_a):
    review = figures_review(agency_a)
    texts = [p.text for p in _open(_review_docx(review)).paragraphs]
    subject = texts[texts.index("BÁO CÁO") + 1]
    assert subject == f"Kết quả thực hiện {review.agreement.title} năm 2022"


def test_the_review_report_is_dated_the_day_the_review_was_held(agency_a):
    document = _open(_review_docx(figures_review(agency_a)))
    assert _cell_texts(document.tables[0])[3] == "Lai Châu, ngày 05 tháng 01 năm 2023"


def test_the_figures_table_formats_numbers_and_compares_with_the_year_before(agency_a):
    document = _open(_review_docx(figures_review(agency_a)))
    table = _table_with(document, "Năm trước")
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    dialogues = next(row for row in rows if "đối thoại" in row[1])
    communes = next(row for row in rows if "Chính quyền thân thiện" in row[1])
    assert dialogues[3:] == ["2.875", "", "", ""]
    # 166/200 = 83,0%; the year before 150/200 = 75,0%.
    assert communes[3:] == ["166", "200", "83,0%", "150 (75,0%)"]
    assert "Tỉnh Lai Châu" in communes[2]


def test_vietnamese_text_survives_intact(agency_a):
    review = figures_review(agency_a)
    text = _all_text(_open(_review_docx(review)))
    assert "Ban Dân vận Tỉnh ủy và Đảng đoàn HĐND tỉnh phối hợp chặt chẽ." in text
    assert "Số xã xây dựng mô hình “Chính quyền thân thiện”" in text
    assert "Phòng họp số 1, tầng 4, Nhà B, Trung tâm Hành chính - Chính trị tỉnh" in text
    assert "Sùng A Hồ" in text


def test_the_signature_block_names_the_lead_signer_and_the_recipients(agency_a):
    document = _open(_review_docx(figures_review(agency_a)))
    table = next(t for t in document.tables if "Nơi nhận:" in _cell_texts(t)[0])
    recipients, signer = _cell_texts(table)
    assert recipients.splitlines() == ["Nơi nhận:", f"- {PARTNER_NAME};", "- Lưu VT."]
    lines = [line for line in signer.splitlines() if line]
    assert lines == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", LEAD_SIGNER]
    name_run = table.rows[0].cells[1].paragraphs[-1].runs[0]
    assert name_run.bold
    label_run = table.rows[0].cells[0].paragraphs[0].runs[0]
    assert label_run.bold and label_run.italic and label_run.font.size.pt == 12
    assert PARTNER_SIGNER not in signer


def test_assessments_and_papers_follow_as_appendices(agency_a):
    document = _open(_review_docx(figures_review(agency_a)))
    texts = [p.text for p in document.paragraphs]
    assert texts.index("PHỤ LỤC 1") < texts.index("PHỤ LỤC 2")
    table = _table_with(document, "Tiến độ")
    assert [c.text for c in table.rows[1].cells] == [
        "1",
        "Tiếp xúc cử tri",
        "Hoàn thành",
        "Tổ chức đúng kế hoạch",
    ]
    assert "1. Nâng cao chất lượng tiếp xúc cử tri (Sùng A Hồ)" in texts


def test_an_empty_section_says_so(agency_a):
    review = ReviewFactory(agreement=program(agency_a), results="Đạt nhiều kết quả.")
    texts = [p.text for p in _open(_review_docx(review)).paragraphs]
    after_lessons = texts[texts.index("IV. BÀI HỌC KINH NGHIỆM") + 1]
    assert after_lessons == "(Chưa có nội dung.)"


def test_builders_run_no_query(agency_a, django_assert_num_queries):
    review = Review.objects.select_related(
        "agreement__lead_agency__area", "agreement__lead_agency__parent"
    ).get(pk=figures_review(agency_a).pk)
    data = review_report(review=review)
    agreement = (
        Agreement.objects.with_status()
        .select_related("lead_agency__area", "lead_agency__parent", "supersedes")
        .get(pk=full_program(AgencyFactory(area=agency_a.area)).pk)
    )
    agreement_data = agreement_report(agreement=agreement, on=ON)
    with django_assert_num_queries(0):
        documents.review_docx(review, data=data)
        documents.agreement_docx(agreement, data=agreement_data)


# --- Agreement report ----------------------------------------------------------------


def test_the_agreement_report_shows_the_latest_assessment_of_each_year(agency_a):
    agreement = program(agency_a, declared_item_count=4)
    first = ContentItemFactory(agreement=agreement, number=1, title="Tuyên truyền nghị quyết")
    second = ContentItemFactory(agreement=agreement, number=2, title="Tiếp xúc cử tri")
    june = ReviewFactory(agreement=agreement, kind="six_monthly", held_on=D(2022, 6, 30))
    december = ReviewFactory(agreement=agreement, held_on=D(2022, 12, 20))
    next_year = ReviewFactory(agreement=agreement, held_on=D(2023, 12, 18))
    ItemAssessment.objects.create(review=june, content_item=first, progress="behind")
    ItemAssessment.objects.create(review=december, content_item=first, progress="in_progress")
    ItemAssessment.objects.create(review=june, content_item=second, progress="not_started")
    ItemAssessment.objects.create(review=next_year, content_item=first, progress="done")
    document = _open(_agreement_docx(agreement))
    table = _table_with(document, "Nội dung phối hợp")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows == [
        ["TT", "Nội dung phối hợp", "2022", "2023"],
        ["1", "Tuyên truyền nghị quyết", "Đang thực hiện", "Hoàn thành"],
        ["2", "Tiếp xúc cử tri", "Chưa triển khai", "—"],
    ]
    text = _all_text(document)
    assert "Văn bản có 4 nội dung; còn 2 nội dung chưa được nhập." in text


def test_the_agreement_report_lists_parties_plans_reviews_figures_and_attachments(agency_a):
    agreement = full_program(agency_a, items=2, reviews=2)
    document = _open(_agreement_docx(agreement, on=D(2024, 1, 5)))
    text = _all_text(document)
    assert PARTNER_NAME in text and PARTNER_SIGNER in text
    assert "K/T Trưởng ban, Lò Văn Cương, Phó Trưởng ban" in text
    # Each year's plan has one activity done and one past its deadline.
    assert "Kế hoạch năm 2022 (1/2 hoạt động hoàn thành, 1 quá hạn)" in text
    assert "Hoàn thành ngày 01/09/2023" in text and "Quá hạn" in text
    assert "Kết quả năm 2023" in text and "Hạn chế năm 2022" in text
    assert "- Tham luận năm 2023" in text
    assert "- Bản ký chương trình (Bản ký (scan))" in text
    assert "- Báo cáo năm 2022 (Báo cáo)" in text
    figures = _table_with(document, "Mẫu số")
    assert [row.cells[1].text for row in figures.rows[1:]] == ["2022", "2023"]


def test_the_agreement_report_is_signed_by_the_lead_party(agency_a):
    document = _open(_agreement_docx(program(agency_a)))
    table = next(t for t in document.tables if "Nơi nhận:" in _cell_texts(t)[0])
    assert LEAD_SIGNER in _cell_texts(table)[1]
    assert f"- {PARTNER_NAME};" in _cell_texts(table)[0]


def test_docx_generation_for_a_large_agreement_stays_in_a_fixed_number_of_queries(
    agency_a, django_assert_max_num_queries
):
    small = full_program(agency_a, items=1, reviews=1)
    big = full_program(AgencyFactory(area=agency_a.area), items=5, reviews=5)
    with django_assert_max_num_queries(20) as captured:
        _agreement_docx(small)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        _agreement_docx(big)


# --- Term summary --------------------------------------------------------------------


def _summary(agency):
    first = program(agency, declared_item_count=10)
    second = program(agency, number="31B-QCPH/BDV-ĐĐHĐND", signed_on=D(2013, 5, 16))
    rows = [
        {
            "agreement": first,
            "parties": ["Ban Dân vận Tỉnh ủy Lai Châu", PARTNER_NAME],
            "signed_on": first.signed_on,
            "period": "2021 – 2026",
            "status": "Đang hiệu lực",
            "items_entered": 8,
            "items_declared": 10,
            "reviews_done": 2,
            "reviews_due": 1,
            "reviews_overdue": 1,
        },
        {
            "agreement": second,
            "parties": ["Ban Dân vận Tỉnh ủy Lai Châu"],
            "signed_on": second.signed_on,
            "period": "2013",
            "status": "Đã được thay thế",
            "items_entered": 0,
            "items_declared": None,
            "reviews_done": 1,
            "reviews_due": 0,
        },
    ]
    totals = {
        "count": 2,
        "items_entered": 8,
        "items_declared": 10,
        "reviews_done": 3,
        "reviews_due": 1,
        "reviews_overdue": 1,
    }
    return {"rows": rows, "totals": totals}


def test_the_term_summary_is_a_table_with_a_totals_row(agency_a):
    content = documents.term_summary_docx(
        _summary(agency_a),
        title="Tổng hợp các văn bản phối hợp công tác dân vận nhiệm kỳ 2021 – 2026",
        issuer_agency=agency_a,
        on=D(2026, 1, 15),
    )
    document = _open(content)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in _cell_texts(document.tables[0])
    assert _cell_texts(document.tables[0])[3] == "Lai Châu, ngày 15 tháng 01 năm 2026"
    texts = [p.text for p in document.paragraphs]
    subject = texts[texts.index("BÁO CÁO") + 1]
    assert subject == "Tổng hợp các văn bản phối hợp công tác dân vận nhiệm kỳ 2021 – 2026"
    table = _table_with(document, "Trích yếu")
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert len(rows) == 1 + 2 + 1
    assert rows[1][1] == "45-CTr/BDV-ĐĐHĐND\n30/08/2021"
    assert rows[1][3] == f"Ban Dân vận Tỉnh ủy Lai Châu\n{PARTNER_NAME}"
    assert rows[1][4:] == ["2021 – 2026\nĐang hiệu lực", "8/10", "2", "1 (1 quá hạn)"]
    assert rows[2][5:] == ["0/—", "1", "0"]
    assert rows[3][1] == "Tổng cộng: 2 văn bản"
    assert rows[3][5:] == ["8/10", "3", "1 (1 quá hạn)"]
    assert table.rows[3].cells[1].paragraphs[0].runs[0].bold
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.sections[0].different_first_page_header_footer


def test_the_term_summary_of_a_state_body_has_the_motto(state_agency):
    content = documents.term_summary_docx(
        _summary(state_agency), title="Tổng hợp", issuer_agency=state_agency, on=D(2019, 2, 6)
    )
    header = _cell_texts(_open(content).tables[0])
    assert "Độc lập - Tự do - Hạnh phúc" in header[1]
    assert header[3] == "Hòa Bình, ngày 06 tháng 02 năm 2019"


def test_the_document_width_fits_the_text_area(agency_a):
    document = _open(_agreement_docx(full_program(agency_a, items=2, reviews=6)))
    for table in document.tables:
        total = sum(cell.width for cell in table.rows[0].cells)
        assert total <= Mm(165) + Mm(1)


def test_a_data_table_copies_its_first_row_and_writes_the_same_cells_as_row_by_row():
    from reports.documents import official

    def build(rows):
        document = official.new_document()
        table = official.data_table(document, ["A", "B", "C"], rows, [3, 3, 3], numeric=(2,))
        return table

    rows = [
        ["Chỉ tiêu 1", " cách đầu", "1.234"],
        [official.Bold("Tổng cộng"), "", official.Bold("2.468")],
        ["Dòng một\nDòng hai", "x", "0"],
    ]
    table = build(rows)
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    assert texts == [["A", "B", "C"], *[[str(v) for v in row] for row in rows]]
    total = table.rows[2]
    assert [
        bool(cell.paragraphs[0].runs and cell.paragraphs[0].runs[0].bold) for cell in total.cells
    ] == [
        True,
        False,
        True,
    ]
    assert total.cells[1].paragraphs[0].runs == []  # empty: no run, as row by row
    assert table.rows[1].cells[2].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[1]._tc.find(f".//{qn('w:t')}").get(qn("xml:space")) == "preserve"
    assert table.rows[3].cells[0]._tc.find(f".//{qn('w:br')}") is not None  # a line break
    # Nothing of the pattern row is left, and an empty table has its header alone.
    assert len(table.rows) == 4
    assert len(build([]).rows) == 1
