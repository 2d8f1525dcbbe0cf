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
from .models import Agreement, Review
from .querysets import role_of


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
        context["can_edit"] = (
            Agreement.objects.editable_by(self.request.user).filter(pk=self.object.pk).exists()
        )
        return context


class ReviewDetailView(LoginRequiredMixin, DetailView):
    template_name = "agreements/review_detail.html"

    def get_queryset(self):
        visible = Agreement.objects.for_user(self.request.user)
        return Review.objects.filter(agreement__in=visible).select_related("agreement")


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
