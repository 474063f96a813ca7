"""The yearly risk analysis as a deadline (DeadlineRule `risk_analysis_yearly`, DOMAIN.md A5).

Every active unit of kind "unit" should have held its analysis for the year by the rule's date
(default 31 March). Until it has (held or approved), the unit itself is the object with the
deadline: the job reminds its enhetschef before the date and escalates after it. The unit, not
the analysis, carries the notices, so planning the analysis half-way does not restart them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from riskmgmt.notifications.deadlines import (
    DeadlineItem,
    next_annual_date,
    register_deadline_source,
)
from riskmgmt.notifications.models import DeadlineRule
from riskmgmt.organisation.models import Unit
from riskmgmt.organisation.selectors import unit_managers

from .models import RiskAnalysis

RULE_CODE = "risk_analysis_yearly"
DEFAULT_DUE = "03-31"  # DOMAIN.md A5, used when the rule names no yearly date
DONE = (RiskAnalysis.Status.HELD, RiskAnalysis.Status.APPROVED)


def yearly_due_date(year: int) -> datetime.date:
    """The date by which `year`'s analysis should be held, from the rule in the admin."""
    rule = DeadlineRule.objects.filter(code=RULE_CODE).first()
    month_day = (rule.annual_due if rule else "") or DEFAULT_DUE
    return next_annual_date(datetime.date(year, 1, 1), month_day)


def risk_analysis_items(horizon: datetime.date) -> Iterator[DeadlineItem]:
    """Units that have not held this year's analysis, once the date is within the horizon."""
    year = horizon.year
    due = yearly_due_date(year)
    if due > horizon:
        return
    analyses = {a.unit_id: a for a in RiskAnalysis.objects.filter(year=year).only("pk", "unit_id", "status")}
    for unit in Unit.objects.filter(kind=Unit.Kind.UNIT, is_active=True).order_by("path"):
        analysis = analyses.get(unit.pk)
        if analysis is not None and analysis.status in DONE:
            continue
        managers = unit_managers(unit)  # nearest first: the enhetschef, else the sektionschef
        url = reverse("risks:detail", args=[analysis.pk]) if analysis else reverse("risks:list")
        yield DeadlineItem(obj=unit, due_date=due, responsible=managers[0] if managers else None, unit=unit,
                           label=_("Riskanalys %(year)s: %(unit)s") % {"year": year, "unit": unit.name}, url=url)


def register() -> None:
    register_deadline_source(RULE_CODE, risk_analysis_items)
