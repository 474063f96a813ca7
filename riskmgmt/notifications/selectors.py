"""Reads for notifications. A user only ever sees their own: anything else answers 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from .models import Notification

LIST_FIELDS = ("pk", "kind", "subject", "url", "created", "read_at")


def notification_list_for_user(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first (index on recipient, -created)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created", "-pk").only(*LIST_FIELDS)


def notification_get_for_user(user, pk) -> Notification:
    """The one access gate for notifications: another user's notification is a 404."""
    try:
        return Notification.objects.get(recipient=user, pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notification_unread_count(*, user) -> int:
    """How many of the user's notifications are unread: one COUNT on (recipient, read_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
