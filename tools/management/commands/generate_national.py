import sys

from django.core.management.base import BaseCommand, CommandError

from tools.national.common import SEED, NationalDataError
from tools.national.generate import national_generate


class Command(BaseCommand):
    help = (
        "Generate a national data set on PostgreSQL for benchmarks: every village of the "
        "national regions file (or --synthetic N villages), branch offices covering every "
        "regency, campaigns with the national Desa Sadar campaign, and N participants with their "
        "registrations and history, loaded with COPY. A second run with the same figures changes "
        "nothing; --reset empties every participant, registration and agent first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--participants",
            type=int,
            default=1_000_000,
            help="Participants (each with one registration) to generate; default 1,000,000.",
        )
        parser.add_argument(
            "--synthetic",
            type=int,
            metavar="N",
            help="Use N synthetic villages instead of the national regions file.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="First empty the personal-data tables (participants, registrations, their "
            "history and funded periods, agents) with TRUNCATE: for a benchmark database only.",
        )
        parser.add_argument("--seed", type=int, default=SEED, help="Random seed.")
        parser.add_argument(
            "--chunk-size", type=int, default=50_000, help="Participants per COPY transaction."
        )
        parser.add_argument(
            "--writers", type=int, default=2, help="Connections copying chunks in parallel."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar on stderr.")

    def handle(self, *args, participants, synthetic, reset, seed, chunk_size, writers, **options):
        if synthetic is not None and synthetic < 1:
            raise CommandError("--synthetic needs at least one village.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be positive.")
        if writers < 0:
            raise CommandError("--writers cannot be negative.")
        try:
            report = national_generate(
                participants=participants,
                synthetic=synthetic,
                reset=reset,
                seed=seed,
                chunk_size=chunk_size,
                writers=writers,
                progress=None if options["no_progress"] else sys.stderr,
                log=self.stdout.write,
            )
        except NationalDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Done in {report.seconds['total']:.1f} s."))
