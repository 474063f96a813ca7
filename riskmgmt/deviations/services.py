"""Every write to deviations and the IVO track. Each service is one transaction,
permission-checked, with history reason, transition log and notifications in the outbox."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from riskmgmt.accounts.services import system_user
from riskmgmt.core.errors import FieldValidationError, full_clean_or_raise
from riskmgmt.core.fsm import transition_run
from riskmgmt.core.models import Transition
from riskmgmt.core.serials import serial_next
from riskmgmt.notifications.deadlines import due_date_for
from riskmgmt.notifications.services import notification_queue
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.rules import can_file_for_unit
from riskmgmt.organisation.selectors import user_has_role

from .models import Attachment, Deviation, DeviationAccess, IvoNotification
from .rules import records_ivo_for
from .uploads import upload_check

Kind = Deviation.Kind
Role = Membership.Role


class DeviationValidationError(FieldValidationError):
    """Bad input for this app; `errors` maps field names to Swedish messages."""


# ---------------------------------------------------------------- helpers

def _log(obj, name: str, actor, source: str, comment: str = "") -> None:
    Transition.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
                              name=name, source=source, target=obj.status, by=actor, comment=comment)


def _managers_of(unit: Unit, roles=Membership.MANAGER_ROLES):
    """Active users holding `roles` on the unit or above it."""
    User = get_user_model()
    held = Membership.objects.filter(user=OuterRef("pk"), is_active=True, role__in=list(roles),
                                     unit__code__in=[*unit.ancestor_codes(), unit.code])
    return User.objects.filter(Exists(held), is_active=True)


def _notify(recipients, deviation: Deviation, *, kind: str, template: str, actor=None, **extra) -> None:
    """Reference, status and a link only: never the description (DOMAIN.md A9)."""
    seen = set()
    for user in recipients:
        if user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        notification_queue(
            recipient=user, kind=kind, template=template, obj=deviation, url=deviation.get_absolute_url(),
            context={"reference": deviation.reference, "kind": deviation.get_kind_display(),
                     "unit": deviation.unit.name, "status": deviation.get_status_display(), **extra},
        )


def _refresh_next_due(deviation: Deviation) -> None:
    """The nearest open deadline for the inbox's sort."""
    status = Deviation.Status
    candidates: list[datetime.date | None] = []
    if deviation.status == status.REPORTED:
        candidates.append(deviation.receipt_due)
    elif deviation.status in (status.RECEIVED, status.INVESTIGATING):
        candidates.append(deviation.conclusion_due)
    if deviation.is_open and deviation.is_serious:
        notification = IvoNotification.objects.filter(deviation=deviation).first()
        if notification is None:
            candidates.append(deviation.ivo_notification_due)
        elif notification.status == IvoNotification.Status.SENT:
            candidates.append(notification.investigation_due)
    dates = [d for d in candidates if d]
    deviation.next_due = min(dates) if dates else None


def _save(deviation: Deviation, actor, reason: str) -> None:
    _refresh_next_due(deviation)
    deviation._history_user, deviation._change_reason = actor, reason
    deviation.save()


def _run(deviation: Deviation, name: str, actor, comment: str = "") -> Deviation:
    """A transition with next_due kept current in the same transaction."""
    with transaction.atomic():
        transition_run(obj=deviation, name=name, actor=actor, comment=comment)
        _refresh_next_due(deviation)
        deviation.save_without_historical_record(update_fields=["next_due"])
    return deviation


def _validate(deviation: Deviation, exclude: list[str]) -> None:
    full_clean_or_raise(deviation, exclude=exclude, error_class=DeviationValidationError)


# ---------------------------------------------------------------- filing

