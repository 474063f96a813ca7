"""Writes to risk analyses and risks: workshop, scoring, approval, carry-forward, raise as risk."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from riskmgmt.actions.models import Action
from riskmgmt.core.errors import (
    FieldValidationError,
    TransitionNotAllowedError,
    full_clean_or_raise,
)
from riskmgmt.core.fsm import transition_run
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.organisation.rules import manages_unit

from .models import Risk, RiskAnalysis
from .rules import runs_analysis


class RiskValidationError(FieldValidationError):
    """Bad input for this app; `errors` maps field names to Swedish messages."""


def _validate(obj, exclude=()) -> None:
    full_clean_or_raise(obj, exclude=exclude, error_class=RiskValidationError)


def _check_free_text(**texts: str) -> None:
    """The personnummer guard (DOMAIN.md A9) on input named as the caller names it (the approval
    comment), before it reaches a model field."""
    errors = {}
    for name, text in texts.items():
        try:
            no_personal_number(text or "")
        except ValidationError as exc:
            errors[name] = " ".join(exc.messages)
    if errors:
        raise RiskValidationError(errors)


def risk_analysis_create(*, actor, unit, year: int, planned_on: datetime.date | None = None) -> RiskAnalysis:
    """Plans a unit's yearly analysis; one per unit and year."""
    if not manages_unit(actor, unit):
        raise PermissionDenied(_("Riskanalysen planeras av enhetens chef."))
    if RiskAnalysis.objects.filter(unit=unit, year=year).exists():
        raise RiskValidationError({"year": _("%(unit)s har redan en riskanalys för %(year)s.")
                                   % {"unit": unit.name, "year": year}})
    analysis = RiskAnalysis(unit=unit, year=year, planned_on=planned_on)
    _validate(analysis, exclude=["unit"])
    try:
        with transaction.atomic():
            analysis._history_user, analysis._change_reason = actor, "create"
            analysis.save()
    except IntegrityError as exc:  # a second request won the race
        raise RiskValidationError({"year": _("Enheten har redan en riskanalys för året.")}) from exc
    return analysis


def risk_analysis_hold(*, analysis: RiskAnalysis, actor, held_on: datetime.date | None, participants=(),
                       participants_text: str = "", perspectives=()) -> RiskAnalysis:
    """Records the workshop: when, who, from which perspectives."""
    unknown = set(perspectives) - set(RiskAnalysis.Perspective.values)
    if unknown:
        raise RiskValidationError({"perspectives": _("Okända perspektiv: %(p)s.") % {"p": ", ".join(sorted(unknown))}})
    if held_on and held_on > timezone.localdate():
        raise RiskValidationError({"held_on": _("Datumet kan inte ligga i framtiden.")})
    analysis.held_on, analysis.participants_text = held_on, participants_text
    analysis.perspectives = list(perspectives)
    analysis.has_participants = bool(participants) or bool(participants_text.strip())
    # The personnummer guard on the free text; uniqueness was settled when the analysis was planned.
    _validate(analysis, exclude=["unit", "year"])
    with transaction.atomic():
        transition_run(obj=analysis, name="hold", actor=actor)
        analysis.participants.set(participants)
    return analysis


def risk_analysis_approve(*, analysis: RiskAnalysis, actor, comment: str = "") -> RiskAnalysis:
    """The ledningsgrupp approves a held analysis."""
    _check_free_text(comment=comment)
    analysis.approved_by, analysis.approval_comment = actor, comment
    transition_run(obj=analysis, name="approve", actor=actor, comment=comment)
    return analysis


def _check_scores(**scores) -> None:
    errors = {name: _("Ange ett värde 1–4.") for name, value in scores.items()
              if value is not None and not (isinstance(value, int) and 1 <= value <= 4)}
    if errors:
        raise RiskValidationError(errors)


def risk_add(*, analysis: RiskAnalysis, actor, title: str, risk_type: str, perspective: str, probability: int,
             consequence: int, description: str = "", process=None, source_obj=None, predecessor=None) -> Risk:
    """Adds a scored risk to a planned or held analysis."""
    if not runs_analysis(actor, analysis):
        raise PermissionDenied(_("Risker läggs till av enhetens chef."))
    if analysis.status == RiskAnalysis.Status.APPROVED:
        raise TransitionNotAllowedError(_("Riskanalysen är godkänd; lägg nya risker i nästa års analys."),
                                        missing=["status"])
    _check_scores(probability=probability, consequence=consequence)
    if process is not None and process.unit_id != analysis.unit_id:
        raise RiskValidationError({"process": _("Processen hör inte till enheten.")})
    risk = Risk(analysis=analysis, title=title, description=description, process=process, risk_type=risk_type,
                perspective=perspective, probability=probability, consequence=consequence, predecessor=predecessor)
    if source_obj is not None:
        risk.source_content_type = ContentType.objects.get_for_model(source_obj)
        risk.source_id = source_obj.pk
    _validate(risk, exclude=["analysis", "process", "predecessor", "source_content_type", "score"])
    risk._history_user, risk._change_reason = actor, "create"
    risk.save()
    return risk


