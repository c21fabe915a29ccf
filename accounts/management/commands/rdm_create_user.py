import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import Visibility


def one_line(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


class Command(BaseCommand):
    help = "Create a user with profile and preferences (for identity systems and operators)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        secret = parser.add_mutually_exclusive_group()
        secret.add_argument("--password", help="Without a password the user cannot log in with one.")
        secret.add_argument("--password-stdin", action="store_true", help="Read the password from stdin.")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--affiliation", action="append", default=[], help="Repeat for several.")
        parser.add_argument("--username")
        parser.add_argument("--verified", action="store_true", help="Mark the e-mail address verified.")
        parser.add_argument("--staff", action="store_true")
        parser.add_argument("--superuser", action="store_true")
        choices = Visibility.values
        parser.add_argument("--profile-visibility", choices=choices, default=Visibility.RESTRICTED)
        parser.add_argument("--email-visibility", choices=choices, default=Visibility.RESTRICTED)

    def handle(self, *args, **options):
        password = options["password"]
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        try:
            user = services.create_user(
                email=options["email"],
                password=password,
                full_name=options["full_name"],
                affiliations=options["affiliation"],
                username=options["username"],
                email_verified=options["verified"],
                is_staff=options["staff"] or options["superuser"],
                is_superuser=options["superuser"],
                profile_visibility=options["profile_visibility"],
                email_visibility=options["email_visibility"],
            )
        except ValidationError as error:
            raise CommandError(one_line(error)) from error
        self.stdout.write(f"Created user {user.pk} <{user.email}>.")
