"""Writes for notifications: queue (outbox), deliver, retry, mark read.

The outbox row is written in the caller's transaction; delivery is enqueued after commit and
a broker that is down never makes the caller fail: the row stays and the retry job sends it.
Logs carry ids and exception classes only, never subjects or bodies (sekretess).
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template import Context, engines
from django.utils import timezone, translation

from riskmgmt.core.personnummer import find_personal_numbers, mask_personal_numbers

from .models import Notification

logger = logging.getLogger(__name__)

# A delivery claims its row by moving due_at this far ahead; a worker that dies mid-send
# leaves the row to the retry job after the lease.
CLAIM_LEASE = datetime.timedelta(minutes=10)
RETRY_BASE = datetime.timedelta(minutes=5)
RETRY_CAP = datetime.timedelta(hours=24)
# After this many failures the retry job stops (about three days of back-off); the admin's
# "retry now" still works.
MAX_ATTEMPTS = 12
RETRY_BATCH = 200


def _render_email(template: str, context: dict) -> tuple[str, str]:
    """Renders templates/emails/<template>.txt as plain text: first line subject, rest body."""
    engine = engines["django"].engine
    with translation.override("sv"):
        text = engine.get_template(f"emails/{template}.txt").render(
            Context(context, autoescape=False)
        )
    subject, _, body = text.strip().partition("\n")
    # A header cannot hold a newline; the first line is the subject by contract.
    return " ".join(subject.split())[:255], body.strip() + "\n"


def notification_queue(*, recipient, kind: str, template: str, context: dict, obj=None, url: str = "") -> Notification:
    """Writes an outbox row in the caller's transaction and schedules delivery after commit.
    `template` names templates/emails/<template>.txt whose first line is the subject and the rest the body
    (rendered with `context` + site_url + url). Never include personal data in context: references and links only."""
    site_url = settings.SITE_URL.rstrip("/")
    subject, body = _render_email(
        template, {**context, "site_url": site_url, "url": url, "link": f"{site_url}{url}"}
    )
    if find_personal_numbers(subject) or find_personal_numbers(body):
        # Defence in depth (DOMAIN.md A9): callers pass references only, but a personnummer
        # that slipped into a title must not leave the building in an e-mail.
        logger.warning("notification kind=%s for user %s: personnummer masked", kind, recipient.pk)
        subject, body = mask_personal_numbers(subject), mask_personal_numbers(body)
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        subject=subject,
        body=body,
        url=url,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
    )
    transaction.on_commit(partial(_enqueue_delivery, notification.pk))
    return notification


def _enqueue_delivery(notification_id: int) -> None:
    """Enqueues delivery; any failure (broker down, timeout) is logged and left to the retry job."""
    from .tasks import notification_deliver_task

    try:
        notification_deliver_task.delay(notification_id)
    except Exception as exc:
        logger.warning(
            "notification %s: enqueue failed (%s); the retry job will deliver it",
            notification_id,
            type(exc).__name__,
        )


def _claim(notification_id: int, now: datetime.datetime) -> bool:
    """Claims an unsent, due row for one sender: only one conditional UPDATE can win."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, sent_at__isnull=True, due_at__lte=now
        ).update(due_at=now + CLAIM_LEASE)
    )


def retry_delay(attempts: int) -> datetime.timedelta:
    """Back-off after the `attempts`-th failure: 5 min, 10 min, 20 min, … capped at 24 h."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_CAP)


def notification_deliver(*, notification: Notification) -> bool:
    """Sends the e-mail once and marks the row sent; a failure is recorded and rescheduled.

    Returns True when this call delivered it. A recipient without an e-mail address (or an
    inactive one) is marked sent without mail: the notification still shows in the app.
    """
    now = timezone.now()
    if not _claim(notification.pk, now):
        return False  # already sent, not due, or another worker holds it
    recipient = notification.recipient
    try:
        if recipient.email and recipient.is_active:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [recipient.email],
                fail_silently=False,
            )
    except Exception as exc:
        attempts = notification.attempts + 1
        Notification.objects.filter(pk=notification.pk).update(
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {str(exc)[:200]}"[:300],
            due_at=now + retry_delay(attempts),
        )
        logger.warning(
            "notification %s: delivery attempt %s failed (%s)",
            notification.pk,
            attempts,
            type(exc).__name__,
        )
        return False
    Notification.objects.filter(pk=notification.pk).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
    )
    return True


def notifications_retry(*, limit: int = RETRY_BATCH) -> int:
    """Delivers up to `limit` unsent notifications whose next attempt is due; returns how many were sent."""
    now = timezone.now()
    due = (
        Notification.objects.filter(sent_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS)
        .select_related("recipient")
        .order_by("due_at")[:limit]
    )
    return sum(notification_deliver(notification=notification) for notification in due)


def notifications_retry_now(*, notification_ids) -> int:
    """Makes the given unsent notifications due now and enqueues their delivery (admin action)."""
    ids = list(
        Notification.objects.filter(pk__in=list(notification_ids), sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.filter(pk__in=ids).update(due_at=timezone.now())
    for notification_id in ids:
        transaction.on_commit(partial(_enqueue_delivery, notification_id))
    return len(ids)


def notification_mark_read(*, notification: Notification) -> Notification:
    """Marks one notification read (idempotent: the first read time is kept)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notification_mark_all_read(*, user) -> int:
    """Marks all of a user's unread notifications read; returns how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
