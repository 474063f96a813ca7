"""Reads for the start page's next-step cards: this year's riskanalys per unit, the user's own
egenkontroller, and what waits for the ledningsgrupp. Each is a fixed number of queries however
many units, risks or checks there are; the domain apps' own selectors do the counting."""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch
from django.urls import reverse

from riskmgmt.controls.integration import record_url
from riskmgmt.controls.models import ControlCheck, ControlPoint
from riskmgmt.controls.selectors import PeriodState, grace_days, point_rows
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope
from riskmgmt.risks.matrix import overview_url
from riskmgmt.risks.models import RiskAnalysis
from riskmgmt.risks.overview import ANALYSIS_MISSING, ANALYSIS_STATUS_LABELS
from riskmgmt.risks.selectors import risk_counts_by_unit

Role = Membership.Role
CHECKS_SHOWN = 6


def _bare_risks_url(unit: Unit, year: int) -> str:
    return overview_url("risks:risk-list", {"unit": unit.pk, "year": year, "status": "open",
                                            "without_action": "on"})


def risk_year_rows(user, *, year: int) -> list[dict]:
    """Each unit the user is enhetschef for, with this year's analysis, its next step and the
    high and very high open risks without an action (last year's while this year's is missing).

    Next step: "carry_forward" (last year's exists, this year's not), "plan" or "open".
    Three to five queries in all.
    """
    scope = units_in_scope(user, [Role.UNIT_MANAGER]).filter(is_active=True, kind=Unit.Kind.UNIT)
    units = list(scope.order_by("path"))
    if not units:
        return []
    analyses = {(a.unit_id, a.year): a for a in RiskAnalysis.objects.filter(unit__in=scope, year__in=(year, year - 1))}
    counts = {year: risk_counts_by_unit(units=scope, year=year)}
    if any((unit.pk, year) not in analyses for unit in units):
        counts[year - 1] = risk_counts_by_unit(units=scope, year=year - 1)
    rows = []
    for unit in units:
        current, previous = analyses.get((unit.pk, year)), analyses.get((unit.pk, year - 1))
        status = current.status if current else ANALYSIS_MISSING
        if current is not None:
            step = "open"
        elif previous is not None:
            step = "carry_forward"
        else:
            step = "plan"
        # Until this year's analysis exists, last year's open risks are the ones still standing.
        counted_year = year if current is not None or previous is None else year - 1
        bare = counts[counted_year].get(unit.pk, {}).get("without_action", 0)
        rows.append({
            "unit": unit, "analysis": current, "previous": previous, "status": status,
            "status_label": ANALYSIS_STATUS_LABELS[status], "step": step,
            "plan_url": overview_url("risks:create", {"unit": unit.pk, "year": year}),
            "without_action": bare, "without_action_year": counted_year,
            "without_action_url": _bare_risks_url(unit, counted_year),
        })
    return rows


def control_checks_due(user, *, today: datetime.date) -> dict | None:
    """The user's own control points' periods that are running or late, late first; None when the
    user is responsible for no active point this year or last (December's check is due in January).
    One query for most users; three (the points, their checks, the grace days) for the responsible."""
    points = list(
        ControlPoint.objects.filter(responsible=user, is_active=True, year__in=(today.year - 1, today.year))
        .select_related("unit")
        .prefetch_related(Prefetch("checks", queryset=ControlCheck.objects.order_by("period_start")))
        .order_by("unit__path", "title", "pk")
    )
    if not points:
        return None
    rows = point_rows(points, today=today, grace=grace_days())
    items = [
        {"point": row.point, "period": period_row.period, "due_date": period_row.due_date,
         "late": period_row.state == PeriodState.LATE, "state_label": period_row.state_label,
         "url": record_url(row.point, period_row.period.start)}
        for row in rows
        for period_row in row.periods
        if period_row.state in (PeriodState.LATE, PeriodState.CURRENT)
    ]
    items.sort(key=lambda item: (not item["late"], item["due_date"], item["point"].title))
    return {"due": items[:CHECKS_SHOWN], "more": max(len(items) - CHECKS_SHOWN, 0),
            "late": sum(1 for item in items if item["late"]), "total": len(items)}


def analyses_awaiting_approval(user) -> list[dict]:
    """Held analyses in the user's oversight, per year (newest first), each linking to that
    year's ledningsgrupp view where they are approved. One query."""
    rows = (
        RiskAnalysis.objects.filter(status=RiskAnalysis.Status.HELD,
                                    unit__in=units_in_scope(user, Membership.OVERSIGHT_ROLES))
        .order_by("-year").values("year").annotate(n=Count("pk"))
    )
    return [{"year": row["year"], "count": row["n"], "url": reverse("risks:year", args=[row["year"]])}
            for row in rows]
