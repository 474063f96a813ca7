import os

from django.core.management.base import BaseCommand, CommandError

from riskmgmt.core.errors import ApplicationError
from riskmgmt.organisation.services import member_add


class Command(BaseCommand):
    help = "Skapar användaren om den saknas och ger den en roll på en enhet."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("unit_code")
        parser.add_argument("role", help="staff, unit_manager, section_manager, quality, management")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env",
            default=None,
            help="namnet på en miljövariabel som innehåller lösenordet (aldrig lösenordet självt)",
        )

    def handle(self, *args, username, unit_code, role, email, password_env, **options) -> None:
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"Miljövariabeln {password_env} är inte satt. Inget har ändrats.")
        try:
            membership = member_add(
                username=username, unit_code=unit_code, role=role, email=email, password=password
            )
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} Inget har ändrats.") from exc
        self.stdout.write(self.style.SUCCESS(f"{membership.user.username}: {membership}"))
