from django.core.management.base import BaseCommand

from tools.demo import demo_load


class Command(BaseCommand):
    help = "Load demo data retelling the seed articles (idempotent; loads regions if missing)."

    def handle(self, *args, **options):
        demo_load(log=self.stdout.write)
