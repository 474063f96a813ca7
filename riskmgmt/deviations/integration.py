"""Hooks deviations into the shared machinery: actions on a deviation, and its deadlines."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q

from riskmgmt.actions.sources import ActionSource, register_action_source
from riskmgmt.notifications.deadlines import DeadlineItem, register_deadline_source
from riskmgmt.organisation.models import Membership

from .models import Deviation, IvoNotification
from .rules import is_reporter, manages_deviation_unit
from .selectors import deviation_get_for_user

Status, Kind = Deviation.Status, Deviation.Kind
IN_HANDLING = (Status.RECEIVED, Status.INVESTIGATING)


def _nearest_managers(roles) -> callable:
    """A lookup unit -> nearest user with one of `roles` on it or above (one query per job run)."""
    by_path: dict[str, list] = defaultdict(list)
    for membership in Membership.objects.filter(is_active=True, role__in=list(roles),
                                                user__is_active=True).select_related("user", "unit"):
        by_path[membership.unit.path].append(membership.user)

    def lookup(unit):
        path = unit.path
        while path:
            if by_path.get(path):
                return by_path[path][0]
            path = path[: path.rstrip("/").rfind("/") + 1]
        return None

    return lookup


def _items(qs, due_field: str, roles=Membership.MANAGER_ROLES):
    nearest = _nearest_managers(roles)
    for deviation in qs.select_related("unit", "investigator"):
        responsible = deviation.investigator if deviation.investigator_id and roles == Membership.MANAGER_ROLES \
            else nearest(deviation.unit)
        yield DeadlineItem(obj=deviation, due_date=getattr(deviation, due_field), responsible=responsible,
                           unit=deviation.unit, label=f"{deviation.reference} ({deviation.get_kind_display()})",
                           url=deviation.get_absolute_url())


def receipt_items(kinds):
    def source(horizon: datetime.date):
        return _items(Deviation.objects.filter(status=Status.REPORTED, kind__in=kinds, receipt_due__lte=horizon),
                      "receipt_due")
    return source


def conclusion_items(kind):
    def source(horizon: datetime.date):
        return _items(Deviation.objects.filter(status__in=IN_HANDLING, kind=kind, conclusion_due__lte=horizon),
                      "conclusion_due")
    return source


def ivo_notification_items(horizon: datetime.date):
    qs = Deviation.objects.filter(
        Q(status__in=Deviation.OPEN_STATUSES), kind=Kind.LEX_SARAH,
        classification__in=Deviation.SERIOUS_CLASSIFICATIONS, ivo_notification_due__lte=horizon,
        ivo_notification__isnull=True,
    )
    return _items(qs, "ivo_notification_due", roles=[Membership.Role.SECTION_MANAGER])


def ivo_investigation_items(horizon: datetime.date):
    nearest = _nearest_managers([Membership.Role.SECTION_MANAGER])
    for notification in IvoNotification.objects.filter(
        status=IvoNotification.Status.SENT, investigation_due__lte=horizon
    ).select_related("deviation__unit", "recorded_by"):
        deviation = notification.deviation
        yield DeadlineItem(obj=notification, due_date=notification.investigation_due,
                           responsible=nearest(deviation.unit) or notification.recorded_by, unit=deviation.unit,
                           label=f"{deviation.reference}: utredning till IVO", url=notification.get_absolute_url())


def register() -> None:
    register_action_source(ActionSource(
        key="deviation", model=Deviation, label="Avvikelse",
        unit_of=lambda d: d.unit,
        get_for_user=deviation_get_for_user,
        can_add=lambda user, d: d.is_open and manages_deviation_unit(user, d),
        title_of=lambda d: d.reference,
        # The reporter follows what was done about their report (återkoppling).
        extra_viewers=lambda user, d: is_reporter(user, d),
    ))
    register_deadline_source("lex_sarah_receipt", receipt_items([Kind.LEX_SARAH]))
    register_deadline_source("deviation_receipt", receipt_items([Kind.OTHER, Kind.COMPLAINT]))
    register_deadline_source("lex_sarah_investigation", conclusion_items(Kind.LEX_SARAH))
    register_deadline_source("complaint_answer", conclusion_items(Kind.COMPLAINT))
    register_deadline_source("ivo_notification", ivo_notification_items)
    register_deadline_source("ivo_investigation", ivo_investigation_items)
