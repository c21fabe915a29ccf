from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services

from .rdm_create_user import one_line


class Command(BaseCommand):
    help = "Give an existing user staff rights."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, **options):
        try:
            user = services.make_staff(options["email"])
        except ValidationError as error:
            raise CommandError(one_line(error)) from error
        self.stdout.write(f"{user.email} is now staff.")
