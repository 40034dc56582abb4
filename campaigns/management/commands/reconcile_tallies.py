"""Count every campaign's numbers again from the registrations and repair any difference."""

from django.core.management.base import BaseCommand, CommandError

from campaigns import tally
from campaigns.models import Campaign


class Command(BaseCommand):
    help = (
        "Count the campaigns' stored numbers again from the registrations; report and repair "
        "any difference (exit status 1 with --check when there was one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these campaigns (default: all).")
        parser.add_argument(
            "--check", action="store_true", help="Fail when any number was out of step."
        )

    def handle(self, *slugs, check=False, **options):
        campaigns = Campaign.objects.order_by("pk")
        if slugs:
            campaigns = campaigns.filter(slug__in=slugs)
        differences = tally.reconcile(campaigns)
        for difference in differences:
            places = "areas" if difference.what == "areas" else "villages"
            villages = f" ({len(difference.villages)} {places})" if difference.villages else ""
            self.stdout.write(
                f"{difference.campaign.slug}: {difference.what} was out of step{villages}; "
                "repaired."
            )
        if not differences:
            self.stdout.write("Every campaign's numbers are in step with its registrations.")
        elif check:
            raise CommandError(f"{len(differences)} numbers were out of step (now repaired).")
