"""Django's admin is a developer's tool: only superusers reach it. A clinic admin runs the clinic from
the clinic settings pages (/clinic/settings/), whatever their `is_staff` flag says."""

from django.contrib import admin
from django.http import HttpRequest

from clinic_settings.models import Invitation
from instruments.models import ProgramMeasure


def superusers_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = superusers_only  # type: ignore[method-assign]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("user", "invited_by", "created_at", "expires_at", "used_at")
    readonly_fields = ("token_hash",)


@admin.register(ProgramMeasure)
class ProgramMeasureAdmin(admin.ModelAdmin):
    list_display = ("program", "key")
