from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from dinvan.sessions import ride_along

        from . import services, signals

        signals.connect()
        # The summary state comes with every signed-in page's session.
        ride_along(services.StateRider())
