"""The authentication backend: Django's, loading the signed-in user with their
profile and agency in the same query.

Every page reads `request.user.profile` (role, scope) and the header names the
user's agency: with plain `ModelBackend.get_user` that is three queries a page, here
one. It otherwise behaves exactly as Django's.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.select_related("profile__agency")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
