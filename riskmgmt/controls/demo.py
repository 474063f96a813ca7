"""Demo internal control plans for Familjesektionen's units, made through the services
(idempotent: points by unit, year and title; checks by period).

This year's plan has every ended period checked but one (Placeringsenhetens third-quarter
review of vårdplaner, which shows as late), some checks with findings, one finding turned
into actions and one into a deviation. The 2014 plan is only partly followed, as the 2014
kvalitetsberättelse in the demo tells.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.actions.models import Action
from riskmgmt.organisation.models import Unit

from . import services
from .models import ControlCheck, ControlPoint, Frequency

HISTORY_YEAR = 2014
PLANNER = "sara"  # sektionschef for Familjesektionen

# Each point: unit code, title, method, frequency, responsible username, description.
POINTS = [
    ("fam-mott", "Aktgranskning: förhandsbedömning inom 14 dagar", "aktgranskning", Frequency.MONTHLY, "maria",
     "Alla förhandsbedömningar som avslutats under månaden: beslut om att inleda eller inte inleda utredning "
     "fattat inom 14 dagar från att anmälan kom in, eller skälen till förlängning dokumenterade."),
    ("fam-mott", "Stickprov: skyddsbedömning dokumenterad samma dag", "stickprov", Frequency.QUARTERLY, "anna",
     "Tio slumpvis valda anmälningar per kvartal: skyddsbedömningen är dokumenterad samma dag som anmälan kom in."),
    ("fam-utr", "Stickprov: barnets ålder och mognad dokumenterad i utredningen", "stickprov", Frequency.QUARTERLY,
     "johan", "Fem avslutade utredningar per kvartal: barnets inställning och en bedömning av barnets ålder och "
     "mognad finns dokumenterade, eller skälen till att barnet inte kunnat höras."),
    ("fam-utr", "Statistik: utredningar klara inom fyra månader", "statistik", Frequency.YEARLY, "erik",
     "Andel utredningar som avslutats inom fyra månader, ur verksamhetssystemets statistik, och skälen till "
     "förlängda utredningar."),
    ("fam-plac", "Genomgång av placerade barns vårdplaner", "aktgranskning", Frequency.QUARTERLY, "eva",
     "Vårdplan och genomförandeplan finns och är aktuella för alla barn som placerats under kvartalet."),
    ("fam-plac", "Stickprov: besök hos placerade barn enligt plan", "stickprov", Frequency.QUARTERLY, "sofia",
     "Fem placerade barn per kvartal: socialsekreteraren har besökt barnet så ofta som planen säger och "
     "talat med barnet enskilt."),
    ("fam-oppen", "Aktgranskning: mål och uppföljning av insatser i öppenvården", "aktgranskning",
     Frequency.QUARTERLY, "lisa", "Fem pågående insatser per kvartal: mätbara mål finns och uppföljning är gjord."),
]

# Findings by (title, period number), this year and in 2014.
FINDINGS = {
    ("Aktgranskning: förhandsbedömning inom 14 dagar", 3):
        "Tre av 38 förhandsbedömningar tog mer än 14 dagar utan dokumenterade skäl. Alla tre kom in under "
        "en vecka med hög sjukfrånvaro.",
    ("Aktgranskning: förhandsbedömning inom 14 dagar", 8):
        "Två av 38 förhandsbedömningar avslutades efter 16 och 18 dagar; skälen saknades i akten.",
    ("Stickprov: skyddsbedömning dokumenterad samma dag", 2):
        "I två av tio anmälningar var skyddsbedömningen dokumenterad först dagen efter. Båda kom in "
        "efter klockan 15 en fredag.",
    ("Stickprov: barnets ålder och mognad dokumenterad i utredningen", 3):
        "I en av fem utredningar saknades en bedömning av barnets mognad, trots att barnet hade hörts.",
    ("Genomgång av placerade barns vårdplaner", 2):
        "Två av nio barn saknade aktuell genomförandeplan efter byte av familjehem.",
}
HISTORY_FINDINGS = {
    ("Aktgranskning: förhandsbedömning inom 14 dagar", 2):
        "Sju av 38 förhandsbedömningar tog mer än 14 dagar. Vakanta tjänster under vintern.",
    ("Stickprov: barnets ålder och mognad dokumenterad i utredningen", 4):
        "Två av fem utredningar saknade en bedömning av barnets mognad.",
}
# 2014: the periods (by number) that were performed; a point missing here was not followed at all.
HISTORY_PERFORMED = {
    "Aktgranskning: förhandsbedömning inom 14 dagar": [1, 2, 3, 4, 5, 6, 8, 9, 11],
    "Stickprov: skyddsbedömning dokumenterad samma dag": [1, 2, 3, 4],
    "Stickprov: barnets ålder och mognad dokumenterad i utredningen": [2, 4],
    "Statistik: utredningar klara inom fyra månader": [1],
    "Genomgång av placerade barns vårdplaner": [1, 3],
}
SAMPLE_SIZES = {
    "Aktgranskning: förhandsbedömning inom 14 dagar": 38,
    "Stickprov: skyddsbedömning dokumenterad samma dag": 10,
    "Stickprov: barnets ålder och mognad dokumenterad i utredningen": 5,
    "Genomgång av placerade barns vårdplaner": 9,
    "Stickprov: besök hos placerade barn enligt plan": 5,
    "Aktgranskning: mål och uppföljning av insatser i öppenvården": 5,
}
LATE_THIS_YEAR = "Genomgång av placerade barns vårdplaner"


def _user(username):
    return get_user_model().objects.get(username=username)


def _point(year: int, code: str, title: str, method: str, frequency: str, responsible: str,
           description: str) -> ControlPoint:
    unit = Unit.objects.get(code=code)
    existing = ControlPoint.objects.filter(unit=unit, year=year, title=title).first()
    if existing:
        return existing
    return services.control_point_create(
        actor=_user(PLANNER), unit=unit, year=year, title=title, method=method, frequency=frequency,
        responsible=_user(responsible), description=description,
    )


def _record(point: ControlPoint, period, findings: str | None, today: datetime.date) -> ControlCheck:
    existing = point.checks.filter(period_start=period.start).first()
    if existing:
        return existing
    performed_on = min(period.end + datetime.timedelta(days=6), today)
    sample = SAMPLE_SIZES.get(point.title)
    return services.control_check_record(
        point=point, actor=point.responsible, period_start=period.start, performed_on=performed_on,
        findings=findings is not None, sample_size=sample,
        description=findings or "Inga brister. Allt som granskades var dokumenterat enligt rutinen.",
    )


def _this_year(today: datetime.date) -> None:
    checks: dict[tuple[str, int], ControlCheck] = {}
    for code, title, method, frequency, responsible, description in POINTS:
        point = _point(today.year, code, title, method, frequency, responsible, description)
        ended = [p for p in point.periods() if p.end < today]
        if title == LATE_THIS_YEAR and ended:
            ended = ended[:-1]  # the last ended review was never done: late
        for period in ended:
            checks[title, period.number] = _record(point, period, FINDINGS.get((title, period.number)), today)

    # A finding followed up with actions, and one reported as a deviation.
    check = checks.get(("Stickprov: skyddsbedömning dokumenterad samma dag", 2))
    if check is not None and not Action.objects.filter(
            source_id=check.pk, title__startswith="Jourens rutin").exists():
        action_services.action_create(
            source_obj=check, actor=_user("maria"), title="Jourens rutin: anmälningar efter kl. 15 på fredagar",
            responsible=_user("maria"), due_date=today + datetime.timedelta(days=30), strength="medium",
            effect_measure="Nästa kvartals stickprov: alla skyddsbedömningar dokumenterade samma dag.",
        )
    check = checks.get(("Genomgång av placerade barns vårdplaner", 2))
    if check is not None and check.deviation_id is None:
        services.control_check_report_deviation(check=check, actor=_user("eva"))


def _history_year() -> None:
    end_of_year = datetime.date(HISTORY_YEAR, 12, 31) + datetime.timedelta(days=20)
    for code, title, method, frequency, responsible, description in POINTS:
        point = _point(HISTORY_YEAR, code, title, method, frequency, responsible, description)
        performed = HISTORY_PERFORMED.get(title, [])
        for period in point.periods():
            if period.number in performed:
                _record(point, period, HISTORY_FINDINGS.get((title, period.number)), end_of_year)


def seed_controls() -> None:
    _this_year(timezone.localdate())
    _history_year()
