from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agreements"
    verbose_name = _("Công tác dân vận")

    def ready(self):
        # Security event logging (logins, failures) is wired up once, at start.
        from dinvan import security  # noqa: F401
