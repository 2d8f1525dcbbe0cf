"""Pages of the staff workspace. Thin: scope, select, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from . import forms, selectors, services
from .models import Agreement, ContributedPaper, IndicatorValue, ItemAssessment, Review
from .querysets import edits_what_it_sees, role_of


def healthz(request):
    """Liveness for load balancers and the benchmark: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.home_summary(user=self.request.user)
        return context


class AgreementListView(LoginRequiredMixin, ListView):
    template_name = "agreements/agreement_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.agreement_list(user=self.request.user, query=self.request.GET.get("q"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = role_of(self.request.user) in {"admin", "editor"}
        return context


class AgreementDetailView(LoginRequiredMixin, DetailView):
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self):
        return Agreement.objects.for_user(self.request.user).with_status()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.agreement_detail(agreement=self.object))
        context["can_edit"] = edits_what_it_sees(self.request.user)
        return context


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


def _conflict_changes(obj, since_version):
    """What others changed since `since_version`: [(field label, new value)]."""
    records = list(obj.history.filter(version__gte=since_version).order_by("history_id"))
    if len(records) < 2:
        return []
    delta = records[-1].diff_against(records[0])
    changes = []
    for change in delta.changes:
        field = obj._meta.get_field(change.field)
        changes.append((field.verbose_name, change.new))
    return changes


class AgreementFormView(LoginRequiredMixin, TemplateView):
    """Create or edit an agreement with its parties, legal bases and items on one page."""

    template_name = "agreements/agreement_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.object = None
        if "pk" in kwargs:
            self.object = get_object_or_404(
                Agreement.objects.editable_by(request.user), pk=kwargs["pk"]
            )
        elif role_of(request.user) not in {"admin", "editor"}:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_forms(self, data=None):
        agreement = self.object
        existing_ids = []
        if agreement:
            existing_ids = [
                *agreement.parties.values_list("agency_id", flat=True),
                *agreement.items.exclude(lead_agency=None).values_list("lead_agency_id", flat=True),
            ]
        agencies = forms.agency_choices(existing_ids)
        visible = Agreement.objects.for_user(self.request.user)
        if agreement:
            visible = visible.exclude(pk=agreement.pk)
        main = forms.AgreementForm(
            data, instance=agreement or Agreement(), supersedes_queryset=visible
        )
        initial = selectors.agreement_form_initial(agreement=agreement, user=self.request.user)
        return {
            "form": main,
            "parties": forms.PartyFormSet(
                data, initial=initial["parties"], prefix="parties", agency_queryset=agencies
            ),
            "legal_bases": forms.LegalBasisFormSet(
                data, initial=initial["legal_bases"], prefix="bases"
            ),
            "items": forms.ContentItemFormSet(
                data, initial=initial["items"], prefix="items", agency_queryset=agencies
            ),
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"object": self.object, **self.get_forms()})

    def post(self, request, *args, **kwargs):
        data = request.POST
        add_to = data.get("add_row")
        if add_to in {"parties", "bases", "items"}:
            # Without JavaScript, "Thêm dòng" posts the page: show it again, one row more.
            data = data.copy()
            key = f"{add_to}-TOTAL_FORMS"
            try:
                data[key] = str(min(int(data.get(key, 0)) + 1, 200))
            except ValueError:
                data[key] = "1"
            return self.render_to_response({"object": self.object, **self.get_forms(data)})
        bound = self.get_forms(data)
        context = {"object": self.object, **bound}
        if not all(f.is_valid() for f in bound.values()):
            messages.error(request, _("Chưa lưu: vui lòng sửa các lỗi được đánh dấu."))
            return self.render_to_response(context, status=200)
        form = bound["form"]
        party_rows = [
            services.PartyData(**{k: v for k, v in row.items() if k != "DELETE"})
            for row in bound["parties"].cleaned_data
            if row and not row.get("DELETE")
        ]
        bases = [row for row in bound["legal_bases"].cleaned_data if row and not row.get("DELETE")]
        items = bound["items"].ordered_rows()
        try:
            agreement = services.agreement_save(
                agreement=form.instance,
                user=request.user,
                expected_version=form.cleaned_data.get("version"),
                parties=party_rows,
                legal_bases=bases,
                items=items,
            )
        except services.Conflict as conflict:
            context["conflict"] = _conflict_changes(
                conflict.current, form.cleaned_data.get("version") or 0
            )
            context["current_version"] = conflict.current.version
            messages.error(
                request,
                _(
                    "Văn bản vừa được người khác cập nhật. Nội dung bạn nhập vẫn được giữ "
                    "bên dưới; hãy xem các thay đổi rồi lưu lại."
                ),
            )
            return self.render_to_response(context, status=409)
        except ValidationError as error:
            _attach_errors(form, error)
            messages.error(request, _("Chưa lưu: vui lòng sửa các lỗi được đánh dấu."))
            return self.render_to_response(context, status=200)
        messages.success(request, _("Đã lưu văn bản phối hợp."))
        return redirect(agreement)


