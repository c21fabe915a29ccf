from django.core.management.base import BaseCommand, CommandError

from vocabularies import services
from vocabularies.registry import VOCABULARY_TYPES


class Command(BaseCommand):
    help = "Manage vocabularies. `load` upserts the default entries from vocabularies/fixtures/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["load"])
        parser.add_argument("vocabularies", nargs="*", help="Vocabularies to load (default: all).")

    def handle(self, *args, action, vocabularies, **options):
        unknown = set(vocabularies) - set(VOCABULARY_TYPES)
        if unknown:
            raise CommandError(f"Unknown vocabularies: {', '.join(sorted(unknown))}.")
        reports = services.load_defaults(vocabularies or None)
        for name, report in reports.items():
            self.stdout.write(
                f"{name}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
            )