def deviation_file(
    *, actor, kind: str, unit: Unit, title: str, description: str, process=None,
    occurred_at: datetime.datetime | None = None, location: str = "", immediate_actions: str = "",
    consequences: str = "", complainant_type: str = "", anonymous: bool = False, contact: str = "",
    reported_at: datetime.datetime | None = None, attachments=(), public: bool = False,
) -> Deviation:
    """Files a report with a gap-free reference and tells the unit's managers after commit;
    a lex Sarah report also reaches the section manager and quality at once."""
    errors = {}
    if kind not in Kind.values:
        errors["kind"] = _("Välj vad du vill rapportera.")
    if not public and not can_file_for_unit(actor, unit):
        errors["unit"] = _("Du kan bara rapportera för enheter där du arbetar.")
    if unit.kind != Unit.Kind.UNIT or not unit.is_active:
        errors["unit"] = _("Välj en enhet (inte en sektion eller förvaltning).")
    if process is not None and process.unit_id != unit.pk:
        errors["process"] = _("Processen hör inte till den valda enheten.")
    if occurred_at and occurred_at > timezone.now():
        errors["occurred_at"] = _("Tidpunkten kan inte ligga i framtiden.")
    elif occurred_at and occurred_at.year < 1900:
        errors["occurred_at"] = _("Kontrollera årtalet.")
    if reported_at is not None and not user_has_role(actor, [Role.QUALITY]):
        errors["reported_at"] = _("Bara kvalitetssamordnare kan registrera ett tidigare rapporteringsdatum.")
    checked = []
    for upload in attachments:
        try:
            checked.append((upload, upload_check(upload)))
        except ValidationError as exc:
            errors["attachments"] = " ".join(exc.messages)
    if errors:
        raise DeviationValidationError(errors)
    reported_at = reported_at or timezone.now()
    reporter = system_user() if public else actor
    deviation = Deviation(
        kind=kind, unit=unit, process=process, title=title, description=description,
        occurred_at=occurred_at, location=location, immediate_actions=immediate_actions,
        consequences=consequences, reporter=reporter, reported_at=reported_at,
        complainant_type=complainant_type if kind == Kind.COMPLAINT else "",
        anonymous=anonymous if kind == Kind.COMPLAINT else False,
        contact="" if anonymous else contact,
    )
    reported_on = timezone.localdate(reported_at)
    receipt_rule = "lex_sarah_receipt" if kind == Kind.LEX_SARAH else "deviation_receipt"
    deviation.receipt_due = due_date_for(receipt_rule, reported_on)
    conclusion_rule = {Kind.LEX_SARAH: "lex_sarah_investigation", Kind.COMPLAINT: "complaint_answer"}.get(kind)
    deviation.conclusion_due = due_date_for(conclusion_rule, reported_on) if conclusion_rule else None
    _validate(deviation, exclude=["reference", "unit", "process", "reporter"])
    with transaction.atomic():
        year = reported_on.year
        deviation.reference = f"AVV-{year}-{serial_next(f'AVV-{year}'):04d}"
        _save(deviation, reporter, "file")
        _log(deviation, "create", reporter, source="")
        for upload, content_type in checked:
            _attach(deviation, reporter, upload, content_type)
        recipients = list(_managers_of(unit))
        if kind == Kind.LEX_SARAH:
            recipients += list(_managers_of(unit, [Role.QUALITY]))
        _notify(recipients, deviation, kind="deviation_filed", template="deviation_filed", actor=actor)
    return deviation


def _attach(deviation: Deviation, actor, upload, content_type: str) -> Attachment:
    attachment = Attachment(deviation=deviation, token=secrets.token_hex(16), original_name=upload.name[:255],
                            content_type=content_type, size=upload.size, uploaded_by=actor)
    attachment.file.save(attachment.token, upload, save=False)
    attachment._history_user, attachment._change_reason = actor, "upload"
    attachment.save()
    return attachment


def attachment_add(*, deviation: Deviation, actor, upload) -> Attachment:
    """Adds a checked file to an open deviation (reporter or a manager of the unit)."""
    from .rules import is_reporter, manages_deviation_unit

    if not (is_reporter(actor, deviation) or manages_deviation_unit(actor, deviation)):
        raise PermissionDenied(_("Du kan inte lägga till bilagor här."))
    if not deviation.is_open:
        raise DeviationValidationError({"file": _("Ärendet är inte längre öppet. Bilagor kan inte läggas till.")})
    try:
        content_type = upload_check(upload)
    except ValidationError as exc:
        raise DeviationValidationError({"file": " ".join(exc.messages)}) from exc
    with transaction.atomic():
        return _attach(deviation, actor, upload, content_type)


def deviation_record_access(*, deviation: Deviation, user, via: str = "web") -> None:
    """Logs a read of the detail (DOMAIN.md A11)."""
    DeviationAccess.objects.create(deviation=deviation, user=user, via=via)


# ---------------------------------------------------------------- handling

