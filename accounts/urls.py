"""Sign-in pages after the password (mounted at /account/ in config/urls.py)."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("two-factor/", views.verify, name="two-factor-verify"),
    path("security/", views.security, name="account-security"),
    path("security/app/", views.totp_setup, name="totp-setup"),
    path("security/passkey/", views.passkey_setup, name="passkey-setup"),
    path("security/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("security/remove/<str:kind>/<int:pk>/", views.remove_factor, name="remove-factor"),
    path("confirm/", views.confirm, name="reauth"),
    # A clinic admin clears a colleague's second step (?user=<id>; linked from the person's settings page).
    path("reset/", views.reset_colleague, name="second-step-reset"),
]
