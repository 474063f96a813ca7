"""Hooks the actions app into the shared machinery: the unit's own action plan as a source,
and the action_due deadline."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from riskmgmt.notifications.deadlines import DeadlineItem, register_deadline_source
from riskmgmt.organisation.models import Unit
from riskmgmt.organisation.rules import manages_unit, oversees_unit
from riskmgmt.organisation.selectors import unit_get_for_user

from .models import Action
from .sources import ActionSource, register_action_source


def action_deadline_items(horizon: datetime.date):
    """Open actions due on or before `horizon` (indexed on status, due_date)."""
    for action in Action.objects.filter(
        status__in=Action.OPEN_STATUSES, due_date__lte=horizon
    ).select_related("responsible", "unit"):
        yield DeadlineItem(
            obj=action, due_date=action.due_date, responsible=action.responsible, unit=action.unit,
            label=f"{action.reference}: {action.title}", url=action.get_absolute_url(),
        )


def register() -> None:
    register_action_source(ActionSource(
        key="unit",
        model=Unit,
        label=str(_("Enhetens handlingsplan")),
        unit_of=lambda unit: unit,
        get_for_user=unit_get_for_user,
        can_add=lambda user, unit: manages_unit(user, unit),
        title_of=lambda unit: str(_("Handlingsplan för %(unit)s") % {"unit": unit.name}),
        url_of=lambda unit: reverse("actions:unit-plan", args=[unit.pk]),
        extra_viewers=lambda user, unit: oversees_unit(user, unit),
    ))
    register_deadline_source("action_due", action_deadline_items)
