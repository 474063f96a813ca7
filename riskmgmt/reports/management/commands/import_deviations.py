from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from riskmgmt.reports.importing import DeviationImportError, can_import, deviations_import


class Command(BaseCommand):
    help = (
        "Importerar avvikelser från ett tidigare system: CSV (UTF-8, ; eller ,) eller Excel (.xlsx). "
        "Alla rader kontrolleras först; är någon rad fel importeras ingenting. "
        "Kolumner: typ, enhet, rubrik, beskrivning, rapporterad, inträffade, status, avslutad, process "
        "(eller kind, unit, title, description, reported at, occurred at, status, closed at)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="CSV- eller xlsx-fil, rad 1 är rubrikraden")
        parser.add_argument("--as", dest="as_user", metavar="ANVÄNDARNAMN",
                            help="kvalitetssamordnaren som importerar (står som rapportör och i historiken)")
        parser.add_argument("--dry-run", action="store_true", help="kontrollera filen utan att importera något")

    def handle(self, *args, path: str, as_user: str | None, dry_run: bool, **options) -> None:
        if not as_user:
            raise CommandError("Ange --as med användarnamnet för den kvalitetssamordnare som importerar.")
        user = get_user_model().objects.filter(username=as_user).first()
        if user is None:
            raise CommandError(f"Användaren {as_user} finns inte.")
        if not can_import(user):
            raise CommandError(f"{as_user} är inte kvalitetssamordnare. Bara en kvalitetssamordnare kan "
                               "importera avvikelser.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Filen finns inte: {path}")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Filen kunde inte läsas: {exc.strerror}.") from exc
        try:
            result = deviations_import(data=data, filename=file.name, actor=user, dry_run=dry_run)
        except DeviationImportError as exc:
            raise CommandError("Inget importerades.\n" + "\n".join(exc.errors)) from exc
        for column in result.ignored_columns:
            self.stdout.write(self.style.WARNING(f"Kolumnen '{column}' känns inte igen och lästes inte."))
        years = ", ".join(f"{year}: {n}" for year, n in sorted(result.per_year.items()))
        total = sum(result.per_year.values())
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Filen är korrekt: {total} rader kan importeras ({years}). "
                                                 "Inget importerades (--dry-run)."))
            return
        self.stdout.write(self.style.SUCCESS(f"Importerade {total} avvikelser ({years})."))
        if result.deviations:
            self.stdout.write(f"Diarienummer {result.deviations[0].reference} – {result.deviations[-1].reference}"
                              if total > 1 else f"Diarienummer {result.deviations[0].reference}")
