"""Tables leaving the system as CSV and XLSX, in constant memory.

Both take the same `headers` and `rows` (any iterable of sequences, consumed once),
so a report builds its rows once and exports them either way.

Cell values:
- numbers (int, Decimal, float) stay numbers: XLSX cells are numeric; CSV writes
  them without grouping and with "." as the decimal point (2875, 83.0), because a
  CSV is read back by programs, and "2.875" would read as two point eight;
- dates are real dates in XLSX ("DD/MM/YYYY" format) and dd/mm/yyyy in CSV;
- percentages are given as percentage points (83.0 for 166/200) and shown in XLSX
  with the format `PERCENT_FORMAT` (83.0 displayed as "83,0%" on a Vietnamese
  Excel): the number in the cell is the one printed on the page, so a leader who
  copies it or sums it gets what the report says;
- anything else is text (lazy translations included).
"""

import csv
import datetime
import tempfile
from decimal import Decimal
from urllib.parse import quote

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from agreements.text import fold

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
PERCENT_FORMAT = '0.0"%"'
# Column widths are measured on the first rows only: write-only sheets need them
# before the first row is written, and reading everything first would cost memory.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH = 8
MAX_WIDTH = 60


def content_disposition(filename):
    """`attachment` with the Vietnamese name (RFC 6266 `filename*`) and an ASCII
    fallback for old clients: "Tổng hợp.csv" → filename="tong-hop.csv"."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = "-".join(part for part in _ascii_words(stem)) or "bao-cao"
    fallback = f"{ascii_stem}.{extension}" if extension else ascii_stem
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def _ascii_words(text):
    word = []
    for char in fold(text):
        if char.isascii() and char.isalnum():
            word.append(char)
        elif word:
            yield "".join(word)
            word = []
    if word:
        yield "".join(word)


# --- CSV -------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def csv_text(value):
    """How one cell is written to CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return _plain_decimal(value)
    if isinstance(value, float):
        return _plain_decimal(Decimal(str(value)))
    return str(value)


def _plain_decimal(value):
    """2875.00 → "2875", 83.50 → "83.5": no exponent, no trailing zeros."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def csv_response(filename, headers, rows):
    """Stream `rows` as CSV, UTF-8 with a byte-order mark so that Excel reads the
    Vietnamese correctly. Rows are read one at a time while the response is sent."""
    language = translation.get_language()
    writer = csv.writer(_Echo())

    def lines():
        # The response is sent after the middleware has reset the language, so
        # translated labels in the rows are rendered in the user's language here.
        with translation.override(language):
            yield "\ufeff" + writer.writerow([str(header) for header in headers])
            for row in rows:
                yield writer.writerow([csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


# --- XLSX ------------------------------------------------------------------------


def xlsx_value(value):
    """A cell value openpyxl stores as the right type, and its default number format."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int):
        return value, INTEGER_FORMAT
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value), INTEGER_FORMAT
        return float(value), DECIMAL_FORMAT
    if isinstance(value, float):
        return value, DECIMAL_FORMAT
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        return value, DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return value, DATE_FORMAT
    return str(value), None


def _display_length(value):
    if value is None:
        return 0
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


class Sheet:
    """One sheet of a workbook: title, headers, rows, and number formats by column
    index (0-based) that override the type's default (e.g. `PERCENT_FORMAT`)."""

    def __init__(self, title, headers, rows, number_formats=None):
        self.title = title
        self.headers = headers
        self.rows = rows
        self.number_formats = number_formats or {}


def _write_sheet(workbook, sheet):
    # Excel refuses sheet titles longer than 31 characters or with []:*?/\.
    title = "".join(c for c in str(sheet.title) if c not in "[]:*?/\\")[:31] or "Sheet"
    worksheet = workbook.create_sheet(title=title)
    headers = [str(header) for header in sheet.headers]
    rows = iter(sheet.rows)
    sample = []
    for row in rows:
        sample.append(row)
        if len(sample) >= WIDTH_SAMPLE_ROWS:
            break
    for index, header in enumerate(headers):
        longest = max(
            [len(header), *(_display_length(row[index]) for row in sample if index < len(row))]
        )
        width = min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)
        worksheet.column_dimensions[get_column_letter(index + 1)].width = width
    worksheet.freeze_panes = "A2"
    worksheet.print_title_rows = "1:1"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(worksheet, value=header)
        cell.font = bold
        cell.alignment = wrap
        header_cells.append(cell)
    worksheet.append(header_cells)
    for source in (sample, rows):
        for row in source:
            worksheet.append(_cells(worksheet, row, sheet.number_formats))


def _cells(worksheet, row, number_formats):
    cells = []
    for index, raw in enumerate(row):
        value, number_format = xlsx_value(raw)
        fmt = number_formats.get(index) if isinstance(value, int | float) else None
        if not (fmt or number_format):
            # Text, booleans and empty cells go in as plain values: a styled cell
            # object per cell is most of the time of a 10,000-row sheet.
            cells.append(value)
            continue
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = fmt or number_format
        cells.append(cell)
    return cells


def xlsx_workbook_response(filename, sheets):
    """Write `sheets` to a workbook in openpyxl's write-only mode (rows go to disk as
    they are written) and send it from a temporary file: memory stays constant."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    # TemporaryFile disappears when FileResponse closes it after sending.
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def xlsx_response(filename, sheet_title, headers, rows, number_formats=None):
    """One table as an XLSX download: bold Vietnamese headers, header row frozen and
    repeated on printed pages, numbers as numbers, dates as dates, column widths."""
    return xlsx_workbook_response(
        filename, [Sheet(sheet_title, headers, rows, number_formats=number_formats)]
    )
