"""Pages of the staff workspace. Thin: scope, select, render."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

from . import forms, selectors, services
from .filters import AgreementFilterSet
from .models import (
    Agreement,
    AnnualPlan,
    Attachment,
    ContributedPaper,
    IndicatorValue,
    ItemAssessment,
    PlanActivity,
    Review,
)
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
        # Filters narrow the scoped list; invalid values are reported on the form and
        # ignored, the valid ones still apply.
        self.filterset = AgreementFilterSet(
            self.request.GET,
            queryset=selectors.agreement_list(user=self.request.user),
            request=self.request,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["sort"] = self.filterset.sort_links()
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
    return [(obj._meta.get_field(c.field).verbose_name, c.new) for c in delta.changes]


def _attach_errors(form, error):
    """Put a service's ValidationError on the form: by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class MultiFormView(LoginRequiredMixin, TemplateView):
    """A page that edits one object and its rows: a main form plus formsets.

    Subclasses find the objects in `load()` (raising 404 for what the user may not
    touch), build the forms in `get_forms(data)` (the main one under "form") and
    write through a service in `save(bound)`. This class handles what every such page
    must do the same way: "add a row" without JavaScript, messages, a refused stale
    save that keeps the user's input and shows what changed, and service validation
    errors shown on the form. Nothing is written unless everything is valid.
    """

    object = None
    conflict_message = gettext_lazy("Dữ liệu vừa được người khác cập nhật.")
    saved_message = gettext_lazy("Đã lưu.")

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        response = self.load(**kwargs)
        if response is not None:
            return response
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs):
        raise NotImplementedError

    def get_forms(self, data=None):
        raise NotImplementedError

    def save(self, bound):
        raise NotImplementedError

    def render(self, bound, status=200, **extra):
        context = {"object": self.object, **self.extra_context_data(), **bound, **extra}
        return self.render_to_response(context, status=status)

    def extra_context_data(self):
        return {}

    def get(self, request, *args, **kwargs):
        return self.render(self.get_forms())

    def post(self, request, *args, **kwargs):
        data = request.POST
        add_to = data.get("add_row")
        if add_to:
            # Without JavaScript, "Thêm dòng" posts the page: show it again, one row more.
            data = data.copy()
            key = f"{add_to}-TOTAL_FORMS"
            if key in data:
                try:
                    data[key] = str(min(int(data[key]) + 1, 200))
                except ValueError:
                    data[key] = "1"
            return self.render(self.get_forms(data))
        bound = self.get_forms(data)
        if not all(f.is_valid() for f in bound.values()):
            messages.error(request, _("Chưa lưu: vui lòng sửa các lỗi được đánh dấu."))
            return self.render(bound)
        form = bound["form"]
        try:
            saved = self.save(bound)
        except services.Conflict as conflict:
            messages.error(
                request,
                _(
                    "%(what)s Nội dung bạn nhập vẫn được giữ bên dưới; "
                    "hãy xem các thay đổi rồi lưu lại."
                )
                % {"what": self.conflict_message},
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
        messages.success(request, self.saved_message)
        return redirect(saved)


class AgreementFormView(MultiFormView):
    """Create or edit an agreement with its parties, legal bases and items on one page."""

    template_name = "agreements/agreement_form.html"
    conflict_message = gettext_lazy("Văn bản vừa được người khác cập nhật.")
    saved_message = gettext_lazy("Đã lưu văn bản phối hợp.")

    def load(self, pk=None):
        if pk is not None:
            self.object = get_object_or_404(Agreement.objects.editable_by(self.request.user), pk=pk)
        elif role_of(self.request.user) not in {"admin", "editor"}:
            raise Http404

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
        initial = selectors.agreement_form_initial(agreement=agreement, user=self.request.user)
        return {
            "form": forms.AgreementForm(
                data, instance=agreement or Agreement(), supersedes_queryset=visible
            ),
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

    def save(self, bound):
        form = bound["form"]
        return services.agreement_save(
            agreement=form.instance,
            user=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            parties=[
                services.PartyData(**{k: v for k, v in row.items() if k != "DELETE"})
                for row in bound["parties"].cleaned_data
                if row and not row.get("DELETE")
            ],
            legal_bases=[
                row for row in bound["legal_bases"].cleaned_data if row and not row.get("DELETE")
            ],
            items=bound["items"].ordered_rows(),
        )


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

    def get_forms(self, data=None):
        review = self.object or Review(agreement=self.agreement)
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


class PlanFormView(MultiFormView):
    """Create or edit the annual plan of an agreement for one year, with activities."""

    template_name = "agreements/plan_form.html"
    conflict_message = gettext_lazy("Kế hoạch vừa được người khác cập nhật.")
    saved_message = gettext_lazy("Đã lưu kế hoạch năm.")

    def load(self, pk=None, plan_pk=None):
        editable = Agreement.objects.editable_by(self.request.user)
        if plan_pk is not None:
            self.object = get_object_or_404(
                AnnualPlan.objects.filter(agreement__in=editable).select_related("agreement"),
                pk=plan_pk,
            )
            self.agreement = self.object.agreement
        else:
            self.agreement = get_object_or_404(editable, pk=pk)

    def extra_context_data(self):
        return {"agreement": self.agreement}

    def get_forms(self, data=None):
        plan = self.object or AnnualPlan(agreement=self.agreement)
        agencies = forms.agency_choices(self.agreement.parties.values_list("agency_id", flat=True))
        return {
            "form": forms.PlanForm(data, instance=plan),
            "activities": forms.ActivityFormSet(
                data,
                prefix="activities",
                queryset=plan.activities.all() if self.object else PlanActivity.objects.none(),
                agreement=self.agreement,
                agency_queryset=agencies,
            ),
        }

    def save(self, bound):
        form = bound["form"]
        return services.plan_save(
            plan=form.instance,
            user=self.request.user,
            expected_version=form.cleaned_data.get("version"),
            activities=forms.kept_instances(bound["activities"]),
        )


class PlanDetailView(LoginRequiredMixin, DetailView):
    template_name = "agreements/plan_detail.html"

    def get_queryset(self):
        visible = Agreement.objects.for_user(self.request.user)
        return AnnualPlan.objects.filter(agreement__in=visible).select_related("agreement")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.plan_detail(plan=self.object, user=self.request.user))
        return context


class ActivityDoneView(LoginRequiredMixin, DetailView):
    """POST: mark a plan activity done today (or on the date given)."""

    http_method_names = ["post"]

    def get_queryset(self):
        editable = Agreement.objects.editable_by(self.request.user)
        return PlanActivity.objects.filter(plan__agreement__in=editable).select_related("plan")

    def post(self, request, *args, **kwargs):
        activity = self.get_object()
        form = forms.ActivityDoneForm(request.POST)
        if form.is_valid():
            services.plan_activity_mark_done(
                activity=activity,
                user=request.user,
                done_on=form.cleaned_data["done_on"] or timezone.localdate(),
            )
            messages.success(request, _("Đã đánh dấu hoàn thành."))
        else:
            messages.error(request, _("Ngày hoàn thành không hợp lệ."))
        return redirect(activity.plan)


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


def _visible_attachments(user):
    visible = Agreement.objects.for_user(user)
    return Attachment.objects.filter(
        Q(agreement__in=visible) | Q(review__agreement__in=visible) | Q(plan__agreement__in=visible)
    )


class AttachmentCreateView(LoginRequiredMixin, TemplateView):
    """Upload a file onto an agreement, a review or an annual plan."""

    template_name = "agreements/attachment_form.html"
    owner_model = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        editable = Agreement.objects.editable_by(request.user)
        if self.owner_model is Agreement:
            owners = editable
        else:
            owners = self.owner_model.objects.filter(agreement__in=editable)
        self.owner = get_object_or_404(owners, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"owner": self.owner, "form": forms.AttachmentForm()})

    def post(self, request, *args, **kwargs):
        form = forms.AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Chưa tải lên: vui lòng sửa các lỗi được đánh dấu."))
            return self.render_to_response({"owner": self.owner, "form": form})
        services.attachment_add(
            owner=self.owner,
            uploaded=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
            kind=form.cleaned_data["kind"],
            content_type=form.content_type,
            user=request.user,
        )
        messages.success(request, _("Đã tải tệp lên."))
        return redirect(self.owner)


def attachment_download(request, pk):
    """Always a download, never rendered by the browser, under the original name."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment = get_object_or_404(_visible_attachments(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class AttachmentDeleteView(LoginRequiredMixin, DetailView):
    template_name = "agreements/attachment_confirm_delete.html"

    def get_queryset(self):
        editable = Agreement.objects.editable_by(self.request.user)
        return Attachment.objects.filter(
            Q(agreement__in=editable)
            | Q(review__agreement__in=editable)
            | Q(plan__agreement__in=editable)
        ).select_related("agreement", "review", "plan")

    def post(self, request, *args, **kwargs):
        attachment = self.get_object()
        owner = attachment.agreement or attachment.review or attachment.plan
        services.attachment_remove(attachment=attachment, user=request.user)
        messages.success(request, _("Đã xóa tệp đính kèm."))
        return redirect(owner)
