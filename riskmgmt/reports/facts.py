"""The kvalitetsberättelse's facts (SOSFS 2011:9 7 kap.): what the system knows about a unit's
subtree and one calendar year, counted in the database with a fixed number of queries however
many rows there are (aggregates with filtered counts; no loop over rows in Python).

How each number is counted (the document's "Så har siffrorna räknats" says the same in Swedish):

- The year is the calendar year in Swedish time (settings.TIME_ZONE, Europe/Stockholm), always,
  whatever time zone a request has activated: a report filed 2014-12-31 23:30 belongs to 2014.
- `deviation_counts`: reports by `reported_at`, for year-3 .. year, per kind. Withdrawn reports
  (duplicates, filed by mistake) are not counted; every other status is, so a report that was
  reclassified counts under the kind it has now.
- `lex_sarah`: the lex Sarah reports of the year (same rule): `serious` those classified
  `serious` or `serious_risk`, `notified_to_ivo` those with an IVO notification (sent at any time).
- `event_analyses`: `started` commissioned in the year (cancelled ones included: they were
  started); `completed` whose report was handed in during the year and that were not cancelled.
- `risk_analysis`: `units_total` the units of kind "unit" in the subtree (the unit itself when it
  is one) that are active or have an analysis for the year; `units_held` those whose analysis for
  the year is held or approved; `units_with_actions` those whose analysis for the year has a risk
  with an action that is not cancelled; `approved` true when there is at least one unit and every
  unit's analysis is approved (so every held analysis is approved and units_held == units_total).
- `supervision`: decisions received in the year, per authority; `requirements_open` requirements
  open at the cut-off (31 December, or today for the current year): decided (or, without a
  decision date, received) by then and not reported back by then; `requirements_overdue` those
  of them whose report-back date had passed.
- `actions`: actions decided (created) in the year on units in the subtree, by their status when
  the report is produced: `open` planned or in progress, `overdue` open and past their due date
  today, `done` done but not yet evaluated, `evaluated`. Cancelled actions are not counted.
- `internal_control`: the controls app's `internal_control_summary` for the subtree and year.

Outside the API's shape, for the document's charts (facts that the API does not return):

- `monthly_deviations`: the year's reports per calendar month in Swedish time, per kind, by the
  same rule as `deviation_counts` (withdrawn ones left out), so the twelve months add up to the
  year's row of the table.
- `open_risk_levels`: the open risks of the year's risk analyses in the subtree, per level, the
  level computed from the risk matrix's current thresholds (as everywhere else).

The three questions the kvalitetsberättelse answers ("Har riskanalys gjorts?" and so on) are
derived from these in `quality_answers`.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear, TruncMonth
from django.http import Http404
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.analyses.models import EventAnalysis
from riskmgmt.controls.selectors import internal_control_summary
from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.models import Membership, Process, Unit
from riskmgmt.organisation.selectors import units_in_scope, user_has_role_over
from riskmgmt.risks.models import LEVEL_ORDER, Level, Risk, RiskAnalysis
from riskmgmt.risks.selectors import live_risk_actions, risks_with_level
from riskmgmt.supervision.models import Requirement, SupervisionDecision

Role = Membership.Role

# Who may read a unit's kvalitetsberättelse: managers for what they manage, quality and
# management for everything under them. The same people write its texts: the ledningsgrupp writes
# the administration's own "bedömning och analys".
READ_ROLES = (Role.UNIT_MANAGER, Role.SECTION_MANAGER, Role.QUALITY, Role.MANAGEMENT)
WRITE_ROLES = (Role.UNIT_MANAGER, Role.SECTION_MANAGER, Role.QUALITY, Role.MANAGEMENT)

FIRST_YEAR = 2000
TREND_YEARS = 4  # the deviation table shows the year and the three before it
KINDS = ("complaint", "lex_sarah", "other")  # the order of the API's and the document's columns
HIGH_LEVELS = (Level.HIGH.value, Level.VERY_HIGH.value)


class Answer:
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


def report_tz() -> ZoneInfo:
    """The zone the report's years are counted in: the installation's, never the request's."""
    return ZoneInfo(settings.TIME_ZONE)


def year_start(year: int) -> datetime.datetime:
    return datetime.datetime(year, 1, 1, tzinfo=report_tz())


def last_year_allowed() -> int:
    """Reports go up to the current year (a report on the year so far)."""
    return timezone.localdate().year


