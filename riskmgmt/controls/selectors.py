"""Reads of the internal control plan: the access gates, the year's plan with each period's
state, and the "followed" summary the kvalitetsberättelse reports (counted in SQL)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from riskmgmt.notifications.models import DeadlineRule
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope

from .models import PERIODS_PER_YEAR, RULE_CODE, ControlCheck, ControlPoint, Period
from .rules import sees_point

PLAN_ROLES = (*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES)


class Followed:
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


def followed_from(planned: int, performed: int) -> str:
    """"yes" when every planned check was performed, "partly" when at least one was, else "no".
    A year without a plan is "no": nothing planned is not internal control followed."""
    if planned and performed >= planned:
        return Followed.YES
    if performed:
        return Followed.PARTLY
    return Followed.NO


def _units(units_qs_or_unit_subtree) -> QuerySet[Unit]:
    if isinstance(units_qs_or_unit_subtree, Unit):
        return units_qs_or_unit_subtree.subtree()
    return units_qs_or_unit_subtree


def internal_control_summary(units_qs_or_unit_subtree, year: int) -> dict:
    """The year's internal control for a unit's subtree (or a queryset of units), in two queries:
    {"planned", "performed", "with_findings", "followed": "yes"|"partly"|"no"}.

    Planned follows from each active point's frequency (12, 4 or 1); performed counts the
    checks recorded for those points (one per period at most); inactive points are out of the plan.
    """
    points = ControlPoint.objects.filter(year=year, is_active=True, unit__in=_units(units_qs_or_unit_subtree))
    periods = Case(*[When(frequency=f, then=Value(n)) for f, n in PERIODS_PER_YEAR.items()],
                   default=Value(0), output_field=IntegerField())
    # Two aggregates, not one over a join: joining the checks would repeat each point's periods.
    planned = points.aggregate(planned=Coalesce(Sum(periods), 0))["planned"]
    checks = ControlCheck.objects.filter(control_point__in=points).aggregate(
        performed=Count("pk"), with_findings=Count("pk", filter=Q(findings=True)))
    return {
        "planned": int(planned),
        "performed": int(checks["performed"]),
        "with_findings": int(checks["with_findings"]),
        "followed": followed_from(int(planned), int(checks["performed"])),
    }


def grace_days() -> int:
    """Days after a period's end before its check is late: the control_check rule's days, if any."""
    days = DeadlineRule.objects.filter(code=RULE_CODE).values_list("days", flat=True).first()
    return days or 0


# ---------------------------------------------------------------- access gates

def control_point_list_for_user(user) -> QuerySet[ControlPoint]:
    """Points in units the user manages or oversees, and points the user is responsible for."""
    if not getattr(user, "is_authenticated", False):
        return ControlPoint.objects.none()
    return ControlPoint.objects.filter(Q(unit__in=units_in_scope(user, PLAN_ROLES)) | Q(responsible=user))


def control_point_get_for_user(user, pk) -> ControlPoint:
    """The access gate for one control point: 404 unless the user may see it."""
    try:
        point = ControlPoint.objects.select_related("unit", "responsible").get(pk=int(pk))
    except (ControlPoint.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not sees_point(user, point):
        raise Http404
    return point


def control_check_get_for_user(user, pk) -> ControlCheck:
    """The access gate for one performed check: 404 unless the user may see its point."""
    try:
        check = ControlCheck.objects.select_related(
            "control_point__unit", "control_point__responsible", "performed_by", "deviation",
        ).get(pk=int(pk))
    except (ControlCheck.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not sees_point(user, check.control_point):
        raise Http404
    return check


# ---------------------------------------------------------------- the plan

class PeriodState:
    PERFORMED = "performed"
    FINDINGS = "findings"  # performed, and something was found
    LATE = "late"
    MISSED = "missed"  # never performed, in a plan older than last year: history, no longer work
    CURRENT = "current"  # running, or ended but still within the grace days
    UPCOMING = "upcoming"

    NOT_DONE = (LATE, MISSED)


STATE_LABELS = {
    PeriodState.PERFORMED: _("Genomförd"),
    PeriodState.FINDINGS: _("Med brister"),
    PeriodState.LATE: _("Försenad"),
    PeriodState.MISSED: _("Inte gjord"),
    PeriodState.CURRENT: _("Att göra"),
    PeriodState.UPCOMING: _("Kommande"),
}


@dataclass
class PeriodRow:
    period: Period
    state: str
    due_date: datetime.date
    check: ControlCheck | None = None

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def is_open(self) -> bool:
        return self.state in (PeriodState.LATE, PeriodState.MISSED, PeriodState.CURRENT)


@dataclass
class PointRow:
    point: ControlPoint
    periods: list[PeriodRow] = field(default_factory=list)

    @property
    def late(self) -> int:
        """Late or, in an old plan, missed periods."""
        return sum(1 for row in self.periods if row.state in PeriodState.NOT_DONE)

    @property
    def performed(self) -> int:
        return sum(1 for row in self.periods if row.check is not None)


def period_state(period: Period, check: ControlCheck | None, today: datetime.date, grace: int) -> str:
    if check is not None:
        return PeriodState.FINDINGS if check.findings else PeriodState.PERFORMED
    if period.start > today:
        return PeriodState.UPCOMING
    if period.due_date(grace) < today:
        # Plans older than last year are not reminded any more (integration.py): their gaps are history.
        return PeriodState.MISSED if period.start.year < today.year - 1 else PeriodState.LATE
    return PeriodState.CURRENT


def point_rows(points: Iterable[ControlPoint], *, today: datetime.date, grace: int) -> list[PointRow]:
    """Each point with every planned period's state; `points` must prefetch `checks`."""
    rows = []
    for point in points:
        by_start = {check.period_start: check for check in point.checks.all()}
        row = PointRow(point)
        for period in point.periods():
            check = by_start.get(period.start)
            row.periods.append(PeriodRow(period, period_state(period, check, today, grace),
                                         period.due_date(grace), check))
        rows.append(row)
    return rows


def control_plan_points(qs: QuerySet[ControlPoint], *, year: int) -> QuerySet[ControlPoint]:
    """A year's points for the plan page, with what the page shows, in two queries."""
    return (
        qs.filter(year=year)
        .select_related("unit", "responsible")
        .prefetch_related(Prefetch("checks", queryset=ControlCheck.objects.order_by("period_start")))
        .order_by("unit__path", "-is_active", "title", "pk")
    )
