"""One row per create form that was saved, so the same form posted twice (a double
click, a reload after a slow save, the back button) creates one record, not two."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FormSubmission(models.Model):
    # The random token the create page carried; unique per user, so of two concurrent
    # posts of one page the second fails on insert and its whole save is rolled back.
    token = models.CharField(_("mã lần gửi"), max_length=32)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    target_url = models.CharField(_("bản ghi đã tạo"), max_length=200)

    class Meta:
        verbose_name = _("lần gửi biểu mẫu")
        verbose_name_plural = pgettext_lazy("plural", "lần gửi biểu mẫu")
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="formsubmission_unique_token")
        ]

    def __str__(self):
        return self.token
