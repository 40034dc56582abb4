from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "branch_office", "village", "is_active"]
    list_filter = ["role", "is_active", "branch_office"]
    list_select_related = ["branch_office", "village"]
    autocomplete_fields = ["branch_office", "village"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Role in the portal"), {"fields": ["role", "branch_office", "village", "phone"]}),
    ]

    @admin.display(description=_("Full name"), ordering="first_name")
    def full_name(self, user):
        return user.get_full_name()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.must_change_password = True  # the admin chose this password, not its owner
        super().save_model(request, obj, form, change)

    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role in the portal"), {"fields": ["role", "branch_office", "village"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """For logs: searchable and viewable, never added, changed or deleted, even by superusers."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "object_type", "object_id", "village", "ip_address"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["user__username", "object_id", "village__name", "village__code"]
    date_hierarchy = "at"
    list_select_related = ["user", "village"]


admin.site.site_header = _("Desa Sadar portal administration")
admin.site.site_title = _("Desa Sadar administration")
admin.site.index_title = _("Branch offices, agreements and campaigns")
