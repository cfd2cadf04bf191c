"""The staff sign-in form, with its limits checked on the server: Django's AuthenticationForm only sets
`maxlength` on the page, so a 300-character username reached authenticate() and the lockout records
(axes keeps usernames in 255 characters), and a 500 came back. Over-long or control-character input is
refused before anyone authenticates."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from care.text import TextError, clean_text

# Longer than any password manager's default and far short of hashing cost worth worrying about.
MAX_PASSWORD = 1024


class SignInForm(AuthenticationForm):
    def clean_username(self) -> str:
        limit = getattr(self.fields["username"], "max_length", None) or 150
        return self._checked(self.cleaned_data.get("username", ""), limit)

    def clean_password(self) -> str:
        # Not stripped (spaces may be part of a password); only its length and control characters.
        password = self.cleaned_data.get("password", "")
        self._checked(password, MAX_PASSWORD)
        return password

    @staticmethod
    def _checked(value: str, limit: int) -> str:
        try:
            return clean_text(value, max_length=limit)
        except TextError as problem:
            raise ValidationError(str(problem), code=problem.code) from None