def deviation_receive(*, deviation: Deviation, actor, immediate_actions: str | None = None,
                      kind: str | None = None) -> Deviation:
    """A manager receives the report, adds the immediate measures taken (the reporter's text
    stays) and may reclassify it (logged)."""
    comment = ""
    if kind and kind != deviation.kind:
        if kind not in Kind.values:
            raise DeviationValidationError({"kind": _("Okänd typ.")})
        comment = _("Omklassificerad från %(old)s till %(new)s.") % {
            "old": deviation.get_kind_display(), "new": Kind(kind).label}
        deviation.kind = kind
        # The new kind's conclusion deadline, as at filing (a complaint gets its answer date,
        # an "other" none), so the inbox and the deadline job agree.
        conclusion_rule = {Kind.LEX_SARAH: "lex_sarah_investigation", Kind.COMPLAINT: "complaint_answer"}.get(kind)
        deviation.conclusion_due = (
            due_date_for(conclusion_rule, timezone.localdate(deviation.reported_at)) if conclusion_rule else None
        )
    immediate_actions = (immediate_actions or "").strip()
    if immediate_actions:
        # The reporter's own account stays; the manager's measures are added beneath it.
        if deviation.immediate_actions:
            heading = _("Åtgärder vid mottagandet (%(name)s, %(date)s):") % {
                "name": actor.full_name, "date": timezone.localdate().isoformat()}
            immediate_actions = f"{deviation.immediate_actions}\n\n{heading}\n{immediate_actions}"
        deviation.immediate_actions = immediate_actions
    _validate(deviation, exclude=["reference", "unit", "process", "reporter", "investigator"])
    with transaction.atomic():
        _run(deviation, "receive", actor, comment)
        if comment and deviation.kind == Kind.LEX_SARAH:
            _notify(list(_managers_of(deviation.unit)) + list(_managers_of(deviation.unit, [Role.QUALITY])),
                    deviation, kind="deviation_reclassified", template="deviation_filed", actor=actor)
    return deviation


def deviation_start_investigation(*, deviation: Deviation, actor, investigator=None) -> Deviation:
    """The investigation starts; an appointed investigator is told after commit."""
    if investigator is not None:
        if not _managers_of(deviation.unit, [*Membership.MANAGER_ROLES, Role.STAFF, Role.QUALITY]).filter(
            pk=investigator.pk
        ).exists():
            raise DeviationValidationError({"investigator": _("Utredaren måste arbeta inom enheten.")})
        deviation.investigator = investigator
    with transaction.atomic():
        _run(deviation, "start_investigation", actor)
        if investigator is not None:
            _notify([investigator], deviation, kind="deviation_assigned", template="status_changed", actor=actor)
    return deviation


CONCLUSION_FIELDS = {
    Kind.LEX_SARAH: ("what_happened", "consequences", "causes", "classification", "decided_by", "delegation_ref"),
    Kind.COMPLAINT: ("answer", "answered_on", "anonymous"),
    Kind.OTHER: ("conclusion",),
}


def deviation_save_investigation(*, deviation: Deviation, actor, **fields) -> Deviation:
    """Saves investigation notes without concluding (drafts are never lost)."""
    from .rules import manages_deviation_unit

    if not manages_deviation_unit(actor, deviation) or deviation.status != Deviation.Status.INVESTIGATING:
        raise PermissionDenied(_("Utredningen kan bara ändras av enhetens chefer medan den pågår."))
    _apply_conclusion_fields(deviation, fields)
    with transaction.atomic():
        _save(deviation, actor, "save_investigation")
    return deviation


def _apply_conclusion_fields(deviation: Deviation, fields: dict) -> None:
    allowed = CONCLUSION_FIELDS[deviation.kind]
    for name, value in fields.items():
        if name in allowed and value is not None:
            setattr(deviation, name, value)
    if deviation.classification and deviation.classification not in Deviation.Classification.values:
        raise DeviationValidationError({"classification": _("Okänd bedömning.")})
    if deviation.answered_on and deviation.answered_on > timezone.localdate():
        raise DeviationValidationError({"answered_on": _("Datumet kan inte ligga i framtiden.")})
    _validate(deviation, exclude=["reference", "unit", "process", "reporter", "investigator"])


