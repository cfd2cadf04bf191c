"""django-otp-webauthn's JSON endpoints, through our subclasses (accounts.passkeys), under the URL
namespace its template tags reverse."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from accounts import passkeys

app_name = "otp_webauthn"

urlpatterns = [
    path("registration/begin/", passkeys.RegisterBegin.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/", passkeys.RegisterComplete.as_view(), name="credential-registration-complete"
    ),
    path(
        "authentication/begin/", passkeys.AuthenticateBegin.as_view(), name="credential-authentication-begin"
    ),
    path(
        "authentication/complete/",
        passkeys.AuthenticateComplete.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
