"""The control_check deadline through the shared job: the responsible person is reminded before a
planned check's period ends and told when it is late, their manager after two weeks; a recorded
check stops it. Time is moved with `at`."""

import datetime

import pytest

from riskmgmt.controls import services
from riskmgmt.controls.integration import control_check_deadline_items
from riskmgmt.controls.models import Frequency
from riskmgmt.notifications import deadlines
from riskmgmt.notifications.models import DeadlineRule, Notification
from riskmgmt.notifications.services import deadlines_run
from tests.controls.conftest import ControlPointFactory
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
Q1_END = datetime.date(2026, 3, 31)
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _only_this_source(monkeypatch):
    # Other apps' deadlines (a unit's yearly risk analysis…) would write to the same people.
    monkeypatch.setattr(deadlines, "_sources", {"control_check": [control_check_deadline_items]})


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user, kind__startswith="deadline").values_list(
        "kind", flat=True))


def _run(day):
    with at(day):
        return deadlines_run()


def test_seeded_rule_reminds_a_week_before_and_escalates_after_two_weeks():
    rule = DeadlineRule.objects.get(code="control_check")
    assert (rule.reminder_offsets, rule.escalation_after_days, rule.days) == ([7], 14, None)


def test_late_check_reminds_the_responsible_then_escalates(point, reporter, unit_manager, section_manager):
    _run(Q1_END - 8 * DAY)
    assert _kinds(reporter) == []
    _run(Q1_END - 7 * DAY)
    _run(Q1_END - 7 * DAY)  # the job is idempotent
    assert _kinds(reporter) == ["deadline_reminder"]
    _run(Q1_END)
    assert _kinds(reporter) == ["deadline_reminder"]  # due today: not late yet
    _run(Q1_END + DAY)
    assert _kinds(reporter) == ["deadline_overdue", "deadline_reminder"]
    overdue = Notification.objects.get(recipient=reporter, kind="deadline_overdue")
    assert "Egenkontroll Kvartal 1 2026: Stickprov: skyddsbedömning dokumenterad samma dag" in overdue.subject
    assert overdue.url == f"/egenkontroll/punkt/{point.pk}/registrera/?period=2026-01-01"
    assert _kinds(unit_manager) == []
    _run(Q1_END + 14 * DAY)
    assert _kinds(unit_manager) == ["deadline_escalation"]
    assert _kinds(section_manager) == []


def test_a_recorded_check_stops_the_reminders(point, reporter, unit_manager):
    _run(Q1_END - 7 * DAY)
    with at(Q1_END - 2 * DAY):
        services.control_check_record(point=point, actor=reporter, period_start=datetime.date(2026, 1, 1),
                                      performed_on=Q1_END - 2 * DAY, findings=False)
    _run(Q1_END + DAY)
    _run(Q1_END + 20 * DAY)
    assert _kinds(reporter) == ["deadline_reminder"]
    assert _kinds(unit_manager) == []


def test_a_check_recorded_late_stops_the_escalation(point, reporter, unit_manager):
    _run(Q1_END + DAY)
    with at(Q1_END + 3 * DAY):
        services.control_check_record(point=point, actor=reporter, period_start=datetime.date(2026, 1, 1),
                                      performed_on=Q1_END + 3 * DAY, findings=False)
    _run(Q1_END + 20 * DAY)
    assert _kinds(reporter) == ["deadline_overdue"]
    assert _kinds(unit_manager) == []


def test_each_period_has_its_own_deadline(point, reporter):
    _run(Q1_END + DAY)
    _run(datetime.date(2026, 6, 30) + DAY)
    assert _kinds(reporter) == ["deadline_overdue", "deadline_overdue"]
    subjects = sorted(Notification.objects.filter(recipient=reporter).values_list("subject", flat=True))
    assert "Kvartal 1" in subjects[0]
    assert "Kvartal 2" in subjects[1]


def test_grace_days_from_the_rule_move_the_due_date(point, reporter):
    DeadlineRule.objects.filter(code="control_check").update(days=10)
    _run(Q1_END + DAY)
    assert "deadline_overdue" not in _kinds(reporter)
    _run(Q1_END + 11 * DAY)
    assert "deadline_overdue" in _kinds(reporter)


def test_inactive_points_and_old_plans_are_not_reminded(org, reporter, unit_manager):
    ControlPointFactory(unit=org["mott"], responsible=reporter, is_active=False)
    ControlPointFactory(unit=org["mott"], responsible=reporter, year=2024, frequency=Frequency.MONTHLY)
    _run(Q1_END + 20 * DAY)
    assert _kinds(reporter) == []
    assert _kinds(unit_manager) == []


def test_last_years_december_is_still_asked_in_january(org, reporter):
    ControlPointFactory(unit=org["mott"], responsible=reporter, year=2025, frequency=Frequency.YEARLY)
    _run(datetime.date(2026, 1, 2))
    assert _kinds(reporter) == ["deadline_overdue"]


def test_source_is_a_bounded_number_of_queries(org, reporter, django_assert_max_num_queries):
    for _index in range(20):
        ControlPointFactory(unit=org["mott"], responsible=reporter, frequency=Frequency.MONTHLY)
    with django_assert_max_num_queries(3):
        items = list(control_check_deadline_items(datetime.date(2026, 12, 31)))
    assert len(items) == 20 * 12
    assert {item.responsible for item in items} == {reporter}
