"""The numbers behind the dashboard and the pattern view, computed in the database.

Every function runs a fixed number of grouped queries whatever the number of rows (the tests
pin it), and returns plain data for the views and for riskmgmt.reports.charts.

Statistics count deviations by the year and month of `reported_at` in Swedish time and leave
out withdrawn reports (filed by mistake or duplicates, ARCHITECTURE.md §4): they never
happened as events.

Who sees what (DASHBOARD_ROLES): quality and management see the subtree where they sit, as
everywhere else. Section managers see their own section too: they lead the quality work
there and the risk year view already gives them the same overview. Unit managers and staff
do not: their lists ("Att hantera", the action plan) already cover their own unit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import ExtractQuarter, ExtractYear, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from riskmgmt.actions.models import Action
from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope
from riskmgmt.risks.matrix import matrix_for
from riskmgmt.risks.models import LEVEL_ORDER, Level, Risk, RiskAnalysis
from riskmgmt.supervision.models import Requirement

Role = Membership.Role
Kind = Deviation.Kind

DASHBOARD_ROLES = (Role.QUALITY, Role.MANAGEMENT, Role.SECTION_MANAGER)
KIND_ORDER = (Kind.LEX_SARAH, Kind.COMPLAINT, Kind.OTHER)
# The chart style (riskmgmt.reports.charts.STYLES) of each kind, the same on every chart.
KIND_STYLE = {Kind.COMPLAINT: 0, Kind.LEX_SARAH: 1, Kind.OTHER: 2}
REPORT_BACK_DAYS = 60
TREND_YEARS = 3


def kind_label(kind: str) -> str:
    """The kind's name on charts and tables (shorter than the model's choice labels)."""
    return {Kind.LEX_SARAH: _("Lex Sarah"), Kind.COMPLAINT: _("Synpunkter och klagomål"),
            Kind.OTHER: _("Övriga avvikelser")}[kind]


# ---------------------------------------------------------------- scope

def dashboard_units(user) -> QuerySet[Unit]:
    """Units whose numbers the user may see on the dashboards (a subquery, not a list)."""
    return units_in_scope(user, DASHBOARD_ROLES)


@dataclass(frozen=True)
class Scope:
    """The user's units, or one unit's subtree among them (`unit`, the filter)."""

    units: QuerySet[Unit]
    unit: Unit | None = None

    def filter(self, qs: QuerySet, field: str = "unit") -> QuerySet:
        if self.unit is not None:
            return qs.filter(**{f"{field}__path__startswith": self.unit.path})
        return qs.filter(**{f"{field}__in": self.units})


def statistics_deviations(scope: Scope) -> QuerySet[Deviation]:
    """The deviations statistics count: in scope, withdrawn ones left out."""
    return scope.filter(Deviation.objects.exclude(status=Deviation.Status.WITHDRAWN))


def _tz():
    return timezone.get_default_timezone()


def year_start(year: int) -> datetime.datetime:
    return datetime.datetime(year, 1, 1, tzinfo=_tz())


def in_years(qs: QuerySet[Deviation], first_year: int, last_year: int) -> QuerySet[Deviation]:
    """Reported from 1 January `first_year` to 31 December `last_year`, Swedish time (an indexed range)."""
    return qs.filter(reported_at__gte=year_start(first_year), reported_at__lt=year_start(last_year + 1))


# ---------------------------------------------------------------- deviations over time

def monthly_counts(qs: QuerySet[Deviation], *, first_year: int, last_year: int) -> dict[tuple[int, int], dict]:
    """{(year, month): {kind: n}} for the years given, one grouped query."""
    rows = (in_years(qs, first_year, last_year)
            .annotate(month=TruncMonth("reported_at", tzinfo=_tz()))
            .order_by().values("month", "kind").annotate(n=Count("pk")))
    counts: dict[tuple[int, int], dict] = {}
    for row in rows:
        month = timezone.localtime(row["month"], _tz()) if timezone.is_aware(row["month"]) else row["month"]
        counts.setdefault((month.year, month.month), {})[row["kind"]] = row["n"]
    return counts


def yearly_counts(qs: QuerySet[Deviation], *, first_year: int, last_year: int) -> dict[int, dict]:
    """{year: {kind: n}}, one grouped query."""
    rows = (in_years(qs, first_year, last_year)
            .annotate(year=ExtractYear("reported_at", tzinfo=_tz()))
            .order_by().values("year", "kind").annotate(n=Count("pk")))
    counts: dict[int, dict] = {}
    for row in rows:
        counts.setdefault(row["year"], {})[row["kind"]] = row["n"]
    return counts


def year_to_date(qs: QuerySet[Deviation], *, year: int, today: datetime.date) -> dict[str, dict]:
    """Per kind: this year's count so far and last year's for the same period, one query.
    For a past year, the whole year against the whole year before."""
    if year >= today.year:
        cut = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(), tzinfo=_tz())
        try:
            previous_cut = cut.replace(year=cut.year - 1)
        except ValueError:  # 29 February
            previous_cut = cut.replace(year=cut.year - 1, day=28)
    else:
        cut, previous_cut = year_start(year + 1), year_start(year)
    this = Q(reported_at__gte=year_start(year), reported_at__lt=cut)
    last = Q(reported_at__gte=year_start(year - 1), reported_at__lt=previous_cut)
    aggregates = {}
    for kind in KIND_ORDER:
        aggregates[f"{kind}_this"] = Count("pk", filter=this & Q(kind=kind))
        aggregates[f"{kind}_last"] = Count("pk", filter=last & Q(kind=kind))
    row = qs.filter(reported_at__gte=year_start(year - 1), reported_at__lt=year_start(year + 1)).aggregate(
        **aggregates)
    return {kind: {"this": row[f"{kind}_this"], "last": row[f"{kind}_last"]} for kind in KIND_ORDER}


def open_deviations(qs: QuerySet[Deviation], *, today: datetime.date) -> dict:
    """Open reports now and how many of them have passed a deadline, one query."""
    return qs.aggregate(
        open=Count("pk", filter=Q(status__in=Deviation.OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=Deviation.OPEN_STATUSES, next_due__lt=today)),
    )


def top_units(qs: QuerySet[Deviation], *, year: int, limit: int = 8) -> tuple[list[dict], int]:
    """The units with the most reports in `year`, with counts per kind; and how many units
    had any (so the page can say "8 of 14"). Two queries."""
    base = in_years(qs, year, year)
    kinds = {kind: Count("pk", filter=Q(kind=kind)) for kind in KIND_ORDER}
    rows = list(base.order_by().values("unit_id", name=F("unit__name"))
                .annotate(total=Count("pk"), **kinds).order_by("-total", "name")[:limit])
    with_any = base.order_by().values("unit_id").distinct().count()
    return rows, with_any


def top_processes(qs: QuerySet[Deviation], *, year: int, limit: int = 8) -> tuple[list[dict], int, int]:
    """The processes with the most reports in `year` (with counts per kind), how many processes
    had any, and how many reports named no process. Three queries."""
    base = in_years(qs, year, year)
    kinds = {kind: Count("pk", filter=Q(kind=kind)) for kind in KIND_ORDER}
    rows = list(base.filter(process__isnull=False).order_by()
                .values("process_id", name=F("process__name"), unit_name=F("process__unit__name"))
                .annotate(total=Count("pk"), **kinds).order_by("-total", "name")[:limit])
    with_any = base.filter(process__isnull=False).order_by().values("process_id").distinct().count()
    without = base.filter(process__isnull=True).count()
    return rows, with_any, without


def handling_times(qs: QuerySet[Deviation], *, year: int, today: datetime.date) -> list[dict]:
    """How many of the year's reports met their deadlines (DOMAIN.md A5), one query.

    A step counts once it is done, or once its deadline has passed without it (late either
    way). Reports imported from an earlier system have no deadlines and are not counted."""
    tz = _tz()
    received_on = TruncDate("received_at", tzinfo=tz)
    concluded_on = TruncDate("concluded_at", tzinfo=tz)
    lex, complaint = Q(kind=Kind.LEX_SARAH), Q(kind=Kind.COMPLAINT, anonymous=False)
    receipt_due = Q(receipt_due__isnull=False) & (Q(received_at__isnull=False) | Q(receipt_due__lt=today))
    conclusion_due = Q(conclusion_due__isnull=False) & (Q(concluded_at__isnull=False) | Q(conclusion_due__lt=today))
    answer_due = Q(conclusion_due__isnull=False) & (Q(answered_on__isnull=False) | Q(conclusion_due__lt=today))
    row = in_years(qs, year, year).annotate(received_on=received_on, concluded_on=concluded_on).aggregate(
        receipt_n=Count("pk", filter=lex & receipt_due),
        receipt_ok=Count("pk", filter=lex & receipt_due & Q(received_on__lte=F("receipt_due"))),
        conclusion_n=Count("pk", filter=lex & conclusion_due),
        conclusion_ok=Count("pk", filter=lex & conclusion_due & Q(concluded_on__lte=F("conclusion_due"))),
        answer_n=Count("pk", filter=complaint & answer_due),
        answer_ok=Count("pk", filter=complaint & answer_due & Q(answered_on__lte=F("conclusion_due"))),
    )
    measures = [
        ("receipt", _("Lex Sarah-rapporter mottagna av chef inom fristen")),
        ("conclusion", _("Lex Sarah-utredningar klara inom fristen")),
        ("answer", _("Klagomål besvarade inom fristen")),
    ]
    result = []
    for key, label in measures:
        total, ok = row[f"{key}_n"], row[f"{key}_ok"]
        result.append({"key": key, "label": label, "total": total, "ok": ok, "late": total - ok,
                       "percent": round(100 * ok / total) if total else None})
    return result


# ---------------------------------------------------------------- actions, risks, supervision

def action_counts(scope: Scope, *, today: datetime.date, limit: int = 10) -> dict:
    """Open and overdue actions per unit (the units with most overdue first) and in total.
    Two queries."""
    qs = scope.filter(Action.objects.filter(status__in=Action.OPEN_STATUSES))
    totals = qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rows = list(qs.order_by().values("unit_id", name=F("unit__name"))
                .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
                .order_by("-overdue", "-open", "name")[:limit])
    return {"rows": rows, **totals}


def risk_overview(scope: Scope, *, year: int, link_params: dict | None = None) -> dict:
    """The year's open risks in scope: the matrix (templates/risks/_matrix.html) and the count
    per level, taken from the matrix's cells. Two queries (settings, grouped counts)."""
    risks = scope.filter(Risk.objects.filter(analysis__year=year), field="analysis__unit")
    matrix = matrix_for(risks, link_params=link_params)
    per_level = {level.value: 0 for level in Level}
    for row in matrix["rows"]:
        for cell in row["cells"]:
            per_level[cell["level"]] += cell["count"]
    levels = [{"level": level.value, "label": level.label, "count": per_level[level.value]}
              for level in reversed(LEVEL_ORDER)]
    return {"matrix": matrix, "levels": levels, "total": matrix["total"]}


