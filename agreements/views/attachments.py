"""Attachments: upload, download (always as a file), removal."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from .. import forms, services
from ..models import (
    Agreement,
    Attachment,
)


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
