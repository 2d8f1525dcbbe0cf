"""The authentication backend: Django's, loading the signed-in user with their
profile and agency in the same query, the query that reads the session.

Every page reads `request.user.profile` (role, scope) and the header names the
user's agency: with plain `ModelBackend.get_user` that is three queries a page after
the session's. The session engine (`dinvan.sessions`) reads the user, profile and
agency with the session; `AuthenticationMiddleware` hands that session to the backend
while Django's `get_user` runs, and the backend takes the user it holds when it is
the one asked for. Everything else (is the user active, does the session's password
hash still match) is Django's, unchanged.
"""

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.utils.functional import SimpleLazyObject

# The session of the request whose user Django's `get_user` is reading.
_session_read = ContextVar("dinvan_session_read", default=None)


def get_user(request):
    """Django's `auth.get_user`, with the request's session at hand for the backend."""
    if not hasattr(request, "_cached_user"):
        token = _session_read.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            _session_read.reset(token)
    return request._cached_user


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        user = getattr(_session_read.get(), "user_row", None)
        if user is not None and str(user.pk) == str(user_id):
            return user if self.user_can_authenticate(user) else None
        users = get_user_model()._default_manager.select_related("profile__agency")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
