"""Demo history for the dashboards and the kvalitetsberättelse, registered as imported history
(riskmgmt.reports.importing) by the demo's quality coordinator. Idempotent: seed_demo may run
any number of times.

1. Familjesektionen 2012–2014, topped up to exact counts per year and kind (HISTORY_TARGETS):
   other demo seeds (the supervision demo's 2014 lex Sarah) already count, so only what is
   missing is added and a target is never exceeded.
2. A modest spread over the two years before this one and the months of this year so far,
   in both sections, so the three-year trend has something to show.
3. Event analyses from the earlier system on some of those reports, followed up, with root
   causes in cause areas, so the pattern view by cause area has something to compare.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from riskmgmt.analyses.models import Cause, CauseArea, EventAnalysis
from riskmgmt.core.serials import serial_next
from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.models import Process, Unit

from .dashboard import Scope, statistics_deviations, yearly_counts
from .importing import ImportRow, deviations_create_imported

QUALITY_USER = "karin"
SECTION = "fam"
SOURCE = "demohistorik"

# Reports in Familjesektionen's subtree per year of reported_at (withdrawn ones not counted).
HISTORY_TARGETS = {
    2012: {"complaint": 1, "lex_sarah": 2, "other": 0},
    2013: {"complaint": 3, "lex_sarah": 2, "other": 0},
    2014: {"complaint": 1, "lex_sarah": 2, "other": 1},
}

# Candidates per (year, kind), used in order until the target is met; each has a spare or two
# in case another seed already made one. (unit, process, reported, closed, title, description)
HISTORY = {
    (2012, "lex_sarah"): [
        ("fam-mott", "Mottagning och förhandsbedömning", "2012-03-14 10:20", "2012-04-27",
         "Förhandsbedömning klar efter 21 dagar",
         "Förhandsbedömningen avslutades sju dagar efter fristen på 14 dagar. Synnerliga skäl dokumenterades inte."),
        ("fam-plac", "Placering i familjehem/HVB", "2012-09-03 13:05", "2012-10-19",
         "Placerat barn fick inte besök under sommaren",
         "Ansvarig socialsekreterare var föräldraledig och ingen ersättare utsågs. Barnet fick inget besök på tre "
         "månader."),
        ("fam-utr", "Utredning barn och unga", "2012-11-20 09:00", "2013-01-15",
         "Utredning pågick längre än fyra månader utan beslut om förlängning",
         "Utredningstiden överskreds med fem veckor utan att nämnden beslutat om förlängning."),
    ],
    (2012, "complaint"): [
        ("fam-utr", "Utredning barn och unga", "2012-05-22 15:40", "2012-06-12",
         "Klagomål på bemötande vid hembesök",
         "En vårdnadshavare upplevde att socialsekreterarna var nedlåtande och inte lyssnade vid hembesöket."),
        ("fam-oppen", "Kontaktperson och kontaktfamilj", "2012-10-08 11:10", "2012-10-30",
         "Synpunkt på väntetid till kontaktfamilj",
         "Familjen har väntat i fem månader på beviljad kontaktfamilj utan att få besked om när den kan starta."),
    ],
    (2013, "lex_sarah"): [
        ("fam-utr", "Utredning barn och unga", "2013-02-11 08:45", "2013-03-22",
         "Utredning avslutad utan att barnet hörts",
         "Utredningen avslutades utan samtal med barnet och utan att skälen till det dokumenterades."),
        ("fam-mott", "Skyddsbedömning", "2013-10-02 16:30", "2013-11-08",
         "Skyddsbedömning dokumenterades inte samma dag",
         "En anmälan om oro kom in på eftermiddagen. Skyddsbedömningen gjordes muntligen men dokumenterades först "
         "fyra dagar senare."),
        ("fam-plac", "Umgänge vid vård enligt LVU", "2013-06-17 10:00", "2013-08-01",
         "Umgänge genomfördes trots beslut om umgängesbegränsning",
         "Ett umgänge genomfördes utan tillsyn trots att nämnden beslutat om umgängesbegränsning."),
    ],
    (2013, "complaint"): [
        ("fam-utr", "Vårdnadsöverflyttning", "2013-01-21 14:00", "2013-02-08",
         "Klagomål på att beslut inte kommunicerades",
         "Föräldern fick veta om beslutet först genom förvaltningsrätten."),
        ("fam-plac", "Rekrytering och utredning av familjehem", "2013-04-09 09:30", "2013-04-30",
         "Synpunkt på information till familjehem",
         "Ett familjehem saknade information om barnets behov av stöd i skolan när placeringen började."),
        ("fam-oppen", "Familjebehandling", "2013-09-16 13:15", "2013-10-04",
         "Klagomål på inställda träffar i familjebehandling",
         "Tre träffar ställdes in med kort varsel utan att nya tider erbjöds."),
        ("fam-mott", "Mottagning och förhandsbedömning", "2013-11-25 10:40", "2013-12-13",
         "Synpunkt på svårigheter att nå mottagningen per telefon",
         "En anmälare försökte nå mottagningen i två dagar utan att komma fram."),
    ],
    (2014, "lex_sarah"): [
        ("fam-plac", "Placering i familjehem/HVB", "2014-03-10 11:20", "2014-05-02",
         "Barn placerades i familjehem som inte var färdigutrett",
         "Ett barn placerades akut i ett familjehem vars utredning inte var klar och inte hade godkänts."),
        ("fam-mott", "Anmälningar om oro för barn", "2014-08-18 09:50", "2014-10-01",
         "Anmälan om oro registrerades inte på två veckor",
         "En skriftlig anmälan låg oregistrerad i postfacket i två veckor under semesterperioden."),
        ("fam-utr", "Vårdnadsöverflyttning", "2014-11-03 15:00", "2014-12-12",
         "Vårdnadsutredning saknade barnsamtal",
         "Utredningen om vårdnadsöverflyttning saknade samtal med barnet och dokumenterade inte varför."),
    ],
    (2014, "complaint"): [
        ("fam-oppen", "Kontaktperson och kontaktfamilj", "2014-06-02 13:30", "2014-06-19",
         "Klagomål på byte av kontaktperson utan förvarning",
         "Barnets kontaktperson byttes utan att familjen informerades i förväg."),
        ("fam-utr", "Uppföljning av beslut om insats", "2014-09-29 10:10", "2014-10-15",
         "Synpunkt på uppföljning av insats",
         "Familjen fick ingen uppföljning av insatsen trots att den skulle följas upp efter tre månader."),
    ],
    (2014, "other"): [
        ("fam-mott", "", "2014-04-23 12:00", "2014-05-05",
         "Fax med ärendeuppgifter skickades till fel mottagare",
         "Ett fax med uppgifter i ett ärende skickades till fel nummer. Mottagaren hörde av sig och förstörde det."),
        ("fam-utr", "", "2014-12-01 08:15", "2014-12-05",
         "Verksamhetssystemet låg nere en arbetsdag",
         "Verksamhetssystemet gick inte att nå under en hel arbetsdag; dokumentation fick göras i efterhand."),
    ],
}

# The recent spread: (unit, kind, process, title, description), placed through each year.
RECENT = [
    ("fam-mott", "lex_sarah", "Skyddsbedömning", "Skyddsbedömning gjordes först nästa arbetsdag",
     "En anmälan som kom in sent på eftermiddagen skyddsbedömdes först nästa arbetsdag."),
    ("fam-mott", "complaint", "Mottagning och förhandsbedömning", "Synpunkt på långa svarstider i telefon",
     "En anmälare fick vänta länge i telefonkön till mottagningen."),
    ("fam-mott", "other", "Anmälningar om oro för barn", "Anmälan registrerades på fel ärende",
     "En anmälan om oro registrerades först på ett annat ärende och flyttades dagen efter."),
    ("fam-utr", "lex_sarah", "Utredning barn och unga", "Utredningstiden överskreds utan beslut om förlängning",
     "Utredningen blev klar efter fyra och en halv månad utan beslut om förlängning."),
    ("fam-utr", "complaint", "Vårdnadsöverflyttning", "Klagomål på att barnets önskemål inte beaktades",
     "En anhörig anser att barnets önskemål inte framgår av utredningen."),
    ("fam-utr", "other", "Uppföljning av beslut om insats", "Uppföljning av insats bokades inte",
     "Ingen tid för uppföljning bokades när insatsen beviljades."),
    ("fam-plac", "lex_sarah", "Placering i familjehem/HVB", "Placerat barn saknade aktuell vårdplan",
     "Vid aktgranskning saknade ett placerat barn en aktuell vårdplan och genomförandeplan."),
    ("fam-plac", "complaint", "Rekrytering och utredning av familjehem", "Familjehem saknade utlovad handledning",
     "Ett familjehem har inte fått den handledning som avtalades vid placeringen."),
    ("fam-plac", "other", "Umgänge vid vård enligt LVU", "Umgänge fick ställas in på grund av bilbrist",
     "Ett planerat umgänge ställdes in eftersom ingen tjänstebil fanns tillgänglig."),
    ("fam-oppen", "complaint", "Familjebehandling", "Klagomål på byte av familjebehandlare",
     "Familjen fick byta behandlare mitt i behandlingen utan förklaring."),
    ("fam-oppen", "other", "Kontaktperson och kontaktfamilj", "Kontaktfamilj fick inte uppdrag i tid",
     "Uppdragsavtalet till kontaktfamiljen skickades först efter att insatsen startat."),
    ("vux-miss", "lex_sarah", "Placering enligt LVM", "Ansökan om LVM dröjde efter att behov konstaterats",
     "Ansökan om vård enligt LVM skickades en vecka efter att behovet konstaterades."),
    ("vux-miss", "complaint", "Boendestöd", "Klagomål på uteblivna besök i boendestödet",
     "Två planerade besök i boendestödet genomfördes inte och ingen hörde av sig."),
    ("vux-miss", "other", "Utredning vuxna med missbruk", "Journalanteckning saknades efter utredningssamtal",
     "Ett utredningssamtal dokumenterades inte."),
    ("vux-ek", "complaint", "Handläggning av ekonomiskt bistånd", "Synpunkt på handläggningstid för ansökan",
     "En sökande fick vänta tre veckor på beslut om ekonomiskt bistånd."),
    ("vux-ek", "other", "Handläggning av ekonomiskt bistånd", "Beslut skickades till gammal adress",
     "Ett beslut skickades till en adress som inte längre var aktuell."),
]


# Analyses on reports above: (report title, year offset or year, commissioner, lead, title,
# [(root cause, [cause area codes])]). A year below 100 counts back from this year.
ANALYSES = [
    ("Förhandsbedömning klar efter 21 dagar", 2012, "sara", "maria",
     "Händelseanalys: förhandsbedömningar som drog över fristen",
     [("Fler anmälningar än mottagningen var bemannad för under våren", ["organisation"]),
      ("Ingen bevakning av fristen i verksamhetssystemet", ["technology", "procedures"])]),
    ("Utredning avslutad utan att barnet hörts", 2013, "sara", "johan",
     "Händelseanalys: utredning utan samtal med barnet",
     [("Nyanställd handläggare utan introduktion i barnsamtal", ["competence"]),
      ("Utredningsmallen saknade ett obligatoriskt avsnitt om barnets inställning", ["procedures"])]),
    ("Skyddsbedömning dokumenterades inte samma dag", 2013, "sara", "maria",
     "Händelseanalys: skyddsbedömning som inte dokumenterades",
     [("Muntlig överlämning mellan dag och jour utan skriftligt stöd", ["communication", "procedures"])]),
    ("Barn placerades i familjehem som inte var färdigutrett", 2014, "sara", "eva",
     "Händelseanalys: akut placering i ej godkänt familjehem",
     [("Brist på utredda jourhem i kommunen", ["organisation", "collaboration"]),
      ("Rutinen för akuta placeringar var okänd för jouren", ["procedures", "communication"])]),
    ("Utredningstiden överskreds utan beslut om förlängning", 2, "sara", "johan",
     "Händelseanalys: utredningar över fyra månader",
     [("Hög ärendebelastning efter vakanser", ["organisation"]),
      ("Ingen påminnelse före fyramånadersgränsen", ["technology"])]),
    ("Placerat barn saknade aktuell vårdplan", 1, "sara", "eva",
     "Händelseanalys: vårdplaner som inte följts upp",
     [("Ansvaret för uppföljning var otydligt vid byte av handläggare", ["procedures", "communication"]),
      ("Handläggare saknade utbildning i vårdplaner", ["competence"])]),
    ("Ansökan om LVM dröjde efter att behov konstaterats", 2, "per", "nils",
     "Händelseanalys: fördröjd ansökan om LVM",
     [("Oklart vem som skulle kontakta hälso- och sjukvården", ["collaboration", "communication"])]),
]


def _when(text: str) -> datetime.datetime:
    day, _sep, time = text.partition(" ")
    year, month, dom = (int(p) for p in day.split("-"))
    hour, minute = (int(p) for p in time.split(":")) if time else (12, 0)
    return datetime.datetime(year, month, dom, hour, minute, tzinfo=timezone.get_default_timezone())


def _exists(unit: Unit, title: str, year: int) -> bool:
    tz = timezone.get_default_timezone()
    return Deviation.objects.filter(
        unit=unit, title=title, reported_at__gte=datetime.datetime(year, 1, 1, tzinfo=tz),
        reported_at__lt=datetime.datetime(year + 1, 1, 1, tzinfo=tz),
    ).exists()


def _row(number: int, *, unit: Unit, kind: str, process_name: str, title: str, description: str,
         reported_at: datetime.datetime, closed_at: datetime.datetime | None) -> ImportRow:
    process = Process.objects.filter(unit=unit, name=process_name).first() if process_name else None
    return ImportRow(number=number, kind=kind, unit=unit, process=process, title=title, description=description,
                     reported_at=reported_at, occurred_at=reported_at - datetime.timedelta(days=1),
                     status=Deviation.Status.CLOSED if closed_at else Deviation.Status.REPORTED,
                     closed_at=closed_at)


def history_rows() -> list[ImportRow]:
    """What Familjesektionen's 2012–2014 history lacks to meet HISTORY_TARGETS exactly."""
    section = Unit.objects.get(code=SECTION)
    counts = yearly_counts(statistics_deviations(Scope(Unit.objects.none(), section)),
                           first_year=min(HISTORY_TARGETS), last_year=max(HISTORY_TARGETS))
    units = {unit.code: unit for unit in section.subtree()}
    rows: list[ImportRow] = []
    for year, targets in HISTORY_TARGETS.items():
        for kind, target in targets.items():
            missing = target - counts.get(year, {}).get(kind, 0)
            for code, process, reported, closed, title, description in HISTORY.get((year, kind), []):
                if missing <= 0:
                    break
                unit = units[code]
                if _exists(unit, title, year):
                    continue
                rows.append(_row(len(rows) + 1, unit=unit, kind=kind, process_name=process, title=title,
                                 description=description, reported_at=_when(reported), closed_at=_when(closed)))
                missing -= 1
    return rows


