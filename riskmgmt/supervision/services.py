"""Every write to supervision decisions, their requirements and statement requests.

Each service checks permission first, then input (SupervisionValidationError, one message per
field), then status (TransitionNotAllowedError, 409 with what is missing); it owns its
transaction and sets the history user and reason. Transitions go through `transition_run`, so
each one is logged and optimistic locking refuses a second, concurrent one.
"""

from __future__ import annotations

import datetime
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from riskmgmt.core.errors import (
    ConcurrentChangeError,
    FieldValidationError,
    TransitionNotAllowedError,
    full_clean_or_raise,
)
from riskmgmt.core.fsm import transition_run
from riskmgmt.core.models import Transition
from riskmgmt.core.personnummer import no_personal_number
from riskmgmt.deviations.uploads import upload_check

from .models import Requirement, StatementRequest, SupervisionDecision
from .rules import records_decision

Status = SupervisionDecision.Status
DECISION_FIELDS = ("authority", "reference", "unit", "subject", "kind", "received_on", "decided_on", "outcome",
                   "summary", "processes", "deviation", "document")
REQUIREMENT_FIELDS = ("text", "due_date", "process")
OPEN_FOR_REQUIREMENTS = (Status.RECEIVED, Status.RESPONDING, Status.DECIDED, Status.REPORTING_BACK)
AWAITING_DECISION = (Status.RECEIVED, Status.RESPONDING)


class SupervisionValidationError(FieldValidationError):
    """Bad input for this app; `errors` maps field names to Swedish messages."""


# ---------------------------------------------------------------- helpers

def _log(obj, name: str, actor, source: str, comment: str = "") -> None:
    Transition.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                              name=name, source=source, target=obj.status, by=actor, comment=comment)


def _save(obj, actor, reason: str) -> None:
    obj._history_user, obj._change_reason = actor, reason
    try:
        obj.save()
    except ConcurrentTransition as exc:
        # Someone moved the case on while this edit was typed: the edit was made on the old status.
        raise ConcurrentChangeError(
            _("Någon annan hann ändra ärendet före dig. Ladda om sidan och försök igen.")) from exc


def _check_recorder(actor, decision_or_unit, message: str | None = None) -> None:
    if not records_decision(actor, decision_or_unit):
        raise PermissionDenied(message or _("Tillsynsärenden registreras av sektionschef, kvalitetssamordnare "
                                            "eller ledningsgrupp."))


def _not_future(errors: dict, field: str, value: datetime.date | None) -> None:
    if value is not None and value > timezone.localdate():
        errors.setdefault(field, _("Datumet kan inte ligga i framtiden."))


def _no_personal_number(errors: dict, field: str, text: str | None) -> None:
    # Free text that no model field validates (a transition's comment, a report summary set
    # just before its transition) is checked here (DOMAIN.md A9).
    try:
        no_personal_number(text or "")
    except ValidationError as exc:
        errors.setdefault(field, " ".join(exc.messages))


def _checked_upload(upload, field: str) -> None:
    try:
        upload_check(upload)
    except ValidationError as exc:
        raise SupervisionValidationError({field: " ".join(exc.messages)}) from exc


def _in_subtree(unit, other_unit) -> bool:
    return other_unit is not None and other_unit.path.startswith(unit.path)


def _validate(obj, exclude=()) -> None:
    full_clean_or_raise(obj, exclude=exclude, error_class=SupervisionValidationError)


def _check_decision(decision: SupervisionDecision, processes) -> None:
    """The rules a decision's fields obey together (create and update alike)."""
    errors: dict[str, str] = {}
    if decision.authority not in SupervisionDecision.Authority.values:
        errors["authority"] = _("Välj myndighet.")
    if decision.kind not in SupervisionDecision.Kind.values:
        errors["kind"] = _("Välj typ av ärende.")
    if decision.outcome and decision.outcome not in SupervisionDecision.Outcome.values:
        errors["outcome"] = _("Okänt utfall.")
    if not (decision.reference or "").strip():
        errors["reference"] = _("Ange myndighetens diarienummer.")
    if not (decision.subject or "").strip():
        errors["subject"] = _("Ange vad ärendet gäller.")
    if decision.unit is None or not decision.unit.is_active:
        errors["unit"] = _("Välj en aktiv enhet.")
    if decision.received_on is None:
        errors["received_on"] = _("Ange när ärendet kom in.")
    _not_future(errors, "received_on", decision.received_on)
    _not_future(errors, "decided_on", decision.decided_on)
    if decision.decided_on and decision.received_on and decision.decided_on < decision.received_on:
        errors.setdefault("decided_on", _("Beslutet kan inte vara fattat innan ärendet kom in."))
    if decision.unit is not None:
        if any(not _in_subtree(decision.unit, process.unit) for process in processes):
            errors["processes"] = _("Processerna måste höra till enheten eller enheter under den.")
        if decision.deviation is not None and not _in_subtree(decision.unit, decision.deviation.unit):
            errors["deviation"] = _("Lex Sarah-ärendet måste höra till enheten eller en enhet under den.")
    if errors:
        raise SupervisionValidationError(errors)
    _validate(decision, exclude=["unit", "deviation", "recorded_by", "document"])


