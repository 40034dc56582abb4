import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villages.regions import DATA_DIR, RegionFileError
from villages.services import regions_load


class Command(BaseCommand):
    help = (
        "Load Indonesia's provinces, regencies, districts and villages (Kemendagri codes) from "
        "CSV files; idempotent. Default data: idn-area-data 4.0.1 (ODbL), in villages/data/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=DATA_DIR,
            help="Folder with provinces.csv, regencies.csv, districts.csv and villages.csv.",
        )

    def handle(self, *args, directory, **options):
        started = time.perf_counter()
        try:
            counts = regions_load(directory=directory)
        except RegionFileError as error:
            raise CommandError(f"Nothing was loaded: {error}") from error
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{count:,} {level} rows" for level, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded {summary} in {elapsed:.1f} s."))
