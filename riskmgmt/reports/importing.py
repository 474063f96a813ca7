"""Import of deviations from an earlier system (`manage.py import_deviations PATH --as USER`).

The file is CSV (";", "," or tab, found from the header; UTF-8 with or without BOM) or Excel
(.xlsx, the first sheet). Row 1 is the header; the columns may come in any order, in English
or Swedish:

    kind / typ               lex_sarah, complaint, other (or "lex Sarah", "klagomål", "synpunkt", "övrig")
    unit / enhet             the unit's code (a unit, not a section)
    title / rubrik           required, no personnummer
    description / beskrivning  required, no personnummer
    reported at / rapporterad  required: YYYY-MM-DD or YYYY-MM-DD HH:MM, Swedish time
    occurred at / inträffade   optional, same format
    status                   reported, closed, withdrawn (or rapporterad, avslutad, återkallad);
                             empty means closed when "closed at" is given, else reported
    closed at / avslutad     required for closed rows
    process                  optional: the name of one of the unit's processes

All or nothing: every row is checked first, and one bad row imports nothing; the errors name
the row as a spreadsheet shows it ("Rad 7: okänd enhet 'xyz'", the header being row 1).

Only a quality coordinator may import, and only for units under where they sit (the filing
service lets only quality set a past `reported_at` too).

Each row gets its reference in the year it was reported (AVV-2013-0004), numbered in report
order after any the year already has, a history entry (reason "import", by the importing
user) and a "create" row in the transition log whose comment names the file and row.

Imported rows land directly in their final status without running the workflow. They are
history from an earlier system: the workflow's guards (immediate measures, investigation,
feedback to the reporter, decided actions, the IVO track) describe work done *in this
system*, and running them would mean inventing that data or weakening the guards. Closed and
withdrawn rows get no deadlines; a row still open ("reported") gets the usual deadlines from
its report date, so it turns up in "Att hantera" with the others. No notifications are sent.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.models import Transition
from riskmgmt.core.personnummer import find_personal_numbers
from riskmgmt.core.serials import serial_next
from riskmgmt.deviations.models import Deviation
from riskmgmt.notifications.deadlines import due_date_for
from riskmgmt.organisation.models import Membership, Process, Unit
from riskmgmt.organisation.selectors import user_has_role, user_has_role_over

Kind = Deviation.Kind
Status = Deviation.Status
MAX_ROWS = 20_000
MAX_ERRORS = 200

COLUMNS = {
    "kind": ("kind", "typ", "type", "avvikelsetyp"),
    "unit": ("unit", "unit code", "unitcode", "enhet", "enhetskod", "enhet kod"),
    "title": ("title", "rubrik"),
    "description": ("description", "beskrivning"),
    "occurred_at": ("occurred at", "occurred", "inträffade", "inträffad", "inträffat", "händelsedatum"),
    "reported_at": ("reported at", "reported", "rapporterad", "rapporterades", "rapportdatum"),
    "status": ("status",),
    "closed_at": ("closed at", "closed", "avslutad", "avslutades", "avslutat"),
    "process": ("process",),
}
REQUIRED = ("kind", "unit", "title", "description", "reported_at")
COLUMN_NAMES = {"kind": "typ", "unit": "enhet", "title": "rubrik", "description": "beskrivning",
                "occurred_at": "inträffade", "reported_at": "rapporterad", "status": "status",
                "closed_at": "avslutad", "process": "process"}

KINDS = {
    "lex sarah": Kind.LEX_SARAH, "lex sarah-rapport": Kind.LEX_SARAH, "lex sarah rapport": Kind.LEX_SARAH,
    "lexsarah": Kind.LEX_SARAH,
    "complaint": Kind.COMPLAINT, "klagomål": Kind.COMPLAINT, "synpunkt": Kind.COMPLAINT,
    "synpunkt eller klagomål": Kind.COMPLAINT, "synpunkter och klagomål": Kind.COMPLAINT,
    "synpunkt/klagomål": Kind.COMPLAINT,
    "other": Kind.OTHER, "övrig": Kind.OTHER, "övrig avvikelse": Kind.OTHER, "övriga avvikelser": Kind.OTHER,
    "avvikelse": Kind.OTHER,
}
STATUSES = {
    "reported": Status.REPORTED, "rapporterad": Status.REPORTED,
    "closed": Status.CLOSED, "avslutad": Status.CLOSED, "stängd": Status.CLOSED,
    "withdrawn": Status.WITHDRAWN, "återkallad": Status.WITHDRAWN,
}
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class DeviationImportError(ApplicationError):
    """The file cannot be imported; `errors` are the Swedish messages, one per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportRow:
    number: int
    kind: str
    unit: Unit
    title: str
    description: str
    reported_at: datetime.datetime
    status: str
    occurred_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    process: Process | None = None


