"""Pages of the staff workspace. Thin: scope, select, render."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.http import JsonResponse
from django.views.generic import DetailView, ListView, TemplateView

from . import selectors
from .models import Agreement, Review


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


class AgreementDetailView(LoginRequiredMixin, DetailView):
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self):
        return Agreement.objects.for_user(self.request.user).with_status()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.agreement_detail(agreement=self.object))
        return context


class ReviewDetailView(LoginRequiredMixin, DetailView):
    template_name = "agreements/review_detail.html"

    def get_queryset(self):
        visible = Agreement.objects.for_user(self.request.user)
        return Review.objects.filter(agreement__in=visible).select_related("agreement")
