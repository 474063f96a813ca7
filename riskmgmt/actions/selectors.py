"""Reads of actions and the one access gate for them."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import units_in_scope

from .models import Action
from .rules import can_view_action

Status = Action.Status


def _with_display_relations(qs: QuerySet[Action]) -> QuerySet[Action]:
    return qs.select_related("responsible", "unit", "source_content_type")


def action_list_for_user(user) -> QuerySet[Action]:
    """Actions the user is responsible for, or that belong to units they manage or oversee."""
    if not user.is_authenticated:
        return Action.objects.none()
    scope = units_in_scope(user, [*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES])
    return _with_display_relations(
        Action.objects.filter(Q(responsible=user) | Q(unit__in=scope))
    )


def action_get_for_user(user, pk) -> Action:
    """The one access gate for actions: 404 when the user may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    action = action_list_for_user(user).filter(pk=pk).first()
    if action is None:
        # Source viewers (e.g. an analysis team) are not in the list query; check them one by one.
        action = _with_display_relations(Action.objects.filter(pk=pk)).first()
        if action is None or not can_view_action(user, action):
            raise Http404
    return action


def action_filter(
    qs: QuerySet[Action], *, status: str | None = None, overdue: bool = False,
    responsible=None, unit=None, source_type=None, today: datetime.date | None = None,
) -> QuerySet[Action]:
    """Narrows a visible queryset by the list filters the UI and the API share."""
    today = today or timezone.localdate()
    if status == "open":
        qs = qs.filter(status__in=Action.OPEN_STATUSES)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=Action.OPEN_STATUSES, due_date__lt=today)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if source_type is not None:
        qs = qs.filter(source_content_type=source_type)
    return qs


def action_list_for_source(source_obj) -> QuerySet[Action]:
    """All actions of one source, oldest due first (the source page decides who sees it)."""
    from django.contrib.contenttypes.models import ContentType

    return _with_display_relations(
        Action.objects.filter(
            source_content_type=ContentType.objects.get_for_model(source_obj),
            source_id=source_obj.pk,
        )
    ).order_by("due_date", "pk")
