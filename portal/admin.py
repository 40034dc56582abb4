from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent, User

# Django stores the default permissions' names in English ("Can add registration"), once, when
# migrating; the admin's permission lists show them in the reader's language instead.
DEFAULT_PERMISSION_NAMES = {
    "add": _("Can add %(name)s"),
    "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"),
    "view": _("Can view %(name)s"),
}


def permission_label(permission: Permission) -> str:
    """ "Aplikasi | model | Dapat menambah model": the permission's name in the reader's
    language (an own permission's name through gettext)."""
    model = permission.content_type.model_class()
    action, _sep, model_name = permission.codename.partition("_")
    if (
        model is not None
        and action in DEFAULT_PERMISSION_NAMES
        and model_name == model._meta.model_name
    ):
        name = DEFAULT_PERMISSION_NAMES[action] % {"name": model._meta.verbose_name}
    else:
        name = gettext(permission.name)
    return f"{permission.content_type} | {name}"


class PermissionsInReaderLanguage:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.remote_field.model is Permission:
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionsInReaderLanguage, BaseGroupAdmin):
    pass


@admin.register(User)
class UserAdmin(PermissionsInReaderLanguage, BaseUserAdmin):
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


# django-otp's admin (imported above, so registered already) writes its search help and its
# sections in English; its fields are named in the reader's language by third_party.TOTPConfig.
TOTP_FIELDSET_NAMES = {
    "Identity": _("Identity"),
    "Timestamps": _("Timestamps"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Throttling"),
}

admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(BaseTOTPDeviceAdmin):
    search_help_text = _("Search by the user's username or e-mail address.")

    def get_fieldsets(self, request, obj=None):
        return [
            (TOTP_FIELDSET_NAMES.get(name, name), options)
            for name, options in super().get_fieldsets(request, obj)
        ]


admin.site.site_header = _("Desa Sadar portal administration")
admin.site.site_title = _("Desa Sadar administration")
admin.site.index_title = _("Branch offices, agreements and campaigns")