def cutoff_date(year: int) -> datetime.date:
    """The day "open" and "overdue" are judged on: 31 December, or today for the current year."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


# ---------------------------------------------------------------- access

def report_units_for_user(user) -> QuerySet[Unit]:
    """Units whose kvalitetsberättelse the user may read, in tree order."""
    return units_in_scope(user, READ_ROLES).order_by("path")


def report_unit_get_for_user(user, pk) -> Unit:
    """The access gate for a report's unit: 404 outside the user's scope (or for a bad id)."""
    try:
        return report_units_for_user(user).get(pk=int(pk))
    except (Unit.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404 from None


def can_write_narrative(user, unit: Unit) -> bool:
    return user_has_role_over(user, unit, WRITE_ROLES)


# ---------------------------------------------------------------- facts

def quality_facts(unit: Unit, year: int) -> dict:
    """The facts for `unit`'s subtree and `year`, in the shape of API.md "Reports" (7 queries)."""
    prefix = unit.path
    start, end = year_start(year), year_start(year + 1)
    cutoff = cutoff_date(year)
    return {
        "year": year,
        "unit": unit.pk,
        **_deviation_facts(prefix, year),
        "event_analyses": _event_analysis_facts(prefix, start, end),
        "risk_analysis": _risk_analysis_facts(prefix, year),
        "supervision": _supervision_facts(prefix, year, cutoff),
        "actions": _action_facts(prefix, start, end),
        "internal_control": internal_control_summary(unit.subtree(), year),
    }


def _deviation_facts(prefix: str, year: int) -> dict:
    first = year - TREND_YEARS + 1
    lex_sarah = Q(kind=Deviation.Kind.LEX_SARAH)
    rows = (
        Deviation.objects.filter(unit__path__startswith=prefix, reported_at__gte=year_start(first),
                                 reported_at__lt=year_start(year + 1))
        .exclude(status=Deviation.Status.WITHDRAWN)
        .annotate(report_year=ExtractYear("reported_at", tzinfo=report_tz()))
        .order_by()  # the model's ordering would otherwise join the GROUP BY
        .values("report_year")
        .annotate(
            complaint=Count("pk", filter=Q(kind=Deviation.Kind.COMPLAINT)),
            lex_sarah=Count("pk", filter=lex_sarah),
            other=Count("pk", filter=Q(kind=Deviation.Kind.OTHER)),
            serious=Count("pk", filter=lex_sarah & Q(classification__in=Deviation.SERIOUS_CLASSIFICATIONS)),
            notified=Count("pk", filter=lex_sarah & Q(ivo_notification__isnull=False)),
        )
    )
    # At most four grouped rows, one per year.
    by_year = {row["report_year"]: row for row in rows}
    empty = {"complaint": 0, "lex_sarah": 0, "other": 0, "serious": 0, "notified": 0}
    counts = [
        {"year": y, **{kind: by_year.get(y, empty)[kind] for kind in ("complaint", "lex_sarah", "other")}}
        for y in range(first, year + 1)
    ]
    this_year = by_year.get(year, empty)
    return {
        "deviation_counts": counts,
        "lex_sarah": {"reported": this_year["lex_sarah"], "serious": this_year["serious"],
                      "notified_to_ivo": this_year["notified"]},
    }


def _event_analysis_facts(prefix: str, start: datetime.datetime, end: datetime.datetime) -> dict:
    return EventAnalysis.objects.filter(unit__path__startswith=prefix).aggregate(
        started=Count("pk", filter=Q(created__gte=start, created__lt=end)),
        completed=Count("pk", filter=Q(submitted_at__gte=start, submitted_at__lt=end)
                        & ~Q(status=EventAnalysis.Status.CANCELLED)),
    )


def _risk_analysis_facts(prefix: str, year: int) -> dict:
    of_year = RiskAnalysis.objects.filter(unit=OuterRef("pk"), year=year)
    risks_with_actions = Risk.objects.filter(analysis__unit=OuterRef("pk"), analysis__year=year).filter(
        Exists(live_risk_actions()))
    totals = (
        Unit.objects.filter(path__startswith=prefix, kind=Unit.Kind.UNIT)
        # A unit closed since still counts for a year it held an analysis in.
        .filter(Q(is_active=True) | Exists(of_year))
        .aggregate(
            total=Count("pk"),
            held=Count("pk", filter=Exists(of_year.filter(
                status__in=[RiskAnalysis.Status.HELD, RiskAnalysis.Status.APPROVED]))),
            approved=Count("pk", filter=Exists(of_year.filter(status=RiskAnalysis.Status.APPROVED))),
            with_actions=Count("pk", filter=Exists(risks_with_actions)),
        )
    )
    return {
        "units_total": totals["total"],
        "units_held": totals["held"],
        "units_with_actions": totals["with_actions"],
        "approved": totals["total"] > 0 and totals["approved"] == totals["total"],
    }


def _supervision_facts(prefix: str, year: int, cutoff: datetime.date) -> dict:
    authority = SupervisionDecision.Authority
    decisions = SupervisionDecision.objects.filter(
        unit__path__startswith=prefix, received_on__gte=datetime.date(year, 1, 1),
        received_on__lte=datetime.date(year, 12, 31),
    ).aggregate(**{a: Count("pk", filter=Q(authority=a))
                   for a in (authority.IVO, authority.JO, authority.COURT, authority.AUDIT)})
    # Open at the cut-off: the decision that set it was there, and it was not yet reported back.
    existed = Q(decision__decided_on__lte=cutoff) | Q(decision__decided_on__isnull=True,
                                                     decision__received_on__lte=cutoff)
    open_then = existed & (Q(status=Requirement.Status.OPEN) | Q(reported_on__gt=cutoff))
    requirements = Requirement.objects.filter(decision__unit__path__startswith=prefix).aggregate(
        requirements_open=Count("pk", filter=open_then),
        requirements_overdue=Count("pk", filter=open_then & Q(due_date__lt=cutoff)),
    )
    return {**{str(k): v for k, v in decisions.items()}, **requirements}


