"""Demo risk analyses, made through the services (idempotent: a unit's analysis for a year that
already exists is left as it is, so seed_demo may run again after people have used the demo).

- Last year: the Familjesektionen's four units held their analysis in March (enhetschef with
  staff) and the ledningsgrupp (Lena) approved it in April; high risks have actions, one or two
  risks are closed, "no jourhem on call" is lifted to the section.
- This year: the Utredningsenheten has started (planned, risks carried forward); the
  Enheten för missbruk och beroende has held its analysis, waiting for Lena's approval; the
  Mottagningsenheten has not started, so Maria can press "Starta årets riskanalys"; the Enheten
  för ekonomiskt bistånd has no analysis at all ("Saknas" in the year view).

No client is named anywhere: risks describe situations, not people (DOMAIN.md A9).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.core.models import Transition
from riskmgmt.organisation.models import Process, Unit

from . import services
from .models import Risk, RiskAnalysis

APPROVER = "lena"


@dataclass(frozen=True)
class DemoAction:
    title: str
    responsible: str
    strength: str
    state: str = "planned"  # planned | in_progress | done | evaluated
    effect: str = "effective"
    due_in_days: int = 60


@dataclass(frozen=True)
class DemoRisk:
    title: str
    description: str
    process: str | None
    risk_type: str
    perspective: str
    probability: int
    consequence: int
    actions: tuple[DemoAction, ...] = ()
    residual: tuple[int, int] | None = None
    closed: bool = False
    escalation: str = ""


@dataclass(frozen=True)
class DemoAnalysis:
    unit: str
    manager: str
    participants: tuple[str, ...]
    participants_text: str
    risks: tuple[DemoRisk, ...]
    perspectives: tuple[str, ...] = ("client", "staff", "organisation")
    approval_comment: str = ""


LAST_YEAR = (
    DemoAnalysis(
        unit="fam-mott", manager="maria", participants=("anna",),
        participants_text="Tre socialsekreterare och enhetens administratör",
        approval_comment="Godkänd. Följ särskilt upp förhandsbedömningarna och fredagsanmälningarna.",
        risks=(
            DemoRisk("Förhandsbedömningen blir inte klar inom 14 dagar",
                     "När många anmälningar kommer in samtidigt hinner vi inte ta ställning till om utredning ska "
                     "inledas inom 14 dagar. Beslutet dröjer och barnets situation blir inte prövad i tid.",
                     "Mottagning och förhandsbedömning", "process", "client", 3, 3,
                     actions=(DemoAction("Veckovis genomgång av förhandsbedömningar som närmar sig 14 dagar",
                                         "maria", "medium", "in_progress", due_in_days=45),)),
            DemoRisk("Skyddsbedömning dröjer när en anmälan kommer in sent en fredag",
                     "Anmälningar som kommer in efter kl. 15 på fredagar ses ibland inte förrän på måndagen.",
                     "Skyddsbedömning", "process", "client", 2, 4,
                     actions=(DemoAction("Rutin med socialjouren för anmälningar som kommer in fredag "
                                         "eftermiddag", "maria", "strong", "planned", due_in_days=30),)),
            DemoRisk("Hög arbetsbelastning när antalet anmälningar ökar",
                     "Under perioder med många anmälningar arbetar handläggarna över och prioriterar bort "
                     "dokumentation och kollegial avstämning.",
                     "Anmälningar om oro för barn", "process", "staff", 4, 2,
                     actions=(DemoAction("Prioriteringsordning för anmälningar och avstämning med sektionschef "
                                         "vid toppar", "maria", "medium", "planned", due_in_days=60),)),
            DemoRisk("Nyanställda tar emot anmälningar utan tillräcklig introduktion",
                     "Oerfarna socialsekreterare bedömer anmälningar på egen hand under de första veckorna.",
                     "Anmälningar om oro för barn", "process", "organisation", 3, 3,
                     actions=(DemoAction("Introduktion med fadder under första månaden", "anna", "medium",
                                         "evaluated", effect="partly", due_in_days=20),),
                     residual=(2, 3)),
            DemoRisk("Utskrifter med ärendeuppgifter blir liggande i skrivaren",
                     "Papper med uppgifter ur ärenden blir kvar i den gemensamma skrivaren och kan läsas av "
                     "obehöriga.",
                     None, "place", "client", 2, 2,
                     actions=(DemoAction("Inloggad utskrift (follow me) på plan 2", "maria", "strong",
                                         "evaluated"),),
                     residual=(1, 2), closed=True),
            DemoRisk("Besökare i väntrummet kan se vilka andra som väntar",
                     "Väntrummet är öppet mot entrén; den som väntar kan ses och kännas igen av andra besökare.",
                     None, "place", "client", 3, 2),
            DemoRisk("Entrégrinden står olåst efter stängningsdags",
                     "Grinden till personalingången låses för hand och har stått öppen flera kvällar.",
                     None, "place", "staff", 2, 3),
        ),
    ),
    DemoAnalysis(
        unit="fam-utr", manager="johan", participants=("erik",),
        participants_text="Fem socialsekreterare, en familjerättssekreterare",
        risks=(
            DemoRisk("Vakanser gör att nya utredningar fördelas sent",
                     "Två tjänster har stått tomma i flera månader; utredningar väntar på handläggare.",
                     "Utredning barn och unga", "process", "organisation", 3, 3,
                     actions=(DemoAction("Rekryteringsplan och inhyrd förstärkning vid fler än två vakanser",
                                         "johan", "medium", "in_progress", due_in_days=90),)),
            DemoRisk("Information tappas när ett ärende byter handläggare",
                     "Vid byte av handläggare saknas ofta en sammanfattning; planerade kontakter och beslut "
                     "faller mellan stolarna.",
                     "Utredning barn och unga", "process", "client", 3, 3,
                     actions=(DemoAction("Överlämningsmall och gemensamt överlämningssamtal vid varje byte",
                                         "erik", "medium", "planned", due_in_days=40),)),
            DemoRisk("Barnets inställning dokumenteras inte i utredningen",
                     "Utredningar avslutas utan att barnets egen inställning, eller skälet till att den "
                     "saknas, är dokumenterad.",
                     "Vårdnadsöverflyttning", "process", "client", 2, 4,
                     actions=(DemoAction("Aktgranskning av barnsamtal två gånger per år", "johan", "weak",
                                         "planned", due_in_days=120),)),
            DemoRisk("Utredningstiden på fyra månader överskrids",
                     "Komplexa utredningar förlängs utan att beslut om förlängning fattas i tid.",
                     "Utredning barn och unga", "process", "client", 3, 2),
            DemoRisk("Hot mot handläggare vid hembesök",
                     "Hembesök görs ibland ensam hos familjer där hot tidigare förekommit.",
                     None, "situation", "staff", 2, 3),
            DemoRisk("Beslutade insatser följs inte upp i tid",
                     "Uppföljningen av beslut om insats skjuts upp när nya utredningar prioriteras.",
                     "Uppföljning av beslut om insats", "process", "client", 2, 2),
        ),
    ),
    DemoAnalysis(
        unit="fam-plac", manager="eva", participants=("sofia",),
        participants_text="Fyra familjehemssekreterare, två socialsekreterare",
        risks=(
            DemoRisk("Inget jourhem finns att tillgå när ett barn behöver placeras akut",
                     "Kommunen har inga egna jourhem i beredskap. Vid akuta placeringar kvällar och helger "
                     "finns ibland ingen plats alls.",
                     "Placering i familjehem/HVB", "process", "client", 3, 4,
                     actions=(DemoAction("Avtal om jourhemsplatser i beredskap dygnet runt", "sara", "strong",
                                         "in_progress", due_in_days=75),),
                     escalation="Enheten kan inte själv ordna jourhem i beredskap. Frågan gäller hela sektionen "
                                "och kräver avtal eller budget för egna jourhem."),
            DemoRisk("Barn avviker i samband med umgänge vid vård enligt LVU",
                     "Vid umgänge utanför familjehemmet har barn avvikit; hämtning och lämning är inte planerade.",
                     "Umgänge vid vård enligt LVU", "situation", "client", 2, 4,
                     actions=(DemoAction("Riskbedömning före varje umgänge med plan för hämtning och lämning",
                                         "sofia", "medium", "planned", due_in_days=30),)),
            DemoRisk("Placerade barn får inte de besök de ska ha",
                     "Vid byte av handläggare och hög arbetsbelastning uteblir de regelbundna besöken hos "
                     "placerade barn.",
                     "Placering i familjehem/HVB", "process", "client", 3, 3,
                     actions=(DemoAction("Besöksplan per placerat barn med påminnelse varje månad", "eva", "medium",
                                         "in_progress", due_in_days=50),)),
            DemoRisk("Familjehem saknar stöd och handledning",
                     "Nya familjehem får inte den handledning som utlovats och säger upp uppdraget.",
                     "Rekrytering och utredning av familjehem", "process", "organisation", 2, 3),
            DemoRisk("Handlingar skickas till fel familjehem",
                     "Post och e-post med uppgifter om placerade barn har skickats till fel mottagare.",
                     "Placering i familjehem/HVB", "process", "client", 1, 3),
            DemoRisk("Hög arbetsbelastning vid många akuta placeringar",
                     "Akuta placeringar tränger undan planerat arbete med familjehemmen.",
                     None, "situation", "staff", 3, 2),
        ),
    ),
    DemoAnalysis(
        unit="fam-oppen", manager="ali", participants=("lisa",),
        participants_text="Tre familjebehandlare, samordnare för kontaktfamiljer",
        risks=(
            DemoRisk("Hot och våld vid hembesök i familjebehandling",
                     "Familjebehandlare gör hembesök ensamma, även där hot har förekommit.",
                     "Familjebehandling", "situation", "staff", 2, 4,
                     actions=(DemoAction("Rutin för att ringa in före och efter hembesök, med larm", "lisa",
                                         "medium", "evaluated"),),
                     residual=(1, 4)),
            DemoRisk("Kontaktfamiljer saknas, så beslutade insatser inte kan verkställas",
                     "Barn med beslut om kontaktfamilj väntar i månader.",
                     "Kontaktperson och kontaktfamilj", "process", "client", 3, 2),
            DemoRisk("Ny personal arbetar utan utbildning i behandlingsmetoden",
                     "Nyanställda familjebehandlare börjar arbeta med familjer innan de gått metodutbildningen.",
                     "Familjebehandling", "process", "organisation", 2, 2),
            DemoRisk("Journalanteckningar förs inte löpande",
                     "Anteckningar skrivs i efterhand, ibland veckor senare, och blir ofullständiga.",
                     "Öppenvårdsinsats", "process", "organisation", 3, 2,
                     actions=(DemoAction("Avsatt dokumentationstid varje fredag förmiddag", "ali", "weak",
                                         "evaluated"),),
                     residual=(1, 2), closed=True),
            DemoRisk("Familjer får vänta på insats när tjänster är vakanta",
                     "Vid vakanser skjuts starten av beviljade insatser upp.",
                     "Öppenvårdsinsats", "process", "client", 2, 3),
        ),
    ),
)

THIS_YEAR_HELD = DemoAnalysis(
    unit="vux-miss", manager="nils", participants=("olle",),
    participants_text="Fyra socialsekreterare och två boendestödjare",
    risks=(
        DemoRisk("Anmälan enligt LVM utreds inte i tid",
                 "Anmälningar om behov av tvångsvård blir liggande när handläggare är frånvarande.",
                 "Placering enligt LVM", "process", "client", 2, 4,
                 actions=(DemoAction("Veckovis genomgång av inkomna LVM-anmälningar", "nils", "medium",
                                     "planned", due_in_days=30),)),
        DemoRisk("Hot vid hembesök inom boendestödet",
                 "Boendestödjare besöker ensamma personer i aktivt missbruk.",
                 "Boendestöd", "situation", "staff", 2, 3),
        DemoRisk("Information tappas vid överlämning under semestern",
                 "Ärenden lämnas över utan sammanfattning när ordinarie handläggare har semester.",
                 "Utredning vuxna med missbruk", "process", "client", 3, 2),
        DemoRisk("Vakanser och hög arbetsbelastning",
                 "Två vakanta tjänster fördelas på befintlig personal.",
                 None, "situation", "staff", 3, 2),
        DemoRisk("Samtycke till kontakter med andra myndigheter dokumenteras inte",
                 "Kontakter med vården tas utan att samtycket är dokumenterat i akten.",
                 "Utredning vuxna med missbruk", "process", "organisation", 2, 2),
    ),
)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _add_risks(analysis: RiskAnalysis, spec: DemoAnalysis, manager) -> list[tuple[Risk, DemoRisk]]:
    added = []
    for demo in spec.risks:
        process = Process.objects.filter(unit=analysis.unit, name=demo.process).first() if demo.process else None
        risk = services.risk_add(analysis=analysis, actor=manager, title=demo.title, description=demo.description,
                                 process=process, risk_type=demo.risk_type, perspective=demo.perspective,
                                 probability=demo.probability, consequence=demo.consequence)
        added.append((risk, demo))
    return added


def _add_actions(risk: Risk, demo: DemoRisk, manager, done_on: datetime.date) -> None:
    today = timezone.localdate()
    for spec in demo.actions:
        responsible = _user(spec.responsible)
        action = action_services.action_create(
            source_obj=risk, actor=manager, title=spec.title, responsible=responsible, strength=spec.strength,
            due_date=today + datetime.timedelta(days=spec.due_in_days))
        if spec.state in ("in_progress", "done", "evaluated"):
            action_services.action_start(action=action, actor=responsible)
        if spec.state in ("done", "evaluated"):
            action_services.action_complete(action=action, actor=responsible, done_on=done_on,
                                            comment="Genomförd enligt plan.")
        if spec.state == "evaluated":
            action_services.action_evaluate(action=action, actor=manager, effect=spec.effect,
                                            comment="Följdes upp på arbetsplatsträffen.")


def _follow_up(risk: Risk, demo: DemoRisk, manager) -> None:
    """What happened to the risk during the year: residual risk, escalation, closing."""
    changes = {}
    if demo.residual:
        changes["residual_probability"], changes["residual_consequence"] = demo.residual
    if demo.escalation:
        changes.update(escalated=True, escalation_reason=demo.escalation)
    if demo.closed:
        changes["status"] = Risk.Status.CLOSED
    if changes:
        services.risk_update(risk=risk, actor=manager, **changes)


def _backdate_log(analysis: RiskAnalysis, name: str, day: datetime.date) -> None:
    # Demo only: the workshop and the approval happened last spring, not the day the demo was seeded.
    # Transition rows are a plain log (no simple-history), so an update here rewrites no audit trail.
    Transition.objects.filter(content_type=ContentType.objects.get_for_model(RiskAnalysis),
                              object_id=analysis.pk, name=name).update(at=_on(day))


def _seed_last_year(spec: DemoAnalysis, year: int) -> None:
    unit = Unit.objects.get(code=spec.unit)
    if RiskAnalysis.objects.filter(unit=unit, year=year).exists():
        return
    manager, approver = _user(spec.manager), _user(APPROVER)
    held_on, approved_on = datetime.date(year, 3, 12), datetime.date(year, 4, 22)
    analysis = services.risk_analysis_create(actor=manager, unit=unit, year=year,
                                             planned_on=datetime.date(year, 3, 12))
    risks = _add_risks(analysis, spec, manager)
    services.risk_analysis_hold(analysis=analysis, actor=manager, held_on=held_on,
                                participants=[_user(name) for name in spec.participants],
                                participants_text=spec.participants_text, perspectives=spec.perspectives)
    services.risk_analysis_approve(analysis=analysis, actor=approver, comment=spec.approval_comment)
    analysis.approved_on, analysis.created = approved_on, _on(datetime.date(year, 2, 1))
    analysis._history_user, analysis._change_reason = None, "demo"
    analysis.save()
    _backdate_log(analysis, "hold", held_on)
    _backdate_log(analysis, "approve", approved_on)
    for risk, demo in risks:
        _add_actions(risk, demo, manager, done_on=datetime.date(year, 9, 30))
        _follow_up(risk, demo, manager)


def _seed_this_year_held(spec: DemoAnalysis, year: int) -> None:
    unit = Unit.objects.get(code=spec.unit)
    if RiskAnalysis.objects.filter(unit=unit, year=year).exists():
        return
    manager = _user(spec.manager)
    today = timezone.localdate()
    analysis = services.risk_analysis_create(actor=manager, unit=unit, year=year)
    risks = _add_risks(analysis, spec, manager)
    for risk, demo in risks:
        _add_actions(risk, demo, manager, done_on=today)
    held_on = max(datetime.date(year, 1, 1), today - datetime.timedelta(days=6))
    services.risk_analysis_hold(analysis=analysis, actor=manager, held_on=held_on,
                                participants=[_user(name) for name in spec.participants],
                                participants_text=spec.participants_text, perspectives=spec.perspectives)


def _seed_carried_forward(code: str, manager: str, year: int) -> None:
    unit = Unit.objects.get(code=code)
    previous = RiskAnalysis.objects.filter(unit=unit, year=year - 1).first()
    if previous is None or RiskAnalysis.objects.filter(unit=unit, year=year).exists():
        return
    services.risk_analysis_carry_forward(analysis=previous, actor=_user(manager))


def seed_risks() -> None:
    year = timezone.localdate().year
    for spec in LAST_YEAR:
        _seed_last_year(spec, year - 1)
    # Johan has started this year's analysis; Maria (Mottagningsenheten) has not, on purpose.
    _seed_carried_forward("fam-utr", "johan", year)
    _seed_this_year_held(THIS_YEAR_HELD, year)
