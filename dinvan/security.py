"""Security event log: logins, logouts, failed logins. Never passwords or session ids."""

import ipaddress
import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

log = logging.getLogger("dinvan.security")

LOGIN_AT_KEY = "dinvan_login_at"


def client_ip(request):
    """The client's address, or None when there is no valid one. Behind our own nginx
    (TRUSTED_PROXY_COUNT > 0) it is the address nginx appended to X-Forwarded-For,
    counted from the right, so a client cannot choose its own address by sending the
    header itself. django-axes stores the answer in an inet column on PostgreSQL, so
    anything that is not an IP address becomes None rather than a database error."""
    if request is None:
        return None
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = request.META.get("REMOTE_ADDR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            candidate = chain[-hops]
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def _log_ip(request):
    return client_ip(request) or "-"


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    request.session[LOGIN_AT_KEY] = time.time()
    log.info("login user_id=%s username=%s ip=%s", user.pk, user.get_username(), _log_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    log.info("logout user_id=%s ip=%s", getattr(user, "pk", None), _log_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` has the password scrubbed by Django; log the username only.
    username = str(credentials.get("username", ""))[:150]
    log.warning("login failed username=%s ip=%s", username, _log_ip(request))