def _attach_document(decision: SupervisionDecision, document) -> None:
    """Stores the decision's file under a random name; the user's file name is kept only as data."""
    decision.document_token = secrets.token_hex(16)
    decision.document_name = (document.name or "")[:255]
    decision.document.save(decision.document_token, document, save=False)


# ---------------------------------------------------------------- decisions

def decision_create(
    *, actor, unit, authority: str, reference: str, subject: str, kind: str, received_on: datetime.date,
    decided_on: datetime.date | None = None, outcome: str = "", summary: str = "", processes=(),
    deviation=None, document=None,
) -> SupervisionDecision:
    """Registers a decision or case from an authority as received; with both `decided_on` and
    `outcome` given it is recorded as decided at once (an already decided case)."""
    _check_recorder(actor, unit)
    processes = list(processes or ())
    decision = SupervisionDecision(
        unit=unit, authority=authority, reference=(reference or "").strip(), subject=(subject or "").strip(),
        kind=kind, received_on=received_on, decided_on=decided_on, outcome=outcome or "",
        summary=summary or "", deviation=deviation, recorded_by=actor,
    )
    _check_decision(decision, processes)
    _check_decided_facts(decision)
    if document is not None:
        _checked_upload(document, "document")
    with transaction.atomic():
        if document is not None:
            _attach_document(decision, document)
        _save(decision, actor, "create")
        _log(decision, "create", actor, source="")
        if processes:
            decision.processes.set(processes)
        if decision.decided_on and decision.outcome:
            transition_run(obj=decision, name="record_decision", actor=actor)
    return decision


def decision_update(*, decision: SupervisionDecision, actor, **fields) -> SupervisionDecision:
    """Corrects a decision's facts; a closed case is no longer changed. A date and an outcome given
    while the decision is awaited record it through its step, as at create. Unknown field names
    are ignored; `processes` replaces the set; `document` replaces the file."""
    _check_recorder(actor, decision)
    if decision.status == Status.CLOSED:
        raise TransitionNotAllowedError(_("Ärendet är avslutat och kan inte längre ändras."), missing=["status"])
    new_unit = fields.get("unit")
    if new_unit is not None and new_unit != decision.unit:
        _check_recorder(actor, new_unit)
    processes = fields.pop("processes", None)
    document = fields.pop("document", None)
    for name, value in fields.items():
        if name in DECISION_FIELDS:
            setattr(decision, name, "" if value is None and name in ("outcome", "summary") else value)
    checked_processes = list(processes) if processes is not None else list(decision.processes.all())
    _check_decision(decision, checked_processes)
    _check_decided_facts(decision)
    if document is not None:
        _checked_upload(document, "document")
    with transaction.atomic():
        if document is not None:
            _attach_document(decision, document)
        _save(decision, actor, "update")
        if processes is not None:
            decision.processes.set(checked_processes)
        if decision.status in AWAITING_DECISION and decision.decided_on and decision.outcome:
            # As at create: a date and an outcome mean the decision has come, through its step.
            transition_run(obj=decision, name="record_decision", actor=actor)
    return decision


def _check_decided_facts(decision: SupervisionDecision) -> None:
    """Date and outcome come together; once the decision is recorded they are corrected, never removed."""
    has_date, has_outcome = bool(decision.decided_on), bool(decision.outcome)
    missing = "outcome" if has_date else "decided_on"
    if decision.status in AWAITING_DECISION:
        if has_date != has_outcome:
            raise SupervisionValidationError({missing: _("Ange både beslutsdatum och utfall, eller inget av dem.")})
    elif not (has_date and has_outcome):
        raise SupervisionValidationError({missing: _("Beslutet är registrerat: beslutsdatum och utfall kan rättas "
                                                     "men inte tas bort.")})