RISK_FIELDS = ("title", "description", "probability", "consequence", "residual_probability",
               "residual_consequence", "escalated", "escalation_reason", "status", "process")


APPROVED_LOCKED = ("title", "description", "probability", "consequence", "process")


def risk_update(*, risk: Risk, actor, **fields) -> Risk:
    """Re-scores, records residual risk after actions, escalates or closes a risk (history kept)."""
    if not runs_analysis(actor, risk.analysis):
        raise PermissionDenied(_("Risker ändras av enhetens chef."))
    if risk.analysis.status == RiskAnalysis.Status.APPROVED:
        # The register the ledningsgrupp approved stays as approved; what follows is the
        # assessment after actions, escalation and closing.
        changed = [name for name in APPROVED_LOCKED if name in fields
                   and fields[name] != getattr(risk, name)]
        if changed:
            raise TransitionNotAllowedError(
                _("Riskanalysen är godkänd: risken och dess bedömning ändras inte längre. Ange i stället "
                  "bedömningen efter åtgärder, eller ta upp risken i nästa års analys."), missing=changed)
    for name, value in fields.items():
        if name in RISK_FIELDS:
            setattr(risk, name, value)
    _check_scores(probability=risk.probability, consequence=risk.consequence,
                  residual_probability=risk.residual_probability, residual_consequence=risk.residual_consequence)
    if risk.escalated and not risk.escalation_reason.strip():
        raise RiskValidationError({"escalation_reason": _("Ange varför risken lyfts till sektionen.")})
    _validate(risk, exclude=["analysis", "process", "predecessor", "source_content_type", "score"])
    risk._history_user, risk._change_reason = actor, "update"
    risk.save()
    return risk


def risk_analysis_carry_forward(*, analysis: RiskAnalysis, actor) -> RiskAnalysis:
    """Starts next year's analysis with every open risk copied and linked to its predecessor."""
    if not runs_analysis(actor, analysis):
        raise PermissionDenied(_("Årets riskanalys startas av enhetens chef."))
    year = analysis.year + 1
    if RiskAnalysis.objects.filter(unit=analysis.unit, year=year).exists():
        raise TransitionNotAllowedError(_("Det finns redan en riskanalys för %(year)s.") % {"year": year},
                                        missing=["year"])
    with transaction.atomic():
        new = risk_analysis_create(actor=actor, unit=analysis.unit, year=year)
        for old in analysis.risks.filter(status=Risk.Status.OPEN).order_by("pk"):
            copy = Risk(analysis=new, predecessor=old, title=old.title, description=old.description,
                        process=old.process, risk_type=old.risk_type, perspective=old.perspective,
                        probability=old.residual_probability or old.probability,
                        consequence=old.residual_consequence or old.consequence,
                        escalated=old.escalated, escalation_reason=old.escalation_reason,
                        source_content_type=old.source_content_type, source_id=old.source_id)
            copy._history_user, copy._change_reason = actor, "carry_forward"
            copy.save()
            _move_open_actions(old, copy, actor)
    return new


def _move_open_actions(old: Risk, new: Risk, actor) -> None:
    """Actions still being worked on continue under this year's risk (so it does not look
    unaddressed and nobody plans them twice); finished ones stay with last year's, as its record."""
    risk_type = ContentType.objects.get_for_model(Risk)
    for action in Action.objects.filter(source_content_type=risk_type, source_id=old.pk,
                                        status__in=Action.OPEN_STATUSES):
        action.source_id = new.pk
        action._history_user, action._change_reason = actor, "carry_forward"
        action.save(update_fields=["source_id", "modified"])


def risk_raise_from(*, source_obj, unit, actor, title: str, risk_type: str = "process",
                    perspective: str = "client", probability: int = 2, consequence: int = 2,
                    process=None) -> Risk:
    """Raises a deviation or requirement as a risk in the unit's current analysis (created as
    planned when missing); raising the same thing twice returns the first risk."""
    year = timezone.localdate().year
    analysis = RiskAnalysis.objects.filter(unit=unit, year=year).first()
    with transaction.atomic():
        if analysis is None:
            analysis = risk_analysis_create(actor=actor, unit=unit, year=year)
        raised = Risk.objects.filter(analysis=analysis, source_id=source_obj.pk,
                                     source_content_type=ContentType.objects.get_for_model(source_obj))
        existing = raised.first()
        if existing:
            return existing
        try:
            with transaction.atomic():
                return risk_add(analysis=analysis, actor=actor, title=title, risk_type=risk_type,
                                perspective=perspective, probability=probability, consequence=consequence,
                                process=process, source_obj=source_obj)
        except IntegrityError:  # a double click: the other request raised it a moment before
            return raised.get()
