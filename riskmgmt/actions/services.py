"""Every write to actions: create, edit, and the four transitions. Each is one transaction,
permission-checked, with history reason, transition log and notifications in the outbox."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from riskmgmt.core.errors import ApplicationError
from riskmgmt.core.fsm import transition_run
from riskmgmt.core.models import Transition
from riskmgmt.notifications.services import notification_queue
from riskmgmt.organisation.selectors import user_roles

from .models import Action
from .rules import manages_action_unit
from .sources import action_source_for_model


class ActionValidationError(ApplicationError):
    """Bad input for an action; `field` names the form/API field."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check_responsible(responsible, unit) -> None:
    # The responsible person must belong to the unit's part of the organisation:
    # a role on the unit, above it, or below it.
    related = any(
        unit.path.startswith(held.unit_path) or held.unit_path.startswith(unit.path)
        for held in user_roles(responsible)
    )
    if not responsible.is_active or not related:
        raise ActionValidationError(
            _("Den ansvariga måste vara aktiv och arbeta inom %(unit)s.") % {"unit": unit.name},
            field="responsible",
        )


def _check_due_date(due_date: datetime.date) -> None:
    if due_date < timezone.localdate():
        raise ActionValidationError(
            _("Datumet för ”klart senast” kan inte ligga bakåt i tiden."), field="due_date"
        )


def _notify_assigned(action: Action, actor) -> None:
    if action.responsible_id != actor.pk:
        notification_queue(
            recipient=action.responsible,
            kind="action_assigned",
            template="action_assigned",
            context={"reference": action.reference, "title": action.title, "due_date": action.due_date},
            obj=action,
            url=action.get_absolute_url(),
        )


def _log(action: Action, name: str, actor, source: str, comment: str = "") -> None:
    Transition.objects.create(
        content_type=ContentType.objects.get_for_model(action), object_id=action.pk,
        name=name, source=source, target=action.status, by=actor, comment=comment,
    )


def action_create(
    *, source_obj, actor, title: str, responsible, due_date: datetime.date, strength: str,
    description: str = "", effect_measure: str = "", addresses=None, predecessor: Action | None = None,
) -> Action:
    """Adds a planned action to a source and notifies the responsible person after commit."""
    source = action_source_for_model(type(source_obj))
    if source is None:
        raise ApplicationError(_("Åtgärder kan inte kopplas till den här typen av ärende."))
    if not source.can_add(actor, source_obj):
        raise PermissionDenied(_("Du har inte behörighet att lägga till åtgärder här."))
    unit = source.unit_of(source_obj)
    _check_responsible(responsible, unit)
    _check_due_date(due_date)
    if strength not in Action.Strength.values:
        raise ActionValidationError(_("Välj styrka: stark, medelstark eller svag."), field="strength")
    action = Action(
        source_content_type=ContentType.objects.get_for_model(source_obj),
        source_id=source_obj.pk,
        unit=unit,
        title=title,
        description=description,
        responsible=responsible,
        due_date=due_date,
        strength=strength,
        effect_measure=effect_measure,
        predecessor=predecessor,
        created_by=actor,
    )
    if addresses is not None:
        action.addresses_content_type = ContentType.objects.get_for_model(addresses)
        action.addresses_id = addresses.pk
    action.full_clean(exclude=["source_content_type", "unit", "responsible", "created_by"])
    with transaction.atomic():
        action._history_user, action._change_reason = actor, "create"
        action.save()
        _log(action, "create", actor, source="")
        _notify_assigned(action, actor)
    return action


def action_update(
    *, action: Action, actor, title: str, description: str, responsible, due_date: datetime.date,
    strength: str, effect_measure: str = "",
) -> Action:
    """Edits an open action (managers of its unit); a new responsible person is notified."""
    if not manages_action_unit(actor, action):
        raise PermissionDenied(_("Bara chefer för enheten kan ändra åtgärden."))
    if not action.is_open:
        raise ApplicationError(_("En avslutad åtgärd kan inte ändras."))
    _check_responsible(responsible, action.unit)
    if due_date != action.due_date:
        _check_due_date(due_date)
    reassigned = responsible.pk != action.responsible_id
    action.title, action.description, action.responsible = title, description, responsible
    action.due_date, action.strength, action.effect_measure = due_date, strength, effect_measure
    action.full_clean(exclude=["source_content_type", "unit", "responsible", "created_by"])
    with transaction.atomic():
        action._history_user, action._change_reason = actor, "update"
        action.save()
        if reassigned:
            _notify_assigned(action, actor)
    return action


def action_start(*, action: Action, actor, comment: str = "") -> Action:
    """Planned → in progress."""
    transition_run(obj=action, name="start", actor=actor, comment=comment)
    return action


def action_complete(*, action: Action, actor, done_on: datetime.date | None, comment: str = "") -> Action:
    """Marks the action done on `done_on` (not in the future); its creator is told after commit."""
    action.done_on, action.completion_comment = done_on, comment
    with transaction.atomic():
        transition_run(obj=action, name="complete", actor=actor, comment=comment)
        if action.created_by_id not in (actor.pk, action.responsible_id):
            notification_queue(
                recipient=action.created_by, kind="status_changed", template="status_changed",
                context={"reference": action.reference, "status": action.get_status_display()},
                obj=action, url=action.get_absolute_url(),
            )
    return action


def action_evaluate(*, action: Action, actor, effect: str, comment: str) -> Action:
    """Records the effect; 'none' or 'partly' prompts a follow-up action in the UI."""
    if effect and effect not in Action.Effect.values:
        raise ActionValidationError(_("Välj effekt: effektiv, delvis effektiv eller ingen effekt."), field="effect")
    action.effect, action.evaluation_comment = effect or "", comment
    transition_run(obj=action, name="evaluate", actor=actor, comment=comment)
    return action


def action_cancel(*, action: Action, actor, reason: str) -> Action:
    """Cancels an open action; the reason is kept and the action stays in the plan."""
    action.cancel_reason = reason
    transition_run(obj=action, name="cancel", actor=actor, comment=reason)
    return action


def action_create_follow_up(*, predecessor: Action, actor, **fields) -> Action:
    """A new action on the same source, linked to the one whose effect fell short."""
    return action_create(source_obj=predecessor.source, actor=actor, predecessor=predecessor,
                         addresses=predecessor.addresses, **fields)
