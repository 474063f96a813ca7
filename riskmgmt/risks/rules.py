"""Who sees, runs and approves risk analyses."""

import rules

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.rules import is_member_of_unit, manages_unit
from riskmgmt.organisation.selectors import user_has_role_over

from .models import APPROVE, HOLD

Role = Membership.Role


@rules.predicate
def runs_analysis(user, analysis) -> bool:
    return analysis is not None and manages_unit(user, analysis.unit)


@rules.predicate
def approves_analysis(user, analysis) -> bool:
    """The ledningsgrupp approves; never the unit's own enhetschef, whatever else they hold."""
    if analysis is None:
        return False
    return user_has_role_over(user, analysis.unit, [Role.MANAGEMENT]) and not user_has_role_over(
        user, analysis.unit, [Role.UNIT_MANAGER])


@rules.predicate
def sees_analysis(user, analysis) -> bool:
    return analysis is not None and is_member_of_unit(user, analysis.unit)


rules.add_perm("risks.view_analysis", sees_analysis)
rules.add_perm(HOLD, runs_analysis)
rules.add_perm(APPROVE, approves_analysis)
