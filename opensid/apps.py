from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpensidConfig(AppConfig):
    name = "opensid"
    verbose_name = _("OpenSID")

    def ready(self):
        from portal import content_changes

        content_changes.declare(
            "opensid", not_shown={"opensid.residentupload", "opensid.residentcandidate"}
        )
