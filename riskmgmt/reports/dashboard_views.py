"""The dashboard ("Kvalitet och statistik") and the pattern view (SOSFS 2011:9 5 kap. 6 §).

Both are read-only pages for quality, management and section managers over the units where
they sit (riskmgmt.reports.dashboard says why section managers too). A user with none of those
roles gets 403: the page exists, but not for them. A unit filter outside the user's scope is
ignored like any other invalid filter (the form says so), so nothing outside it is shown.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from riskmgmt.deviations.models import Deviation
from riskmgmt.organisation.models import Unit
from riskmgmt.organisation.selectors import user_has_role

from . import charts
from . import dashboard as stats
from .dashboard import DASHBOARD_ROLES, KIND_ORDER, KIND_STYLE, Scope, kind_label

TOP_N = 8
PATTERN_PANELS = 12
MAX_YEARS = {"year": 15, "quarter": 5}


def _require_dashboard_role(user) -> None:
    if not user_has_role(user, DASHBOARD_ROLES):
        raise PermissionDenied(_("Kvalitet och statistik är till för kvalitetssamordnare, ledningsgrupp och "
                                 "sektionschefer."))


def _unit_field(units) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(label=gettext_lazy("Enhet"), queryset=units.order_by("path"), required=False,
                                   empty_label=gettext_lazy("Alla mina enheter"))
    field.label_from_instance = lambda u: "\u2003" * max(u.depth, 0) + u.name
    return field


def _year_choices(first: int, last: int) -> list[tuple[int, str]]:
    return [(y, str(y)) for y in range(last, first - 1, -1)]


class DashboardFilterForm(forms.Form):
    """GET filters of the dashboard; an invalid value is reported and otherwise ignored."""

    year = forms.TypedChoiceField(label=gettext_lazy("År"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, units, years: tuple[int, int]):
        super().__init__(data)
        self.fields = {"unit": _unit_field(units), **self.fields}
        self.fields["year"].choices = _year_choices(*years)

    def values(self, default_year: int) -> tuple[Unit | None, int]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        year = data.get("year") or default_year
        _show(self, {"year": year})
        return data.get("unit"), year


class PatternFilterForm(forms.Form):
    """GET filters of the pattern view; an invalid value is reported and otherwise ignored."""

    BY_CHOICES = [
        ("kind", gettext_lazy("Typ")), ("process", gettext_lazy("Process")),
        ("unit", gettext_lazy("Enhet")), ("cause", gettext_lazy("Orsaksområde")),
    ]
    PERIOD_CHOICES = [("year", gettext_lazy("År")), ("quarter", gettext_lazy("Kvartal"))]

    by = forms.ChoiceField(choices=BY_CHOICES, required=False, widget=forms.HiddenInput)
    first_year = forms.TypedChoiceField(label=gettext_lazy("Från år"), coerce=int, required=False, empty_value=None)
    last_year = forms.TypedChoiceField(label=gettext_lazy("Till år"), coerce=int, required=False, empty_value=None)
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=PERIOD_CHOICES, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Typ"), required=False)

    def __init__(self, data, *, units, years: tuple[int, int]):
        super().__init__(data)
        self.fields = {**{k: v for k, v in self.fields.items() if k != "kind"}, "kind": self.fields["kind"],
                       "unit": _unit_field(units)}
        self.fields["first_year"].choices = _year_choices(*years)
        self.fields["last_year"].choices = _year_choices(*years)
        self.fields["kind"].choices = [("", _("Alla typer")), *[(k.value, k.label) for k in KIND_ORDER]]

    def values(self, *, today: datetime.date) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period = data.get("period") or "year"
        last = data.get("last_year") or today.year
        first = data.get("first_year") or last - (4 if period == "year" else 2)
        first, last = min(first, last), max(first, last)
        limited = last - first + 1 > MAX_YEARS[period]
        if limited:
            first = last - MAX_YEARS[period] + 1
        _show(self, {"first_year": first, "last_year": last, "period": period})
        return {"by": data.get("by") or "kind", "first_year": first, "last_year": last, "period": period,
                "kind": data.get("kind") or None, "unit": data.get("unit"), "limited": limited}


def _show(form: forms.Form, values: dict) -> None:
    """Makes the form display the values in use (defaults, or a range that was shortened), so
    the selects never claim another year than the page shows."""
    if form.is_bound:
        form.data = form.data.copy()
        for key, value in values.items():
            form.data[key] = value
    else:
        form.initial.update(values)


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return reverse(name) + (f"?{query}" if query else "")


def _requirement_url(requirement) -> str:
    # The supervision pages are another app's; until its detail page exists, link to its list.
    try:
        return requirement.get_absolute_url()
    except NoReverseMatch:
        try:
            return reverse("supervision:list")
        except NoReverseMatch:
            return ""


def _month_ticks(months: list[tuple[int, int]]) -> list[tuple[int, str]]:
    ticks = []
    for index, (year, month) in enumerate(months):
        if month == 1:
            ticks.append((index, f"{MONTHS_3[month]}\n{year}"))
        elif month in (4, 7, 10):
            ticks.append((index, str(MONTHS_3[month])))
    return ticks


def _kind_series(rows: list[dict]) -> list[charts.Series]:
    return [charts.Series(kind_label(kind), [row[kind] for row in rows], KIND_STYLE[kind]) for kind in KIND_ORDER]


def _quarter_trend(monthly: dict, *, first_year: int, last_year: int, today: datetime.date,
                   title: str) -> charts.Chart:
    """The monthly trend summed per quarter, drawn narrow enough for a phone."""
    quarters = [(y, q) for y in range(first_year, last_year + 1) for q in (1, 2, 3, 4)]
    started = lambda y, q: (y, 3 * q - 2) <= (today.year, today.month)  # noqa: E731
    series = [charts.Series(kind_label(kind), [
        sum(monthly.get((y, m), {}).get(kind, 0) for m in range(3 * q - 2, 3 * q + 1)) if started(y, q) else None
        for y, q in quarters], KIND_STYLE[kind]) for kind in KIND_ORDER]
    ticks = [(i, f"K{q}\n{y}" if q == 1 else f"K{q}") for i, (y, q) in enumerate(quarters)]
    return charts.stacked_column_chart(
        categories=[stats.period_label(p) for p in quarters], series=series, ticks=ticks,
        title=_("%(title)s, per kvartal") % {"title": title}, id_prefix="trend-kvartal", row_heading=_("Kvartal"),
        width=380, height=300,
    )


def _ranking_chart(labels: list[str], rows: list[dict], *, id_prefix: str, label_width: float,
                   **kwargs) -> charts.Chart:
    """Horizontal bars per kind for the dashboard's half-width columns, and a phone version
    with each name above its bar."""
    chart = charts.stacked_bar_chart(categories=labels, series=_kind_series(rows), id_prefix=id_prefix,
                                     width=560, label_width=label_width, **kwargs)
    chart.narrow = charts.stacked_bar_chart(categories=labels, series=_kind_series(rows),
                                            id_prefix=f"{id_prefix}-smal", width=360, labels_above=True, **kwargs)
    return chart


def _process_labels(rows: list[dict]) -> list[str]:
    """Process names, with the unit only where two units have a process of the same name."""
    names = [row["name"] for row in rows]
    return [f"{row['name']} ({row['unit_name']})" if names.count(row["name"]) > 1 else row["name"] for row in rows]


def _change(diff: int) -> str:
    """"+3", "−2" (a real minus sign) or "" for no change."""
    return f"+{diff}" if diff > 0 else f"\u2212{-diff}" if diff < 0 else ""


def _scope_name(unit: Unit | None) -> str:
    return unit.name if unit else _("alla dina enheter")


# ---------------------------------------------------------------- dashboard

@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Key figures, the three-year trend, where reports come from, actions, risks, report-backs."""
    user = request.user
    _require_dashboard_role(user)
    today = timezone.localdate()
    units = stats.dashboard_units(user)
    all_in_scope = stats.statistics_deviations(Scope(units))
    first_year = min(stats.first_report_year(all_in_scope, default=today.year), today.year - stats.TREND_YEARS + 1)
    form = DashboardFilterForm(request.GET or None, units=units, years=(first_year, today.year))
    unit, year = form.values(today.year)
    scope = Scope(units, unit)
    deviations = stats.statistics_deviations(scope) if unit else all_in_scope
    unit_pk = unit.pk if unit else None

    # The trend: three calendar years to the chosen one; months still to come are gaps.
    trend_first = year - stats.TREND_YEARS + 1
    monthly = stats.monthly_counts(deviations, first_year=trend_first, last_year=year)
    months = [(y, m) for y in range(trend_first, year + 1) for m in range(1, 13)]
    future = lambda ym: ym > (today.year, today.month)  # noqa: E731
    trend = charts.stacked_column_chart(
        categories=[f"{MONTHS_3[m]} {y}" for y, m in months],
        series=[charts.Series(kind_label(kind),
                              [None if future(ym) else monthly.get(ym, {}).get(kind, 0) for ym in months],
                              KIND_STYLE[kind]) for kind in KIND_ORDER],
        ticks=_month_ticks(months), title=_("Rapporter per månad %(first)s–%(last)s") % {"first": trend_first,
                                                                                       "last": year},
        id_prefix="trend", y_label=_("Antal rapporter"), row_heading=_("Månad"),
    )
    trend.narrow = _quarter_trend(monthly, first_year=trend_first, last_year=year, today=today,
                                  title=trend.title)
    yearly = stats.yearly_counts(deviations, first_year=trend_first, last_year=year)
    trend_years = list(range(trend_first, year + 1))
    yearly_table = charts.data_table(
        caption=_("Rapporter per år och typ"), row_heading=_("Typ"), columns=[str(y) for y in trend_years],
        rows=[(kind_label(kind), [yearly.get(y, {}).get(kind, 0) for y in trend_years]) for kind in KIND_ORDER],
        table_id="per-ar",
    )

    key_figures = stats.year_to_date(deviations, year=year, today=today)
    kind_cards = [{
        "kind": kind, "label": kind_label(kind), "this": key_figures[kind]["this"],
        "last": key_figures[kind]["last"], "change": _change(key_figures[kind]["this"] - key_figures[kind]["last"]),
        "url": _url("deviations:inbox", status="all", kind=kind.value, year=year, unit=unit_pk),
    } for kind in KIND_ORDER]

    unit_rows, units_with_any = stats.top_units(deviations, year=year, limit=TOP_N)
    by_unit = _ranking_chart(
        [row["name"] for row in unit_rows], unit_rows, title=_("Rapporter %(year)s per enhet") % {"year": year},
        id_prefix="per-enhet", row_heading=_("Enhet"), label_width=220,
        empty_message=_("Inga rapporter %(year)s.") % {"year": year},
    )
    process_rows, processes_with_any, without_process = stats.top_processes(deviations, year=year, limit=TOP_N)
    by_process = _ranking_chart(
        _process_labels(process_rows), process_rows, title=_("Rapporter %(year)s per process") % {"year": year},
        id_prefix="per-process", row_heading=_("Process"), label_width=240,
        empty_message=_("Inga rapporter med process %(year)s.") % {"year": year},
    )

    actions = stats.action_counts(scope, today=today)
    for row in actions["rows"]:
        row["url"] = _url("actions:list", unit=row["unit_id"], status="open")
        row["overdue_url"] = _url("actions:list", unit=row["unit_id"], overdue=1)
    risks = stats.risk_overview(scope, year=year, link_params={"year": year, "unit": unit_pk})
    backs = stats.report_backs(scope, today=today)
    for requirement in backs["rows"]:
        requirement.url = _requirement_url(requirement)
    missing = stats.units_without_risk_analysis(scope, year=year)
    for missing_unit in missing:
        missing_unit.url = (reverse("risks:detail", args=[missing_unit.analysis_id]) if missing_unit.analysis_id
                            else _url("risks:list"))

    return render(request, "reports/dashboard.html", {
        "form": form, "unit": unit, "year": year, "today": today, "scope_name": _scope_name(unit),
        "is_current_year": year == today.year,
        "kind_cards": kind_cards, "open": stats.open_deviations(deviations, today=today),
        "open_url": _url("deviations:inbox", unit=unit_pk), "overdue_url": _url("deviations:inbox", unit=unit_pk,
                                                                                 overdue="on"),
        "trend": trend, "yearly_table": yearly_table,
        "by_unit": by_unit, "units_with_any": units_with_any, "unit_rows": unit_rows,
        "by_process": by_process, "processes_with_any": processes_with_any, "without_process": without_process,
        "process_rows": process_rows,
        "handling": stats.handling_times(deviations, year=year, today=today),
        "actions": actions, "actions_url": _url("actions:list", unit=unit_pk, status="open"),
        "actions_overdue_url": _url("actions:list", unit=unit_pk, overdue=1),
        "risks": risks, "backs": backs, "report_back_days": stats.REPORT_BACK_DAYS, "missing": missing,
        "patterns_url": _url("reports:patterns", unit=unit_pk),
    })


