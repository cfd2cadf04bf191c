from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from care.models import AuditEvent, Clinic, Program, User


@admin.register(User)
class AttuneUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Clinic", {"fields": ("clinic", "role")}))
    list_display = ("username", "first_name", "last_name", "role", "clinic", "is_active")
    list_filter = ("role", "clinic", "is_active")


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone")


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "clinic")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "client_id")
    list_filter = ("action", "object_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