def _action_facts(prefix: str, start: datetime.datetime, end: datetime.datetime) -> dict:
    status = Action.Status
    is_open = Q(status__in=Action.OPEN_STATUSES)
    return Action.objects.filter(unit__path__startswith=prefix, created__gte=start, created__lt=end).aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_date__lt=timezone.localdate())),
        done=Count("pk", filter=Q(status=status.DONE)),
        evaluated=Count("pk", filter=Q(status=status.EVALUATED)),
    )


# ---------------------------------------------------------------- what the document adds

def action_plan_facts(unit: Unit, year: int) -> dict:
    """The year's open risks at high or very high level in the subtree, and how many of them
    have an action that is not cancelled (2 queries: the matrix settings, the count)."""
    return risks_with_level(
        Risk.objects.filter(analysis__unit__path__startswith=unit.path, analysis__year=year,
                            status=Risk.Status.OPEN)
    ).aggregate(
        high_risks=Count("pk", filter=Q(risk_level__in=HIGH_LEVELS)),
        high_risks_with_action=Count("pk", filter=Q(risk_level__in=HIGH_LEVELS) & Q(Exists(live_risk_actions()))),
    )


def monthly_deviations(unit: Unit, year: int) -> list[dict]:
    """The year's reports in the subtree per month of `reported_at` in Swedish time, per kind:
    twelve rows {"month": 1..12, "complaint", "lex_sarah", "other"}, withdrawn reports left out
    (1 grouped query, at most twelve rows back)."""
    tz = report_tz()
    rows = (
        Deviation.objects.filter(unit__path__startswith=unit.path, reported_at__gte=year_start(year),
                                 reported_at__lt=year_start(year + 1))
        .exclude(status=Deviation.Status.WITHDRAWN)
        .annotate(month=TruncMonth("reported_at", tzinfo=tz))
        .order_by()  # the model's ordering would otherwise join the GROUP BY
        .values("month")
        .annotate(**{kind: Count("pk", filter=Q(kind=kind)) for kind in KINDS})
    )
    by_month = {}
    for row in rows:
        # The month's start comes back aware (USE_TZ); read it in Swedish time, where it is midnight on the 1st.
        month = timezone.localtime(row["month"], tz) if timezone.is_aware(row["month"]) else row["month"]
        by_month[month.month] = row
    return [{"month": m, **{kind: by_month[m][kind] if m in by_month else 0 for kind in KINDS}}
            for m in range(1, 13)]


def open_risk_levels(unit: Unit, year: int) -> dict[str, int]:
    """The open risks of the year's analyses in the subtree per level, {"low": n, "medium": n,
    "high": n, "very_high": n} in that order (2 queries: the matrix settings, the count)."""
    return risks_with_level(
        Risk.objects.filter(analysis__unit__path__startswith=unit.path, analysis__year=year,
                            status=Risk.Status.OPEN)
    ).aggregate(**{level.value: Count("pk", filter=Q(risk_level=level.value)) for level in LEVEL_ORDER})


def process_count(unit: Unit) -> int:
    """Active processes described in the subtree (Processer och rutiner)."""
    return Process.objects.filter(unit__path__startswith=unit.path, is_active=True).count()


def answer_risk_analysis(risk_analysis: dict) -> str:
    """"Har riskanalys gjorts?": yes when every unit held (or had approved) its analysis for the
    year, partly when some did, no when none did or there is no unit to hold one."""
    total, held = risk_analysis["units_total"], risk_analysis["units_held"]
    if total and held >= total:
        return Answer.YES
    return Answer.PARTLY if held else Answer.NO


def answer_action_plan(risk_analysis: dict, plan: dict) -> str:
    """"Har handlingsplan upprättats?": yes when every open high or very high risk of the year
    has an action (and, with no such risk, when a risk analysis was held: nothing needed one);
    partly when some have; no when none has, or when there was neither an analysis nor a risk."""
    high, covered = plan["high_risks"], plan["high_risks_with_action"]
    if not high:
        return Answer.YES if risk_analysis["units_held"] else Answer.NO
    if covered >= high:
        return Answer.YES
    return Answer.PARTLY if covered else Answer.NO


def quality_answers(facts: dict, plan: dict) -> dict:
    """The kvalitetsberättelse's three yes/no questions, each "yes", "partly" or "no"."""
    return {
        "risk_analysis": answer_risk_analysis(facts["risk_analysis"]),
        "action_plan": answer_action_plan(facts["risk_analysis"], plan),
        "internal_control": facts["internal_control"]["followed"],
    }
