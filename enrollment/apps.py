from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "enrollment"
    verbose_name = _("Enrollment")

    def ready(self):
        from portal import content_changes

        from .changes import cached_villages_of

        content_changes.declare(
            "enrollment",
            not_shown={"enrollment.exportrecord", "enrollment.importbatch", "enrollment.importrow"},
            villages_of=cached_villages_of,
        )