# ---------------------------------------------------------------- patterns

@login_required
def patterns(request: HttpRequest) -> HttpResponse:
    """Reports grouped by kind, process, unit or cause area per year or quarter: a table and
    small charts, to see patterns and trends (SOSFS 2011:9 5 kap. 6 §)."""
    user = request.user
    _require_dashboard_role(user)
    today = timezone.localdate()
    units = stats.dashboard_units(user)
    all_in_scope = stats.statistics_deviations(Scope(units))
    first_year = min(stats.first_report_year(all_in_scope, default=today.year), today.year - 4)
    form = PatternFilterForm(request.GET or None, units=units, years=(first_year, today.year))
    f = form.values(today=today)
    by, period = f["by"], f["period"]
    deviations = stats.statistics_deviations(Scope(units, f["unit"])) if f["unit"] else all_in_scope
    if f["kind"]:
        deviations = deviations.filter(kind=f["kind"])

    periods = stats.periods_for(first_year=f["first_year"], last_year=f["last_year"], granularity=period)
    labels = [stats.period_label(p) for p in periods]
    groups = stats.pattern_counts(deviations, by=by, first_year=f["first_year"], last_year=f["last_year"],
                                  granularity=period)
    totals = stats.pattern_totals(deviations, first_year=f["first_year"], last_year=f["last_year"])
    for group in groups:
        group["values"] = [group["counts"].get(p, 0) for p in periods]
    by_label = dict(PatternFilterForm.BY_CHOICES)[by]
    range_text = (f"{f['first_year']}–{f['last_year']}" if f["first_year"] != f["last_year"]
                  else str(f["first_year"]))
    title = _("Rapporter per %(by)s, %(range)s") % {"by": str(by_label).lower(), "range": range_text}
    empty = _("Inga rapporter under perioden.")
    if by == "kind":
        series = [charts.Series(g["label"], g["values"], KIND_STYLE[g["key"]]) for g in groups]
        chart = charts.grouped_bar_chart(categories=labels, series=series, title=title, id_prefix="monster",
                                         row_heading=_("Period"), width=max(720, 60 * len(labels) + 80),
                                         empty_message=empty)
        # On a phone: one bar per period, split by kind, so the columns stay wide enough to read.
        chart.narrow = charts.stacked_column_chart(
            categories=labels, series=series, title=title, id_prefix="monster-smal", width=380, height=300,
            ticks=[(i, label.replace(" ", "\n")) for i, label in enumerate(labels)] if period == "quarter" else None,
            empty_message=empty)
    else:
        panels = [charts.Panel(g["short"], g["values"]) for g in groups[:PATTERN_PANELS]]
        chart = charts.small_multiples(categories=labels, panels=panels, title=title, id_prefix="monster",
                                       row_heading=str(by_label), empty_message=empty)
        chart.narrow = charts.small_multiples(categories=labels, panels=panels, title=title,
                                              id_prefix="monster-smal", columns=1, width=380, empty_message=empty)
    table = charts.data_table(caption=title, row_heading=str(by_label), columns=labels,
                              rows=[(g["label"], g["values"]) for g in groups], table_id="monster-tabell",
                              # A report counts once per cause area: a sum over areas would count it twice.
                              total_row=by != "cause")

    base = {k: v for k, v in request.GET.items() if k in form.fields and k != "by" and v}
    tabs = [{"by": key, "label": label, "current": key == by,
             "url": _url("reports:patterns", **base, by=key)} for key, label in PatternFilterForm.BY_CHOICES]
    inbox_params = {"status": "all", "unit": f["unit"].pk if f["unit"] else None, "kind": f["kind"]}
    return render(request, "reports/patterns.html", {
        "form": form, "filters": f, "tabs": tabs, "by": by, "by_label": by_label, "groups": groups,
        "periods": labels, "chart": chart, "table": table, "totals": totals, "range_text": range_text,
        "more_groups": max(0, len(groups) - PATTERN_PANELS) if by != "kind" else 0,
        "scope_name": _scope_name(f["unit"]), "kind_label": kind_label(f["kind"]) if f["kind"] else "",
        "inbox_url": _url("deviations:inbox", **inbox_params),
        "filtered": any(request.GET.get(k) for k in ("unit", "kind", "first_year", "last_year", "period")),
        "dashboard_url": _url("reports:dashboard", unit=inbox_params["unit"]),
        "Kind": Deviation.Kind,
    })
