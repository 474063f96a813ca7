"""Who may see and act on actions. Adding is the source's to decide (sources.py)."""

import rules

from riskmgmt.organisation.rules import manages_unit, oversees_unit

from .models import ACT_PERMISSION
from .sources import action_source_for_model


@rules.predicate
def is_responsible(user, action) -> bool:
    return action is not None and action.responsible_id == user.pk


@rules.predicate
def manages_action_unit(user, action) -> bool:
    return action is not None and manages_unit(user, action.unit)


@rules.predicate
def oversees_action_unit(user, action) -> bool:
    return action is not None and oversees_unit(user, action.unit)


@rules.predicate
def is_source_viewer(user, action) -> bool:
    """E.g. an event analysis's team sees the actions they propose."""
    if action is None:
        return False
    source = action_source_for_model(action.source_content_type.model_class())
    return bool(source and source.extra_viewers and source.extra_viewers(user, action.source))


can_act_on_action = is_responsible | manages_action_unit
can_view_action = can_act_on_action | oversees_action_unit | is_source_viewer

rules.add_perm(ACT_PERMISSION, can_act_on_action)
rules.add_perm("actions.view_action", can_view_action)
rules.add_perm("actions.edit_action", manages_action_unit)
