"""`quality_report --year Y --unit CODE --format pdf|html|xlsx|json [--output PATH]`: a year's
kvalitetsberättelse for a unit's subtree, the same document and facts as the page and the API.

Without --output, json and html go to standard output and pdf and xlsx to
kvalitetsberattelse-<code>-<year>.<ext> in the current folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from riskmgmt.organisation.models import Unit
from riskmgmt.reports.document import (
    document_filename,
    quality_context,
    render_html,
    render_pdf,
    render_xlsx,
)
from riskmgmt.reports.facts import FIRST_YEAR, last_year_allowed, quality_facts

FORMATS = ("pdf", "html", "xlsx", "json")


class Command(BaseCommand):
    help = "Skriver årets kvalitetsberättelse för en enhet (och enheterna under den) som pdf, html, xlsx eller json."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="Kalenderåret.")
        parser.add_argument("--unit", required=True, help="Enhetens kod, t.ex. fam.")
        parser.add_argument("--format", choices=FORMATS, default="pdf")
        parser.add_argument("--output", help="Fil att skriva till (standard: se hjälptexten ovan).")

    def handle(self, *args, year: int, unit: str, format: str, output: str | None, **options) -> None:
        last = last_year_allowed()
        if not FIRST_YEAR <= year <= last:
            raise CommandError(f"Året måste vara mellan {FIRST_YEAR} och {last}.")
        report_unit = Unit.objects.filter(code=unit).first()
        if report_unit is None:
            raise CommandError(f"Det finns ingen enhet med koden {unit!r}.")

        if format == "json":
            content: bytes | str = json.dumps(quality_facts(report_unit, year), ensure_ascii=False, indent=2) + "\n"
        else:
            context = quality_context(report_unit, year)
            renderer = {"pdf": render_pdf, "html": render_html, "xlsx": render_xlsx}[format]
            content = renderer(context)

        if output is None and format in ("json", "html"):
            self.stdout.write(content, ending="")
            return
        path = Path(output or document_filename(report_unit, year, format))
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Kunde inte skriva {path}: {exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"Skrev {path}"))