def decision_request_statement(*, decision: SupervisionDecision, actor, requested_on: datetime.date,
                               due_date: datetime.date, description: str = "") -> StatementRequest:
    """Records the authority's request for a statement (yttrande, remiss) with its reply date;
    the first request moves a received case to responding, later ones are added to it."""
    _check_recorder(actor, decision)
    if decision.status not in (Status.RECEIVED, Status.RESPONDING):
        raise TransitionNotAllowedError(
            _("Det går bara att registrera en begäran om yttrande innan myndigheten har beslutat."),
            missing=["status"])
    errors: dict[str, str] = {}
    if requested_on is None:
        errors["requested_on"] = _("Ange när yttrandet begärdes.")
    if due_date is None:
        errors["due_date"] = _("Ange när yttrandet ska vara inne.")
    _not_future(errors, "requested_on", requested_on)
    if requested_on and due_date and due_date < requested_on:
        errors["due_date"] = _("Sista dagen kan inte ligga före dagen då yttrandet begärdes.")
    if requested_on and decision.received_on and requested_on < decision.received_on:
        errors.setdefault("requested_on", _("Yttrandet kan inte ha begärts innan ärendet kom in."))
    if errors:
        raise SupervisionValidationError(errors)
    statement = StatementRequest(decision=decision, requested_on=requested_on, due_date=due_date,
                                 description=description or "")
    _validate(statement, exclude=["decision", "submitted_by"])
    with transaction.atomic():
        _save(statement, actor, "create")
        if decision.status == Status.RECEIVED:
            transition_run(obj=decision, name="request_statement", actor=actor,
                           comment=_("Yttrande senast %(date)s.") % {"date": due_date.isoformat()})
    return statement


def statement_submit(*, statement: StatementRequest, actor, submitted_on: datetime.date) -> StatementRequest:
    """Records that the nämnd's statement was sent to the authority."""
    _check_recorder(actor, statement.decision)
    if statement.submitted_on is not None:
        raise TransitionNotAllowedError(_("Yttrandet är redan registrerat som skickat."), missing=["submitted_on"])
    errors: dict[str, str] = {}
    if submitted_on is None:
        errors["submitted_on"] = _("Ange när yttrandet skickades.")
    _not_future(errors, "submitted_on", submitted_on)
    if submitted_on and submitted_on < statement.requested_on:
        errors["submitted_on"] = _("Yttrandet kan inte ha skickats innan det begärdes.")
    if errors:
        raise SupervisionValidationError(errors)
    statement.submitted_on, statement.submitted_by = submitted_on, actor
    with transaction.atomic():
        _save(statement, actor, "submit")
    return statement


def decision_record(*, decision: SupervisionDecision, actor, decided_on: datetime.date | None,
                    outcome: str | None, summary: str | None = None) -> SupervisionDecision:
    """The authority's decision has arrived: its date, outcome and (optionally) a summary."""
    _check_recorder(actor, decision)
    errors: dict[str, str] = {}
    if outcome and outcome not in SupervisionDecision.Outcome.values:
        errors["outcome"] = _("Okänt utfall.")
    _not_future(errors, "decided_on", decided_on)
    if decided_on and decided_on < decision.received_on:
        errors.setdefault("decided_on", _("Beslutet kan inte vara fattat innan ärendet kom in."))
    if errors:
        raise SupervisionValidationError(errors)
    decision.decided_on, decision.outcome = decided_on, outcome or ""
    if summary is not None:
        decision.summary = summary
    _validate(decision, exclude=["unit", "deviation", "recorded_by", "document"])
    transition_run(obj=decision, name="record_decision", actor=actor)
    return decision


def _load_requirement_facts(decision: SupervisionDecision) -> None:
    requirements = Requirement.objects.filter(decision=decision)
    decision.has_requirements = requirements.exists()
    decision.requirements_settled = not requirements.exclude(status=Requirement.Status.ACCEPTED).exists()


def decision_start_report_back(*, decision: SupervisionDecision, actor) -> SupervisionDecision:
    """The decision requires a report back; needs at least one requirement."""
    _load_requirement_facts(decision)
    transition_run(obj=decision, name="start_report_back", actor=actor)
    return decision


def decision_close(*, decision: SupervisionDecision, actor, closed_on: datetime.date | None,
                   comment: str = "") -> SupervisionDecision:
    """The authority has closed its case; every requirement must be accepted first."""
    _check_recorder(actor, decision)
    errors: dict[str, str] = {}
    _not_future(errors, "closed_on", closed_on)
    if closed_on and decision.decided_on and closed_on < decision.decided_on:
        errors["closed_on"] = _("Ärendet kan inte ha avslutats före beslutet.")
    _no_personal_number(errors, "comment", comment)
    if errors:
        raise SupervisionValidationError(errors)
    decision.closed_on = closed_on
    _load_requirement_facts(decision)
    transition_run(obj=decision, name="close", actor=actor, comment=comment)
    return decision


# ---------------------------------------------------------------- requirements

def _check_requirement(decision: SupervisionDecision, requirement: Requirement) -> None:
    errors: dict[str, str] = {}
    if not (requirement.text or "").strip():
        errors["text"] = _("Beskriv kravet.")
    if requirement.due_date is None:
        errors["due_date"] = _("Ange när kravet ska redovisas.")
    if requirement.process is not None and not _in_subtree(decision.unit, requirement.process.unit):
        errors["process"] = _("Processen måste höra till beslutets enhet eller en enhet under den.")
    if errors:
        raise SupervisionValidationError(errors)
    _validate(requirement, exclude=["decision", "process", "report_document"])


