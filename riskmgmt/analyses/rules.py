"""Who commissions, works on, decides and reads event analyses."""

import rules

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.rules import manages_unit, oversees_unit
from riskmgmt.organisation.selectors import user_has_role_over

from .models import COMMISSION, START, SUBMIT, WORK

Role = Membership.Role


@rules.predicate
def can_commission_for_unit(user, unit) -> bool:
    """Section managers (for their section's units) and management commission analyses."""
    return unit is not None and user_has_role_over(user, unit, [Role.SECTION_MANAGER, Role.MANAGEMENT])


@rules.predicate
def is_commissioner(user, analysis) -> bool:
    return analysis is not None and analysis.commissioner_id == user.pk


@rules.predicate
def is_lead(user, analysis) -> bool:
    return analysis is not None and analysis.lead_id == user.pk


@rules.predicate
def is_team_member(user, analysis) -> bool:
    if analysis is None:
        return False
    members = getattr(analysis, "_team_user_ids", None)
    if members is None:
        members = set(analysis.team.values_list("user_id", flat=True))
        analysis._team_user_ids = members
    return user.pk in members


@rules.predicate
def manages_analysis_unit(user, analysis) -> bool:
    return analysis is not None and manages_unit(user, analysis.unit)


@rules.predicate
def oversees_analysis_unit(user, analysis) -> bool:
    return analysis is not None and oversees_unit(user, analysis.unit)


can_work_on = is_lead | is_team_member
can_view_analysis = can_work_on | is_commissioner | manages_analysis_unit | oversees_analysis_unit

rules.add_perm("analyses.create_for_unit", can_commission_for_unit)
rules.add_perm("analyses.view_analysis", can_view_analysis)
rules.add_perm(WORK, can_work_on)
rules.add_perm(START, is_lead | is_commissioner)
rules.add_perm(SUBMIT, is_lead)
rules.add_perm(COMMISSION, is_commissioner)
