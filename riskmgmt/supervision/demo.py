"""Demo supervision cases, built through the services (idempotent by unit and reference).

1. An IVO tillsyn of the Mottagningsenhet this spring: IVO asked for a statement, then criticised
   the förhandsbedömningar; two requirements are due in a few weeks, with actions under way.
   No requirement is raised as a risk here: that would create this year's risk analysis for the
   unit, and the risk demo leaves it to Maria to start it by carrying last year's forward.
2. A lex Sarah case from 2014: reported, investigated, notified to IVO, and closed by IVO
   without criticism (the decision kind lex_sarah, linked to the deviation).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.core.models import Transition
from riskmgmt.deviations import services as deviation_services
from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.models import Process, Unit

from . import services
from .models import SupervisionDecision

UNIT = "fam-mott"
PROCESS = "Mottagning och förhandsbedömning"


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate_log(obj, name: str, day: datetime.date) -> None:
    # Demo only: the steps happened on the authority's dates, not the day the demo was seeded.
    # Transition rows are a plain log (no simple-history), so an update rewrites no audit trail.
    Transition.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                              name=name).update(at=_on(day))


def _seed_tillsyn(today: datetime.date) -> None:
    unit = Unit.objects.get(code=UNIT)
    reference = f"8.5-18764/{(today - datetime.timedelta(days=75)).year}"
    if SupervisionDecision.objects.filter(unit=unit, reference=reference).exists():
        return
    sara, maria = _user("sara"), _user("maria")
    process = Process.objects.filter(unit=unit, name=PROCESS).first()
    received_on = today - datetime.timedelta(days=75)
    decision = services.decision_create(
        actor=sara, unit=unit, authority=SupervisionDecision.Authority.IVO, reference=reference,
        kind=SupervisionDecision.Kind.SUPERVISION, received_on=received_on,
        subject="Tillsyn av mottagning och förhandsbedömningar",
        processes=[process] if process else [],
    )
    requested_on = received_on + datetime.timedelta(days=2)
    statement = services.decision_request_statement(
        decision=decision, actor=sara, requested_on=requested_on, due_date=requested_on + datetime.timedelta(days=28),
        description="Redogör för hur nämnden säkerställer att förhandsbedömningar avslutas inom 14 dagar och hur "
                    "barnets inställning dokumenteras.")
    services.statement_submit(statement=statement, actor=sara, submitted_on=requested_on + datetime.timedelta(days=25))
    decided_on = today - datetime.timedelta(days=14)
    services.decision_record(
        decision=decision, actor=sara, decided_on=decided_on, outcome=SupervisionDecision.Outcome.CRITICISM,
        summary="IVO riktar kritik mot nämnden. I 9 av 30 granskade ärenden tog förhandsbedömningen längre än "
                "14 dagar, och i flera ärenden framgick inte varför barnet inte hade hörts. Nämnden ska redovisa "
                "vidtagna åtgärder senast de datum som anges.")
    first = services.requirement_add(
        decision=decision, actor=sara, text="Förhandsbedömningar ska avslutas inom 14 dagar",
        due_date=today + datetime.timedelta(days=24), process=process)
    second = services.requirement_add(
        decision=decision, actor=sara, text="Skälen till att barnet inte hörts ska dokumenteras",
        due_date=today + datetime.timedelta(days=40), process=process)
    services.decision_start_report_back(decision=decision, actor=sara)
    action_services.action_create(
        source_obj=first, actor=sara, responsible=maria, strength="medium",
        title="Veckovis bevakning av förhandsbedömningar som passerat tio dagar",
        due_date=today + datetime.timedelta(days=10),
        effect_measure="Andel förhandsbedömningar inom 14 dagar, månadsvis.")
    action_services.action_create(
        source_obj=second, actor=sara, responsible=maria, strength="strong",
        title="Obligatoriskt fält i journalmallen: har barnet hörts, och varför inte",
        due_date=today + datetime.timedelta(days=30),
        effect_measure="Aktgranskning av tio förhandsbedömningar efter införandet.")
    _backdate_log(decision, "create", received_on)
    _backdate_log(decision, "request_statement", requested_on)
    _backdate_log(decision, "record_decision", decided_on)
    _backdate_log(decision, "start_report_back", decided_on + datetime.timedelta(days=1))
    for requirement in (first, second):
        _backdate_log(requirement, "create", decided_on + datetime.timedelta(days=1))


LEX_SARAH_2014 = "Anmälan om oro för ett spädbarn blev liggande under semestern"


def _seed_lex_sarah_2014() -> None:
    unit = Unit.objects.get(code=UNIT)
    if Deviation.objects.filter(unit=unit, title=LEX_SARAH_2014).exists():
        return
    karin, sara = _user("karin"), _user("sara")
    reported = datetime.date(2014, 7, 14)
    deviation = deviation_services.deviation_file(
        actor=karin, kind=Deviation.Kind.LEX_SARAH, unit=unit, title=LEX_SARAH_2014,
        description="En anmälan om oro från BVC kom in i början av juli. Under semestern bevakades inte "
                    "funktionsbrevlådan, och förhandsbedömningen inleddes först efter nio dagar.",
        process=Process.objects.filter(unit=unit, name=PROCESS).first(),
        occurred_at=_on(datetime.date(2014, 7, 3), 14), reported_at=_on(reported, 9),
        immediate_actions="Skyddsbedömning gjordes samma dag som anmälan upptäcktes.",
    )
    deviation_services.deviation_receive(deviation=deviation, actor=sara)
    deviation_services.deviation_start_investigation(deviation=deviation, actor=sara)
    deviation_services.deviation_conclude(
        deviation=deviation, actor=sara,
        what_happened="Funktionsbrevlådan för anmälningar bevakades inte under tre veckor i juli.",
        consequences="Ett spädbarn kunde ha lämnats utan skydd i nio dagar.",
        causes="Ingen semesterplan för bevakning av brevlådan; rutinen byggde på en person.",
        classification=Deviation.Classification.SERIOUS_RISK, decided_by="Sektionschef",
        delegation_ref="Delegationsordning 2014, punkt 3.1")
    notified = datetime.date(2014, 7, 24)
    notification = deviation_services.ivo_notification_create(
        deviation=deviation, actor=sara, sent_on=notified, ivo_reference="8.5-29206/2014",
        investigation_attached=True)
    received_on, decided_on = datetime.date(2014, 8, 11), datetime.date(2014, 10, 2)
    decision = services.decision_create(
        actor=karin, unit=unit, authority=SupervisionDecision.Authority.IVO, reference="8.5-29206/2014",
        kind=SupervisionDecision.Kind.LEX_SARAH, subject=f"Uppföljning av lex Sarah-anmälan {deviation.reference}",
        received_on=received_on, decided_on=decided_on, outcome=SupervisionDecision.Outcome.NO_CRITICISM,
        summary="IVO bedömer att nämnden har utrett händelsen och vidtagit de åtgärder som behövs. "
                "Ärendet avslutas.", deviation=deviation)
    services.decision_close(decision=decision, actor=karin, closed_on=decided_on)
    notification.refresh_from_db()
    deviation_services.ivo_record_supervision(notification=notification, actor=sara, supervision_decision=decision.pk)
    deviation.refresh_from_db()
    deviation_services.deviation_close(
        deviation=deviation, actor=sara, feedback_given_on=datetime.date(2014, 10, 10),
        feedback="Tack för rapporten. Brevlådan bevakas nu av två namngivna personer även under semestrar.",
        no_action_reason="Semesterplanen för bevakning av brevlådan infördes redan under utredningen (2014).")
    # Demo only: the steps happened in 2014, not the day the demo was seeded.
    deviation.refresh_from_db()
    deviation.received_at = _on(datetime.date(2014, 7, 14), 11)
    deviation.concluded_at = _on(datetime.date(2014, 7, 22))
    deviation.closed_at = _on(datetime.date(2014, 10, 10))
    deviation.created = deviation.reported_at
    deviation._history_user, deviation._change_reason = None, "demo"
    deviation.save()
    for name, day in (("create", reported), ("receive", reported), ("start_investigation", reported),
                      ("conclude", datetime.date(2014, 7, 22)), ("close", datetime.date(2014, 10, 10))):
        _backdate_log(deviation, name, day)
    notification.refresh_from_db()
    notification.created = _on(notified)
    notification._history_user, notification._change_reason = None, "demo"
    notification.save()
    for name, day in (("create", notified), ("send_investigation", notified), ("record_supervision", received_on)):
        _backdate_log(notification, name, day)
    decision.refresh_from_db()
    decision.created = _on(received_on)
    decision._history_user, decision._change_reason = None, "demo"
    decision.save()
    for name, day in (("create", received_on), ("record_decision", decided_on), ("close", decided_on)):
        _backdate_log(decision, name, day)


def seed_supervision() -> None:
    """Seeds the demo's supervision cases; running it again changes nothing."""
    _seed_tillsyn(timezone.localdate())
    _seed_lex_sarah_2014()
