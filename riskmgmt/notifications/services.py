"""Writes for notifications: queue (outbox), deliver, retry, mark read.

The outbox row is written in the caller's transaction; delivery is enqueued after commit and
a broker that is down never makes the caller fail: the row stays and the retry job sends it.
Logs carry ids and exception classes only, never subjects or bodies (sekretess).
"""

from __future__ import annotations

import datetime
import logging
import time
from contextlib import suppress
from dataclasses import asdict, dataclass
from functools import partial
from itertools import islice

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.template import Context, engines
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as KombuOperationalError

from riskmgmt.core.personnummer import find_personal_numbers, mask_personal_numbers
from riskmgmt.organisation.models import Membership

from .deadlines import deadline_sources
from .models import DeadlineNotice, DeadlineRule, Notification

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


# After the broker refuses or times out, this process stops trying for a while, so a request
# that queues several notifications pays the connection timeout once, not once per row.
BROKER_COOLDOWN_SECONDS = 30.0
_broker_retry_after = 0.0


def _enqueue_delivery(notification_id: int) -> None:
    """Enqueues delivery; any failure (broker down, timeout) is logged and left to the retry job."""
    global _broker_retry_after
    from .tasks import notification_deliver_task

    if time.monotonic() < _broker_retry_after:
        logger.info("notification %s: broker recently down; left to the retry job", notification_id)
        return
    try:
        notification_deliver_task.delay(notification_id)
    except Exception as exc:
        if isinstance(exc, KombuOperationalError):
            _broker_retry_after = time.monotonic() + BROKER_COOLDOWN_SECONDS
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


