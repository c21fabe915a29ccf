from django.core.management.base import BaseCommand

from communities import permissions
from communities.models import Community


class Command(BaseCommand):
    help = "Re-derive every member's guardian permissions from COMMUNITIES_ROLES (after changing it)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these communities (default: all)")

    def handle(self, *args, **options):
        communities = Community.objects.all()
        if options["slugs"]:
            communities = communities.filter(slug__in=[slug.lower() for slug in options["slugs"]])
        count = 0
        for community in communities.iterator():
            permissions.sync_community(community)
            count += 1
        if options["verbosity"]:
            self.stdout.write(f"Synchronised permissions of {count} communities.")
