"""Hooks supervision into the shared machinery: requirements own actions and can be raised as
risks, and report-back dates and statement requests are deadlines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from riskmgmt.actions.sources import ActionSource, register_action_source
from riskmgmt.notifications.deadlines import register_deadline_source
from riskmgmt.organisation.rules import manages_unit

from .deadlines import (
    REQUIREMENT_RULE,
    STATEMENT_RULE,
    requirement_items,
    safe_url,
    statement_items,
)
from .models import Requirement, SupervisionDecision
from .rules import records_decision, sees_decision
from .selectors import requirement_get_for_user


def requirement_title(requirement: Requirement) -> str:
    """The decision's reference and the start of the requirement (no personal data: texts are checked)."""
    text = requirement.text.splitlines()[0] if requirement.text else ""
    if len(text) > 80:
        text = text[:79].rstrip() + "…"
    return f"{requirement.decision}: {text}"


def _can_add_action(user, requirement: Requirement) -> bool:
    return (requirement.status != Requirement.Status.ACCEPTED
            and requirement.decision.status != SupervisionDecision.Status.CLOSED
            # The unit's own manager carries out the measures, so may plan them too.
            and (records_decision(user, requirement.decision) or manages_unit(user, requirement.decision.unit)))


def _process_in_unit(requirement: Requirement):
    process = requirement.process
    return process if process is not None and process.unit_id == requirement.decision.unit_id else None


def register() -> None:
    from riskmgmt.risks.raise_views import RaiseSource, register_raise_source

    register_action_source(ActionSource(
        key="requirement", model=Requirement, label=str(_("Krav i tillsynsbeslut")),
        unit_of=lambda r: r.decision.unit,
        get_for_user=requirement_get_for_user,
        can_add=_can_add_action,
        title_of=requirement_title,
        url_of=safe_url,
        extra_viewers=lambda user, r: sees_decision(user, r.decision),
    ))
    register_raise_source(RaiseSource(
        key="requirement", model=Requirement, label=_("Krav i tillsynsbeslut"),
        get_for_user=requirement_get_for_user,
        unit_of=lambda r: r.decision.unit,
        title_of=lambda r: (r.text.splitlines()[0] if r.text else str(r.decision))[:200],
        process_of=_process_in_unit,
        name_of=requirement_title,
    ))
    register_deadline_source(REQUIREMENT_RULE, requirement_items)
    register_deadline_source(STATEMENT_RULE, statement_items)
