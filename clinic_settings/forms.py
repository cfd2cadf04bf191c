"""Forms of the clinic settings pages: every field bounded in length and range, every message
translatable. Choices are always the admin's own clinic's."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from care.models import Client, Clinic, Program, User
from care.text import control_characters, control_message
from clinicians.models import Clinician, Supervision

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class TypedText(forms.CharField):
    """Free text checked as care.text checks every typed word: a control character is refused with a
    message (never stored, never dropped silently); in multi-line text CR LF counts as one line break."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        text = super().to_python(value) or ""  # empty_value is "" for these fields
        if self.multiline:
            text = text.replace("\r\n", "\n")
        if control_characters(text, multiline=self.multiline):
            raise forms.ValidationError(control_message(), code="control")
        return text


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (User.Role.CLINICIAN, User.Role.CLINICIAN.label),
            (User.Role.SUPERVISOR, User.Role.SUPERVISOR.label),
        ],
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this email address already has an account."))
        return email


class SignUpForm(forms.Form):
    first_name = TypedText(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = TypedText(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What you will sign in with: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        if username.startswith("invited-"):
            raise forms.ValidationError(_("Choose a username of your own."))
        return username

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            # The validators compare the password with the name and email the person gives.
            probe = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=self.user.email,
            )
            try:
                validate_password(one, user=probe)
            except forms.ValidationError as problems:
                self.add_error("password1", problems)
        return cleaned


class ClinicianForm(forms.Form):
    caseload_target = forms.IntegerField(label=_("Caseload target (clients)"), min_value=1, max_value=200)
    fte = forms.DecimalField(
        label=_("Full-time equivalent"),
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("1.00"))],
        help_text=_("From 0.10 to 1.00: 0.5 is half time."),
    )
    workday_start = forms.TimeField(
        label=_("Working hours start"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    workday_end = forms.TimeField(
        label=_("Working hours end"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    work_days = forms.MultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    programs = forms.ModelMultipleChoiceField(
        label=_("Programs"),
        queryset=Program.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, clinic: Clinic, **kwargs):
        super().__init__(*args, **kwargs)
        programs = self.fields["programs"]
        assert isinstance(programs, forms.ModelMultipleChoiceField)
        programs.queryset = Program.objects.filter(clinic=clinic).order_by("name")

    @classmethod
    def initial_for(cls, clinician: Clinician) -> dict:
        return {
            "caseload_target": clinician.caseload_target,
            "fte": clinician.fte,
            "workday_start": clinician.workday_start,
            "workday_end": clinician.workday_end,
            "work_days": list(clinician.work_days),
            "programs": list(clinician.programs.all()),
        }

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("workday_start"), cleaned.get("workday_end")
        if start and end and end <= start:
            self.add_error("workday_end", _("The working day must end after it starts."))
        cleaned["work_days"] = "".join(sorted(cleaned.get("work_days") or []))
        return cleaned


class SupervisionForm(forms.Form):
    supervisor = forms.ModelChoiceField(label=_("Supervisor"), queryset=Clinician.objects.none())
    supervisee = forms.ModelChoiceField(label=_("Supervisee"), queryset=Clinician.objects.none())
    started_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ended_on = forms.DateField(
        label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, clinic: Clinic, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Clinician.objects.filter(clinic=clinic, user__is_active=True).select_related("user")
        supervisor = self.fields["supervisor"]
        supervisee = self.fields["supervisee"]
        assert isinstance(supervisor, forms.ModelChoiceField) and isinstance(
            supervisee, forms.ModelChoiceField
        )
        supervisor.queryset = staff.filter(user__role=User.Role.SUPERVISOR)
        supervisee.queryset = staff

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        supervisor, supervisee = cleaned.get("supervisor"), cleaned.get("supervisee")
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if supervisor and supervisee:
            if supervisor == supervisee:
                self.add_error("supervisee", _("A supervisor cannot supervise themselves."))
            elif (
                ended is None
                and Supervision.objects.filter(
                    supervisor=supervisor, supervisee=supervisee, ended_on__isnull=True
                ).exists()
            ):
                self.add_error("supervisee", _("This supervision is already current."))
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end cannot come before the start."))
        return cleaned


class EndSupervisionForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, supervision: Supervision, **kwargs):
        super().__init__(*args, **kwargs)
        self.supervision = supervision

    def clean_ended_on(self) -> dt.date:
        ended = self.cleaned_data["ended_on"]
        if ended < self.supervision.started_on:
            raise forms.ValidationError(_("The end cannot come before the start."))
        return ended


class ProgramForm(forms.Form):
    name = TypedText(label=_("Program name"), max_length=200)

    def __init__(self, *args, clinic: Clinic, program: Program | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic, self.program = clinic, program

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        taken = Program.objects.filter(clinic=self.clinic, name__iexact=name)
        if self.program is not None:
            taken = taken.exclude(pk=self.program.pk)
        if taken.exists():
            raise forms.ValidationError(_("The clinic already has a program of this name."))
        return name


class ClinicSettingsForm(forms.Form):
    crisis_instructions = TypedText(
        multiline=True,
        label=_("Crisis instructions (English)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to a client at once when an answer suggests they may be at risk."),
    )
    crisis_instructions_es = TypedText(
        multiline=True,
        label=_("Crisis instructions (Spanish)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to clients who answer in Spanish; English is shown while this is empty."),
    )
    crisis_phone = TypedText(
        label=_("Crisis phone number"),
        max_length=64,
        required=False,
        help_text=_("The clinic's crisis line, shown beside the crisis text."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages offered to clients"),
        choices=Client.Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("English is always offered."),
    )
    checkin_link_ttl_hours = forms.IntegerField(
        label=_("Check-in link lifetime (hours)"),
        min_value=12,
        max_value=336,
        help_text=_("From 12 hours to 336 (14 days): how long a client's check-in link keeps working."),
    )
    checkin_reminder_after_hours = forms.IntegerField(
        label=_("Reminder after (hours)"),
        min_value=1,
        max_value=335,
        help_text=_("One reminder this many hours after the link was sent, while it still works."),
    )
    flag_stale_after_hours = forms.IntegerField(
        label=_("A flag is overdue after (hours)"),
        min_value=1,
        max_value=720,
        help_text=_("An open flag not acknowledged this long is shown to the clinician's supervisor."),
    )

    @classmethod
    def initial_for(cls, clinic: Clinic) -> dict:
        return {name: getattr(clinic, name) for name in cls.base_fields}

    def clean_languages(self) -> list[str]:
        chosen = set(self.cleaned_data.get("languages") or []) | {Client.Language.ENGLISH.value}
        return [code for code, _label in Client.Language.choices if code in chosen]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        ttl, remind = cleaned.get("checkin_link_ttl_hours"), cleaned.get("checkin_reminder_after_hours")
        if ttl and remind and remind >= ttl:
            self.add_error(
                "checkin_reminder_after_hours",
                _("The reminder must come before the link stops working (%(ttl)d hours).") % {"ttl": ttl},
            )
        return cleaned
