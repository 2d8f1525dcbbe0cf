"""CSV and XLSX exports: opened back, Vietnamese intact, numbers numbers, dates dates."""

import datetime
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reports import exports
from tests.reports.table_helpers import content, csv_rows, workbook

HEADERS = ["Cơ quan", "Số cuộc đối thoại", "Tỷ lệ (%)", "Ngày ký", "Ghi chú"]
ROWS = [
    ["Ban Dân vận Tỉnh ủy", 2875, Decimal("83.00"), datetime.date(2021, 8, 30), None],
    ["Đảng đoàn HĐND tỉnh", Decimal("12.50"), Decimal("8.40"), datetime.date(2022, 1, 5), "Có"],
]


def test_csv_starts_with_a_byte_order_mark_and_keeps_vietnamese():
    body = content(exports.csv_response("Tổng hợp.csv", HEADERS, ROWS))
    assert body.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(exports.csv_response("Tổng hợp.csv", HEADERS, ROWS))
    assert rows[0] == HEADERS
    assert rows[1][0] == "Ban Dân vận Tỉnh ủy"


def test_csv_writes_plain_numbers_and_dd_mm_yyyy_dates():
    rows = csv_rows(exports.csv_response("a.csv", HEADERS, ROWS))
    assert rows[1][1:5] == ["2875", "83", "30/08/2021", ""]
    assert rows[2][1:4] == ["12.5", "8.4", "05/01/2022"]


def test_csv_streams_rows_as_they_come():
    consumed = []

    def rows():
        for n in range(3):
            consumed.append(n)
            yield [n]

    response = exports.csv_response("a.csv", ["n"], rows())
    assert response.streaming
    assert consumed == []
    assert csv_rows(response) == [["n"], ["0"], ["1"], ["2"]]


def test_csv_renders_labels_in_the_language_the_response_was_built_in():
    with translation.override("en"):
        response = exports.csv_response("a.csv", [_("Năm")], [[_("Đang hiệu lực")]])
    # The body is sent later, after the middleware has reset the language.
    with translation.override("vi"):
        assert csv_rows(response) == [["Year"], ["In force"]]


