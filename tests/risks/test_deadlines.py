"""The yearly risk analysis deadline (rule `risk_analysis_yearly`, default 31 March) through the
shared job: units that have not held theirs are reminded, then escalated; units that have are not."""

import datetime

import pytest

from riskmgmt.notifications.models import DeadlineRule, Notification
from riskmgmt.notifications.services import deadlines_run
from riskmgmt.organisation.models import Unit
from riskmgmt.risks import services
from riskmgmt.risks.deadlines import risk_analysis_items, yearly_due_date
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 3, 31)


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user, kind__startswith="deadline")
                  .values_list("kind", flat=True))


def _units(user, kind="deadline_reminder"):
    """The units the user was notified about (the unit is the object with the deadline)."""
    notifications = Notification.objects.filter(recipient=user, kind=kind)
    assert all("Riskanalys 2026" in n.subject + n.body for n in notifications)
    return sorted(Unit.objects.get(pk=n.object_id).code for n in notifications)


def _move_date(month_day: str) -> None:
    rule = DeadlineRule.objects.get(code="risk_analysis_yearly")
    rule.annual_due = month_day
    rule.save()


def test_the_due_date_comes_from_the_rule():
    assert yearly_due_date(2026) == DUE
    _move_date("05-15")
    assert yearly_due_date(2026) == datetime.date(2026, 5, 15)


def test_nothing_before_the_reminder_window(org, unit_manager):
    with at(datetime.date(2026, 2, 1)):
        deadlines_run()
    assert _kinds(unit_manager) == []
    assert list(risk_analysis_items(datetime.date(2026, 2, 28))) == []


def test_units_without_a_held_analysis_are_reminded_by_their_manager(org, unit_manager, section_manager,
                                                                     other_manager, reporter):
    with at(datetime.date(2026, 2, 20)):
        held = services.risk_analysis_create(actor=other_manager, unit=org["miss"], year=2026)
        services.risk_analysis_hold(analysis=held, actor=other_manager, held_on=datetime.date(2026, 2, 19),
                                    participants_text="Hela arbetsgruppen", perspectives=["staff"])
        # Planned is not enough: the workshop has not been held.
        services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
    with at(DUE - datetime.timedelta(days=30)):
        deadlines_run()
        deadlines_run()  # the same day again sends nothing twice
    assert _kinds(unit_manager) == ["deadline_reminder"]
    assert _units(unit_manager) == ["mott"]
    assert _kinds(other_manager) == []  # Missbruksenheten has held its analysis
    # Placeringsenheten has no enhetschef: its sektionschef is reminded instead.
    assert _units(section_manager) == ["plac"]
    assert _kinds(reporter) == []


def test_reminder_then_overdue_then_escalation(org, unit_manager, section_manager):
    with at(DUE - datetime.timedelta(days=7)):
        deadlines_run()
    assert _kinds(unit_manager) == ["deadline_reminder"]
    with at(DUE + datetime.timedelta(days=1)):
        deadlines_run()
    assert _kinds(unit_manager) == ["deadline_overdue", "deadline_reminder"]
    with at(DUE + datetime.timedelta(days=14)):
        deadlines_run()
    assert "mott" in _units(section_manager, "deadline_escalation")


def test_holding_the_analysis_stops_the_reminders(org, unit_manager, reporter):
    with at(DUE - datetime.timedelta(days=30)):
        deadlines_run()
        analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2026)
        services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=DUE - datetime.timedelta(days=30),
                                    participants=[reporter], perspectives=["client"])
    with at(DUE - datetime.timedelta(days=7)):
        deadlines_run()
    with at(DUE + datetime.timedelta(days=20)):
        deadlines_run()
    assert _kinds(unit_manager) == ["deadline_reminder"]


def test_only_units_are_reminded_not_sections(org, unit_manager):
    items = list(risk_analysis_items(DUE))
    assert {item.unit.code for item in items} == {"mott", "plac", "miss"}
    assert all(item.obj == item.unit and item.due_date == DUE for item in items)


def test_a_moved_date_moves_the_reminders(org, unit_manager):
    _move_date("05-31")
    with at(DUE - datetime.timedelta(days=30)):
        deadlines_run()
    assert _kinds(unit_manager) == []
    with at(datetime.date(2026, 5, 24)):
        deadlines_run()
    assert _kinds(unit_manager) == ["deadline_reminder"]
