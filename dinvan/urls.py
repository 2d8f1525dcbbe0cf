"""Top-level URLs: the staff workspace, reports, accounts, admin and the health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from agreements import views as agreement_views
from dinvan.forms import LoginForm
from reports.views import DashboardView

admin.site.site_header = _("Dân vận: quản trị hệ thống")
admin.site.site_title = _("Dân vận")
admin.site.index_title = _("Quản trị")

urlpatterns = [
    path("", DashboardView.as_view(), name="home"),
    path("healthz/", agreement_views.healthz, name="healthz"),
    # No password reset by e-mail: intranets have no mail server; admins reset passwords.
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("reports/", include("reports.urls")),
    path("", include("agreements.urls")),
]
