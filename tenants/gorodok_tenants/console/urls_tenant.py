from django.contrib.auth.views import PasswordResetConfirmView
from django.urls import path

from gorodok_platform.accounts.backends import SIGN_IN_BACKEND
from gorodok_tenants.console import admin as _registrations  # noqa: F401  (registers the models)
from gorodok_tenants.console.sites import back_office

urlpatterns = [
    # The one-time link a new administrator receives: set a password, then land signed in.
    path(
        "first-sign-in/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(success_url="/admin/", post_reset_login=True,
                                         post_reset_login_backend=SIGN_IN_BACKEND),
        name="first_sign_in",
    ),
    path("", back_office.urls),
]
