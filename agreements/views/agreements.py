"""Agreement pages: the list, the detail page, entry and editing, archiving."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from reports.snapshots import remembered_part, remembered_template

from .. import forms, selectors, services
from ..filters import AgreementFilterSet
from ..models import (
    Agreement,
)
from ..querysets import SEARCH_COUNT_CAP, edits_what_it_sees, role_of
from .base import MultiFormView


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: beyond that the list says "more than 1,000" and
    pages forward one at a time.

    An exact count of a national list reads every matching row (200,000, each with
    its derived status) only to print a number nobody needs exactly; counting
    stops at `cap + 1` instead. Below the cap the paginator is Django's own. A
    search counts up to `search_cap` (200): its matches are found one agreement
    at a time, and a count of more would cost more than the page
    (`querysets.SEARCH_COUNT_CAP`).
    """

    cap = 1000
    search_cap = SEARCH_COUNT_CAP

    def __init__(self, *args, rows=None, **kwargs):
        """`rows`: where a page's rows are read by id, for a list whose condition costs
        more than reading rows by id (a search). The ids of its first `cap + 1` matches
        are then read once, in the list's order: they give the count and the pages
        within them, and the condition runs once per view instead of twice (a phrase
        in 50,000 content items: the matches were gathered for the count and again
        for the page)."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        if rows is not None:
            self.cap = self.search_cap

    @cached_property
    def first_ids(self):
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self):
        if self.rows is not None:
            return len(self.first_ids)
        # Ids only, unordered: no derived status or joins per row, and the database
        # may stop at any `cap + 1` matching rows.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    def _rows_by_id(self, bottom):
        """The page's rows from `rows`, in the list's order, when its ids were read."""
        ids = self.first_ids[bottom : bottom + self.per_page]
        found = {row.pk: row for row in self.rows.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]

    @property
    def is_capped(self):
        return self.count > self.cap

    def validate_number(self, number):
        if not self.is_capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("Số trang không hợp lệ.")) from None
        if number < 1:
            raise EmptyPage(_("Số trang không hợp lệ."))
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.rows is not None and bottom + self.per_page <= self.cap:
            rows = self._rows_by_id(bottom)
            has_more = len(self.first_ids) > bottom + self.per_page
        elif not self.is_capped:
            # Always LIMIT a whole page, never the few rows left: told `LIMIT 1`,
            # PostgreSQL expects the first match to come early and walks the whole
            # list instead of using the search indexes (5 s instead of 30 ms).
            rows = self.object_list[bottom : bottom + self.per_page]
        else:
            # One row more than a page says whether there is a next page.
            fetched = list(self.object_list[bottom : bottom + self.per_page + 1])
            rows, has_more = fetched[: self.per_page], len(fetched) > self.per_page
        if not self.is_capped:
            return self._get_page(rows, number, self)
        if not rows and number > 1:
            raise EmptyPage(_("Trang này không có kết quả."))
        return OpenEndedPage(rows, number, self, has_more=has_more)


class OpenEndedPage(Page):
    """A page of a list whose length is not known: it knows only if a next one exists."""

    def __init__(self, object_list, number, paginator, *, has_more):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self):
        return self.has_more


class AgreementListView(LoginRequiredMixin, ListView):
    """The list: filters, count, table and pages are rendered once per scope, filters
    and generation (`selectors.agreement_list_results_key`) and then served from the
    cache until a write moves the generation on; the page around them (the user's
    name, the buttons of their role) is rendered every time."""

    template_name = "agreements/agreement_list.html"
    results_template_name = "agreements/agreement_list_results.html"
    paginate_by = 25
    paginator_class = CappedPaginator

    def get(self, request, *args, **kwargs):
        results = remembered_part(
            **selectors.agreement_list_results_key(user=request.user, params=request.GET),
            compute=self.render_results,
        )
        return render(
            request,
            self.template_name,
            {
                "results": results,
                "can_create": role_of(request.user) in {"admin", "editor"},
            },
        )

    def render_results(self):
        self.object_list = self.get_queryset()
        context = self.get_context_data()
        return render_to_string(self.results_template_name, context, self.request)

    def get_queryset(self):
        # Filters narrow the scoped list; invalid values are reported on the form and
        # ignored, the valid ones still apply.
        self.filterset = AgreementFilterSet(
            self.request.GET,
            queryset=selectors.agreement_list(user=self.request.user),
            request=self.request,
        )
        return self.filterset.qs

    def get_paginator(self, queryset, per_page, **kwargs):
        if queryset.searched:
            kwargs["rows"] = selectors.agreement_list(user=self.request.user)
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["sort"] = self.filterset.sort_links()
        return context


class FilterOptionsView(LoginRequiredMixin, View):
    """Suggestions for the agency and area boxes of the agreement list, as JSON:
    `{"results": [{"id": 12, "label": "Ban Dân vận Tỉnh ủy Phú Thọ"}]}`, at most
    `limit`, only among what the user may filter by (see `selectors.filter_agencies`)."""

    limit = 20
    options = {
        "agency": (selectors.filter_agencies, selectors.agency_label),
        "area": (selectors.filter_areas, selectors.area_label),
    }

    def get(self, request, field):
        if field not in self.options:
            raise Http404
        options, label = self.options[field]
        text = request.GET.get("q", "")[:200]
        rows = options(user=request.user, text=text)[: self.limit]
        return JsonResponse({"results": [{"id": row.pk, "label": label(row)} for row in rows]})


class AgreementDetailView(LoginRequiredMixin, DetailView):
    """The agreement page. Its body (everything but the attachments and the history)
    is rendered once per agreement, kind of reader (may edit or not), day, language
    and generation (`selectors.agreement_page_key`), then served from the cache
    until a write moves the generation on; the rest is read on every view."""

    template_name = "agreements/agreement_detail.html"
    body_template_name = "agreements/agreement_detail_body.html"

    def get_queryset(self):
        return selectors.agreement_page(user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        can_edit = edits_what_it_sees(request.user)
        body = remembered_template(
            self.body_template_name,
            lambda: self.body_context(can_edit),
            **selectors.agreement_page_key(agreement=self.object, can_edit=can_edit),
        )
        context = self.get_context_data(object=self.object, body=body, can_edit=can_edit)
        context.update(selectors.agreement_trail(agreement=self.object))
        return self.render_to_response(context)

    def body_context(self, can_edit):
        context = {"object": self.object, "can_edit": can_edit}
        context.update(selectors.agreement_detail(agreement=self.object))
        # The figures table (hundreds of rows for a province's agreement) is the same
        # for everyone who may open the page: rendered once per generation.
        context["figures"] = remembered_template(
            "agreements/agreement_figures.html",
            lambda: {"indicator_values": context["indicator_values"]},
            **selectors.agreement_figures_key(agreement=self.object),
        )
        return context


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