def report_backs(scope: Scope, *, today: datetime.date, days: int = REPORT_BACK_DAYS, limit: int = 10) -> dict:
    """Open supervision requirements due within `days` or already overdue, nearest first
    (DOMAIN.md §5.1: "redovisa senast" is a hard deadline). Two queries."""
    qs = scope.filter(Requirement.objects.filter(status=Requirement.Status.OPEN,
                                                 due_date__lte=today + datetime.timedelta(days=days)),
                      field="decision__unit")
    counts = qs.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rows = list(qs.select_related("decision", "decision__unit", "process").order_by("due_date", "pk")[:limit])
    for requirement in rows:
        requirement.days_left = (requirement.due_date - today).days
        requirement.days_late = max(0, -requirement.days_left)
    return {"rows": rows, **counts}


def units_without_risk_analysis(scope: Scope, *, year: int) -> list[Unit]:
    """Units (kind unit) with no held or approved risk analysis for `year`; each carries
    `analysis_status` (planned, or None when none is even planned). One query."""
    analyses = RiskAnalysis.objects.filter(unit=OuterRef("pk"), year=year)
    done = analyses.filter(status__in=[RiskAnalysis.Status.HELD, RiskAnalysis.Status.APPROVED])
    units = Unit.objects.filter(kind=Unit.Kind.UNIT, is_active=True)
    units = units.filter(path__startswith=scope.unit.path) if scope.unit else units.filter(pk__in=scope.units)
    return list(units.annotate(analysis_status=Subquery(analyses.values("status")[:1]),
                               analysis_id=Subquery(analyses.values("pk")[:1]))
                .filter(~Exists(done)).order_by("path"))


