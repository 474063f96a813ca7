from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from riskmgmt.core.errors import ApplicationError
from riskmgmt.organisation.services import organisation_load, organisation_parse


class Command(BaseCommand):
    help = "Läser in enheter och processer från en YAML-fil; skapar eller uppdaterar per kod."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="YAML-fil med en lista av rotenheter")

    def handle(self, *args, path: str, **options) -> None:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"Inget har ändrats.\nFilen är inte sparad som UTF-8 (byte {exc.start})."
            ) from exc
        try:
            result = organisation_load(data=organisation_parse(text))
        except ApplicationError as exc:
            raise CommandError(f"Inget har ändrats.\n{exc.message}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Enheter: {len(result.created)} nya, {len(result.updated)} uppdaterade. "
                f"Processer: {result.processes_created} nya, {result.processes_updated} uppdaterade."
            )
        )
