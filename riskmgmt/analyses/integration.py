"""Hooks analyses into actions (proposed and decided actions) and the deadline job."""

import datetime

from riskmgmt.actions.sources import ActionSource, register_action_source
from riskmgmt.notifications.deadlines import DeadlineItem, register_deadline_source

from .models import EventAnalysis
from .rules import can_view_analysis, can_work_on, is_commissioner
from .selectors import analysis_get_for_user


def report_items(horizon: datetime.date):
    for analysis in EventAnalysis.objects.filter(
        status__in=[EventAnalysis.Status.COMMISSIONED, EventAnalysis.Status.IN_PROGRESS], due_date__lte=horizon,
    ).select_related("lead", "unit"):
        yield DeadlineItem(obj=analysis, due_date=analysis.due_date, responsible=analysis.lead, unit=analysis.unit,
                           label=f"{analysis.reference}: analysrapport", url=analysis.get_absolute_url())


def register() -> None:
    register_action_source(ActionSource(
        key="event_analysis", model=EventAnalysis, label="Händelseanalys",
        unit_of=lambda a: a.unit,
        get_for_user=analysis_get_for_user,
        can_add=lambda user, a: a.status in (EventAnalysis.Status.COMMISSIONED, EventAnalysis.Status.IN_PROGRESS,
                                             EventAnalysis.Status.REPORT_SUBMITTED)
        and (can_work_on(user, a) or is_commissioner(user, a)),
        title_of=lambda a: a.reference,
        extra_viewers=lambda user, a: can_view_analysis(user, a),
    ))
    register_deadline_source("event_analysis_report", report_items)
