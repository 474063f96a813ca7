"""Fixtures for the kvalitetsberättelse: quick ways to put rows in any state (tests may; app
code never does), dated in Swedish time, on the shared organisation of tests/conftest.py."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType

from riskmgmt.analyses.models import EventAnalysis
from riskmgmt.controls.models import ControlCheck, ControlPoint
from riskmgmt.deviations.models import IvoNotification
from riskmgmt.risks.models import Risk, RiskAnalysis
from riskmgmt.supervision.models import Requirement, SupervisionDecision
from tests.factories import ActionFactory, DeviationFactory, UserFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_serial = itertools.count(1)


def local(year, month=6, day=15, hour=12, minute=0) -> datetime.datetime:
    """An aware datetime in Swedish time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


@pytest.fixture
def author(db):
    """Who the rows below are recorded by (any user will do)."""
    return UserFactory(username="registrator")


@pytest.fixture
def make_deviation(author):
    def make(unit, kind="other", when=None, status="closed", classification="", **extra):
        return DeviationFactory(
            reference=f"AVV-T-{next(_serial):05d}", unit=unit, kind=kind, reported_at=when or local(2014),
            status=status, classification=classification, reporter=author, **extra,
        )
    return make


@pytest.fixture
def notify_ivo(author):
    def notify(deviation, sent_on=None):
        return IvoNotification.objects.create(deviation=deviation, sent_on=sent_on or datetime.date(2014, 7, 1),
                                              recorded_by=author)
    return notify


@pytest.fixture
def make_event_analysis(author):
    def make(unit, created=None, status="commissioned", submitted_at=None):
        return EventAnalysis.objects.create(
            reference=f"HA-T-{next(_serial):05d}", title="Skyddsbedömning som dröjde", unit=unit,
            scope="Vad hände?", commissioner=author, lead=author, due_date=datetime.date(2014, 12, 1),
            created=created or local(2014), status=status, submitted_at=submitted_at,
        )
    return make


@pytest.fixture
def make_risk_analysis():
    def make(unit, year=2014, status="planned"):
        return RiskAnalysis.objects.create(unit=unit, year=year, status=status)
    return make


@pytest.fixture
def make_risk():
    def make(analysis, probability=3, consequence=3, status="open"):
        return Risk.objects.create(analysis=analysis, title="Hög arbetsbelastning", risk_type="process",
                                   perspective="staff", probability=probability, consequence=consequence,
                                   status=status)
    return make


@pytest.fixture
def make_action(author):
    def make(unit, source=None, status="planned", created=None, due_date=None):
        source = source or unit
        return ActionFactory(
            unit=unit, source_content_type=ContentType.objects.get_for_model(source), source_id=source.pk,
            status=status, created=created or local(2014), due_date=due_date or datetime.date(2014, 9, 1),
            responsible=author, created_by=author,
        )
    return make


@pytest.fixture
def make_decision(author):
    def make(unit, authority="ivo", received_on=None, decided_on=None):
        return SupervisionDecision.objects.create(
            authority=authority, reference=f"8.5-{next(_serial)}/2014", unit=unit, subject="Tillsyn av utredningar",
            kind="supervision", received_on=received_on or datetime.date(2014, 3, 1), decided_on=decided_on,
            recorded_by=author,
        )
    return make


@pytest.fixture
def make_requirement():
    def make(decision, due_date, status="open", reported_on=None):
        return Requirement.objects.create(decision=decision, text="Redovisa åtgärder för skyddsbedömningar",
                                          due_date=due_date, status=status, reported_on=reported_on)
    return make


@pytest.fixture
def make_control_point(author):
    def make(unit, year=2014, frequency="quarterly"):
        return ControlPoint.objects.create(unit=unit, year=year, title="Skyddsbedömning inom 24 timmar",
                                           method="aktgranskning", frequency=frequency, responsible=author)
    return make


@pytest.fixture
def make_check(author):
    def make(point, period_start, findings=False):
        return ControlCheck.objects.create(control_point=point, period_start=period_start,
                                           performed_on=period_start + datetime.timedelta(days=20),
                                           performed_by=author, findings=findings)
    return make


@pytest.fixture
def family_history(org, make_deviation):
    """The demo's history for Familjesektionen (issue 8): synpunkter 1/3/1, lex Sarah 2/2/2,
    övriga 0/0/1 for 2012/2013/2014, spread over its units; plus rows that must not count."""
    mott, plac = org["mott"], org["plac"]
    for year, complaints, lex, others in [(2012, 1, 2, 0), (2013, 3, 2, 0), (2014, 1, 2, 1)]:
        for n in range(complaints):
            make_deviation(plac if n % 2 else mott, "complaint", local(year, 3, 10 + n))
        for n in range(lex):
            make_deviation(mott if n % 2 else plac, "lex_sarah", local(year, 5, 3 + n), classification="risk")
        for n in range(others):
            make_deviation(mott, "other", local(year, 9, 1 + n))
    make_deviation(mott, "complaint", local(2014, 4, 1), status="withdrawn")  # a duplicate
    make_deviation(org["miss"], "complaint", local(2014, 4, 1))  # another section
    return org["fam"]
