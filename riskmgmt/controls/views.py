"""Internal control pages: the year's plan, control points, recording a check, a check's page."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from riskmgmt.core.errors import ApplicationError
from riskmgmt.organisation.models import Unit
from riskmgmt.organisation.selectors import units_in_scope

from . import services
from .forms import ControlCheckForm, ControlPointForm
from .rules import edits_point, plans_controls_for, records_check, reports_deviation_from
from .selectors import (
    PLAN_ROLES,
    PeriodState,
    control_check_get_for_user,
    control_plan_points,
    control_point_get_for_user,
    control_point_list_for_user,
    grace_days,
    internal_control_summary,
    period_state,
    point_rows,
)

FOLLOWED_LABELS = {"yes": gettext_lazy("Ja"), "partly": gettext_lazy("Delvis"), "no": gettext_lazy("Nej")}
HISTORY_LABELS = {
    "record": gettext_lazy("registrerade kontrollen"),
    "report_deviation": gettext_lazy("rapporterade fyndet som avvikelse"),
}


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if services.MIN_YEAR <= year <= services.MAX_YEAR else default


def _plannable_units(user):
    """Units (of kind unit) where the user may add control points."""
    units = units_in_scope(user, PLAN_ROLES).filter(kind=Unit.Kind.UNIT, is_active=True).order_by("path")
    return units.filter(pk__in=[unit.pk for unit in units if plans_controls_for(user, unit)])


@login_required
def control_plan(request: HttpRequest) -> HttpResponse:
    """Egenkontrollplanen: the year's control points of the user's units, grouped by unit, each
    period performed, late or still to come, and whether the year's plan is being followed."""
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today.year)
    scope = units_in_scope(request.user, PLAN_ROLES)
    units = list(scope.filter(kind=Unit.Kind.UNIT).order_by("path"))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit", "")), None)
    points = control_point_list_for_user(request.user)
    if unit is not None:
        points = points.filter(unit=unit)
    rows = point_rows(control_plan_points(points, year=year), today=today, grace=grace_days())
    groups = [{"unit": unit_, "rows": list(unit_rows)}
              for unit_, unit_rows in groupby(rows, key=lambda row: row.point.unit)]
    for group in groups:
        for row in group["rows"]:
            row.can_record = records_check(request.user, row.point)
            row.can_edit = edits_point(request.user, row.point)
    summary = None
    if units:
        summary = internal_control_summary(unit.subtree() if unit else scope, year)
        summary["followed_label"] = FOLLOWED_LABELS[summary["followed"]]
        summary["late"] = sum(row.late for row in rows if row.point.is_active)
    can_plan = any(plans_controls_for(request.user, u) for u in units)
    return render(request, "controls/control_plan.html", {
        "year": year, "years": [year - 1, year + 1], "units": units, "selected_unit": unit,
        "groups": groups, "summary": summary, "can_plan": can_plan, "today": today,
        "closed_year": year < today.year - 1,
    })


def _point_form_response(request, form, point=None, status=200) -> HttpResponse:
    return render(request, "controls/point_form.html", {"form": form, "point": point}, status=status)


@login_required
def point_create(request: HttpRequest) -> HttpResponse:
    units = _plannable_units(request.user)
    if not units:
        raise PermissionDenied
    year = _year(request.GET.get("year"), timezone.localdate().year)
    chosen = units.filter(pk=request.GET["unit"]) if request.GET.get("unit", "").isdigit() else units.none()
    form = ControlPointForm(request.POST or None, units=chosen if chosen else units, year=year)
    if request.method != "POST":
        return _point_form_response(request, form)
    if form.is_valid():
        try:
            point = services.control_point_create(actor=request.user, **form.cleaned_data)
        except services.ControlValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Kontrollpunkten är tillagd i planen för %(year)s.") % {"year": point.year})
            return redirect(point.get_absolute_url())
    return _point_form_response(request, form, status=400)


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = control_point_get_for_user(request.user, pk)
    if not edits_point(request.user, point):
        raise PermissionDenied
    form = ControlPointForm(request.POST or None, instance=point, units=None)
    if request.method != "POST":
        return _point_form_response(request, form, point)
    if form.is_valid():
        try:
            services.control_point_update(point=point, actor=request.user, **form.cleaned_data)
        except services.ControlValidationError as exc:
            point.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(request, _("Kontrollpunkten är ändrad."))
            return redirect(point.get_absolute_url())
    else:
        point.refresh_from_db()  # the ModelForm wrote the typed values onto the instance
    return _point_form_response(request, form, point, status=400)


def _add_errors(form, exc: ApplicationError) -> None:
    for name, message in getattr(exc, "errors", {"__all__": exc.message}).items():
        form.add_error(name if name in form.fields else None, message)


def _open_periods(point, today: datetime.date):
    """Periods that have begun and have no check yet: what may be recorded now."""
    done = {check.period_start for check in point.checks.all()}
    return [p for p in point.periods() if p.start <= today and p.start not in done]


@login_required
def check_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the check of one period; from a reminder the period is chosen already."""
    point = control_point_get_for_user(request.user, pk)
    if not records_check(request.user, point):
        raise PermissionDenied
    today = timezone.localdate()
    wanted = request.GET.get("period", "")
    if wanted:
        existing = point.checks.filter(period_start=wanted).first() if _is_date(wanted) else None
        if existing is not None:
            messages.info(request, _("Kontrollen för %(period)s är redan registrerad.") % {
                "period": existing.period.label})
            return redirect(existing)
    periods = _open_periods(point, today)
    initial = {"period_start": wanted} if wanted else {}
    if not initial and periods:
        # The earliest period still open: the late one is the one to do first.
        initial = {"period_start": periods[0].start.isoformat()}
    form = ControlCheckForm(request.POST or None, point=point, periods=periods, actor=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                check = services.control_check_record(point=point, actor=request.user, **form.service_kwargs())
            except services.ControlValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Kontrollen för %(period)s är registrerad.") % {
                    "period": check.period.label})
                return redirect(check)
        status = 400
    grace = grace_days()
    states = {p.start: period_state(p, None, today, grace) for p in periods}
    return render(request, "controls/check_form.html", {
        "form": form, "point": point, "has_periods": bool(periods),
        "late_periods": [p for p in periods if states[p.start] == PeriodState.LATE],
    }, status=status)


def _is_date(value: str) -> bool:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_context(request, check, error: str = "") -> dict:
    return {
        "check": check, "point": check.control_point, "error": error,
        "can_report_deviation": reports_deviation_from(request.user, check),
        "history": [
            {"entry": entry, "label": HISTORY_LABELS.get(entry.history_change_reason, entry.get_history_type_display())}
            for entry in check.history.select_related("history_user").order_by("-history_date")[:50]
        ],
    }


@login_required
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = control_check_get_for_user(request.user, pk)
    return render(request, "controls/check_detail.html", _check_context(request, check))


@login_required
@require_POST
def check_report_deviation(request: HttpRequest, pk: int) -> HttpResponse:
    """"Rapportera avvikelse från fyndet": files an `other` deviation linked to the check."""
    check = control_check_get_for_user(request.user, pk)
    try:
        deviation = services.control_check_report_deviation(check=check, actor=request.user)
    except ApplicationError as exc:
        check = control_check_get_for_user(request.user, pk)
        # Already reported, nothing found, or the filing service refused: say why on the page.
        return render(request, "controls/check_detail.html", _check_context(request, check, exc.message),
                      status=409)
    messages.success(request, _("Fyndet är rapporterat som avvikelse %(ref)s.") % {"ref": deviation.reference})
    return redirect(reverse("controls:check-detail", args=[check.pk]))
