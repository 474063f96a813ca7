"""Deviation deadlines through the shared job: receipt, conclusion, IVO notification and investigation."""

import datetime

import pytest

from riskmgmt.deviations import services
from riskmgmt.notifications.models import Notification
from riskmgmt.notifications.services import deadlines_run
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _kinds(user):
    # Not the yearly risk-analysis reminder, which is about the unit and also falls in March.
    qs = Notification.objects.filter(recipient=user, kind__startswith="deadline").exclude(content_type__model="unit")
    return sorted(qs.values_list("kind", flat=True))


def test_unreceived_lex_sarah_reminds_the_unit_manager_then_escalates(org, reporter, unit_manager,
                                                                     section_manager):
    filed_on = datetime.date(2026, 3, 2)
    with at(filed_on, hour=9):
        deviation = services.deviation_file(actor=reporter, kind="lex_sarah", unit=org["mott"],
                                            title="Skyddsbedömning dröjde", description="Se rapport")
    assert deviation.receipt_due == filed_on + DAY
    with at(filed_on + DAY):
        result = deadlines_run()
        deadlines_run()
    assert result.reminders >= 1
    assert _kinds(unit_manager) == ["deadline_reminder"]
    with at(filed_on + 2 * DAY):
        deadlines_run()
    assert _kinds(unit_manager) == ["deadline_overdue", "deadline_reminder"]
    assert _kinds(section_manager) == ["deadline_escalation"]
    escalation = Notification.objects.get(recipient=section_manager, kind="deadline_escalation")
    assert deviation.reference in escalation.subject + escalation.body
    assert "Skyddsbedömning dröjde" not in escalation.body  # the title stays in the system


def test_received_report_stops_the_receipt_reminders(org, reporter, unit_manager):
    filed_on = datetime.date(2026, 3, 2)
    with at(filed_on, hour=9):
        deviation = services.deviation_file(actor=reporter, kind="other", unit=org["mott"], title="T",
                                            description="D")
        services.deviation_receive(deviation=deviation, actor=unit_manager)
    with at(deviation.receipt_due + DAY):
        deadlines_run()
    assert _kinds(unit_manager) == []


def test_serious_classification_sets_ivo_deadline_for_the_section_manager(org, reporter, unit_manager,
                                                                           section_manager, management):
    start = datetime.date(2026, 3, 2)
    with at(start, hour=9):
        deviation = services.deviation_file(actor=reporter, kind="lex_sarah", unit=org["mott"], title="T",
                                            description="D")
        services.deviation_receive(deviation=deviation, actor=unit_manager)
        services.deviation_start_investigation(deviation=deviation, actor=unit_manager)
        services.deviation_conclude(deviation=deviation, actor=unit_manager, what_happened="W",
                                    consequences="C", causes="O", classification="serious")
    assert deviation.ivo_notification_due == start + 7 * DAY
    assert deviation.next_due == deviation.ivo_notification_due
    with at(start + 6 * DAY):
        deadlines_run()
    assert _kinds(section_manager) == ["deadline_reminder"]
    with at(start + 8 * DAY):
        deadlines_run()
    # The IVO notification rule escalates straight to management (DOMAIN.md A4: "snarast").
    assert _kinds(management) == ["deadline_escalation"]


def test_investigation_due_at_ivo_two_months_after_notification(org, reporter, unit_manager, section_manager):
    start = datetime.date(2026, 3, 2)
    with at(start, hour=9):
        deviation = services.deviation_file(actor=reporter, kind="lex_sarah", unit=org["mott"], title="T",
                                            description="D")
        services.deviation_receive(deviation=deviation, actor=unit_manager)
        notification = services.ivo_notification_create(deviation=deviation, actor=section_manager, sent_on=start)
    assert notification.investigation_due == datetime.date(2026, 5, 2)
    deviation.refresh_from_db()
    assert deviation.next_due == min(deviation.conclusion_due, notification.investigation_due)
    with at(datetime.date(2026, 4, 18)):
        deadlines_run()
    assert "deadline_reminder" in _kinds(section_manager)
    with at(datetime.date(2026, 4, 20), hour=9):
        services.ivo_send_investigation(notification=notification, actor=section_manager,
                                        sent_on=datetime.date(2026, 4, 20))
    before = set(Notification.objects.values_list("pk", flat=True))
    with at(datetime.date(2026, 5, 3)):
        deadlines_run()
    new = Notification.objects.exclude(pk__in=before)
    assert not new.filter(object_id=notification.pk, kind__startswith="deadline").exists()
