"""The agreement report as a Word document: one agreement in full, issued by its
lead agency."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from docx.shared import Mm

from .labels import (
    activity_state,
    agreement_subject,
    legal_basis_text,
    paper_text,
    review_heading,
    signatory_text,
    where_text,
)
from .official import (
    ROMAN,
    TEXT_WIDTH,
    body,
    data_table,
    format_date,
    format_number,
    format_percentage,
    header_block,
    heading,
    new_document,
    signature_block,
    title_block,
    to_bytes,
    write_lines,
)


def agreement_docx(agreement, *, data) -> bytes:
    """One agreement in full, as a report of its lead agency (`data`: the output of
    `selectors.documents.agreement_report`)."""
    with translation.override("vi"):
        document = new_document()
        header_block(document, issuer=data["issuer"], on=data["on"])
        title_block(document, agreement_subject(agreement))
        sections = [
            # The page's headings, in capitals as the official format sets them.
            (_("Thông tin chung"), _general_part),
            (_("Các bên tham gia và người ký"), _parties_part),
            (_("Nội dung phối hợp và kết quả đánh giá qua các năm"), _items_part),
            (_("Kế hoạch thực hiện năm"), _plans_part),
            (_("Giao ban, sơ kết, tổng kết"), _reviews_part),
            (_("Số liệu chỉ tiêu"), _figures_part),
            (_("Tệp đính kèm"), _attachments_part),
        ]
        for number, (title, part) in zip(ROMAN, sections, strict=False):
            heading(document, f"{number}. {title.upper()}")
            part(document, agreement, data)
        signature_block(document, signers=data["signers"], recipients=data["recipients"])
        return to_bytes(document)


def _fact(document, label, value):
    if not value:
        return
    paragraph = body(document, "")
    label_run = paragraph.add_run(f"{label}: ")
    label_run.bold = True
    paragraph.add_run(str(value))


def _general_part(document, agreement, data):
    signed = format_date(agreement.signed_on)
    if signed and agreement.place:
        signed = f"{signed}, {agreement.place}"
    effective = ""
    if agreement.effective_from or agreement.effective_until:
        effective = (
            f"{format_date(agreement.effective_from) or '…'} – "
            f"{format_date(agreement.effective_until) or '…'}"
        )
    _fact(document, _("Loại văn bản"), agreement.get_kind_display())
    _fact(document, _("Số, ký hiệu"), agreement.number or _("(chưa có thông tin)"))
    _fact(document, _("Trích yếu"), agreement.title)
    _fact(document, _("Ngày ký"), signed)
    _fact(document, _("Giai đoạn / nhiệm kỳ"), agreement.period_label or _("Không thời hạn"))
    _fact(document, _("Hiệu lực"), effective)
    _fact(document, _("Tình trạng"), data["status"].label)
    _fact(document, _("Cơ quan chủ trì"), agreement.lead_agency.name)
    if data["predecessor"]:
        _fact(document, _("Thay thế văn bản"), str(data["predecessor"]))
    for successor in data["successors"]:
        _fact(document, _("Được thay thế bởi"), str(successor))
    if data["legal_bases"]:
        body(document, _("Căn cứ") + ":", bold=True, keep=True)
        for basis in data["legal_bases"]:
            body(document, "- " + legal_basis_text(basis))


def _parties_part(document, agreement, data):
    rows = []
    for index, party in enumerate(data["parties"], start=1):
        name = party.name_as_signed
        for change in party.agency.changes_out.all():
            if change.successor_id:
                name += "\n" + _("Nay: %(kind)s %(name)s") % {
                    "kind": change.get_kind_display().lower(),
                    "name": change.successor.name,
                }
            else:
                name += "\n" + change.get_kind_display()
        signatories = "\n".join(signatory_text(s) for s in party.signatories.all())
        rows.append((str(index), name, party.get_role_display(), signatories or "—"))
    headers = (_("TT"), _("Cơ quan (tên trên văn bản)"), _("Vai trò"), _("Người ký"))
    data_table(document, headers, rows, (Mm(12), Mm(68), Mm(22), Mm(63)), numeric={0})


def _items_part(document, agreement, data):
    missing = data["missing_item_count"]
    if missing:
        text = ngettext(
            "Văn bản có %(declared)s nội dung; còn %(counter)s nội dung chưa được nhập.",
            "Văn bản có %(declared)s nội dung; còn %(counter)s nội dung chưa được nhập.",
            missing,
        )
        body(
            document,
            text % {"declared": agreement.declared_item_count, "counter": missing},
            italic=True,
        )
    if not data["items"]:
        body(document, _("Chưa nhập nội dung nào."), italic=True)
        return
    years = data["years"]
    year_width = Mm(22) if len(years) <= 4 else Mm(max(88 // len(years), 12))
    title_width = TEXT_WIDTH - Mm(10) - year_width * len(years)
    headers = (_("TT"), _("Nội dung phối hợp"), *(str(year) for year in years))
    rows = [
        (
            str(row["item"].number),
            row["item"].title,
            *((cell["label"] if cell else "—") for cell in row["cells"]),
        )
        for row in data["matrix"]
    ]
    size = 12 if len(years) <= 4 else 10
    data_table(
        document,
        headers,
        rows,
        (Mm(10), title_width, *[year_width] * len(years)),
        numeric={0},
        size=size,
    )


def _plans_part(document, agreement, data):
    if not data["plans"]:
        body(document, _("Chưa có kế hoạch năm."), italic=True)
        return
    for plan in data["plans"]:
        title = _("Kế hoạch năm %(year)s") % {"year": plan.year}
        if plan.number:
            title += " " + _("số %(number)s") % {"number": plan.number}
        if plan.issued_on:
            title += " " + _("ngày %(date)s") % {"date": format_date(plan.issued_on)}
        progress = _("%(done)s/%(total)s hoạt động hoàn thành, %(overdue)s quá hạn") % {
            "done": plan.done_count,
            "total": plan.activity_count,
            "overdue": plan.overdue_count,
        }
        title += f" ({progress})"
        body(document, title, bold=True, keep=True)
        write_lines(document, plan.summary)
        rows = [
            (
                str(index),
                activity.activity,
                str(activity.responsible_agency or ""),
                format_date(activity.deadline),
                activity_state(activity),
            )
            for index, activity in enumerate(plan.activities.all(), start=1)
        ]
        if rows:
            headers = (_("TT"), _("Hoạt động"), _("Cơ quan thực hiện"), _("Thời hạn"), _("Kết quả"))
            data_table(
                document, headers, rows, (Mm(10), Mm(65), Mm(35), Mm(22), Mm(33)), numeric={0}
            )


def _reviews_part(document, agreement, data):
    if not data["reviews"]:
        body(document, _("Chưa có giao ban, sơ kết, tổng kết nào."), italic=True)
        return
    for index, review in enumerate(data["reviews"], start=1):
        body(document, f"{index}. {review_heading(review)}", bold=True, keep=True)
        _fact(document, _("Trạng thái"), review.get_status_display())
        _fact(document, _("Địa điểm"), review.place)
        _fact(document, _("Chủ trì"), "; ".join(review.chaired_by.splitlines()))
        for name in review.NARRATIVE_FIELDS:
            text = getattr(review, name)
            if text:
                label = str(review._meta.get_field(name).verbose_name)
                body(
                    document, label[:1].upper() + label[1:] + ":", italic=True, bold=True, keep=True
                )
                write_lines(document, text)
        papers = list(review.papers.all())
        if papers:
            body(document, _("Tham luận") + ":", italic=True, bold=True, keep=True)
            for paper in papers:
                body(document, "- " + paper_text(paper))


def _figures_part(document, agreement, data):
    values = data["indicator_values"]
    if not values:
        body(document, _("Chưa có số liệu chỉ tiêu."), italic=True)
        return
    headers = (
        _("Chỉ tiêu"),
        _("Năm"),
        _("Địa bàn / cơ quan"),
        _("Giá trị"),
        _("Mẫu số"),
        _("Tỷ lệ"),
    )
    rows = [
        (
            f"{value.indicator.name} ({value.indicator.unit})",
            str(value.year),
            where_text(value),
            format_number(value.value),
            format_number(value.denominator),
            format_percentage(value.percentage),
        )
        for value in values
    ]
    data_table(
        document,
        headers,
        rows,
        (Mm(55), Mm(14), Mm(36), Mm(22), Mm(20), Mm(18)),
        numeric={1, 3, 4, 5},
    )


def _attachments_part(document, agreement, data):
    if not data["attachments"]:
        body(document, _("Chưa có tệp đính kèm."), italic=True)
        return
    for attachment in data["attachments"]:
        text = f"- {attachment.title} ({attachment.get_kind_display()}"
        if attachment.original_name:
            text += f", {attachment.original_name}"
        text += ")"
        body(document, text)