@dataclass
class ImportResult:
    deviations: list[Deviation] = field(default_factory=list)
    per_year: Counter = field(default_factory=Counter)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False


def _normal(text) -> str:
    return " ".join(str(text or "").replace("_", " ").replace("\u00a0", " ").split()).lower()


# ---------------------------------------------------------------- reading the file

def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError, TypeError) as exc:
        raise DeviationImportError(["Filen kunde inte läsas som en Excel-fil (.xlsx). Kontrollera att den inte "
                                    "är skadad eller lösenordsskyddad."]) from exc


def _read_csv(data: bytes) -> list[list]:
    if b"\x00" in data[:4096]:
        raise DeviationImportError(["Filen är inte en textfil i UTF-8 (den kan vara sparad som UTF-16 eller vara "
                                    "en annan filtyp). Spara den som \"CSV UTF-8\" och försök igen."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeviationImportError([f"Filen är inte sparad som UTF-8 (fel vid byte {exc.start}). Spara den som "
                                    "\"CSV UTF-8\" och försök igen."]) from exc
    header = next((line for line in text.splitlines() if line.strip()), "")
    if not header:
        raise DeviationImportError(["Filen är tom: rad 1 ska vara en rubrikrad."])
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    delimiter = max(counts, key=counts.get)
    if not counts[delimiter]:
        raise DeviationImportError(["Hittar inga kolumner: rubrikraden ska ha kolumnerna åtskilda med semikolon, "
                                    "komma eller tabb."])
    try:
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""),
                                                                      delimiter=delimiter)]
    except csv.Error as exc:
        raise DeviationImportError([f"Filen kunde inte läsas som CSV: {exc}."]) from exc


def read_table(data: bytes, filename: str) -> list[list]:
    """The file's rows as lists of cells (text, or dates from Excel); header first."""
    suffix = Path(filename).suffix.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise DeviationImportError(["Äldre Excel-filer (.xls) kan inte läsas. Spara filen som .xlsx eller som "
                                    "\"CSV UTF-8\" och försök igen."])
    if data[:4] == b"PK\x03\x04" or suffix == ".xlsx":
        return _read_xlsx(data)
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise DeviationImportError([f"Filtypen {suffix} kan inte importeras. Använd CSV (UTF-8) eller Excel "
                                    "(.xlsx)."])
    return _read_csv(data)


# ---------------------------------------------------------------- checking the rows

def _header(cells: list) -> tuple[dict[str, int], list[str]]:
    aliases = {_normal(alias): key for key, names in COLUMNS.items() for alias in names}
    positions: dict[str, int] = {}
    ignored, errors = [], []
    for index, cell in enumerate(cells):
        name = _normal(cell)
        if not name:
            continue
        key = aliases.get(name)
        if key is None:
            ignored.append(str(cell))
        elif key in positions:
            errors.append(f"Rad 1: kolumnen {COLUMN_NAMES[key]} finns två gånger.")
        else:
            positions[key] = index
    missing = [COLUMN_NAMES[key] for key in REQUIRED if key not in positions]
    if missing:
        errors.append("Rad 1: kolumner saknas: " + ", ".join(missing)
                      + ". Rubrikraden ska ha typ, enhet, rubrik, beskrivning och rapporterad "
                        "(eller kind, unit, title, description, reported at).")
    if errors:
        raise DeviationImportError(errors)
    return positions, ignored


