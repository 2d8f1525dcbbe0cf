"""The review report as a Word document: one review laid out as the report a
province sends upward (results with figures, limitations, causes, lessons,
directions, recommendations), and the texts its printable page shares."""

from django.utils import translation
from django.utils.translation import gettext as _
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from .labels import paper_text, review_subject, where_text
from .official import (
    ROMAN,
    body,
    data_table,
    format_date,
    format_number,
    format_percentage,
    header_block,
    heading,
    heading_parts,
    new_document,
    signature_block,
    title_block,
    to_bytes,
    write,
    write_lines,
)


def review_docx(review, *, data) -> bytes:
    """One review as the report a province sends upward (`data`: the output of
    `selectors.documents.review_report`): results with the figures compared with the
    year before, limitations, causes, lessons, directions, recommendations; the item
    assessments and the contributed papers follow the signature as appendices."""
    with translation.override("vi"):
        document = new_document()
        header_block(document, issuer=data["issuer"], on=data["on"])
        title_block(document, review_subject(review, data["period"]))
        write_lines(document, review_intro(review))
        for number, section in zip(ROMAN, data["sections"], strict=False):
            heading(document, f"{number}. {str(section['label']).upper()}")
            if not write_lines(document, section["text"]):
                body(document, _("(Chưa có nội dung.)"), italic=True)
            if section["name"] == "results" and data["figures"]:
                body(
                    document, _("Kết quả một số chỉ tiêu") + ":", bold=True, italic=True, keep=True
                )
                _review_figures(document, data["figures"])
        signature_block(document, signers=data["signers"], recipients=data["recipients"])
        _review_appendices(document, data)
        return to_bytes(document)


def review_page_parts(review, *, data):
    """The header block, subject and opening of a review report, for its page."""
    return {
        **heading_parts(data["issuer"], data["on"]),
        "subject": review_subject(review, data["period"]),
        "intro": review_intro(review),
    }


def review_intro(review):
    """How the review came about: the conference, where and who chaired it."""
    parts = []
    if review.title:
        parts.append(review.title)
    if review.held_on:
        parts.append(_("tổ chức ngày %(date)s") % {"date": format_date(review.held_on)})
    if review.place:
        parts.append(_("tại %(place)s") % {"place": review.place})
    if review.chaired_by:
        chairs = "; ".join(line.strip() for line in review.chaired_by.splitlines() if line.strip())
        parts.append(_("do %(chairs)s chủ trì") % {"chairs": chairs})
    if not parts:
        return ""
    text = ", ".join(parts)
    return text[:1].upper() + text[1:] + "."


def figure_rows(figures):
    """Rows of the figures table: indicator, where, value, denominator, %, year before."""
    rows = []
    for index, figure in enumerate(figures, start=1):
        value, previous = figure["value"], figure["previous"]
        before = ""
        if previous is not None:
            before = format_number(previous.value)
            if previous.percentage is not None:
                before += f" ({format_percentage(previous.percentage)})"
        rows.append(
            (
                str(index),
                f"{value.indicator.name} ({value.indicator.unit}, {value.year})",
                where_text(value),
                format_number(value.value),
                format_number(value.denominator),
                format_percentage(value.percentage),
                before,
            )
        )
    return rows


def _review_figures(document, figures):
    headers = (
        _("TT"),
        _("Chỉ tiêu"),
        _("Địa bàn / cơ quan"),
        _("Giá trị"),
        _("Mẫu số"),
        _("Tỷ lệ"),
        _("Năm trước"),
    )
    widths = (Mm(9), Mm(52), Mm(30), Mm(20), Mm(18), Mm(16), Mm(20))
    data_table(document, headers, figure_rows(figures), widths, numeric={0, 3, 4, 5, 6}, size=11)


def _review_appendices(document, data):
    centre = WD_ALIGN_PARAGRAPH.CENTER
    appendices = []
    if data["assessments"]:
        appendices.append((_("Kết quả thực hiện các nội dung phối hợp"), _assessments_table))
    if data["papers"]:
        appendices.append((_("Danh sách tham luận"), _papers_list))
    for number, (title, part) in enumerate(appendices, start=1):
        paragraph = write(
            document, _("PHỤ LỤC %(number)s") % {"number": number}, bold=True, align=centre, after=0
        )
        paragraph.paragraph_format.page_break_before = True
        write(document, title.upper(), bold=True, align=centre, after=12)
        part(document, data)


def _assessments_table(document, data):
    headers = (_("TT"), _("Nội dung phối hợp"), _("Tiến độ"), _("Nhận xét"))
    rows = [
        (
            str(assessment.content_item.number),
            assessment.content_item.title,
            assessment.get_progress_display(),
            assessment.comment,
        )
        for assessment in data["assessments"]
    ]
    data_table(document, headers, rows, (Mm(10), Mm(70), Mm(30), Mm(55)), numeric={0})


def _papers_list(document, data):
    for index, paper in enumerate(data["papers"], start=1):
        body(document, f"{index}. {paper_text(paper)}")
