"""Vietnamese first: the interface language is Vietnamese unless the user chose
another one with the language switcher (stored in the language cookie).

Django's LocaleMiddleware would follow the browser's Accept-Language, and many
office PCs run an English browser; staff would then get English pages they never
asked for.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import translation

from . import security


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


SEEN_AT_KEY = "dinvan_seen_at"


class SessionLimitsMiddleware:
    """End a session that is older than SESSION_ABSOLUTE_SECONDS since login,
    whatever the activity; renew the idle timeout (the session's age,
    SESSION_COOKIE_AGE) on the first request after SESSION_RENEW_SECONDS, so a
    session ends at most that much earlier than exactly idle seconds after the last
    request, and most pages do not write the session at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(security.LOGIN_AT_KEY)
            now = time.time()
            if started is None:
                request.session[security.LOGIN_AT_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                security.log.info("session expired (absolute) user_id=%s", user.pk)
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(SEEN_AT_KEY, 0) >= settings.SESSION_RENEW_SECONDS:
                # A change makes the session middleware save it with a new expiry.
                request.session[SEEN_AT_KEY] = now
        return self.get_response(request)


class AccessDenialLogMiddleware:
    """Log every 403 and 404 answered to a signed-in user: who asked for what.

    Scoped querysets answer 404 for objects a user may not see, so a run of 404s
    from one account is what probing looks like. No session ids, no bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if response.status_code in (403, 404) and user is not None and user.is_authenticated:
            security.log.warning(
                "access denied status=%s user_id=%s method=%s path=%s ip=%s",
                response.status_code,
                user.pk,
                request.method,
                request.path[:200],
                security.client_ip(request) or "-",
            )
        return response