def test_attachment_name_is_vietnamese_with_an_ascii_fallback():
    response = exports.csv_response("Tổng hợp nhiệm kỳ 2021-2026.csv", ["a"], [])
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="tong-hop-nhiem-ky-2021-2026.csv"' in disposition
    assert "filename*=UTF-8''T%E1%BB%95ng%20h%E1%BB%A3p" in disposition
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_xlsx_has_a_bold_frozen_vietnamese_header_row():
    response = exports.xlsx_response("Tổng hợp.xlsx", "Tổng hợp", HEADERS, ROWS)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheet = workbook(response)["Tổng hợp"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.print_title_rows == "$1:$1"


def test_xlsx_keeps_numbers_numeric_and_dates_as_dates():
    sheet = workbook(
        exports.xlsx_response(
            "a.xlsx", "Số liệu", HEADERS, ROWS, number_formats={2: exports.PERCENT_FORMAT}
        )
    ).active
    agency, count, share, signed, note = sheet[2]
    assert agency.value == "Ban Dân vận Tỉnh ủy"
    assert isinstance(count.value, int) and count.value == 2875
    assert count.number_format == exports.INTEGER_FORMAT
    assert isinstance(share.value, int | float) and share.value == 83
    assert share.number_format == exports.PERCENT_FORMAT
    assert isinstance(signed.value, datetime.datetime)
    assert signed.value.date() == datetime.date(2021, 8, 30)
    assert signed.number_format == exports.DATE_FORMAT
    assert note.value is None
    fraction = sheet.cell(row=3, column=2)
    assert isinstance(fraction.value, float) and fraction.value == 12.5


def test_xlsx_sets_column_widths_from_the_content_with_a_cap():
    rows = [["x" * 500, 1, None, None, None]]
    sheet = workbook(exports.xlsx_response("a.xlsx", "A", HEADERS, rows)).active
    assert sheet.column_dimensions["A"].width == exports.MAX_WIDTH
    assert sheet.column_dimensions["B"].width >= len("Số cuộc đối thoại")


def test_xlsx_writes_every_row_of_a_long_generator():
    def rows():
        for n in range(exports.WIDTH_SAMPLE_ROWS * 3):
            yield [f"Xã {n}", n]

    sheet = workbook(exports.xlsx_response("a.xlsx", "A", ["Xã", "Số"], rows())).active
    assert sheet.max_row == exports.WIDTH_SAMPLE_ROWS * 3 + 1
    assert sheet.cell(row=sheet.max_row, column=2).value == exports.WIDTH_SAMPLE_ROWS * 3 - 1


def test_xlsx_workbook_can_hold_several_sheets():
    response = exports.xlsx_workbook_response(
        "a.xlsx",
        [
            exports.Sheet("Văn bản tham gia", ["Số"], [["31B-QCPH/BDV-ĐĐHĐND"]]),
            exports.Sheet("Việc phải làm", ["Hạn"], [[datetime.date(2024, 3, 31)]]),
        ],
    )
    book = workbook(response)
    assert book.sheetnames == ["Văn bản tham gia", "Việc phải làm"]
    assert book["Văn bản tham gia"]["A2"].value == "31B-QCPH/BDV-ĐĐHĐND"
    assert book["Việc phải làm"].freeze_panes == "A2"


# --- The workbook writer (reports.xlsx) -------------------------------------------


def test_xlsx_text_keeps_markup_characters_and_drops_what_xml_cannot_carry():
    rows = [
        ["<b>Đối thoại</b> & tiếp dân", "  lề hai bên  ", "dòng 1\ndòng 2", "a\x00b\x0bc\x1fd"],
        ["x" * 40_000, "\ud800lẻ", _("Quy chế"), True],
        ["", "Không số", None, False],
    ]
    with translation.override("vi"):
        sheet = workbook(exports.xlsx_response("a.xlsx", "A", ["1", "2", "3", "4"], rows)).active
    assert [cell.value for cell in sheet[2]] == [
        "<b>Đối thoại</b> & tiếp dân",
        "  lề hai bên  ",
        "dòng 1\ndòng 2",
        "abcd",
    ]
    long_text, surrogate, lazy, flag = sheet[3]
    assert long_text.value == "x" * 32_767
    assert surrogate.value == "?lẻ"
    assert lazy.value == "Quy chế"
    assert flag.value is True
    assert sheet["A4"].value is None and sheet["B4"].value == "Không số"


def test_xlsx_numbers_of_every_kind_and_date_times():
    when = datetime.datetime(2024, 3, 31, 14, 30)
    rows = [[Decimal("7"), 2.5, float("nan"), Decimal("NaN"), 10**12, when, False]]
    sheet = workbook(
        exports.xlsx_response("a.xlsx", "A", list("ABCDEFG"), rows, number_formats={1: "0.0"})
    ).active
    seven, half, nan, decimal_nan, big, stamp, flag = sheet[2]
    assert seven.value == 7 and seven.number_format == exports.INTEGER_FORMAT
    assert half.value == 2.5 and half.number_format == "0.0"
    assert nan.value is None and decimal_nan.value is None
    assert big.value == 10**12
    assert stamp.value == when and stamp.number_format == exports.DATETIME_FORMAT
    assert flag.value is False


def test_xlsx_sheet_titles_are_made_acceptable_to_excel_and_unique():
    response = exports.xlsx_workbook_response(
        "a.xlsx",
        [
            exports.Sheet("Tổng hợp: 2021/2026 [tỉnh]", ["Số"], [[1]]),
            exports.Sheet("tổng hợp 2021 2026 tỉnh", ["Số"], [[2]]),
            exports.Sheet("Tổng hợp 2021 2026 tỉnh", ["Số"], [[3]]),
            exports.Sheet("'Ban Dân vận'", ["Số"], [[4]]),
            exports.Sheet("", ["Số"], [[5]]),
        ],
    )
    book = workbook(response)
    assert book.sheetnames == [
        "Tổng hợp 20212026 tỉnh",
        "tổng hợp 2021 2026 tỉnh",
        "Tổng hợp 2021 2026 tỉnh (2)",
        "Ban Dân vận",
        "Sheet",
    ]
    assert [book[name]["A2"].value for name in book.sheetnames] == [1, 2, 3, 4, 5]
    assert all(book[name].print_title_rows == "$1:$1" for name in book.sheetnames)


def test_xlsx_column_letters_go_past_z():
    from reports.xlsx import column_letter

    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip
    headers = [f"Cột {n}" for n in range(30)]
    sheet = workbook(exports.xlsx_response("a.xlsx", "A", headers, [list(range(30))])).active
    assert sheet["AD2"].value == 29 and sheet["AD1"].value == "Cột 29"
