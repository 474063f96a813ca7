"""Writes to the internal control plan: plan and change control points, record checks, and
turn a finding into a deviation."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from riskmgmt.actions.forms import people_of_unit
from riskmgmt.core.errors import (
    FieldValidationError,
    TransitionNotAllowedError,
    full_clean_or_raise,
)
from riskmgmt.deviations.models import Deviation
from riskmgmt.deviations.services import deviation_file
from riskmgmt.organisation.models import Unit

from .models import ControlCheck, ControlPoint
from .rules import edits_point, plans_controls_for, records_check, reports_deviation_from

MIN_YEAR, MAX_YEAR = 2000, 2100
POINT_FIELDS = ("title", "description", "method", "frequency", "responsible", "is_active")


class ControlValidationError(FieldValidationError):
    """Bad input for this app; `errors` maps field names to Swedish messages."""


def _validate(obj, exclude=()) -> None:
    full_clean_or_raise(obj, exclude=exclude, error_class=ControlValidationError)


def _check_point(point: ControlPoint) -> None:
    errors = {}
    if point.unit.kind != Unit.Kind.UNIT or not point.unit.is_active:
        errors["unit"] = _("Välj en enhet (inte en sektion eller förvaltning).")
    if not (MIN_YEAR <= (point.year or 0) <= MAX_YEAR):
        errors["year"] = _("Ange ett år mellan %(min)s och %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
    if point.responsible_id and not people_of_unit(point.unit).filter(pk=point.responsible_id).exists():
        errors["responsible"] = _("Den ansvariga måste ha en roll i enheten.")
    if errors:
        raise ControlValidationError(errors)
    _validate(point, exclude=["unit", "responsible"])


def control_point_create(*, actor, unit: Unit, year: int, title: str, method: str, frequency: str, responsible,
                         description: str = "", is_active: bool = True) -> ControlPoint:
    """Adds a control point to a unit's plan for a year (the unit's managers or quality)."""
    if not plans_controls_for(actor, unit):
        raise PermissionDenied(_("Kontrollpunkter läggs in av enhetens chef eller kvalitetssamordnaren."))
    point = ControlPoint(unit=unit, year=year, title=title, description=description, method=method,
                         frequency=frequency, responsible=responsible, is_active=is_active)
    _check_point(point)
    point._history_user, point._change_reason = actor, "create"
    point.save()
    return point


def control_point_update(*, point: ControlPoint, actor, **fields) -> ControlPoint:
    """Changes a control point (history kept); the frequency is fixed once a check is recorded,
    since the recorded checks belong to its periods."""
    if not edits_point(actor, point):
        raise PermissionDenied(_("Kontrollpunkten ändras av enhetens chef eller kvalitetssamordnaren."))
    # Compare with the stored value: a bound ModelForm may have set the new one on `point` already.
    stored = ControlPoint.objects.values_list("frequency", flat=True).get(pk=point.pk)
    if fields.get("frequency", stored) != stored and point.checks.exists():
        raise ControlValidationError({"frequency": _(
            "Det finns redan genomförda kontroller. Gör punkten inaktiv och lägg in en ny med den nya frekvensen."
        )})
    for name, value in fields.items():
        if name in POINT_FIELDS:
            setattr(point, name, value)
    _check_point(point)
    point._history_user, point._change_reason = actor, "update"
    point.save()
    return point


def control_check_record(*, point: ControlPoint, actor, period_start: datetime.date | None,
                         performed_on: datetime.date | None, findings: bool, description: str = "",
                         sample_size: int | None = None, performed_by=None) -> ControlCheck:
    """Records the check of one planned period (the responsible person or a manager); one per period."""
    if not records_check(actor, point):
        raise PermissionDenied(_("Kontrollen registreras av den ansvariga eller enhetens chef."))
    performed_by = performed_by or actor
    errors = {}
    period = point.period_for(period_start)
    today = timezone.localdate()
    if period is None:
        errors["period_start"] = _("Välj en av årets perioder för kontrollpunkten.")
    elif point.checks.filter(period_start=period.start).exists():
        errors["period_start"] = _("Kontrollen för %(period)s är redan registrerad.") % {"period": period.label}
    if performed_on is None:
        errors["performed_on"] = _("Ange när kontrollen gjordes.")
    elif performed_on > today:
        errors["performed_on"] = _("Datumet kan inte ligga i framtiden.")
    elif period is not None and performed_on < period.start:
        errors["performed_on"] = _("Kontrollen kan inte göras före periodens början (%(start)s).") % {
            "start": period.start.isoformat()}
    if findings and not description.strip():
        errors["description"] = _("Beskriv bristerna som hittades.")
    if performed_by.pk != actor.pk and not people_of_unit(point.unit).filter(pk=performed_by.pk).exists():
        errors["performed_by"] = _("Den som gjorde kontrollen måste ha en roll i enheten.")
    if errors:
        raise ControlValidationError(errors)
    check = ControlCheck(control_point=point, period_start=period.start, performed_on=performed_on,
                         performed_by=performed_by, sample_size=sample_size, findings=findings,
                         description=description)
    _validate(check, exclude=["control_point", "performed_by", "deviation"])
    try:
        with transaction.atomic():
            check._history_user, check._change_reason = actor, "record"
            check.save()
    except IntegrityError as exc:  # someone recorded the same period at the same time
        raise ControlValidationError({"period_start": _("Kontrollen för perioden är redan registrerad.")}) from exc
    return check


def control_check_report_deviation(*, check: ControlCheck, actor) -> Deviation:
    """Files the finding as an `other` deviation through the ordinary filing service (so the
    unit's managers are told and its deadlines run) and links it to the check."""
    if check.deviation_id is not None:
        raise TransitionNotAllowedError(_("Fyndet är redan rapporterat som avvikelse %(ref)s.")
                                        % {"ref": check.deviation.reference}, missing=["deviation"])
    if not check.findings:
        raise TransitionNotAllowedError(_("Kontrollen hittade inga brister att rapportera."), missing=["findings"])
    if not reports_deviation_from(actor, check):
        raise PermissionDenied(_("Fyndet rapporteras av den ansvariga eller enhetens chef."))
    point = check.control_point
    title = _("Fynd vid egenkontroll: %(title)s") % {"title": point.title}
    description = _("Egenkontroll %(period)s (%(method)s), genomförd %(date)s.\n\n%(result)s") % {
        "period": check.period.label, "method": point.get_method_display().lower(),
        "date": check.performed_on.isoformat(), "result": check.description,
    }
    with transaction.atomic():
        # Lock the check: two clicks must not file two deviations.
        locked = ControlCheck.objects.select_for_update().get(pk=check.pk)
        if locked.deviation_id is not None:
            raise TransitionNotAllowedError(_("Fyndet är redan rapporterat som avvikelse."), missing=["deviation"])
        deviation = deviation_file(actor=actor, kind=Deviation.Kind.OTHER, unit=point.unit,
                                   title=title[:200], description=description)
        check.deviation = deviation
        check._history_user, check._change_reason = actor, "report_deviation"
        check.save()
    return deviation
