"""Who records and who sees supervision decisions, and the selectors that scope them."""

import pytest
from django.http import Http404

from riskmgmt.actions import services as action_services
from riskmgmt.supervision import services
from riskmgmt.supervision.models import RECORD, REPORT
from riskmgmt.supervision.rules import records_decision, sees_decision
from riskmgmt.supervision.selectors import (
    decision_get_for_user,
    decisions_for_user,
    requirement_get_for_user,
    requirements_for_user,
    statement_requests_due,
    upcoming_report_backs,
)
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db

# persona -> (records, sees) for a decision on the Mottagningsenhet
MATRIX = {
    "reporter": (False, False),
    "unit_manager": (False, True),
    "section_manager": (True, True),
    "other_manager": (False, False),
    "quality": (True, True),
    "management": (True, True),
    "outsider": (False, False),
}


@pytest.mark.parametrize(("persona", "expected"), MATRIX.items())
def test_matrix(decision, requirement, personas, persona, expected):
    user = personas[persona]
    records, sees = expected
    assert records_decision(user, decision) is records
    assert records_decision(user, decision.unit) is records
    assert sees_decision(user, decision) is sees
    assert user.has_perm(RECORD, decision) is records
    assert user.has_perm(REPORT, requirement) is records
    assert user.has_perm("supervision.view_decision", decision) is sees
    assert (decision in decisions_for_user(user)) is sees
    assert (requirement in requirements_for_user(user)) is sees
    if sees:
        assert decision_get_for_user(user, decision.pk) == decision
        assert requirement_get_for_user(user, requirement.pk) == requirement
    else:
        with pytest.raises(Http404):
            decision_get_for_user(user, decision.pk)
        with pytest.raises(Http404):
            requirement_get_for_user(user, requirement.pk)


def test_responsible_for_an_action_on_a_requirement_sees_the_decision(requirement, section_manager, reporter,
                                                                     personas):
    assert not sees_decision(reporter, requirement.decision)
    action_services.action_create(source_obj=requirement, actor=section_manager, title="Bevaka inkorgen dagligen",
                                  responsible=reporter, due_date=TODAY() + days(20), strength="medium")
    assert sees_decision(reporter, requirement.decision)
    assert not records_decision(reporter, requirement.decision)
    assert decision_get_for_user(reporter, requirement.decision_id) == requirement.decision
    assert list(requirements_for_user(reporter)) == [requirement]
    assert not decisions_for_user(personas["other_manager"]).exists()


def test_an_inactive_user_sees_nothing(decision, section_manager):
    section_manager.is_active = False
    section_manager.save()
    assert not decisions_for_user(section_manager).exists()


@pytest.mark.parametrize("pk", ["x", None, -1, 0, 2**70, "1e3"])
def test_bad_ids_are_404(decision, section_manager, pk):
    with pytest.raises(Http404):
        decision_get_for_user(section_manager, pk)
    with pytest.raises(Http404):
        requirement_get_for_user(section_manager, pk)


def test_upcoming_report_backs(decided, section_manager, unit_manager, other_manager):
    add = lambda text, due: services.requirement_add(  # noqa: E731
        decision=decided, actor=section_manager, text=text, due_date=due)
    later = add("Om 70 dagar", TODAY() + days(70))
    soon = add("Om 10 dagar", TODAY() + days(10))
    overdue = add("Försenat", TODAY() - days(3))
    edge = add("Om 60 dagar", TODAY() + days(60))
    reported = add("Redovisat", TODAY() + days(5))
    services.requirement_report_back(requirement=reported, actor=section_manager, reported_on=TODAY(),
                                     summary="Klart")
    assert list(upcoming_report_backs(unit_manager)) == [overdue, soon, edge]
    assert list(upcoming_report_backs(unit_manager, days=90)) == [overdue, soon, edge, later]
    assert list(upcoming_report_backs(other_manager)) == []
    first = upcoming_report_backs(unit_manager)[0]
    assert first.decision.unit.name == "Mottagningsenheten"


def test_statement_requests_due(decision, make_decision, section_manager, unit_manager, org):
    first = services.decision_request_statement(decision=decision, actor=section_manager, requested_on=TODAY(),
                                                due_date=TODAY() + days(20))
    second = services.decision_request_statement(decision=decision, actor=section_manager, requested_on=TODAY(),
                                                 due_date=TODAY() + days(5))
    answered = services.decision_request_statement(decision=decision, actor=section_manager, requested_on=TODAY(),
                                                   due_date=TODAY() + days(2))
    services.statement_submit(statement=answered, actor=section_manager, submitted_on=TODAY())
    assert list(statement_requests_due(unit_manager)) == [second, first]
    services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="criticism")
    assert list(statement_requests_due(unit_manager)) == []
