"""The outbox: written in the caller's transaction, delivered after commit, retried until sent."""

import datetime
import logging
import time

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from riskmgmt.notifications import services, tasks
from riskmgmt.notifications.models import Notification
from riskmgmt.notifications.services import notification_queue
from tests.factories import UserFactory

from .conftest import at

FAILING_BACKEND = "tests.notifications.backends.FailingEmailBackend"


def queue_for(user, **overrides):
    kwargs = {
        "recipient": user,
        "kind": "action_assigned",
        "template": "action_assigned",
        "context": {"reference": "ÅTG-12", "title": "Ny rutin", "due_date": datetime.date(2026, 4, 30)},
        "url": "/atgarder/12/",
    }
    return notification_queue(**{**kwargs, **overrides})


def test_rolled_back_transaction_leaves_no_notification_and_enqueues_nothing(
    reporter, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", enqueued.append)

    def failing_change():
        with transaction.atomic():
            queue_for(reporter)
            raise RuntimeError("the caller's change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_change()

    assert Notification.objects.count() == 0
    assert callbacks == []
    assert enqueued == []
    assert mail.outbox == []


def test_committed_notification_is_written_once_and_delivered_in_swedish(
    reporter, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notification = queue_for(reporter, obj=org["mottagning"])

    assert len(callbacks) == 1
    notification = Notification.objects.get()
    assert notification.recipient == reporter
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert notification.last_error == ""
    assert notification.read_at is None
    assert notification.target_object == org["mottagning"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reporter.email]
    assert message.subject == "Ny åtgärd: ÅTG-12 – Ny rutin"
    assert "Ska vara klar: 2026-04-30" in message.body
    assert "http://127.0.0.1:8000/atgarder/12/" in message.body
    assert notification.url == "/atgarder/12/"


def test_delivery_is_not_enqueued_before_commit(reporter, monkeypatch, django_capture_on_commit_callbacks):
    enqueued = []
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification = queue_for(reporter)
        assert enqueued == []
    assert enqueued == [notification.pk]


def test_failed_delivery_is_recorded_and_retried_once_mail_works(
    reporter, settings, django_capture_on_commit_callbacks
):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    settings.EMAIL_BACKEND = FAILING_BACKEND
    with time_travel(start), django_capture_on_commit_callbacks(execute=True):
        queue_for(reporter)

    notification = Notification.objects.get()
    assert notification.sent_at is None
    assert notification.attempts == 1
    assert notification.last_error == "SMTPServerDisconnected: test: mail server unavailable"
    assert "Ny rutin" not in notification.last_error
    assert notification.due_at == start + datetime.timedelta(minutes=5)

    # Still failing at the next attempt: the back-off doubles.
    with time_travel(start + datetime.timedelta(minutes=6)):
        assert tasks.notifications_retry_task() == 0
    notification.refresh_from_db()
    assert notification.attempts == 2
    assert notification.due_at == start + datetime.timedelta(minutes=16)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_travel(start + datetime.timedelta(minutes=10)):
        assert tasks.notifications_retry_task() == 0  # not due yet
    assert mail.outbox == []
    with time_travel(start + datetime.timedelta(minutes=16)):
        assert tasks.notifications_retry_task() == 1
        assert tasks.notifications_retry_task() == 0  # sent once, never again

    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 3
    assert notification.last_error == ""
    assert len(mail.outbox) == 1


def test_broker_down_never_fails_the_caller_and_the_retry_job_delivers(
    reporter, broker_down, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    task = tasks.notification_deliver_task
    attempts = []
    real_apply_async = task.apply_async

    def spy(*args, **kwargs):
        try:
            return real_apply_async(*args, **kwargs)
        except Exception as exc:
            attempts.append(exc)
            raise

    monkeypatch.setattr(task, "apply_async", spy)
    caplog.set_level(logging.INFO, logger="riskmgmt.notifications.services")

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification = queue_for(reporter)
    elapsed = time.monotonic() - started

    # The enqueue really went to the (closed) broker and failed there, quickly.
    assert len(attempts) == 1
    assert isinstance(attempts[0], OperationalError)
    assert elapsed < 5
    assert f"notification {notification.pk}: enqueue failed (OperationalError)" in caplog.text
    assert "Ny rutin" not in caplog.text
    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.attempts == 0
    assert mail.outbox == []

    # More notifications right after: the process does not hammer the dead broker again.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue_for(reporter)
        queue_for(reporter)
    assert len(attempts) == 1
    assert "broker recently down; left to the retry job" in caplog.text

    # The periodic job (run here in-process) delivers them once mail works.
    assert tasks.notifications_retry_task() == 3
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert len(mail.outbox) == 3


def test_deliver_task_is_idempotent(reporter, monkeypatch):
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    notification = queue_for(reporter)

    tasks.notification_deliver_task(notification.pk)
    tasks.notification_deliver_task(notification.pk)
    tasks.notification_deliver_task(999_999)  # gone: nothing to do

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_a_claimed_row_is_not_sent_by_a_second_worker(reporter, monkeypatch):
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    notification = queue_for(reporter)
    assert services._claim(notification.pk, timezone.now())  # worker A holds it

    assert services.notification_deliver(notification=notification) is False  # worker B
    assert services.notifications_retry() == 0
    assert mail.outbox == []


def test_recipient_without_email_is_marked_sent_without_mail(db, django_capture_on_commit_callbacks):
    user = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue_for(user)
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert mail.outbox == []


def test_personnummer_in_context_is_masked(reporter, monkeypatch):
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    notification = queue_for(reporter, context={"reference": "ÅTG-1", "title": "Gäller 121212-1212"})
    assert "121212-1212" not in notification.subject + notification.body
    assert "121212-XXXX" in notification.subject


@pytest.mark.parametrize(
    ("attempts", "minutes"), [(1, 5), (2, 10), (3, 20), (8, 640), (9, 1280), (10, 1440), (30, 1440)]
)
def test_retry_back_off_doubles_and_is_capped_at_a_day(attempts, minutes):
    assert services.retry_delay(attempts) == datetime.timedelta(minutes=minutes)


def test_retry_job_gives_up_after_max_attempts(reporter, monkeypatch):
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    notification = queue_for(reporter)
    Notification.objects.filter(pk=notification.pk).update(attempts=services.MAX_ATTEMPTS)
    assert services.notifications_retry() == 0
    # An operator's "retry now" still delivers it.
    services.notifications_retry_now(notification_ids=[notification.pk])
    assert tasks.notification_deliver_task(notification.pk) is None
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_deliver_notifications_command_sends_pending(reporter, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    queue_for(reporter)
    queue_for(reporter)
    call_command("deliver_notifications", "--all")
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(sent_at=None).exists()


def time_travel(moment: datetime.datetime):
    import time_machine

    return time_machine.travel(moment, tick=False)


def test_at_helper_travels_to_stockholm_morning():
    with at(datetime.date(2026, 3, 2)):
        assert timezone.localtime().hour == 6


def test_unreachable_mail_server_records_each_failure(reporter, settings, monkeypatch, caplog):
    monkeypatch.setattr(tasks.notification_deliver_task, "delay", lambda pk: None)
    first, second = queue_for(reporter), queue_for(reporter)
    settings.EMAIL_BACKEND = "tests.notifications.backends.UnreachableEmailBackend"

    assert tasks.notifications_retry_task() == 0

    assert "mail connection for the retry batch failed (ConnectionRefusedError)" in caplog.text
    for notification in (first, second):
        notification.refresh_from_db()
        assert notification.sent_at is None
        assert notification.attempts == 1
        assert notification.last_error.startswith("ConnectionRefusedError")
