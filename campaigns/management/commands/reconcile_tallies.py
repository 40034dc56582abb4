"""Count every campaign's numbers again from the registrations and repair any difference; the
same for each registration's stored latest funded period."""

from django.core.management.base import BaseCommand, CommandError

from campaigns import tally
from campaigns.models import Campaign
from enrollment.models import Registration
from portal import page_cache


class Command(BaseCommand):
    help = (
        "Count the campaigns' stored numbers again from the registrations, and each "
        "registration's stored latest funded period; report and repair any difference (exit "
        "status 1 with --check when there was one)."
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
        # Each registration's stored latest funded period, which the lists of periods ending
        # soon read: rows written behind the portal's back may not have it.
        out_of_step = Registration.objects.paid_until_out_of_step().store_paid_until()
        if out_of_step:
            page_cache.changed(page_cache.ALL)
            self.stdout.write(
                f"paid_until was out of step on {out_of_step} registrations; repaired."
            )
        else:
            self.stdout.write("Every registration's latest funded period is stored.")
        if check and (differences or out_of_step):
            count = len(differences) + (1 if out_of_step else 0)
            raise CommandError(f"{count} numbers were out of step (now repaired).")
