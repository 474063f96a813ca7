"""Hooks internal control into the shared machinery: actions on a check's findings, and the
control_check deadline (a planned check that is late)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from riskmgmt.actions.sources import ActionSource, register_action_source
from riskmgmt.notifications.deadlines import DeadlineItem, register_deadline_source

from .models import RULE_CODE, ControlCheck, ControlPoint
from .rules import adds_check_actions, sees_point
from .selectors import control_check_get_for_user, grace_days


def record_url(point: ControlPoint, period_start: datetime.date) -> str:
    return reverse("controls:record", args=[point.pk]) + f"?period={period_start.isoformat()}"


def control_check_deadline_items(horizon: datetime.date):
    """Every planned period of an active point due by `horizon` with no check recorded.

    The object is the point and the due date the period's (unique per period), so each period
    gets its own reminder, overdue notice and escalation. Only this and last year's plans are
    asked: December's check is due in January, and an old plan's gaps are history, not work.
    """
    grace = grace_days()
    points = (
        ControlPoint.objects.filter(is_active=True, year__gte=horizon.year - 1, year__lte=horizon.year)
        .select_related("unit", "responsible")
        .order_by("pk")
    )
    performed: dict[int, set[datetime.date]] = {}
    for point_id, start in ControlCheck.objects.filter(control_point__in=points).values_list(
        "control_point_id", "period_start"
    ):
        performed.setdefault(point_id, set()).add(start)
    for point in points:
        done = performed.get(point.pk, set())
        for period in point.periods():
            due = period.due_date(grace)
            if due > horizon or period.start in done:
                continue
            yield DeadlineItem(
                obj=point, due_date=due, responsible=point.responsible, unit=point.unit,
                label=_("Egenkontroll %(period)s: %(title)s") % {"period": period.label, "title": point.title},
                url=record_url(point, period.start),
            )


def _check_title(check: ControlCheck) -> str:
    return _("Egenkontroll %(period)s: %(title)s") % {"period": check.period.label,
                                                      "title": check.control_point.title}


def register() -> None:
    register_action_source(ActionSource(
        key="control_check", model=ControlCheck, label=str(_("Egenkontroll")),
        unit_of=lambda check: check.control_point.unit,
        get_for_user=control_check_get_for_user,
        can_add=adds_check_actions,
        title_of=_check_title,
        extra_viewers=lambda user, check: sees_point(user, check.control_point),
    ))
    register_deadline_source(RULE_CODE, control_check_deadline_items)