# ---------------------------------------------------------------- patterns over time

PATTERN_DIMENSIONS = ("kind", "process", "unit", "cause")
GRANULARITIES = ("year", "quarter")


def periods_for(*, first_year: int, last_year: int, granularity: str) -> list[tuple]:
    """The periods of the range: (year,) or (year, quarter), oldest first."""
    if granularity == "quarter":
        return [(y, q) for y in range(first_year, last_year + 1) for q in (1, 2, 3, 4)]
    return [(y,) for y in range(first_year, last_year + 1)]


def period_label(period: tuple) -> str:
    if len(period) == 2:
        return _("K%(quarter)s %(year)s") % {"quarter": period[1], "year": period[0]}
    return str(period[0])


def pattern_counts(qs: QuerySet[Deviation], *, by: str, first_year: int, last_year: int,
                   granularity: str = "year") -> list[dict]:
    """Deviations per group (kind, process, unit or cause area) and period, one grouped query.

    Returns groups as {key, label, short, counts: {period: n}, total}, the largest first (kinds in
    their fixed order). A deviation counts once per cause area its event analyses name; the
    groups "no process" and "not analysed" are left out of the process and cause area views."""
    tz = _tz()
    periods = {"p_year": ExtractYear("reported_at", tzinfo=tz)}
    if granularity == "quarter":
        periods["p_quarter"] = ExtractQuarter("reported_at", tzinfo=tz)
    base = in_years(qs, first_year, last_year).annotate(**periods).order_by()
    period_fields = list(periods)
    if by == "kind":
        rows = base.values("kind", *period_fields).annotate(n=Count("pk"))
        key_of, label_of = (lambda r: r["kind"]), (lambda r: kind_label(r["kind"]))
    elif by == "unit":
        rows = base.values("unit_id", "unit__name", *period_fields).annotate(n=Count("pk"))
        key_of, label_of = (lambda r: r["unit_id"]), (lambda r: r["unit__name"])
    elif by == "process":
        rows = (base.filter(process__isnull=False)
                .values("process_id", "process__name", "process__unit__name", *period_fields).annotate(n=Count("pk")))
        key_of = lambda r: r["process_id"]  # noqa: E731
        label_of = lambda r: f"{r['process__name']} ({r['process__unit__name']})"  # noqa: E731
    elif by == "cause":
        area = "event_analyses__causes__cause_areas"
        rows = (base.filter(**{f"{area}__isnull": False})
                .values(f"{area}__code", f"{area}__name", f"{area}__order", *period_fields)
                .annotate(n=Count("pk", distinct=True)))
        key_of, label_of = (lambda r: r[f"{area}__code"]), (lambda r: r[f"{area}__name"])
    else:
        raise ValueError(by)
    short_of = (lambda r: r["process__name"]) if by == "process" else label_of
    groups: dict = {}
    for row in rows:
        period = (row["p_year"], row["p_quarter"]) if granularity == "quarter" else (row["p_year"],)
        group = groups.setdefault(key_of(row), {"key": key_of(row), "label": label_of(row), "short": short_of(row),
                                                "counts": {}, "total": 0})
        group["counts"][period] = group["counts"].get(period, 0) + row["n"]
        group["total"] += row["n"]
    result = list(groups.values())
    # A process is named without its unit unless two units have one of the same name.
    shorts = [g["short"] for g in result]
    for group in result:
        if shorts.count(group["short"]) > 1:
            group["short"] = group["label"]
    if by == "kind":
        order = {kind: i for i, kind in enumerate(KIND_ORDER)}
        result.sort(key=lambda g: order.get(g["key"], 99))
    else:
        result.sort(key=lambda g: (-g["total"], str(g["label"])))
    return result


def pattern_totals(qs: QuerySet[Deviation], *, first_year: int, last_year: int) -> dict:
    """All reports in the range and how many of them an event analysis covers, one query."""
    return in_years(qs, first_year, last_year).aggregate(
        total=Count("pk", distinct=True),
        analysed=Count("pk", distinct=True, filter=Q(event_analyses__isnull=False)),
    )


def first_report_year(qs: QuerySet[Deviation], *, default: int) -> int:
    """The year of the earliest report in `qs` (for the year choices), one query."""
    earliest = qs.order_by("reported_at").values_list("reported_at", flat=True).first()
    return timezone.localtime(earliest, _tz()).year if earliest else default
