"""Document reports: one agreement in full, one review as the report sent upward.

Each is a printable page and, with `?format=docx`, a Word file in the official
format. Only what `Agreement.objects.for_user` allows is found; anything else is 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.views.generic import DetailView

from agreements.models import Agreement, Review

from .. import documents
from ..exports import content_disposition
from ..selectors import documents as selectors
from ..snapshots import remembered_template


def docx_response(filename, content):
    """A DOCX download: "Báo cáo 31B.docx" is sent as filename="bao-cao-31b.docx"
    with the Vietnamese name alongside for browsers that read it."""
    response = HttpResponse(content, content_type=documents.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    return response


class DocumentReportView(LoginRequiredMixin, DetailView):
    """A report on one object: the page, or the DOCX when `?format=docx`."""

    def report_data(self):
        raise NotImplementedError

    def docx(self, data):
        raise NotImplementedError

    def page_data(self, data):
        return data

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        data = self.report_data()
        if request.GET.get("format") == "docx":
            return self.docx(data)
        context = self.get_context_data(object=self.object, **self.page_data(data))
        return self.render_to_response(context)


class AgreementReportView(DocumentReportView):
    """The page's frame around the report's body; the body (hundreds of rows for an
    agreement with 30 items and 10 reviews) is rendered once per agreement, day,
    language and generation (`selectors.agreement_report_key`), then served from the
    cache until a write moves the generation on."""

    template_name = "reports/agreement_report.html"
    body_template_name = "reports/agreement_report_body.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "docx":
            return super().get(request, *args, **kwargs)
        self.object = self.get_object()
        body = remembered_template(
            self.body_template_name,
            lambda: {"object": self.object, **self.report_data()},
            **selectors.agreement_report_key(agreement=self.object),
        )
        return self.render_to_response(self.get_context_data(object=self.object, body=body))

    def get_queryset(self):
        return (
            Agreement.objects.for_user(self.request.user)
            .with_status()
            .select_related("lead_agency__area", "lead_agency__parent", "supersedes")
        )

    def report_data(self):
        return selectors.agreement_report(agreement=self.object)

    def docx(self, data):
        agreement = self.object
        # A slash would read as a folder in the saved file name.
        name = agreement.number or f"{agreement.get_kind_display()} {agreement.pk}"
        name = name.replace("/", "-")
        return docx_response(f"Báo cáo {name}.docx", documents.agreement_docx(agreement, data=data))


class ReviewReportView(DocumentReportView):
    template_name = "reports/review_report.html"

    def get_queryset(self):
        visible = Agreement.objects.for_user(self.request.user)
        return Review.objects.filter(agreement__in=visible).select_related(
            "agreement__lead_agency__area", "agreement__lead_agency__parent"
        )

    def report_data(self):
        return selectors.review_report(review=self.object)

    def page_data(self, data):
        return {**data, "doc": documents.review_page_parts(self.object, data=data)}

    def docx(self, data):
        review = self.object
        when = review.held_on.strftime("%d-%m-%Y") if review.held_on else str(review.pk)
        return docx_response(
            f"Báo cáo {review.get_kind_display()} {when}.docx",
            documents.review_docx(review, data=data),
        )