def deviation_conclude(*, deviation: Deviation, actor, **fields) -> Deviation:
    """Concludes the investigation with the kind's ställningstagande; a serious lex Sarah
    gets its IVO notification deadline and alerts the section manager and quality."""
    _apply_conclusion_fields(deviation, fields)
    missing = deviation.conclusion_missing()
    if missing:
        from riskmgmt.core.errors import TransitionNotAllowedError

        labels = ", ".join(str(Deviation._meta.get_field(f).verbose_name) for f in missing)
        raise TransitionNotAllowedError(_("Utredningen saknar: %(fields)s.") % {"fields": labels}, missing=missing)
    if deviation.is_serious and not deviation.ivo_notification_due:
        deviation.ivo_notification_due = due_date_for("ivo_notification", timezone.localdate())
    with transaction.atomic():
        _run(deviation, "conclude", actor)
        if deviation.is_serious:
            _notify(list(_managers_of(deviation.unit, [Role.SECTION_MANAGER, Role.QUALITY])), deviation,
                    kind="deviation_serious", template="deviation_serious", actor=actor)
    return deviation


def deviation_close(*, deviation: Deviation, actor, feedback_given_on: datetime.date | None,
                    feedback: str = "", comment: str = "", no_action_reason: str = "") -> Deviation:
    """Closes the case; the reporter is told that feedback is in "Mina rapporter"."""
    from riskmgmt.actions.models import Action

    if feedback_given_on and feedback_given_on > timezone.localdate():
        raise DeviationValidationError({"feedback_given_on": _("Datumet kan inte ligga i framtiden.")})
    deviation.feedback_given_on, deviation.no_action_reason = feedback_given_on, no_action_reason
    if feedback:
        deviation.feedback = feedback
    deviation.has_decided_actions = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Deviation), source_id=deviation.pk,
    ).exclude(status=Action.Status.CANCELLED).exists()
    with transaction.atomic():
        _run(deviation, "close", actor, comment)
        if deviation.reporter.is_active:
            _notify([deviation.reporter], deviation, kind="deviation_closed", template="deviation_closed",
                    actor=actor)
    return deviation


def deviation_withdraw(*, deviation: Deviation, actor, reason: str) -> Deviation:
    """Withdraws a report before investigation (duplicate, filed by mistake); nothing is deleted."""
    deviation.withdraw_reason = reason
    return _run(deviation, "withdraw", actor, reason)


def deviation_forward(*, deviation: Deviation, actor, forwarded_to: str,
                      complainant_notified_on: datetime.date | None) -> Deviation:
    """Passes a complaint to the body that should handle it."""
    deviation.forwarded_to, deviation.complainant_notified_on = forwarded_to, complainant_notified_on
    return _run(deviation, "forward", actor, forwarded_to)


# ---------------------------------------------------------------- IVO track

def ivo_notification_create(*, deviation: Deviation, actor, sent_on: datetime.date, ivo_reference: str = "",
                            investigation_attached: bool = False) -> IvoNotification:
    """Records the anmälan to IVO (lex Sarah, from receipt on); the investigation is due at
    IVO two months later unless it was attached."""
    from riskmgmt.core.errors import TransitionNotAllowedError

    if not records_ivo_for(actor, deviation):
        raise PermissionDenied(_("Anmälan till IVO görs av sektionschef eller kvalitetssamordnare."))
    if deviation.kind != Kind.LEX_SARAH:
        raise TransitionNotAllowedError(_("Bara lex Sarah-rapporter anmäls till IVO."), missing=["kind"])
    if deviation.status in (Deviation.Status.REPORTED, Deviation.Status.WITHDRAWN):
        raise TransitionNotAllowedError(_("Rapporten måste tas emot innan den anmäls till IVO."),
                                        missing=["status"])
    if IvoNotification.objects.filter(deviation=deviation).exists():
        raise TransitionNotAllowedError(_("Rapporten är redan anmäld till IVO."), missing=[])
    if sent_on > timezone.localdate():
        raise DeviationValidationError({"sent_on": _("Datumet kan inte ligga i framtiden.")})
    notification = IvoNotification(
        deviation=deviation, sent_on=sent_on, ivo_reference=ivo_reference,
        investigation_attached=investigation_attached, recorded_by=actor,
        investigation_due=None if investigation_attached else due_date_for("ivo_investigation", sent_on),
    )
    with transaction.atomic():
        notification._history_user, notification._change_reason = actor, "create"
        notification.save()
        _log(notification, "create", actor, source="")
        if investigation_attached:
            notification.investigation_sent_on = sent_on
            transition_run(obj=notification, name="send_investigation", actor=actor,
                           comment=_("Utredningen bifogades anmälan."))
        deviation.ivo_notification = notification
        _save(deviation, actor, "ivo_notification")
    return notification


