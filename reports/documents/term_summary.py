"""The term summary as a Word document: every agreement of a term in a table,
with totals (the rows come from `selectors.tables.term_summary`)."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from docx.shared import Mm

from agreements.models import Agency

from .official import (
    Bold,
    data_table,
    format_date,
    format_number,
    header_block,
    new_document,
    signature_block,
    title_block,
    to_bytes,
)


def term_summary_docx(summary: dict, *, title: str, issuer_agency: Agency | None, on=None) -> bytes:
    """The term summary (`summary`: the output of `selectors.tables.term_summary`,
    rows and totals) as a table document of `issuer_agency`, dated `on` (today).
    Pass the issuer with its area and parent loaded, or the builder reads them."""
    with translation.override("vi"):
        document = new_document()
        header_block(document, issuer=issuer_agency, on=on or timezone.localdate())
        title_block(document, title)
        headers = (
            _("TT"),
            _("Số, ký hiệu, ngày ký"),
            _("Trích yếu"),
            _("Các bên tham gia"),
            _("Giai đoạn, tình trạng"),
            _("Nội dung đã nhập / theo văn bản"),
            _("Đã đánh giá"),
            _("Đánh giá đến hạn, quá hạn"),
        )
        rows = [_summary_row(index, row) for index, row in enumerate(summary["rows"], start=1)]
        totals = summary["totals"]
        count = _("Tổng cộng: %(count)s văn bản") % {"count": format_number(totals["count"])}
        rows.append(
            (
                Bold(""),
                Bold(count),
                Bold(""),
                Bold(""),
                Bold(""),
                Bold(_ratio(totals["items_entered"], totals["items_declared"])),
                Bold(format_number(totals["reviews_done"])),
                Bold(_owed(totals)),
            )
        )
        widths = (Mm(9), Mm(28), Mm(44), Mm(32), Mm(22), Mm(10), Mm(10), Mm(10))
        data_table(document, headers, rows, widths, numeric={0, 5, 6, 7}, size=11)
        signature_block(document, signers=[], recipients=[])
        return to_bytes(document)


def _ratio(done, total):
    """Entered of declared, "8/10"; "0/—" when the document gives no number."""
    return f"{format_number(done or 0)}/{format_number(total) if total is not None else '—'}"


def _owed(row):
    """Reviews owed, "3" or "3 (1 quá hạn)"."""
    text = format_number(row["reviews_due"])
    overdue = row.get("reviews_overdue")
    if overdue:
        text += " " + _("(%(count)s quá hạn)") % {"count": format_number(overdue)}
    return text


def _summary_row(index, row):
    agreement = row["agreement"]
    number = agreement.number or agreement.get_kind_display()
    signed = format_date(row.get("signed_on"))
    return (
        str(index),
        f"{number}\n{signed}" if signed else number,
        agreement.title,
        "\n".join(str(name) for name in row["parties"]),
        f"{row['period'] or ''}\n{row['status']}".strip(),
        _ratio(row["items_entered"], row["items_declared"]),
        format_number(row["reviews_done"]),
        _owed(row),
    )
