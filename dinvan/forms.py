"""Account forms."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form with the username length actually validated.

    AuthenticationForm sets the username field's max_length after the field is built,
    so no validator applies it; an over-long name then reaches authenticate() and
    django-axes' varchar(255) column, which PostgreSQL refuses with a DataError."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))
