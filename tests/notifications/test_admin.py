"""The admin: the outbox is read-only with a retry action; rules are edited with history."""

import pytest
from django.core import mail
from django.urls import reverse

from riskmgmt.notifications import tasks
from riskmgmt.notifications.models import DeadlineRule, Notification
from riskmgmt.notifications.services import notification_queue
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    return client


def test_retry_now_delivers_a_failed_notification(
    admin_client, reporter, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            recipient=reporter, kind="status_changed", template="status_changed",
            context={"reference": "AVV-3", "status": "Mottagen"}, url="/avvikelser/3/",
        )
    notification.refresh_from_db()
    assert notification.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    changelist = reverse("admin:notifications_notification_changelist")
    assert admin_client.get(changelist, {"sent": "no"}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist, {"action": "retry_now", "_selected_action": [notification.pk]}, follow=True
        )
    assert response.status_code == 200
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert [m.subject for m in mail.outbox] == ["Ny status: AVV-3 – Mottagen"]


def test_notification_admin_is_read_only(admin_client, reporter, monkeypatch):
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    notification = notification_queue(
        recipient=reporter, kind="status_changed", template="status_changed",
        context={"reference": "AVV-3"},
    )
    change = reverse("admin:notifications_notification_change", args=[notification.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    assert b'name="subject"' not in response.content
    assert admin_client.post(change, {"subject": "x"}).status_code == 403
    assert Notification.objects.get().subject == "Ny status: AVV-3"


def test_rule_admin_edits_with_history_and_keeps_the_code(admin_client):
    rule = DeadlineRule.objects.get(code="complaint_answer")
    change = reverse("admin:notifications_deadlinerule_change", args=[rule.pk])
    response = admin_client.get(change)
    assert response.status_code == 200
    data = {
        "code": "renamed", "name": rule.name, "applies_to": rule.applies_to,
        "legal_basis": rule.legal_basis, "days": "10", "months": "", "annual_due": "",
        "reminder_offsets": "[5, 1]", "escalation_after_days": "2", "escalate_to": "next_manager",
        "valid_from": "2000-01-01", "valid_to": "", "is_active": "on",
    }
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rule.refresh_from_db()
    assert (rule.code, rule.days, rule.reminder_offsets) == ("complaint_answer", 10, [5, 1])
    assert rule.history.count() == 2
    assert admin_client.get(reverse("admin:notifications_deadlinerule_history", args=[rule.pk])).status_code == 200
