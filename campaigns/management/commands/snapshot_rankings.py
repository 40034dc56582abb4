"""Remember each campaign's current ranking, so its dashboard shows who rose or fell since."""

from django.core.management.base import BaseCommand

from campaigns import services
from campaigns.models import Campaign


class Command(BaseCommand):
    help = "Remember every running campaign's ranking (run it weekly, e.g. on Monday morning)."

    def handle(self, **options):
        campaigns = Campaign.objects.running()
        for campaign in campaigns:
            services.rankings_snapshot(campaign=campaign)
        self.stdout.write(f"Rankings remembered for {len(campaigns)} running campaigns.")
