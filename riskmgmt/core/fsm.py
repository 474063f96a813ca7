"""Transition plumbing shared by every workflow model.

Models declare transitions with django-fsm and `Guard` conditions; services call
`transition_run`, which checks permission and guards, saves under optimistic locking,
and writes the transition log and the history reason in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from .errors import ConcurrentChangeError, TransitionNotAllowedError
from .models import Transition


class Guard:
    """A transition condition that names the field it needs, so a refusal can say what is missing.

    `from_input=True` marks a guard on data the transition itself supplies (a date, a reason):
    such a transition still counts as available before the user has typed it.
    """

    def __init__(
        self, field: str, message: str, check: Callable[[Any], bool] | None = None,
        *, from_input: bool = False,
    ):
        self.field = field
        self.message = message
        self.check = check or (lambda obj: bool(getattr(obj, field)))
        self.from_input = from_input
        self.__name__ = f"guard_{field}"

    def __call__(self, instance: Any) -> bool:
        return bool(self.check(instance))


def _fsm_transition(obj: models.Model, name: str):
    method = getattr(obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TransitionNotAllowedError(_("Okänd statusövergång: %(name)s.") % {"name": name})
    return method, meta


def transition_failed_guards(obj: models.Model, name: str) -> list[Guard]:
    """The guards of transition `name` that the object does not meet now."""
    _method, meta = _fsm_transition(obj, name)
    current = getattr(obj, meta.field.attname if hasattr(meta.field, "attname") else meta.field)
    fsm_transition = meta.get_transition(current)
    if fsm_transition is None:
        return []
    return [c for c in fsm_transition.conditions if isinstance(c, Guard) and not c(obj)]


def transition_label(obj: models.Model, name: str) -> str:
    """The Swedish label a transition declares in `custom={"label": ...}`, or its name."""
    _method, meta = _fsm_transition(obj, name)
    for fsm_transition in meta.transitions.values():
        label = (fsm_transition.custom or {}).get("label")
        if label:
            return str(label)
    return name


def transitions_available_to(obj: models.Model, user: Any, names: Iterable[str]) -> list[str]:
    """The transitions among `names` that `user` may take on `obj` now (guards included)."""
    available = []
    for name in names:
        _method, meta = _fsm_transition(obj, name)
        fsm_transition = meta.get_transition(obj.status)
        if fsm_transition is None or not fsm_transition.has_perm(obj, user):
            continue
        preconditions = [
            c for c in fsm_transition.conditions if not getattr(c, "from_input", False)
        ]
        if all(condition(obj) for condition in preconditions):
            available.append(name)
    return available


def transition_run(
    *, obj: models.Model, name: str, actor: Any, comment: str = "", check_permission: bool = True
) -> Transition:
    """Run transition `name` on `obj`, save it and log it, all in one transaction.

    Raises PermissionDenied when the actor may not take it, TransitionNotAllowedError (naming
    what is missing) when the status or a guard forbids it, and ConcurrentChangeError when
    someone else changed the status first.
    """
    method, meta = _fsm_transition(obj, name)
    source = obj.status
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotAllowedError(
            _("Det går inte att %(label)s när status är ”%(status)s”.")
            % {"label": transition_label(obj, name).lower(), "status": obj.get_status_display()}
        )
    # django-fsm's has_transition_perm also checks the guards; ask for the permission alone,
    # so a missing field answers 409 with what is missing, not 403.
    if check_permission and not meta.get_transition(source).has_perm(obj, actor):
        raise PermissionDenied(_("Du har inte behörighet att göra detta."))
    failed = transition_failed_guards(obj, name)
    if failed:
        raise TransitionNotAllowedError(
            " ".join(str(guard.message) for guard in failed), missing=[g.field for g in failed]
        )
    try:
        with transaction.atomic():
            method()
            obj._history_user = actor
            obj._change_reason = name
            obj.save()
            return Transition.objects.create(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                name=name,
                source=source,
                target=obj.status,
                by=actor,
                comment=comment,
            )
    except ConcurrentTransition as exc:
        obj.refresh_from_db()
        raise ConcurrentChangeError(
            _("Någon annan hann ändra ärendet före dig. Ladda om sidan och försök igen.")
        ) from exc


def transition_log_for(obj: models.Model) -> models.QuerySet[Transition]:
    """The transition log of one object, oldest first, with the actor loaded."""
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("by")


NON_TRANSITION_LABELS = {"create": gettext_lazy("Skapad"), "update": gettext_lazy("Ändrad")}


def transition_log_entries(obj: models.Model) -> list[dict]:
    """The transition log with Swedish labels for the transition and the statuses."""
    status_labels = dict(obj._meta.get_field("status").choices)
    entries = []
    for entry in transition_log_for(obj):
        label = NON_TRANSITION_LABELS.get(entry.name)
        entries.append({
            "entry": entry,
            "label": str(label) if label else transition_label(obj, entry.name),
            "source_label": status_labels.get(entry.source, entry.source),
            "target_label": status_labels.get(entry.target, entry.target),
        })
    return entries