def parse_when(value) -> datetime.datetime:
    """YYYY-MM-DD or YYYY-MM-DD HH:MM (or an Excel date) as Swedish time; ValueError otherwise."""
    tz = timezone.get_default_timezone()
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=tz)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=tz)
    match = _DATE.match(str(value).strip())
    if not match:
        raise ValueError(value)
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=tz)


def _quoted(value) -> str:
    """A cell as an error message shows it: quoted, or withheld when it holds a personnummer (an
    unquoted separator in a text shifts the cells after it, so one may land in any column)."""
    text = str(value)
    if find_personal_numbers(text):
        return "(ett värde som liknar ett personnummer och därför inte visas)"
    return f"'{text}'"


class _RowChecker:
    """Checks one row at a time, collecting every problem of the file as "Rad N: …"."""

    def __init__(self, *, actor, units: dict[str, Unit], processes: dict[tuple[int, str], Process]):
        self.actor = actor
        self.units = units
        self.processes = processes
        self.errors: list[str] = []
        self.now = timezone.now()

    def error(self, number: int, message: str) -> None:
        self.errors.append(f"Rad {number}: {message}")

    def when(self, number: int, value, label: str, *, required: bool = False) -> datetime.datetime | None:
        if value in ("", None):
            if required:
                self.error(number, f"{label} saknas.")
            return None
        try:
            moment = parse_when(value)
        except ValueError:
            self.error(number, f"{label} {_quoted(value)} är inget datum. Skriv ÅÅÅÅ-MM-DD eller ÅÅÅÅ-MM-DD TT:MM.")
            return None
        if moment > self.now:
            self.error(number, f"{label} {moment:%Y-%m-%d} ligger i framtiden.")
            return None
        if moment.year < 1900:
            self.error(number, f"{label}: kontrollera årtalet ({moment.year}).")
            return None
        return moment

    def check(self, number: int, values: dict) -> ImportRow | None:
        before = len(self.errors)
        kind = KINDS.get(_normal(values.get("kind")))
        if kind is None:
            given = values.get("kind") or ""
            self.error(number, f"okänd typ {_quoted(given)}. Ange lex_sarah, complaint eller other "
                               "(lex Sarah, klagomål/synpunkt eller övrig)." if given else "typ saknas.")
        code = str(values.get("unit") or "").strip()
        unit = self.units.get(code.lower())
        if not code:
            self.error(number, "enhet saknas.")
        elif unit is None:
            self.error(number, f"okänd enhet {_quoted(code)}.")
        elif unit.kind != Unit.Kind.UNIT:
            self.error(number, f"'{code}' är en {unit.get_kind_display().lower()}, inte en enhet. "
                               "Avvikelser hör till en enhet.")
        elif not user_has_role_over(self.actor, unit, [Membership.Role.QUALITY]):
            self.error(number, f"enheten '{code}' ligger utanför det du är kvalitetssamordnare för.")
        process = None
        process_name = str(values.get("process") or "").strip()
        if process_name and unit is not None:
            process = self.processes.get((unit.pk, _normal(process_name)))
            if process is None:
                self.error(number, f"okänd process {_quoted(process_name)} för enheten '{code}'.")
        title = str(values.get("title") or "").strip()
        description = str(values.get("description") or "").strip()
        for label, text in (("rubriken", title), ("beskrivningen", description)):
            if not text:
                self.error(number, f"{label} saknas.")
            elif find_personal_numbers(text):
                # Never repeat the number in the message: it would end up in logs and terminals.
                self.error(number, f"{label} innehåller ett personnummer eller samordningsnummer. "
                                   "Ta bort det i filen och importera igen.")
        if len(title) > 200:
            self.error(number, f"rubriken är {len(title)} tecken; högst 200 får plats.")
        reported_at = self.when(number, values.get("reported_at"), "Rapporterad", required=True)
        occurred_at = self.when(number, values.get("occurred_at"), "Inträffade")
        closed_at = self.when(number, values.get("closed_at"), "Avslutad")
        given_status = values.get("status") or ""
        status = STATUSES.get(_normal(given_status)) if given_status else (
            Status.CLOSED if closed_at or values.get("closed_at") else Status.REPORTED)
        if status is None:
            self.error(number, f"okänd status {_quoted(given_status)}. Ange reported, closed eller withdrawn "
                               "(rapporterad, avslutad eller återkallad).")
        elif status == Status.CLOSED and closed_at is None and not values.get("closed_at"):
            self.error(number, "en avslutad rapport behöver ett datum i kolumnen avslutad.")
        elif status != Status.CLOSED and values.get("closed_at"):
            self.error(number, "avslutad får bara fyllas i när status är avslutad.")
        if reported_at and occurred_at and occurred_at > reported_at:
            self.error(number, "inträffade ligger efter rapporterad.")
        if reported_at and closed_at and closed_at < reported_at:
            self.error(number, "avslutad ligger före rapporterad.")
        if len(self.errors) > before:
            return None
        return ImportRow(number=number, kind=kind, unit=unit, title=title, description=description,
                         reported_at=reported_at, status=status, occurred_at=occurred_at, closed_at=closed_at,
                         process=process)


