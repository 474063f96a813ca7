"""Every write to event analyses: commission, content (timeline, why-chains), transitions."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from riskmgmt.core.errors import (
    ApplicationError,
    ConcurrentChangeError,
    FieldValidationError,
    full_clean_or_raise,
)
from riskmgmt.core.fsm import transition_run
from riskmgmt.core.models import Transition
from riskmgmt.core.serials import serial_next
from riskmgmt.notifications.deadlines import due_date_for
from riskmgmt.notifications.services import notification_queue

from .models import Cause, CauseArea, EventAnalysis, TeamMember, TimelineEntry
from .rules import can_commission_for_unit, can_work_on

EDITABLE_STATUSES = (EventAnalysis.Status.COMMISSIONED, EventAnalysis.Status.IN_PROGRESS)
RECOMMENDED_TEAM_SIZE = (3, 5)


class AnalysisValidationError(FieldValidationError):
    """Bad input for this app; `errors` maps field names to Swedish messages."""


def _validate(obj, exclude=()) -> None:
    full_clean_or_raise(obj, exclude=exclude, error_class=AnalysisValidationError)


def analysis_warnings(analysis: EventAnalysis) -> list[str]:
    """Things the commissioner should know but that do not stop the work."""
    from riskmgmt.deviations.models import IvoNotification

    warnings = []
    ivo_dates = IvoNotification.objects.filter(
        deviation__in=analysis.deviations.all(), status=IvoNotification.Status.SENT,
        investigation_due__isnull=False,
    ).values_list("investigation_due", flat=True)
    earliest = min(ivo_dates, default=None)
    if earliest and analysis.due_date > earliest:
        warnings.append(_("Rapporten ska vara klar %(due)s, men utredningen ska vara hos IVO senast %(ivo)s. "
                          "Flytta fram datumet.") % {"due": analysis.due_date, "ivo": earliest})
    size = analysis.team.count()
    low, high = RECOMMENDED_TEAM_SIZE
    if not low <= size <= high:
        warnings.append(_("Ett analysteam brukar ha 3–5 personer som inte var inblandade i händelsen "
                          "(nu %(n)s).") % {"n": size})
    return warnings


def _log(obj, name, actor, source="", comment="") -> None:
    Transition.objects.create(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, name=name,
                              source=source, target=obj.status, by=actor, comment=comment)


def analysis_create(*, actor, title: str, unit, scope: str, commissioner, lead, deviations=(), team=(),
                    due_date: datetime.date | None = None) -> EventAnalysis:
    """Commissions an analysis (section manager or management over the unit); the lead and the
    team are told after commit. `team` is a list of (user, profession)."""
    if not can_commission_for_unit(actor, unit):
        raise PermissionDenied(_("Händelseanalyser beställs av sektionschef eller ledningsgrupp."))
    errors = {}
    for deviation in deviations:
        if not deviation.unit.path.startswith(unit.path):
            errors["deviations"] = _("Avvikelsen %(ref)s hör inte till enheten.") % {"ref": deviation.reference}
    for field, person in (("commissioner", commissioner), ("lead", lead)):
        if not person.is_active:
            errors[field] = _("Personen är inte aktiv.")
    if "commissioner" not in errors and not can_commission_for_unit(commissioner, unit):
        # The commissioner decides the actions, so it must be someone who may commission here.
        errors["commissioner"] = _("Uppdragsgivaren måste vara sektionschef eller ingå i ledningsgruppen "
                                   "för enheten.")
    due_date = due_date or due_date_for("event_analysis_report", timezone.localdate())
    if due_date and due_date < timezone.localdate():
        errors["due_date"] = _("Datumet kan inte ligga bakåt i tiden.")
    if errors:
        raise AnalysisValidationError(errors)
    analysis = EventAnalysis(title=title, unit=unit, scope=scope, commissioner=commissioner, lead=lead,
                             due_date=due_date)
    _validate(analysis, exclude=["reference", "unit", "commissioner", "lead"])
    with transaction.atomic():
        year = timezone.localdate().year
        analysis.reference = f"HA-{year}-{serial_next(f'HA-{year}'):04d}"
        analysis._history_user, analysis._change_reason = actor, "create"
        analysis.save()
        analysis.deviations.set(deviations)
        for user, profession in team:
            if user.pk != lead.pk:
                TeamMember.objects.get_or_create(analysis=analysis, user=user, defaults={"profession": profession})
        _log(analysis, "create", actor)
        recipients = {lead.pk: lead, **{u.pk: u for u, _p in team}}
        for user in recipients.values():
            if user.pk != actor.pk:
                notification_queue(recipient=user, kind="analysis_assigned", template="analysis_assigned",
                                   obj=analysis, url=analysis.get_absolute_url(),
                                   context={"reference": analysis.reference, "due_date": analysis.due_date})
    return analysis


def _check_can_edit(analysis: EventAnalysis, actor) -> None:
    if not can_work_on(actor, analysis):
        raise PermissionDenied(_("Bara analysledaren och analysteamet arbetar i analysen."))
    if analysis.status not in EDITABLE_STATUSES:
        raise ApplicationError(_("Analysen är inlämnad och kan inte längre ändras."))


def timeline_entry_save(*, analysis: EventAnalysis, actor, at: datetime.datetime, description: str,
                        source: str = "", approximate: bool = False, entry: TimelineEntry | None = None) -> TimelineEntry:
    """Adds or edits an entry; the timeline orders itself by time."""
    _check_can_edit(analysis, actor)
    entry = entry or TimelineEntry(analysis=analysis)
    if entry.analysis_id != analysis.pk:
        raise PermissionDenied
    entry.at, entry.description, entry.source, entry.approximate = at, description, source, approximate
    _validate(entry, exclude=["analysis"])
    entry._history_user, entry._change_reason = actor, "timeline"
    entry.save()
    return entry


def timeline_entry_delete(*, entry: TimelineEntry, actor) -> None:
    """Removes an entry from the working timeline (kept in history)."""
    _check_can_edit(entry.analysis, actor)
    entry._history_user, entry._change_reason = actor, "timeline_delete"
    entry.delete()


def _check_no_cycle(cause: Cause, parent: Cause | None) -> None:
    node = parent
    while node is not None:
        if cause.pk and node.pk == cause.pk:
            raise AnalysisValidationError({"parent": _("En orsak kan inte ligga under sig själv.")})
        node = node.parent


def cause_save(*, analysis: EventAnalysis, actor, text: str, parent: Cause | None = None, is_root: bool = False,
               cause_areas=(), cause: Cause | None = None) -> Cause:
    """Adds a "varför?" under `parent` (or a new chain), or edits one; never a cycle."""
    _check_can_edit(analysis, actor)
    cause = cause or Cause(analysis=analysis)
    if cause.analysis_id != analysis.pk or (parent is not None and parent.analysis_id != analysis.pk):
        raise AnalysisValidationError({"parent": _("Orsaken hör till en annan analys.")})
    _check_no_cycle(cause, parent)
    areas = list(cause_areas)
    if is_root and not areas:
        raise AnalysisValidationError({"cause_areas": _("Välj minst ett orsaksområde för en grundorsak.")})
    cause.text, cause.parent, cause.is_root = text, parent, is_root
    _validate(cause, exclude=["analysis", "parent"])
    with transaction.atomic():
        cause._history_user, cause._change_reason = actor, "cause"
        cause.save()
        cause.cause_areas.set(areas)
    return cause


def cause_delete(*, cause: Cause, actor) -> None:
    """Removes a cause; one with "varför?" under it is refused (move or remove those first)."""
    _check_can_edit(cause.analysis, actor)
    if cause.children.exists():
        raise AnalysisValidationError({"cause": _("Orsaken har underliggande orsaker. Ta bort eller flytta dem först.")})
    from riskmgmt.actions.models import Action

    if Action.objects.filter(addresses_content_type=ContentType.objects.get_for_model(Cause),
                             addresses_id=cause.pk).exists():
        raise AnalysisValidationError({"cause": _("En åtgärd är kopplad till orsaken.")})
    cause._history_user, cause._change_reason = actor, "cause_delete"
    cause.delete()


REPORT_FIELDS = ("summary", "event_description", "method", "lessons", "recurrence_probability",
                 "recurrence_consequence")


def analysis_save_report(*, analysis: EventAnalysis, actor, **fields) -> EventAnalysis:
    """Saves the report texts while the team works (drafts are never lost)."""
    _check_can_edit(analysis, actor)
    for name, value in fields.items():
        if name in REPORT_FIELDS:
            setattr(analysis, name, value)
    for name in ("recurrence_probability", "recurrence_consequence"):
        value = getattr(analysis, name)
        if value is not None and not 1 <= value <= 4:
            raise AnalysisValidationError({name: _("Ange ett värde 1–4.")})
    _validate(analysis, exclude=["unit", "commissioner", "lead"])
    analysis._history_user, analysis._change_reason = actor, "save_report"
    try:
        with transaction.atomic():  # a savepoint, so the caller's transaction survives a refusal
            analysis.save()
    except ConcurrentTransition as exc:
        # The status changed since the page was loaded (the lead handed the report in): a 409, not a 500.
        analysis.refresh_from_db()
        raise ConcurrentChangeError(_("Någon annan hann ändra analysen före dig. Ladda om sidan och försök igen.")) \
            from exc
    return analysis


def _set_guard_facts(analysis: EventAnalysis) -> None:
    from riskmgmt.actions.models import Action

    analysis.has_timeline = analysis.timeline.exists()
    analysis.has_root_cause_with_area = analysis.causes.filter(is_root=True, cause_areas__isnull=False).exists()
    actions = Action.objects.filter(source_content_type=ContentType.objects.get_for_model(EventAnalysis),
                                    source_id=analysis.pk).exclude(status=Action.Status.CANCELLED)
    analysis.has_proposed_actions = actions.exists()
    analysis.all_actions_evaluated = not actions.exclude(status=Action.Status.EVALUATED).exists()


def _run(analysis, name, actor, comment="") -> EventAnalysis:
    _set_guard_facts(analysis)
    transition_run(obj=analysis, name=name, actor=actor, comment=comment)
    return analysis


def analysis_start(*, analysis: EventAnalysis, actor) -> EventAnalysis:
    """Commissioned → in progress."""
    return _run(analysis, "start", actor)


def analysis_submit_report(*, analysis: EventAnalysis, actor, summary: str, lessons: str = "") -> EventAnalysis:
    """The lead hands the report to the commissioner, who is told after commit."""
    analysis.summary, analysis.lessons = summary, lessons or analysis.lessons
    _validate(analysis, exclude=["unit", "commissioner", "lead"])
    with transaction.atomic():
        _run(analysis, "submit_report", actor)
        if analysis.commissioner_id != actor.pk:
            notification_queue(recipient=analysis.commissioner, kind="analysis_submitted", template="status_changed",
                               obj=analysis, url=analysis.get_absolute_url(),
                               context={"reference": analysis.reference, "status": analysis.get_status_display()})
    return analysis


def analysis_decide_actions(*, analysis: EventAnalysis, actor, comment: str = "") -> EventAnalysis:
    """The commissioner decides the proposed actions and their timetable."""
    analysis.decision_comment = comment
    return _run(analysis, "decide_actions", actor, comment)


def analysis_record_follow_up(*, analysis: EventAnalysis, actor, feedback_given_on: datetime.date | None,
                              comment: str = "") -> EventAnalysis:
    """Closes the loop: every action evaluated, staff told."""
    if feedback_given_on and feedback_given_on > timezone.localdate():
        raise AnalysisValidationError({"feedback_given_on": _("Datumet kan inte ligga i framtiden.")})
    analysis.feedback_given_on, analysis.follow_up_comment = feedback_given_on, comment
    return _run(analysis, "record_follow_up", actor, comment)


def analysis_cancel(*, analysis: EventAnalysis, actor, reason: str) -> EventAnalysis:
    """Stops the analysis; the reason is kept."""
    analysis.cancel_reason = reason
    return _run(analysis, "cancel", actor, reason)


def cause_areas_by_code(codes) -> list[CauseArea]:
    areas = list(CauseArea.objects.filter(code__in=list(codes), is_active=True))
    unknown = set(codes) - {a.code for a in areas}
    if unknown:
        raise AnalysisValidationError({"cause_areas": _("Okända orsaksområden: %(codes)s.")
                                       % {"codes": ", ".join(sorted(unknown))}})
    return areas
