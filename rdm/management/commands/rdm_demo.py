from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load demo data (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write("Demo data: nothing to load yet.")