def _lookups(records: list[tuple[int, dict]]) -> tuple[dict[str, Unit], dict[tuple[int, str], Process]]:
    """The units and processes the file names, two queries."""
    codes = {str(values.get("unit") or "").strip().lower() for _n, values in records} - {""}
    units = {unit.code.lower(): unit for unit in Unit.objects.filter(code__in=codes)}
    processes = {(p.unit_id, _normal(p.name)): p for p in Process.objects.filter(unit__in=list(units.values()))}
    return units, processes


def check_rows(table: list[list], *, actor) -> tuple[list[ImportRow], list[str]]:
    """Every data row checked; raises DeviationImportError listing all problems."""
    if not table or not any(_cell(c) != "" for c in table[0]):
        raise DeviationImportError(["Filen är tom: rad 1 ska vara en rubrikrad."])
    positions, ignored = _header(table[0])
    records = []
    for index, cells in enumerate(table[1:], start=2):
        if not any(_cell(c) != "" for c in cells):
            continue  # an empty line, e.g. at the end of the file
        records.append((index, {key: _cell(cells[pos]) if pos < len(cells) else "" for key, pos in positions.items()}))
    if not records:
        raise DeviationImportError(["Filen har inga rader att importera under rubrikraden."])
    if len(records) > MAX_ROWS:
        raise DeviationImportError([f"Filen har {len(records)} rader; högst {MAX_ROWS} går att importera åt "
                                    "gången. Dela upp den."])
    units, processes = _lookups(records)
    checker = _RowChecker(actor=actor, units=units, processes=processes)
    rows = [row for number, values in records if (row := checker.check(number, values)) is not None]
    _check_duplicates(rows, checker)
    if checker.errors:
        errors = checker.errors[:MAX_ERRORS]
        if len(checker.errors) > MAX_ERRORS:
            errors.append(f"… och {len(checker.errors) - MAX_ERRORS} fel till.")
        raise DeviationImportError(errors)
    return rows, ignored


