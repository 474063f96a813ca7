"""Actions on the shared machinery: the outbox with the broker down, and the action_due rule."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.notifications import tasks
from riskmgmt.notifications.models import Notification
from riskmgmt.notifications.services import deadlines_run
from tests.factories import ActionFactory
from tests.notifications.conftest import at, broker_down, closed_port  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_creating_an_action_with_the_broker_down_succeeds_and_is_delivered_later(
    api_client, org, unit_manager, reporter, broker_down, django_capture_on_commit_callbacks  # noqa: F811
):
    reporter.email = "anna@example.se"
    reporter.save()
    api_client.force_authenticate(unit_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/actions/", {
            "source_type": "unit", "source_id": org["mott"].pk, "title": "Checklista",
            "responsible": reporter.pk, "strength": "medium",
            "due_date": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
        }, format="json")
    assert response.status_code == 201
    notification = Notification.objects.get(recipient=reporter)
    assert notification.sent_at is None
    assert mail.outbox == []

    assert tasks.notifications_retry_task() == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert mail.outbox[0].to == ["anna@example.se"]
    assert Action.objects.get().reference in mail.outbox[0].subject + mail.outbox[0].body


def test_action_due_reminder_overdue_and_escalation(org, reporter, unit_manager, section_manager):
    due = datetime.date(2026, 3, 20)
    action = ActionFactory(unit=org["mott"], responsible=reporter, due_date=due)

    def kinds(user):  # about this action only (the yearly risk-analysis reminder also runs in March)
        return sorted(Notification.objects.filter(recipient=user, object_id=action.pk,
                                                  content_type__model="action").values_list("kind", flat=True))

    with at(due - datetime.timedelta(days=8)):
        deadlines_run()
    assert kinds(reporter) == []
    with at(due - datetime.timedelta(days=7)):
        deadlines_run()
        deadlines_run()  # a second run the same day sends nothing twice
    assert kinds(reporter) == ["deadline_reminder"]
    with at(due + datetime.timedelta(days=1)):
        deadlines_run()
    assert kinds(reporter) == ["deadline_overdue", "deadline_reminder"]
    with at(due + datetime.timedelta(days=14)):
        deadlines_run()
        deadlines_run()
    # The responsible person is staff: the unit's manager is the next one up.
    assert kinds(unit_manager) == ["deadline_escalation"]
    assert kinds(section_manager) == []
    escalation = Notification.objects.get(recipient=unit_manager, object_id=action.pk, content_type__model="action")
    assert action.reference in escalation.subject + escalation.body


def test_completed_actions_get_no_reminders(org, reporter):
    due = datetime.date(2026, 3, 20)
    action = ActionFactory(unit=org["mott"], responsible=reporter, due_date=due)
    from riskmgmt.actions import services

    with at(due - datetime.timedelta(days=10)):
        services.action_complete(action=action, actor=reporter, done_on=due - datetime.timedelta(days=10))
    with at(due - datetime.timedelta(days=7)):
        deadlines_run()
    assert not Notification.objects.filter(kind__startswith="deadline").exists()
