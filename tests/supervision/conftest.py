"""Supervision fixtures: decisions built through the services, as a recorder would.

`decision` is an IVO tillsyn of the Mottagningsenhet, received ten days ago and recorded by the
section manager; `decided` is the same decision with IVO's criticism recorded; `requirement`
is one open requirement on it, due in 40 days and linked to the mottagning process.
"""

import datetime

import pytest
from django.utils import timezone

from riskmgmt.supervision import services


def TODAY() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def make_decision(org, section_manager):
    def make(*, actor=None, unit=None, **fields):
        values = {"authority": "ivo", "reference": "8.5-29206/2026", "subject": "Tillsyn av förhandsbedömningar",
                  "kind": "supervision", "received_on": TODAY() - days(10), **fields}
        return services.decision_create(actor=actor or section_manager, unit=unit or org["mott"], **values)
    return make


@pytest.fixture
def decision(make_decision):
    return make_decision()


@pytest.fixture
def decided(decision, section_manager):
    return services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY() - days(2),
                                    outcome="criticism", summary="Förhandsbedömningar drar ut på tiden.")


@pytest.fixture
def requirement(decided, section_manager, org):
    return services.requirement_add(decision=decided, actor=section_manager, due_date=TODAY() + days(40),
                                    text="Förhandsbedömningar ska avslutas inom 14 dagar.",
                                    process=org["mottagning"])


@pytest.fixture
def ivo_waiting(org, reporter, unit_manager, section_manager):
    """A serious lex Sarah report on the Mottagningsenhet, notified to IVO with the investigation
    sent: IVO's answer (closing, or a tillsyn) is awaited."""
    from riskmgmt.deviations import services as deviation_services

    deviation = deviation_services.deviation_file(
        actor=reporter, kind="lex_sarah", unit=org["mott"], title="Skyddsbedömning gjordes inte samma dag",
        description="En anmälan om våld lästes först efter tre dagar.")
    deviation_services.deviation_receive(deviation=deviation, actor=unit_manager)
    deviation_services.deviation_start_investigation(deviation=deviation, actor=unit_manager)
    deviation_services.deviation_conclude(
        deviation=deviation, actor=unit_manager, what_happened="Anmälan lästes sent", consequences="Risk för barnet",
        causes="Ingen bevakning av inkorgen", classification="serious")
    notification = deviation_services.ivo_notification_create(
        deviation=deviation, actor=section_manager, sent_on=TODAY(), ivo_reference="8.5-40123/2026",
        investigation_attached=True)
    notification.refresh_from_db()
    assert notification.status == "investigation_sent"
    return notification