def _ivo_run(notification: IvoNotification, name: str, actor, comment: str = "") -> IvoNotification:
    with transaction.atomic():
        transition_run(obj=notification, name=name, actor=actor, comment=comment)
        deviation = notification.deviation
        _refresh_next_due(deviation)
        deviation.save_without_historical_record(update_fields=["next_due"])
    return notification


def ivo_send_investigation(*, notification: IvoNotification, actor, sent_on: datetime.date | None) -> IvoNotification:
    """The investigation has reached IVO."""
    if sent_on and sent_on > timezone.localdate():
        raise DeviationValidationError({"sent_on": _("Datumet kan inte ligga i framtiden.")})
    if sent_on and sent_on < notification.sent_on:
        raise DeviationValidationError({"sent_on": _("Utredningen kan inte ha skickats före anmälan.")})
    notification.investigation_sent_on = sent_on
    return _ivo_run(notification, "send_investigation", actor)


def ivo_record_closed(*, notification: IvoNotification, actor, decided_on: datetime.date | None) -> IvoNotification:
    """IVO closed its case ("ärendet avslutas")."""
    notification.decided_on = decided_on
    return _ivo_run(notification, "record_closed", actor)


def ivo_record_supervision(*, notification: IvoNotification, actor, supervision_decision=None, reference: str = "",
                           received_on: datetime.date | None = None, subject: str = "") -> IvoNotification:
    """IVO opened a tillsyn: links an existing IVO decision on the deviation's unit (or above it),
    or registers a new one (IVO, lex Sarah follow-up, IVO's reference, the deviation linked)."""
    from riskmgmt.core.errors import TransitionNotAllowedError
    from riskmgmt.supervision import services as supervision_services
    from riskmgmt.supervision.models import SupervisionDecision
    from riskmgmt.supervision.selectors import decisions_for_user

    deviation = notification.deviation
    if not records_ivo_for(actor, deviation):
        raise PermissionDenied(_("IVO:s beslut registreras av sektionschef eller kvalitetssamordnare."))
    if notification.status != IvoNotification.Status.INVESTIGATION_SENT:
        raise TransitionNotAllowedError(_("Tillsyn kan registreras först när utredningen har skickats till IVO."),
                                        missing=["status"])
    with transaction.atomic():
        try:
            if supervision_decision is not None:
                decision = _linkable_decision(deviation, supervision_decision, decisions_for_user(actor))
                if decision.deviation_id is None:
                    supervision_services.decision_update(decision=decision, actor=actor, deviation=deviation)
            else:
                decision = supervision_services.decision_create(
                    actor=actor, unit=deviation.unit, authority=SupervisionDecision.Authority.IVO,
                    kind=SupervisionDecision.Kind.LEX_SARAH,
                    reference=(reference or notification.ivo_reference or "").strip(),
                    subject=subject or _("Tillsyn efter lex Sarah-anmälan %(reference)s")
                    % {"reference": deviation.reference},
                    received_on=received_on or timezone.localdate(), deviation=deviation,
                )
        except supervision_services.SupervisionValidationError as exc:
            raise DeviationValidationError(exc.errors) from exc
        notification.supervision_decision = decision
        # No reference in the log: the decision may be the section's, which not everyone reading
        # the lex Sarah case may see; the panel links it for those who do.
        _ivo_run(notification, "record_supervision", actor)
    return notification


def _linkable_decision(deviation: Deviation, decision, visible):
    """An IVO decision the actor sees, on the deviation's unit or above it, not another case's."""
    decision_id = getattr(decision, "pk", decision)
    found = visible.filter(pk=decision_id).first() if isinstance(decision_id, int) else None
    if found is None or found.authority != found.Authority.IVO or not deviation.unit.path.startswith(found.unit.path):
        raise DeviationValidationError({"supervision_decision": _("Välj ett tillsynsärende från IVO för enheten.")})
    if found.deviation_id not in (None, deviation.pk):
        raise DeviationValidationError({"supervision_decision": _("Tillsynsärendet gäller ett annat lex "
                                                                  "Sarah-ärende.")})
    return found
