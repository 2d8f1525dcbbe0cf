"""What every page shares: the health check and the multi-form page."""

import re
import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from .. import selectors, services


def healthz(request):
    """Liveness for load balancers and the benchmark: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _conflict_changes(obj, since_version):
    """What others changed since `since_version`: [(field label, new value)]."""
    records = list(obj.history.filter(version__gte=since_version).order_by("history_id"))
    if len(records) < 2:
        return []
    delta = records[-1].diff_against(records[0])
    return [(obj._meta.get_field(c.field).verbose_name, c.new) for c in delta.changes]


_TOKEN = re.compile(r"[0-9a-f]{32}")


def _submission_token(data):
    token = data.get("submission", "")
    return token if _TOKEN.fullmatch(token) else None


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
        if self.object is None:
            # A create page carries a one-time token, kept when the page is shown again
            # with errors, so posting the same page twice creates one record.
            context["submission_token"] = _submission_token(self.request.POST) or uuid.uuid4().hex
        return self.render_to_response(context, status=status)

    def already_saved(self, target_url):
        messages.info(
            self.request,
            _("Biểu mẫu này đã được lưu ở lần gửi trước; không tạo thêm bản trùng."),
        )
        return redirect(target_url)

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
        token = _submission_token(data) if self.object is None else None
        if token:
            target = selectors.form_submission_target(token=token, user=request.user)
            if target:
                return self.already_saved(target)
        bound = self.get_forms(data)
        if not all(f.is_valid() for f in bound.values()):
            messages.error(request, _("Chưa lưu: vui lòng sửa các lỗi được đánh dấu."))
            return self.render(bound)
        form = bound["form"]
        try:
            with transaction.atomic():
                saved = self.save(bound)
                if token:
                    services.form_submission_record(token=token, user=request.user, target=saved)
        except IntegrityError:
            # The same page, posted twice at once: the other post saved it first.
            target = token and selectors.form_submission_target(token=token, user=request.user)
            if not target:
                raise
            return self.already_saved(target)
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
