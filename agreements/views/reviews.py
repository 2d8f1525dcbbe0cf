"""Review pages: detail, entry and editing, and the approval workflow."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from .. import forms, selectors, services
from ..models import (
    Agreement,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    Review,
)
from ..querysets import role_of
from ..text import nfc
from .base import MultiFormView


class ReviewDetailView(LoginRequiredMixin, DetailView):
    template_name = "agreements/review_detail.html"

    def get_queryset(self):
        visible = Agreement.objects.for_user(self.request.user)
        return Review.objects.filter(agreement__in=visible).select_related(
            "agreement", "approved_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.review_detail(review=self.object, user=self.request.user))
        return context


class ReviewFormView(MultiFormView):
    """Enter or edit a review: report sections, papers, item assessments, figures."""

    template_name = "agreements/review_form.html"
    conflict_message = gettext_lazy("Hội nghị vừa được người khác cập nhật.")
    saved_message = gettext_lazy("Đã lưu hội nghị.")

    def load(self, pk=None, review_pk=None):
        editable = Agreement.objects.editable_by(self.request.user)
        if review_pk is not None:
            self.object = get_object_or_404(
                Review.objects.filter(agreement__in=editable).select_related("agreement"),
                pk=review_pk,
            )
            self.agreement = self.object.agreement
            if self.object.status != Review.Status.DRAFT:
                messages.error(self.request, _("Chỉ sửa được hội nghị ở trạng thái dự thảo."))
                return redirect(self.object)
        else:
            self.agreement = get_object_or_404(editable, pk=pk)

    def extra_context_data(self):
        return {"agreement": self.agreement}

    def prefill(self):
        """Kind, period and title of a new review from the query string, as the
        dashboard's "Nhập" links set them (?kind=annual&period_from=2022-01-01&...).
        Values that are not valid are ignored, never an error."""
        params = self.request.GET
        values = {}
        if params.get("kind") in Review.Kind.values:
            values["kind"] = params["kind"]
        for name in ("period_from", "period_to"):
            try:
                values[name] = datetime.date.fromisoformat(params.get(name, ""))
            except ValueError:
                pass
        if values.get("period_from") and values.get("period_to"):
            if values["period_to"] < values["period_from"]:
                del values["period_from"], values["period_to"]
        title = nfc(params.get("title", "")).strip()
        if title and len(title) <= Review._meta.get_field("title").max_length:
            values["title"] = title
        return values

    def get_forms(self, data=None):
        review = self.object or Review(agreement=self.agreement, **self.prefill())
        self.items = list(self.agreement.items.all())
        self.stored = {}
        if self.object:
            self.stored = {a.content_item_id: a for a in self.object.assessments.all()}
        assessments = forms.AssessmentFormSet(
            data,
            initial=[
                {
                    "content_item": item.pk,
                    "progress": getattr(self.stored.get(item.pk), "progress", ""),
                    "comment": getattr(self.stored.get(item.pk), "comment", ""),
                }
                for item in self.items
            ],
            prefix="assessments",
        )
        for form, item in zip(assessments.forms, self.items, strict=False):
            form.item = item
        agencies = forms.agency_choices(self.agreement.parties.values_list("agency_id", flat=True))
        return {
            "form": forms.ReviewForm(data, instance=review),
            "papers": forms.PaperFormSet(
                data,
                prefix="papers",
                queryset=review.papers.all() if self.object else ContributedPaper.objects.none(),
            ),
            "assessments": assessments,
            "values": forms.IndicatorValueFormSet(
                data,
                prefix="values",
                queryset=(
                    review.indicator_values.all() if self.object else IndicatorValue.objects.none()
                ),
                agreement=self.agreement,
                agency_queryset=agencies,
            ),
        }

    def save(self, bound):
        form = bound["form"]
        items = {item.pk: item for item in self.items}
        assessments = []
        for row in bound["assessments"].cleaned_data:
            item = items.get(row.get("content_item"))
            if item is None or not row.get("progress"):
                continue
            assessment = self.stored.get(item.pk) or ItemAssessment(content_item=item)
            assessment.progress = row["progress"]
            assessment.comment = row.get("comment", "")
            assessments.append(assessment)
        return services.review_save(
            review=form.instance,
            user=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            papers=forms.kept_instances(bound["papers"]),
            assessments=assessments,
            indicator_values=forms.kept_instances(bound["values"]),
        )


class ReviewTransitionView(LoginRequiredMixin, DetailView):
    """POST-only workflow steps: submit (editor), approve or return (leader, admin)."""

    action = None
    http_method_names = ["post"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "submit":
            scope = Agreement.objects.editable_by(user)
        elif role_of(user) in {"leader", "admin"}:
            scope = Agreement.objects.for_user(user)
        else:
            scope = Agreement.objects.none()
        return Review.objects.filter(agreement__in=scope)

    def post(self, request, *args, **kwargs):
        review = self.get_object()
        form = forms.ReturnReviewForm(request.POST)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            if self.action == "submit":
                services.review_submit(review=review, user=request.user, expected_version=version)
                messages.success(request, _("Đã gửi hội nghị để lãnh đạo phê duyệt."))
            elif self.action == "approve":
                services.review_approve(review=review, user=request.user, expected_version=version)
                messages.success(request, _("Đã phê duyệt."))
            else:
                if not form.is_valid():
                    messages.error(request, _("Cần nêu lý do trả lại."))
                    return redirect(review)
                services.review_return(
                    review=review,
                    user=request.user,
                    expected_version=version,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Đã trả lại hội nghị cho cán bộ nhập liệu."))
        except services.Conflict:
            messages.error(request, _("Hội nghị vừa được người khác cập nhật; hãy xem lại."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(review)
