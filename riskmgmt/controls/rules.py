"""Who sees, plans and performs internal control.

The unit's managers (enhetschef, sektionschef) and quality plan control points; quality and
management read every plan below them; the person responsible for a point sees it and records
its checks, as do the unit's managers.
"""

import rules

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.rules import manages_unit, oversees_unit
from riskmgmt.organisation.selectors import user_has_role_over

PLAN = "controls.plan_controls"


@rules.predicate
def plans_controls_for(user, unit) -> bool:
    """May add and change control points of `unit`: its managers and quality above it."""
    return unit is not None and (
        manages_unit(user, unit) or user_has_role_over(user, unit, [Membership.Role.QUALITY])
    )


@rules.predicate
def sees_point(user, point) -> bool:
    return point is not None and (
        point.responsible_id == user.pk or manages_unit(user, point.unit) or oversees_unit(user, point.unit)
    )


@rules.predicate
def edits_point(user, point) -> bool:
    return point is not None and plans_controls_for(user, point.unit)


@rules.predicate
def records_check(user, point) -> bool:
    """The responsible person or a manager of the unit, while the point is in the plan."""
    return point is not None and point.is_active and (
        point.responsible_id == user.pk or manages_unit(user, point.unit)
    )


@rules.predicate
def adds_check_actions(user, check) -> bool:
    return check is not None and manages_unit(user, check.control_point.unit)


@rules.predicate
def reports_deviation_from(user, check) -> bool:
    """A finding may become one `other` deviation, filed by whoever may record the check."""
    return check is not None and check.findings and check.deviation_id is None and (
        check.control_point.responsible_id == user.pk or manages_unit(user, check.control_point.unit)
    )


rules.add_perm(PLAN, plans_controls_for)
rules.add_perm("controls.view_point", sees_point)
rules.add_perm("controls.change_point", edits_point)
rules.add_perm("controls.record_check", records_check)
