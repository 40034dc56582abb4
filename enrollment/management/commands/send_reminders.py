import datetime

from django.core.management.base import BaseCommand

from enrollment.notices import reminders_run


class Command(BaseCommand):
    help = (
        "Create the day's notifications (verification digests for branch staff; verifications, "
        "rejections and ending village-funded periods for village operators) and e-mail those "
        "not mailed yet. Idempotent: run it from cron once a day, or more often."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="Run as of this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, date=None, **options):
        counts = reminders_run(today=date)
        self.stdout.write(
            "digests: {digests}, decisions: {decisions}, lapsing: {lapsing}, "
            "e-mails: {emails}".format(**counts)
        )
