from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpensidConfig(AppConfig):
    name = "opensid"
    verbose_name = _("OpenSID")
