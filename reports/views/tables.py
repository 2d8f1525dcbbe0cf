"""The table reports: index, term summary, indicator report, agency report.

Each page is filtered by a GET form (its state is in the URL), printable, and
exported with the same filters by `?format=csv` or `?format=xlsx` (the term
summary also `?format=docx`). The agency report's second table, what the agency
owes, is `?format=csv&part=owed` in CSV and the second sheet in XLSX.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from .. import exports
from ..documents import term_summary_docx
from ..selectors import tables as selectors
from ..snapshots import remembered_template

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def page_number(params):
    """The `page` parameter as a number ≥ 1 (1 when missing or not a number)."""
    value = params.get("page", "")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _joined(values):
    return "; ".join(str(value) for value in values)


class ReportIndexView(LoginRequiredMixin, TemplateView):
    """The five reports, each with a sentence saying what it is for."""

    template_name = "reports/index.html"


class TableReportView(LoginRequiredMixin, TemplateView):
    """A report built once by `build()`, shown as a page or exported as a table.

    Subclasses give `build()` (a selector call) and `table(report)`, the exported
    table as (headers, rows, number formats); `export_name(report)` names the file;
    `docx(report)` gives the Word file where `export_formats` has "docx". The page
    is `template_name` around `body_template_name` (the same name ending in
    "_body.html"), which shows the report.
    """

    @property
    def body_template_name(self):
        return self.template_name.removesuffix(".html") + "_body.html"

    sheet_title = ""
    # What `?format=` may ask for; any other value shows the page.
    export_formats = ("csv", "xlsx")

    def exporting(self):
        """Whether the request asks for a download (every row) rather than the page."""
        return self.request.GET.get("format", "") in self.export_formats

    def get(self, request, *args, **kwargs):
        if not self.exporting():
            # The page's body (filters, tables, pages) is rendered once per scope,
            # parameters, day, language and generation, then served from the cache
            # until a write moves the generation on; the page around it every time.
            body = remembered_template(
                self.body_template_name,
                lambda: self.get_context_data(report=self.build()),
                request=request,
                **selectors.table_report_key(
                    user=request.user, path=request.path, params=request.GET
                ),
            )
            return self.render_to_response({"body": body})
        export = request.GET["format"]
        report = self.build()
        if export == "csv":
            headers, rows, _formats = self.table(report, part=request.GET.get("part", ""))
            return exports.csv_response(f"{self.export_name(report)}.csv", headers, rows)
        if export == "xlsx":
            return exports.xlsx_workbook_response(
                f"{self.export_name(report)}.xlsx", self.sheets(report)
            )
        return self.docx(report)

    def build(self):
        raise NotImplementedError

    def table(self, report, part=""):
        raise NotImplementedError

    def sheets(self, report):
        headers, rows, formats = self.table(report)
        return [exports.Sheet(self.sheet_title, headers, rows, number_formats=formats)]

    def export_name(self, report):
        raise NotImplementedError

    def docx(self, report):
        raise NotImplementedError


class TermSummaryView(TableReportView):
    template_name = "reports/term_summary.html"
    sheet_title = gettext_lazy("Tổng hợp nhiệm kỳ")
    export_formats = ("csv", "xlsx", "docx")

    def build(self):
        # The page shows PAGE_SIZE rows at a time; the exports hold every row.
        page = None if self.exporting() else page_number(self.request.GET)
        return selectors.term_summary(user=self.request.user, filters=self.request.GET, page=page)

    def export_name(self, report):
        if report["term"]:
            return _("Tổng hợp văn bản phối hợp nhiệm kỳ %(term)s") % {
                "term": report["term"].replace(" – ", "-")
            }
        return _("Tổng hợp văn bản phối hợp")

    def table(self, report, part=""):
        headers = [
            _("STT"),
            _("Số, ký hiệu"),
            _("Trích yếu"),
            _("Loại"),
            _("Các bên"),
            _("Ngày ký"),
            _("Giai đoạn"),
            _("Tình trạng"),
            _("Nội dung đã nhập"),
            _("Nội dung theo văn bản"),
            _("Đã đánh giá"),
            _("Đến hạn, quá hạn đánh giá"),
        ]

        def rows():
            for index, row in enumerate(report["rows"], start=1):
                yield [
                    index,
                    row["number"],
                    row["title"],
                    row["kind"],
                    _joined(row["parties"]),
                    row["signed_on"],
                    row["period"],
                    row["status"],
                    row["items_entered"],
                    row["items_declared"],
                    row["reviews_done"],
                    row["reviews_due"],
                ]
            totals = report["totals"]
            yield [
                None,
                ngettext(
                    "Tổng cộng: %(count)s văn bản", "Tổng cộng: %(count)s văn bản", totals["count"]
                )
                % {"count": totals["count"]},
                *[None] * 6,
                totals["items_entered"],
                totals["items_declared"],
                totals["reviews_done"],
                totals["reviews_due"],
            ]

        return headers, rows(), {}

    def docx(self, report):
        profile = getattr(self.request.user, "profile", None)
        issuer = profile.agency if profile is not None and profile.agency_id else None
        title = _("Tổng hợp các văn bản phối hợp công tác dân vận")
        if report["term"]:
            title = _("Tổng hợp các văn bản phối hợp công tác dân vận nhiệm kỳ %(term)s") % {
                "term": report["term"]
            }
        content = term_summary_docx(report, title=title, issuer_agency=issuer, on=report["on"])
        response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
        response["Content-Disposition"] = exports.content_disposition(
            f"{self.export_name(report)}.docx"
        )
        return response


class IndicatorReportView(TableReportView):
    template_name = "reports/indicator_report.html"
    sheet_title = gettext_lazy("Chỉ tiêu")

    def build(self):
        return selectors.indicator_report(user=self.request.user, filters=self.request.GET)

    def export_name(self, report):
        years = report["years"]
        if years:
            return _("Báo cáo chỉ tiêu %(first)s-%(last)s") % {"first": years[0], "last": years[-1]}
        return _("Báo cáo chỉ tiêu")

    def table(self, report, part=""):
        place = report["grouping_label"] or _("Phạm vi")
        headers = [
            _("Mã chỉ tiêu"),
            _("Chỉ tiêu"),
            _("Đơn vị tính"),
            place,
            _("Năm"),
            _("Giá trị"),
            _("Mẫu số"),
            _("Tỷ lệ (%)"),
            _("Năm trước"),
            _("Chênh lệch"),
            _("Tăng, giảm (%)"),
        ]

        def rows():
            for section in report["sections"]:
                indicator = section["indicator"]
                for series in section["series"]:
                    for point in series["points"]:
                        yield [
                            indicator.code,
                            indicator.name,
                            indicator.unit,
                            series["label"],
                            point["year"],
                            point["value"],
                            point["denominator"],
                            point["percentage"],
                            point["previous"],
                            point["difference"],
                            point["change"],
                        ]

        # Years are written as plain numbers (2022, not 2.022); percentages and
        # changes in percentage points with one decimal and a "%" sign.
        formats = {4: "0", 7: exports.PERCENT_FORMAT, 10: exports.PERCENT_FORMAT}
        return headers, rows(), formats


class AgencyReportView(TableReportView):
    template_name = "reports/agency_report.html"

    def build(self):
        # The page lists the first PAGE_SIZE rows of each table; the exports all.
        limit = None if self.exporting() else selectors.PAGE_SIZE
        return selectors.agency_report(
            user=self.request.user, filters=self.request.GET, limit=limit
        )

    def export_name(self, report):
        agency = report["agency"]
        if agency is None:
            return _("Báo cáo cơ quan")
        return _("Báo cáo cơ quan %(agency)s") % {"agency": agency.short_name or agency.name}

    def table(self, report, part=""):
        if part == "owed":
            return self.owed_table(report)
        headers = [
            _("STT"),
            _("Số, ký hiệu"),
            _("Trích yếu"),
            _("Loại"),
            _("Vai trò"),
            _("Tên cơ quan trên văn bản"),
            _("Cơ quan chủ trì"),
            _("Ngày ký"),
            _("Giai đoạn"),
            _("Tình trạng"),
        ]

        def rows():
            for index, row in enumerate(report["agreements"], start=1):
                yield [
                    index,
                    row["number"],
                    row["title"],
                    row["kind"],
                    _joined(row["roles"]),
                    _joined(row["names"]),
                    row["lead"].name,
                    row["signed_on"],
                    row["period"],
                    row["status"],
                ]

        return headers, rows(), {}

    def owed_table(self, report):
        headers = [
            _("STT"),
            _("Việc phải làm"),
            _("Số, ký hiệu"),
            _("Trích yếu"),
            _("Kỳ, nội dung"),
            _("Hạn"),
            _("Tình trạng"),
            _("Cơ quan chịu trách nhiệm"),
            _("Trách nhiệm của cơ quan"),
        ]

        def rows():
            for index, row in enumerate(report["owed"], start=1):
                yield [
                    index,
                    row["type_label"],
                    row["agreement"].number,
                    row["agreement"].title,
                    row["what"],
                    row["due_on"],
                    _("Quá hạn") if row["overdue"] else _("Đến hạn"),
                    row["responsible"].name if row["responsible"] else "",
                    row["role_label"],
                ]

        return headers, rows(), {}

    def sheets(self, report):
        agreements = self.table(report)
        owed = self.owed_table(report)
        return [
            exports.Sheet(_("Văn bản tham gia"), agreements[0], agreements[1]),
            exports.Sheet(_("Việc phải làm"), owed[0], owed[1]),
        ]