def _check_duplicates(rows: list[ImportRow], checker: _RowChecker) -> None:
    """A row already in the database (same unit, kind, title and report time), or twice in the
    file, is refused: importing the same file twice must not double the statistics."""
    seen: dict[tuple, int] = {}
    for row in rows:
        key = (row.unit.pk, row.kind, row.title, row.reported_at)
        if key in seen:
            checker.error(row.number, f"samma rapport som rad {seen[key]}.")
        seen.setdefault(key, row.number)
    if not rows:
        return
    existing = Deviation.objects.filter(
        unit__in={row.unit.pk for row in rows}, reported_at__in={row.reported_at for row in rows},
    ).values_list("unit_id", "kind", "title", "reported_at", "reference")
    found = {(u, k, t, r): ref for u, k, t, r, ref in existing}
    for row in rows:
        reference = found.get((row.unit.pk, row.kind, row.title, row.reported_at))
        if reference:
            checker.error(row.number, f"finns redan som {reference}.")


# ---------------------------------------------------------------- creating the rows

def _deadlines(deviation: Deviation) -> None:
    """An open imported report gets the deadlines filing would give it; history gets none."""
    if deviation.status != Status.REPORTED:
        return
    reported_on = timezone.localdate(deviation.reported_at)
    receipt_rule = "lex_sarah_receipt" if deviation.kind == Kind.LEX_SARAH else "deviation_receipt"
    deviation.receipt_due = due_date_for(receipt_rule, reported_on)
    conclusion_rule = {Kind.LEX_SARAH: "lex_sarah_investigation", Kind.COMPLAINT: "complaint_answer"}.get(
        deviation.kind)
    deviation.conclusion_due = due_date_for(conclusion_rule, reported_on) if conclusion_rule else None
    deviation.next_due = deviation.receipt_due


def deviations_create_imported(*, rows: list[ImportRow], actor, source: str) -> list[Deviation]:
    """Creates the checked rows in report order with their year's references, a history entry
    and a transition log row each. Must run inside the caller's transaction."""
    content_type = ContentType.objects.get_for_model(Deviation)
    created, log = [], []
    for row in sorted(rows, key=lambda r: (r.reported_at, r.number)):
        year = timezone.localdate(row.reported_at).year
        deviation = Deviation(
            reference=f"AVV-{year}-{serial_next(f'AVV-{year}'):04d}",
            kind=row.kind, unit=row.unit, process=row.process, title=row.title, description=row.description,
            occurred_at=row.occurred_at, reported_at=row.reported_at, reporter=actor,
            # The final status directly, not through the workflow: see the module docstring.
            status=row.status, closed_at=row.closed_at,
            withdraw_reason="Återkallad i tidigare system." if row.status == Status.WITHDRAWN else "",
        )
        _deadlines(deviation)
        try:
            deviation.full_clean(exclude=["reporter", "unit", "process"], validate_unique=False)
        except ValidationError as exc:
            messages = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in exc.message_dict.items())
            raise DeviationImportError([f"Rad {row.number}: {messages}"]) from exc
        deviation._history_user, deviation._change_reason = actor, "import"
        deviation.save()
        # "create" is the log's name for a new case (core.fsm labels it); the comment says how.
        log.append(Transition(content_type=content_type, object_id=deviation.pk, name="create", source="",
                              target=row.status, by=actor,
                              comment=f"Importerad från tidigare system ({source}, rad {row.number})."))
        created.append(deviation)
    Transition.objects.bulk_create(log)
    return created


def can_import(user) -> bool:
    return bool(user and user.is_active and user_has_role(user, [Membership.Role.QUALITY]))


def deviations_import(*, data: bytes, filename: str, actor, dry_run: bool = False) -> ImportResult:
    """Imports every row of the file or none (one transaction). Raises DeviationImportError
    with one message per problem; never anything else for a bad file."""
    if not can_import(actor):
        raise DeviationImportError(["Bara en kvalitetssamordnare kan importera avvikelser."])
    rows, ignored = check_rows(read_table(data, filename), actor=actor)
    result = ImportResult(ignored_columns=ignored, dry_run=dry_run)
    result.per_year.update(timezone.localdate(row.reported_at).year for row in rows)
    if dry_run:
        return result
    with transaction.atomic():
        result.deviations = deviations_create_imported(rows=rows, actor=actor, source=Path(filename).name)
    return result