def _attach_errors(form, error):
    """Put a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class AgreementArchiveView(LoginRequiredMixin, DetailView):
    """Confirm, then archive: the agreement leaves the lists, its history stays."""

    template_name = "agreements/agreement_confirm_delete.html"

    def get_queryset(self):
        return Agreement.objects.editable_by(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["affected"] = selectors.agreement_archive_impact(agreement=self.object)
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.agreement_archive(
                agreement=self.object, user=request.user, expected_version=version
            )
        except services.Conflict:
            messages.error(request, _("Văn bản vừa được người khác cập nhật; hãy xem lại."))
            return redirect(self.object)
        messages.success(request, _("Đã lưu trữ văn bản. Quản trị viên có thể khôi phục."))
        return redirect("agreements:agreement_list")


class ReviewFormView(LoginRequiredMixin, TemplateView):
    """Enter or edit a review: report sections, papers, item assessments, figures."""

    template_name = "agreements/review_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        editable = Agreement.objects.editable_by(request.user)
        if "review_pk" in kwargs:
            self.object = get_object_or_404(
                Review.objects.filter(agreement__in=editable).select_related("agreement"),
                pk=kwargs["review_pk"],
            )
            self.agreement = self.object.agreement
            if self.object.status != Review.Status.DRAFT:
                messages.error(request, _("Chỉ sửa được hội nghị ở trạng thái dự thảo."))
                return redirect(self.object)
        else:
            self.object = None
            self.agreement = get_object_or_404(editable, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_forms(self, data=None):
        review = self.object or Review(agreement=self.agreement)
        items = list(self.agreement.items.all())
        stored = {}
        if self.object:
            stored = {a.content_item_id: a for a in self.object.assessments.all()}
        assessment_initial = [
            {
                "content_item": item.pk,
                "progress": stored[item.pk].progress if item.pk in stored else "",
                "comment": stored[item.pk].comment if item.pk in stored else "",
            }
            for item in items
        ]
        agencies = forms.agency_choices(self.agreement.parties.values_list("agency_id", flat=True))
        assessments = forms.AssessmentFormSet(
            data, initial=assessment_initial, prefix="assessments"
        )
        for form, item in zip(assessments.forms, items, strict=False):
            form.item = item
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

    def render(self, bound, status=200, **extra):
        context = {"object": self.object, "agreement": self.agreement, **bound, **extra}
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(self.get_forms())

    def post(self, request, *args, **kwargs):
        data = request.POST
        add_to = data.get("add_row")
        if add_to in {"papers", "values"}:
            data = data.copy()
            key = f"{add_to}-TOTAL_FORMS"
            try:
                data[key] = str(min(int(data.get(key, 0)) + 1, 200))
            except ValueError:
                data[key] = "1"
            return self.render(self.get_forms(data))
        bound = self.get_forms(data)
        if not all(f.is_valid() for f in bound.values()):
            messages.error(request, _("Chưa lưu: vui lòng sửa các lỗi được đánh dấu."))
            return self.render(bound)
        form = bound["form"]
        items = {i.pk: i for i in self.agreement.items.all()}
        stored = {}
        if self.object:
            stored = {a.content_item_id: a for a in self.object.assessments.all()}
        assessments = []
        for row in bound["assessments"].cleaned_data:
            item = items.get(row.get("content_item"))
            if item is None or not row.get("progress"):
                continue
            assessment = stored.get(item.pk) or ItemAssessment(content_item=item)
            assessment.progress = row["progress"]
            assessment.comment = row.get("comment", "")
            assessments.append(assessment)
        try:
            review = services.review_save(
                review=form.instance,
                user=request.user,
                expected_version=form.cleaned_data.get("version"),
                papers=forms.kept_instances(bound["papers"]),
                assessments=assessments,
                indicator_values=forms.kept_instances(bound["values"]),
            )
        except services.Conflict as conflict:
            messages.error(
                request,
                _(
                    "Hội nghị vừa được người khác cập nhật. Nội dung bạn nhập vẫn được giữ "
                    "bên dưới; hãy xem các thay đổi rồi lưu lại."
                ),
            )
            return self.render(
                bound,
                status=409,
                conflict=_conflict_changes(conflict.current, form.cleaned_data.get("version") or 0),
                current_version=conflict.current.version,
            )
        except ValidationError as error:
            _attach_errors(form, error)
            messages.error(request, _("Chưa lưu: vui lòng sửa các lỗi được đánh dấu."))
            return self.render(bound)
        messages.success(request, _("Đã lưu hội nghị."))
        return redirect(review)


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
