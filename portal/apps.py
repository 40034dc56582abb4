from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from . import content_changes, third_party, two_factor  # noqa: F401  (two_factor: its receiver)

        content_changes.connect()
        third_party.use_portal_blank_choice()
        third_party.translate_admin_boolean_icons()
