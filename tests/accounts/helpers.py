"""Shared steps for the sign-in tests: a staff member of a clinic that requires a second factor, a real
authenticator app (pyotp on the same key), and the requests a browser makes."""

import base64
import time

import pyotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from care.models import User
from tests.care.factories import ClinicFactory
from tests.clinicians.factories import ClinicianFactory

PASSWORD = "correct horse battery staple"


def strict_clinician(username: str = "dana", *, required: bool = True) -> User:
    clinic = ClinicFactory(require_two_factor=required)
    return ClinicianFactory(user__clinic=clinic, user__username=username).user


def app_for(device: TOTPDevice) -> pyotp.TOTP:
    """The person's phone: an independent TOTP implementation on the device's key."""
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def next_code(device: TOTPDevice) -> str:
    """A code the device has not seen yet (django-otp refuses a time step it already accepted)."""
    device.refresh_from_db()
    app = app_for(device)
    step = int(time.time()) // 30
    at = max(step, (device.last_t or -1) + 1)
    return app.at(at * 30)


def enrolled_app(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(client, username: str = "dana", password: str = PASSWORD, next_url: str = "/caseload/", **extra):
    return client.post(f"/login/?next={next_url}", {"username": username, "password": password}, **extra)
