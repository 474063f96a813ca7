"""The analysis report's deadline through the shared job: the lead is reminded, then escalation."""

import datetime

import pytest

from riskmgmt.analyses import services
from riskmgmt.notifications.models import Notification
from riskmgmt.notifications.services import deadlines_run
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db


def _kinds(user):
    # Not the yearly risk-analysis reminder, which is about the unit and may fall in the same weeks.
    return sorted(Notification.objects.filter(recipient=user, kind__startswith="deadline")
                  .exclude(content_type__model="unit")
                  .values_list("kind", flat=True))


def test_lead_is_reminded_before_the_report_date_and_escalated_after(org, section_manager, unit_manager):
    start = datetime.date(2026, 3, 2)
    with at(start, hour=9):
        analysis = services.analysis_create(actor=section_manager, title="Analys", unit=org["mott"], scope="S",
                                            commissioner=section_manager, lead=unit_manager)
    assert analysis.due_date == start + datetime.timedelta(weeks=8)
    with at(analysis.due_date - datetime.timedelta(days=14)):
        deadlines_run()
        deadlines_run()
    assert _kinds(unit_manager) == ["deadline_reminder"]
    with at(analysis.due_date + datetime.timedelta(days=7)):
        deadlines_run()
    assert "deadline_overdue" in _kinds(unit_manager)
    assert _kinds(section_manager) == ["deadline_escalation"]


def test_a_cancelled_analysis_gets_no_reminders(org, section_manager, unit_manager):
    start = datetime.date(2026, 3, 2)
    with at(start, hour=9):
        analysis = services.analysis_create(actor=section_manager, title="Analys", unit=org["mott"], scope="S",
                                            commissioner=section_manager, lead=unit_manager)
        services.analysis_cancel(analysis=analysis, actor=section_manager, reason="Ingår i annan analys")
    with at(analysis.due_date - datetime.timedelta(days=14)):
        deadlines_run()
    assert _kinds(unit_manager) == []
