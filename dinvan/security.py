"""Security event log: logins, logouts, failed logins. Never passwords or session ids."""

import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("dinvan.security")

LOGIN_AT_KEY = "dinvan_login_at"


def client_ip(request):
    """The client's address. Behind our own nginx (TRUSTED_PROXY_COUNT > 0) it is the
    address nginx appended to X-Forwarded-For, counted from the right, so a client
    cannot choose its own address by sending the header itself."""
    if request is None:
        return "-"
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR", "-")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    request.session[LOGIN_AT_KEY] = time.time()
    log.info("login user_id=%s username=%s ip=%s", user.pk, user.get_username(), client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log.info("logout user_id=%s ip=%s", getattr(user, "pk", None), client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password scrubbed by Django; log the username only.
    username = str(credentials.get("username", ""))[:150]
    log.warning("login failed username=%s ip=%s", username, client_ip(request))
