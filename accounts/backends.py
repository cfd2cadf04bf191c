"""The first authentication backend: django-axes' lockout check, plus the per-address limit."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.signals import user_locked_out
from django.http import HttpRequest

from accounts.limits import address_held_back
from care.client_ip import client_ip


class SignInLimitBackend(AxesStandaloneBackend):
    """Refuses every password check from an address that has failed too often, whatever the username;
    the axes middleware then shows the lockout page. Signs no one in itself."""

    def authenticate(self, request: HttpRequest, username=None, password=None, **kwargs):
        if request is not None and address_held_back(request):
            # Told like any axes lockout, so the refusal is recorded (care.denials) the same way.
            user_locked_out.send("axes", request=request, username=username, ip_address=client_ip(request))
            request.axes_locked_out = True  # type: ignore[attr-defined]
            raise AxesBackendPermissionDenied("Too many failed sign-ins from this address")
        return super().authenticate(request, username, password, **kwargs)
