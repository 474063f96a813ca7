"""Who records supervision decisions, reports back on their requirements, and sees them.

A decision addresses the nämnd, so it is recorded on delegation: section managers for their
section's units, quality and management for everything under them. Unit managers (and managers
above) read their units' decisions, as does anyone responsible for an action on a requirement;
everyone else gets a 404.
"""

import rules
from django.contrib.contenttypes.models import ContentType

from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.rules import manages_unit
from riskmgmt.organisation.selectors import user_has_role_over

from .models import RECORD, REPORT, Requirement, StatementRequest, SupervisionDecision

Role = Membership.Role
RECORDER_ROLES = (Role.SECTION_MANAGER, Role.QUALITY, Role.MANAGEMENT)


def unit_of(obj) -> Unit | None:
    """The unit a decision, requirement or statement request belongs to (or the unit itself)."""
    if obj is None or isinstance(obj, Unit):
        return obj
    if isinstance(obj, SupervisionDecision):
        return obj.unit
    if isinstance(obj, (Requirement, StatementRequest)):
        return obj.decision.unit
    return None


def decision_of(obj) -> SupervisionDecision | None:
    if isinstance(obj, SupervisionDecision):
        return obj
    if isinstance(obj, (Requirement, StatementRequest)):
        return obj.decision
    return None


@rules.predicate
def records_decision(user, decision_or_unit) -> bool:
    """Section managers over the unit, and quality and management over it."""
    unit = unit_of(decision_or_unit)
    return unit is not None and user_has_role_over(user, unit, RECORDER_ROLES)


@rules.predicate
def responsible_for_requirement_action(user, decision) -> bool:
    """Responsible for an action on one of the decision's requirements (one query)."""
    from riskmgmt.actions.models import Action

    decision = decision_of(decision)
    if decision is None or decision.pk is None or not getattr(user, "is_authenticated", False):
        return False
    return Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Requirement),
        source_id__in=Requirement.objects.filter(decision=decision).values("pk"),
        responsible=user,
    ).exists()


@rules.predicate
def manages_decision_unit(user, decision) -> bool:
    """Unit and section managers on the decision's unit or above it."""
    unit = unit_of(decision)
    return unit is not None and manages_unit(user, unit)


sees_decision = records_decision | manages_decision_unit | responsible_for_requirement_action

rules.add_perm("supervision.view_decision", sees_decision)
rules.add_perm(RECORD, records_decision)
rules.add_perm(REPORT, records_decision)
