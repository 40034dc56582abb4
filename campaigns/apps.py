from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Agreements and campaigns")

    def ready(self):
        from enrollment import changes
        from portal import content_changes
        from villages.signals import village_facts_changed

        from . import counting, tally

        # The numbers the tally keeps: it marks the cached pages itself.
        content_changes.declare(
            "campaigns",
            not_shown={
                "campaigns.campaignvillage",
                "campaigns.campaignarea",
                "campaigns.campaignweek",
            },
        )

        changes.registrations_changed.connect(
            tally.on_registrations_changed, dispatch_uid="campaigns.tally.registrations"
        )
        village_facts_changed.connect(
            tally.on_village_facts_changed, dispatch_uid="campaigns.tally.village_facts"
        )
        changes.count_toward_with(counting.campaigns_counted_toward)
