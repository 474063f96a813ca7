"""The supervision demo: an IVO tillsyn with requirements coming up, and a lex Sarah case that IVO
closed in 2014; seeding twice leaves the same rows."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.core.models import Transition
from riskmgmt.deviations.models import Deviation, IvoNotification
from riskmgmt.organisation.demo import seed_organisation
from riskmgmt.risks.models import RiskAnalysis
from riskmgmt.supervision.demo import seed_supervision
from riskmgmt.supervision.models import Requirement, StatementRequest, SupervisionDecision
from riskmgmt.supervision.selectors import upcoming_report_backs

pytestmark = pytest.mark.django_db


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (
        SupervisionDecision, Requirement, StatementRequest, Action, Deviation, IvoNotification, Transition)}


@pytest.fixture
def demo_org(settings):
    seed_organisation(password=settings.DEMO_PASSWORD or "demo-losen")


def test_seed_supervision_twice_gives_the_same_rows(demo_org):
    seed_supervision()
    before = counts()
    seed_supervision()
    assert counts() == before
    assert before["SupervisionDecision"] == 2


def test_the_tillsyn_has_requirements_coming_up(demo_org):
    from django.contrib.auth import get_user_model

    seed_supervision()
    today = timezone.localdate()
    decision = SupervisionDecision.objects.get(kind="supervision")
    assert (decision.authority, decision.unit.code, decision.outcome, decision.status) == (
        "ivo", "fam-mott", "criticism", "reporting_back")
    assert [p.name for p in decision.processes.all()] == ["Mottagning och förhandsbedömning"]
    texts = [r.text for r in decision.requirements.order_by("due_date")]
    assert texts == ["Förhandsbedömningar ska avslutas inom 14 dagar",
                     "Skälen till att barnet inte hörts ska dokumenteras"]
    for requirement in decision.requirements.all():
        assert today + datetime.timedelta(days=20) <= requirement.due_date <= today + datetime.timedelta(days=42)
        assert requirement.process.name == "Mottagning och förhandsbedömning"
    assert Action.objects.filter(source_id__in=decision.requirements.values("pk")).count() == 2
    assert decision.statement_requests.get().submitted_on is not None
    maria = get_user_model().objects.get(username="maria")
    assert [r.text for r in upcoming_report_backs(maria)] == texts
    # Maria's own "Starta årets riskanalys" stays possible: nothing was raised into this year.
    assert not RiskAnalysis.objects.filter(unit=decision.unit, year=today.year).exists()


def test_the_2014_lex_sarah_case_closed_without_criticism(demo_org):
    seed_supervision()
    decision = SupervisionDecision.objects.get(kind="lex_sarah")
    deviation = decision.deviation
    assert (decision.reference, decision.outcome, decision.status, decision.decided_on.year) == (
        "8.5-29206/2014", "no_criticism", "closed", 2014)
    assert (deviation.kind, deviation.reference, deviation.status, deviation.reported_at.year) == (
        "lex_sarah", "AVV-2014-0001", "closed", 2014)
    assert deviation.ivo_notification.status == "supervision_opened"
    assert deviation.ivo_notification.supervision_decision == decision
    assert {entry.at.year for entry in transition_log_for(deviation)} == {2014}
    assert {entry.at.year for entry in transition_log_for(decision)} == {2014}
    assert {entry.at.year for entry in transition_log_for(deviation.ivo_notification)} == {2014}


def test_seed_demo_twice_keeps_the_supervision_rows(db, settings):
    settings.DEMO_PASSWORD = settings.DEMO_PASSWORD or "demo-losen"
    call_command("seed_demo", stdout=io.StringIO())
    before = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before
    assert before["SupervisionDecision"] == 2
