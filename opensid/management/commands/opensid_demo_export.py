"""Write the demo OpenSID resident export of Socorejo to a file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from opensid.demo import resident_export


class Command(BaseCommand):
    help = (
        "Write a made-up OpenSID resident export of Socorejo (35.23.12.2002): families, deaths, "
        "moves, temporary NIKs and duplicates, as OpenSID's Ekspor writes it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output", nargs="?", default="opensid-socorejo.xlsx", help="Where to write it."
        )
        parser.add_argument("--residents", type=int, default=400, help="About how many.")
        parser.add_argument("--seed", type=int, default=2019, help="Same seed, same file.")

    def handle(self, *args, output, residents, seed, **options):
        content = resident_export(residents=residents, seed=seed)
        Path(output).write_bytes(content)
        self.stdout.write(f"{output}: {len(content):,} bytes")
