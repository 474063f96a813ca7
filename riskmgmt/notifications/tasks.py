"""Celery tasks: thin, idempotent, by id. The work is in services."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Notification


@shared_task(ignore_result=True)
def notification_deliver_task(notification_id: int) -> None:
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.sent_at is not None:
        return
    services.notification_deliver(notification=notification)


@shared_task(ignore_result=True)
def notifications_retry_task() -> int:
    return services.notifications_retry()


@shared_task(ignore_result=True)
def run_deadlines_task() -> dict:
    return services.deadlines_run().as_dict()