def requirement_add(*, decision: SupervisionDecision, actor, text: str, due_date: datetime.date,
                    process=None) -> Requirement:
    """Adds a criticised point with its report-back date ("redovisa senast"); not to a closed case."""
    _check_recorder(actor, decision)
    if decision.status not in OPEN_FOR_REQUIREMENTS:
        raise TransitionNotAllowedError(_("Ärendet är avslutat; krav kan inte läggas till."), missing=["status"])
    requirement = Requirement(decision=decision, text=(text or "").strip(), due_date=due_date, process=process)
    _check_requirement(decision, requirement)
    with transaction.atomic():
        _save(requirement, actor, "create")
        _log(requirement, "create", actor, source="")
    return requirement


def requirement_update(*, requirement: Requirement, actor, **fields) -> Requirement:
    """Corrects a requirement's text, date or process while it is open or reported (history kept)."""
    decision = requirement.decision
    _check_recorder(actor, decision)
    if decision.status == Status.CLOSED or requirement.status == Requirement.Status.ACCEPTED:
        raise TransitionNotAllowedError(_("Kravet är godtaget och kan inte längre ändras."), missing=["status"])
    for name, value in fields.items():
        if name in REQUIREMENT_FIELDS:
            setattr(requirement, name, value.strip() if name == "text" and isinstance(value, str) else value)
    _check_requirement(decision, requirement)
    with transaction.atomic():
        _save(requirement, actor, "update")
    return requirement


def requirement_report_back(*, requirement: Requirement, actor, reported_on: datetime.date | None,
                            summary: str | None, document=None) -> Requirement:
    """Records the report of measures sent to the authority; on a decided case this also starts
    the case's report-back."""
    decision = requirement.decision
    _check_recorder(actor, decision, _("Redovisningen registreras av sektionschef, kvalitetssamordnare eller "
                                       "ledningsgrupp."))
    if decision.status not in (Status.DECIDED, Status.REPORTING_BACK):
        raise TransitionNotAllowedError(_("Registrera myndighetens beslut innan kravet redovisas."),
                                        missing=["decision"])
    errors: dict[str, str] = {}
    _not_future(errors, "reported_on", reported_on)
    if reported_on and decision.decided_on and reported_on < decision.decided_on:
        errors["reported_on"] = _("Redovisningen kan inte ha skickats före beslutet.")
    _no_personal_number(errors, "summary", summary)
    if errors:
        raise SupervisionValidationError(errors)
    if document is not None:
        _checked_upload(document, "document")
    requirement.reported_on, requirement.report_summary = reported_on, (summary or "").strip()
    # The file is stored only once the transition can go through: a refused report leaves nothing on disk.
    store_document = document is not None and requirement.status == Requirement.Status.OPEN \
        and bool(requirement.reported_on) and bool(requirement.report_summary)
    with transaction.atomic():
        if store_document:
            requirement.report_document.save(secrets.token_hex(16), document, save=False)
        transition_run(obj=requirement, name="report_back", actor=actor)
        if decision.status == Status.DECIDED:
            _load_requirement_facts(decision)
            transition_run(obj=decision, name="start_report_back", actor=actor,
                           comment=_("Första kravet redovisat."))
    return requirement


def requirement_accept(*, requirement: Requirement, actor, accepted_on: datetime.date | None = None) -> Requirement:
    """The authority found the report sufficient (today when no date is given)."""
    _check_recorder(actor, requirement.decision, _("Myndighetens godkännande registreras av sektionschef, "
                                                   "kvalitetssamordnare eller ledningsgrupp."))
    errors: dict[str, str] = {}
    _not_future(errors, "accepted_on", accepted_on)
    if accepted_on and requirement.reported_on and accepted_on < requirement.reported_on:
        errors["accepted_on"] = _("Redovisningen kan inte ha godtagits innan den skickades.")
    if errors:
        raise SupervisionValidationError(errors)
    requirement.accepted_on = accepted_on
    transition_run(obj=requirement, name="accept", actor=actor)
    return requirement


def requirement_raise_as_risk(*, requirement: Requirement, actor, **risk_fields):
    """Raises the requirement as a risk in its unit's risk analysis for this year (created as planned
    when missing); raising it twice returns the same risk."""
    from riskmgmt.risks.services import risk_raise_from

    decision = requirement.decision
    fields = {"title": requirement.text.splitlines()[0][:200] if requirement.text else str(decision),
              "process": requirement.process if requirement.process and
              requirement.process.unit_id == decision.unit_id else None,
              **risk_fields}
    return risk_raise_from(source_obj=requirement, unit=decision.unit, actor=actor, **fields)