def notification_deliver(*, notification: Notification, connection=None) -> bool:
    """Sends the e-mail once and marks the row sent; a failure is recorded and rescheduled.

    Returns True when this call delivered it. A recipient without an e-mail address (or an
    inactive one) is marked sent without mail: the notification still shows in the app.
    `connection` lets a batch share one mail connection.
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
                connection=connection,
            )
    except Exception as exc:
        # The claim makes this worker the only writer; count from the row, not a stale copy.
        attempts = (
            Notification.objects.filter(pk=notification.pk).values_list("attempts", flat=True).get()
            + 1
        )
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
    due = list(
        Notification.objects.filter(sent_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS)
        .select_related("recipient")
        .order_by("due_at")[:limit]
    )
    if not due:
        return 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()  # one mail connection for the batch
    except Exception as exc:
        # Each message then tries on its own, so every failure is recorded and backed off.
        logger.warning("mail connection for the retry batch failed (%s)", type(exc).__name__)
        connection = None
    try:
        return sum(
            notification_deliver(notification=notification, connection=connection)
            for notification in due
        )
    finally:
        if connection is not None:
            with suppress(Exception):
                connection.close()


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


# ---------------------------------------------------------------- the deadline job

DEADLINE_CHUNK = 500


@dataclass
class DeadlineRunResult:
    """What one run of the deadline job did: notices recorded and notifications queued."""

    reminders: int = 0
    overdue: int = 0
    escalations: int = 0
    notifications: int = 0
    failed_sources: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def rules_valid_on(day: datetime.date) -> models.QuerySet[DeadlineRule]:
    """Active deadline rules whose validity covers `day`."""
    return DeadlineRule.objects.filter(is_active=True, valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def deadlines_run(*, today: datetime.date | None = None) -> DeadlineRunResult:
    """Sends due reminders, overdue notices and escalations for every registered deadline source.

    Idempotent: each notice is recorded in `DeadlineNotice` (unique per object, rule, kind, due
    date and offset) in the same transaction as its notifications, so a second run the same day,
    or two overlapping runs, send nothing twice.
    """
    today = today or timezone.localdate()
    result = DeadlineRunResult()
    escalation = _Escalation()
    for rule in rules_valid_on(today):
        sources = deadline_sources(rule.code)
        if not sources:
            continue
        offsets = sorted({int(o) for o in rule.reminder_offsets or [] if int(o) >= 0})
        horizon = today + datetime.timedelta(days=max(offsets, default=0))
        for source in sources:
            try:
                items = iter(source(horizon))
                while chunk := _next_chunk(items):
                    _deadline_chunk(rule, offsets, chunk, today, horizon, escalation, result)
            except Exception:
                # One app's broken source must not silence every other deadline; the notices
                # already recorded stand, and the next run picks up the rest.
                result.failed_sources += 1
                logger.exception("deadline source for rule %s failed", rule.code)
    logger.info("deadline run %s: %s", today.isoformat(), result.as_dict())
    return result


def _next_chunk(items) -> list:
    # A savepoint around the source's own queries: if one fails, the connection stays usable
    # (PostgreSQL aborts the whole transaction otherwise) and the other sources still run.
    with transaction.atomic():
        return list(islice(items, DEADLINE_CHUNK))


def _planned_notices(rule: DeadlineRule, offsets: list[int], due: datetime.date, today: datetime.date):
    """The (kind, offset) notices an item due on `due` should have had by `today`."""
    days_left = (due - today).days
    if days_left >= 0:
        # The nearest reminder point already reached: on the exact day that is the offset
        # itself; after missed runs (or for an item created late) it is one reminder, not a burst.
        passed = [offset for offset in offsets if offset >= days_left]
        if passed:
            yield DeadlineNotice.Kind.REMINDER, min(passed)
        return
    yield DeadlineNotice.Kind.OVERDUE, 0
    if rule.escalation_after_days is not None and -days_left >= rule.escalation_after_days:
        yield DeadlineNotice.Kind.ESCALATION, 0


def _deadline_chunk(rule, offsets, items, today, horizon, escalation, result) -> None:
    keyed = []
    for item in items:
        if item.obj.pk is None or item.due_date > horizon:
            continue
        keyed.append((ContentType.objects.get_for_model(item.obj).pk, item))
    sent: set[tuple] = set()
    object_ids_by_type: dict[int, set[int]] = {}
    for content_type_id, item in keyed:
        object_ids_by_type.setdefault(content_type_id, set()).add(item.obj.pk)
    for content_type_id, object_ids in object_ids_by_type.items():
        sent.update(
            DeadlineNotice.objects.filter(
                rule_code=rule.code, content_type_id=content_type_id, object_id__in=object_ids
            ).values_list("content_type_id", "object_id", "kind", "due_date", "offset")
        )
    for content_type_id, item in keyed:
        for kind, offset in _planned_notices(rule, offsets, item.due_date, today):
            if (content_type_id, item.obj.pk, kind, item.due_date, offset) in sent:
                continue
            if kind == DeadlineNotice.Kind.ESCALATION:
                recipients = escalation.recipients(rule, item)
            elif item.responsible is not None and item.responsible.is_active:
                recipients = list(dict.fromkeys(
                    user for user in (item.responsible, *item.also_notify) if user.is_active))
            else:
                # Nobody is named: the item's nearest managers are reminded instead.
                recipients = escalation.nearest_managers(item.unit)
            queued = _deadline_notify(rule, item, kind, offset, content_type_id, recipients, today)
            if queued is None:
                continue
            setattr(result, _RESULT_FIELD[kind], getattr(result, _RESULT_FIELD[kind]) + 1)
            result.notifications += queued


_RESULT_FIELD = {
    DeadlineNotice.Kind.REMINDER: "reminders",
    DeadlineNotice.Kind.OVERDUE: "overdue",
    DeadlineNotice.Kind.ESCALATION: "escalations",
}


def _deadline_notify(rule, item, kind, offset, content_type_id, recipients, today) -> int | None:
    """Records one notice and queues its notifications atomically; None if it already existed
    or nobody can be notified (not recorded then, so it goes out once someone is appointed)."""
    if not recipients:
        logger.warning(
            "deadline %s %s for %s:%s: nobody to notify", rule.code, kind, content_type_id, item.obj.pk
        )
        return None
    context = {
        "label": item.label,
        "rule_name": rule.name,
        "due_date": item.due_date,
        "days_left": (item.due_date - today).days,
        "days_overdue": (today - item.due_date).days,
    }
    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(
                content_type_id=content_type_id,
                object_id=item.obj.pk,
                rule_code=rule.code,
                kind=kind,
                due_date=item.due_date,
                offset=offset,
            )
            for recipient in recipients:
                notification_queue(
                    recipient=recipient,
                    kind=f"deadline_{kind}",
                    template=f"deadline_{kind}",
                    context=context,
                    obj=item.obj,
                    url=item.url,
                )
    except IntegrityError:
        return None  # an overlapping run recorded it first
    return len(recipients)


class _Escalation:
    """Finds managers up the unit tree, cached per unit for one run of the job."""

    def __init__(self) -> None:
        self._levels: dict[int, list[tuple[str, list]]] = {}
        self._management: dict[int, list] = {}

    def _chain(self, unit) -> list[str]:
        return [unit.code, *reversed(unit.ancestor_codes())]  # nearest first

    def levels(self, unit) -> list[tuple[str, list]]:
        """Each unit from `unit` up to the root with the users managing it directly."""
        if unit.pk not in self._levels:
            chain = self._chain(unit)
            by_code: dict[str, dict[int, object]] = {code: {} for code in chain}
            for membership in Membership.objects.filter(
                unit__code__in=chain,
                unit__is_active=True,
                role__in=Membership.MANAGER_ROLES,
                is_active=True,
                user__is_active=True,
            ).select_related("user", "unit"):
                by_code[membership.unit.code][membership.user.pk] = membership.user
            self._levels[unit.pk] = [(code, list(by_code[code].values())) for code in chain]
        return self._levels[unit.pk]

    def management(self, unit) -> list:
        """Management members whose role covers `unit` (held on it or an ancestor)."""
        if unit.pk not in self._management:
            users = {
                membership.user.pk: membership.user
                for membership in Membership.objects.filter(
                    unit__code__in=self._chain(unit),
                    unit__is_active=True,
                    role=Membership.Role.MANAGEMENT,
                    is_active=True,
                    user__is_active=True,
                ).select_related("user")
            }
            self._management[unit.pk] = list(users.values())
        return self._management[unit.pk]

    def nearest_managers(self, unit) -> list:
        return self.next_managers(unit, responsible=None)

    def next_managers(self, unit, *, responsible) -> list:
        """The managers one step above `responsible`: skip every level they manage themselves."""
        levels = self.levels(unit)
        start = 0
        if responsible is not None:
            for index, (_code, managers) in enumerate(levels):
                if any(user.pk == responsible.pk for user in managers):
                    start = index + 1
        for _code, managers in levels[start:]:
            others = [user for user in managers if responsible is None or user.pk != responsible.pk]
            if others:
                return others
        # Nobody manages above: the top of the tree answers to management.
        return self._without(self.management(unit), responsible)

    def recipients(self, rule: DeadlineRule, item) -> list:
        if item.unit is None:
            return []
        if rule.escalate_to == DeadlineRule.EscalateTo.MANAGEMENT:
            return self._without(self.management(item.unit), item.responsible)
        return self.next_managers(item.unit, responsible=item.responsible)

    @staticmethod
    def _without(users: list, responsible) -> list:
        # The responsible person is not their own escalation, unless nobody else is there.
        others = [user for user in users if responsible is None or user.pk != responsible.pk]
        return others or users
