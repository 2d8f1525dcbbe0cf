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

from agreements.text import fold

from . import xlsx
from .xlsx import DATE_FORMAT, DATETIME_FORMAT, DECIMAL_FORMAT, INTEGER_FORMAT  # noqa: F401

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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


def _write_sheet(book, index, sheet):
    headers = [str(header) for header in sheet.headers]
    rows = iter(sheet.rows)
    sample = []
    for row in rows:
        sample.append(row)
        if len(sample) >= WIDTH_SAMPLE_ROWS:
            break
    widths = []
    for column, header in enumerate(headers):
        longest = max(
            [len(header), *(_display_length(row[column]) for row in sample if column < len(row))]
        )
        widths.append(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))
    writer = book.sheet(index, widths=widths, formats=sheet.number_formats)
    writer.header(headers)
    for source in (sample, rows):
        for row in source:
            writer.row(row)
    writer.close()


def xlsx_workbook_response(filename, sheets):
    """Write `sheets` row by row into a temporary file (`reports.xlsx`: memory stays
    constant) and send it from there."""
    # TemporaryFile disappears when FileResponse closes it after sending.
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    with xlsx.WorkbookWriter(handle, [sheet.title for sheet in sheets]) as book:
        for index, sheet in enumerate(sheets):
            _write_sheet(book, index, sheet)
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
