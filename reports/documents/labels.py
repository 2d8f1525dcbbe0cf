"""Texts shared by the document reports and their pages: subjects, periods, the
state of an activity, how a legal basis, a signatory or a paper is written."""

from django.utils.translation import gettext as _

from .official import format_date


def where_text(value):
    parts = [str(part) for part in (value.area, value.agency) if part is not None]
    return " · ".join(parts)


def period_text(period):
    """The period of a review report's subject: "năm 2023", "giai đoạn 2016 – 2021"."""
    if period["kind"] == "year":
        return _("năm %(year)s") % {"year": period["year"]}
    if period["kind"] == "years":
        return _("giai đoạn %(start)s – %(end)s") % period
    if period["kind"] == "dates":
        return _("từ ngày %(start)s đến ngày %(end)s") % {
            "start": format_date(period["start"]),
            "end": format_date(period["end"]),
        }
    return ""


def review_subject(review, period):
    text = _("Kết quả thực hiện %(title)s") % {"title": review.agreement.title}
    suffix = period_text(period)
    return f"{text} {suffix}" if suffix else text


def agreement_subject(agreement):
    return _("Tình hình thực hiện %(title)s") % {"title": agreement.title}


def activity_state(activity):
    if activity.done_on:
        return _("Hoàn thành ngày %(date)s") % {"date": format_date(activity.done_on)}
    if activity.is_overdue:
        return _("Quá hạn")
    return _("Đang thực hiện")


def legal_basis_text(basis):
    text = basis.number
    if basis.issued_on:
        text += " " + _("ngày %(date)s") % {"date": format_date(basis.issued_on)}
    if basis.issuer:
        text += " " + _("của %(issuer)s") % {"issuer": basis.issuer}
    if basis.title:
        text += f": {basis.title}"
    return text


def signatory_text(signatory):
    parts = [f"{signatory.prefix} {signatory.on_behalf_of}".strip(), signatory.name]
    if signatory.position:
        parts.append(signatory.position)
    return ", ".join(part for part in parts if part)


def review_heading(review):
    text = review.get_kind_display()
    if review.held_on:
        text += " " + _("ngày %(date)s") % {"date": format_date(review.held_on)}
    if review.title:
        text += f": {review.title}"
    return text


def paper_text(paper):
    text = paper.title
    if paper.presenter:
        text += f" ({paper.presenter}"
        text += f", {paper.position})" if paper.position else ")"
    return text
