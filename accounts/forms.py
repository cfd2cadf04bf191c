from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        help_text=_("The 6 digits your authenticator app shows, or one of your recovery codes."),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(label=_("Code from the app"), max_length=12, strip=True)


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("Password"), max_length=256, strip=False, widget=forms.PasswordInput)
