"""The risk register as a spreadsheet: XLSX (openpyxl) or CSV that Swedish Excel opens as is
(semicolons, UTF-8 with a byte order mark). No personal data: risk texts are checked for
personnummer when they are saved, and actions are listed by reference, title and status only.
"""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from riskmgmt.organisation.models import Unit

from .matrix import LEVEL_LABELS
from .models import Risk
from .selectors import risk_register_rows

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WIDE_COLUMNS = {3: 40, 4: 60, 16: 60}  # risk, description, actions (0-based); wrapped


def headers() -> list[str]:
    return [_("Enhet"), _("År"), _("Analysens status"), _("Risk"), _("Beskrivning"), _("Process"), _("Typ"),
            _("Perspektiv"), _("Sannolikhet"), _("Konsekvens"), _("Riskpoäng"), _("Nivå"),
            _("Sannolikhet efter åtgärder"), _("Konsekvens efter åtgärder"), _("Lyft till sektionen"),
            _("Status"), _("Åtgärder")]


def rows(qs: QuerySet[Risk]) -> list[list]:
    """One list per risk, in the order of `headers()`; numbers stay numbers."""
    result = []
    for risk, actions in risk_register_rows(qs):
        result.append([
            risk.analysis.unit.name, risk.analysis.year, risk.analysis.get_status_display(), risk.title,
            risk.description, risk.process.name if risk.process else "", risk.get_risk_type_display(),
            risk.get_perspective_display(), risk.probability, risk.consequence, risk.score,
            str(LEVEL_LABELS[risk.risk_level]), risk.residual_probability, risk.residual_consequence,
            _("Ja") if risk.escalated else _("Nej"), risk.get_status_display(),
            "; ".join(f"{a.reference} {a.title} ({a.get_status_display()})" for a in actions),
        ])
    return result


def _as_csv(table: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    for row in table:
        writer.writerow(["" if v is None else f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_STARTS)
                         else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_value(value):
    """openpyxl refuses control characters in a cell; text pasted from a word processor (a form
    feed, a vertical tab) would otherwise make the whole export fail."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _as_xlsx(table: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit for sheet names
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    wrapped, plain = Alignment(vertical="top", wrap_text=True), Alignment(vertical="top")
    # Cells are addressed by number: sheet[sheet.max_row] scans every written cell, which made a
    # whole administration's register take tens of seconds (tests/perf/test_risk_year_bench.py).
    for row_number, row in enumerate(table, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column, value=_xlsx_value(value))
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cell.alignment = wrapped if column - 1 in WIDE_COLUMNS else plain
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, name in enumerate(headers()):
        letter = sheet.cell(row=1, column=index + 1).column_letter
        longest = max([len(name), *(len(str(r[index])) for r in table if r[index] is not None)])
        sheet.column_dimensions[letter].width = WIDE_COLUMNS.get(index, min(max(longest + 2, 8), 30))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(fmt: str, qs: QuerySet[Risk], *, scope: Unit | None, year: int) -> HttpResponse:
    """The register of `qs` as a download named after the scope and the year."""
    table = rows(qs)
    name = f"riskregister-{year}-{scope.code if scope else 'alla'}.{fmt}"
    body = _as_xlsx(table, f"{_('Riskregister')} {year}") if fmt == "xlsx" else _as_csv(table)
    resp = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
