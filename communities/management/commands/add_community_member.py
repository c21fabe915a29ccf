import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities import services
from communities.models import Community


class Command(BaseCommand):
    help = "Add a user (by e-mail) or a group (by name) to a community with a role, as the system."

    def add_arguments(self, parser):
        parser.add_argument("community", help="slug or UUID of the community")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--user", help="e-mail address of the user")
        target.add_argument("--group", help="name of the group")
        parser.add_argument("--role", required=True)
        parser.add_argument("--visible", action="store_true", help="show the member on the public list")

    def handle(self, *args, **options):
        community = self._community(options["community"])
        principal = self._principal(options)
        try:
            services.import_member(community, principal, options["role"], visible=options["visible"] or None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if options["verbosity"]:
            self.stdout.write(f"Added {principal} to {community.slug} as {options['role']}.")

    def _community(self, key: str) -> Community:
        try:
            lookup = {"uuid": uuid.UUID(key)}
        except ValueError:
            lookup = {"slug": key.lower()}
        community = Community.objects.alive().filter(**lookup).first()
        if community is None:
            raise CommandError(f"No community {key!r}.")
        return community

    def _principal(self, options):
        if options["user"]:
            user = get_user_model().objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(f"No user with e-mail {options['user']!r}.")
            return user
        group = Group.objects.filter(name=options["group"]).first()
        if group is None:
            raise CommandError(f"No group {options['group']!r}.")
        return group
