"""Annual plan pages: detail, entry and editing, marking activities done."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from .. import forms, selectors, services
from ..models import (
    Agreement,
    AnnualPlan,
    PlanActivity,
)
from .base import MultiFormView


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