def recent_rows(*, now: datetime.datetime | None = None) -> list[ImportRow]:
    """A spread over the two previous years and this year's past months (closed reports)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    units = {unit.code: unit for unit in Unit.objects.filter(code__in={spec[0] for spec in RECENT})}
    rows: list[ImportRow] = []
    plans = [(today.year - 2, RECENT), (today.year - 1, RECENT), (today.year, RECENT[::2])]
    for year, specs in plans:
        last_month = 12 if year < today.year else today.month - 1
        if last_month < 1:
            continue
        for index, (code, kind, process, title, description) in enumerate(specs):
            unit = units.get(code)
            if unit is None or _exists(unit, title, year):
                continue
            # Spread evenly over the months, a different day and hour for each.
            month = 1 + (index * last_month) // len(specs)
            reported_at = _when(f"{year}-{month:02d}-{3 + (index * 7) % 24:02d} {8 + index % 8:02d}:{(index * 13) % 60:02d}")
            closed_at = min(reported_at + datetime.timedelta(days=12 + (index * 5) % 30), now - datetime.timedelta(hours=1))
            if reported_at >= now - datetime.timedelta(days=1):
                continue
            rows.append(_row(len(rows) + 1, unit=unit, kind=kind, process_name=process, title=title,
                             description=description, reported_at=reported_at, closed_at=closed_at))
    return rows


def seed_history_analyses(*, actor) -> None:
    """Followed-up event analyses from the earlier system on some of the history's reports
    (registered as they ended, not run through the workflow; idempotent by title)."""
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in={name for spec in ANALYSES for name in spec[2:4]})}
    areas = {area.code: area for area in CauseArea.objects.all()}
    tz = timezone.get_default_timezone()
    this_year = timezone.localdate().year
    for report_title, year, commissioner, lead, title, causes in ANALYSES:
        year = this_year - year if year < 100 else year
        deviation = Deviation.objects.filter(
            title=report_title, reported_at__gte=datetime.datetime(year, 1, 1, tzinfo=tz),
            reported_at__lt=datetime.datetime(year + 1, 1, 1, tzinfo=tz)).first()
        if deviation is None or EventAnalysis.objects.filter(unit=deviation.unit, title=title).exists():
            continue
        done = deviation.closed_at or deviation.reported_at + datetime.timedelta(days=45)
        reported_year = timezone.localdate(deviation.reported_at).year
        analysis = EventAnalysis(
            reference=f"HA-{reported_year}-{serial_next(f'HA-{reported_year}'):04d}", title=title,
            unit=deviation.unit, scope=f"Vad som ledde fram till händelsen i {deviation.reference}.",
            commissioner=users[commissioner], lead=users[lead], due_date=timezone.localdate(done),
            event_description=deviation.description, summary="Analysen är gjord i det tidigare systemet.",
            # History: the final status directly (see riskmgmt.reports.importing).
            status=EventAnalysis.Status.FOLLOWED_UP, submitted_at=done, decided_at=done, followed_up_at=done,
            feedback_given_on=timezone.localdate(done),
        )
        analysis._history_user, analysis._change_reason = actor, "import"
        analysis.save()
        analysis.deviations.set([deviation])
        for text, codes in causes:
            cause = Cause.objects.create(analysis=analysis, text=text, is_root=True)
            cause.cause_areas.set([areas[code] for code in codes if code in areas])


def seed_reports() -> None:
    """Familjesektionen's 2012–2014 history to its exact counts, a recent spread, and event
    analyses with cause areas on some of them."""
    actor = get_user_model().objects.get(username=QUALITY_USER)
    with transaction.atomic():
        rows = history_rows()
        if rows:
            deviations_create_imported(rows=rows, actor=actor, source=SOURCE)
        rows = recent_rows()
        if rows:
            deviations_create_imported(rows=rows, actor=actor, source=SOURCE)
        seed_history_analyses(actor=actor)
