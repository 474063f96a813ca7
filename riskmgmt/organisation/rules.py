"""Permission predicates (django-rules). Views, API, FSM transitions and templates share them."""

import rules

from .models import Membership
from .selectors import user_has_role, user_has_role_over

Role = Membership.Role


@rules.predicate
def is_member_of_unit(user, unit) -> bool:
    """Any role on the unit or an ancestor: may file reports for it."""
    return unit is not None and user_has_role_over(user, unit)


@rules.predicate
def manages_unit(user, unit) -> bool:
    """Enhetschef or sektionschef on the unit or an ancestor."""
    return unit is not None and user_has_role_over(user, unit, Membership.MANAGER_ROLES)


@rules.predicate
def oversees_unit(user, unit) -> bool:
    """Quality or management on the unit or an ancestor: reads everything below, read-only."""
    return unit is not None and user_has_role_over(user, unit, Membership.OVERSIGHT_ROLES)


@rules.predicate
def is_section_manager_over(user, unit) -> bool:
    return unit is not None and user_has_role_over(user, unit, [Role.SECTION_MANAGER])


@rules.predicate
def is_manager(user) -> bool:
    return user_has_role(user, Membership.MANAGER_ROLES)


@rules.predicate
def is_quality(user) -> bool:
    return user_has_role(user, [Role.QUALITY])


@rules.predicate
def is_management(user) -> bool:
    return user_has_role(user, [Role.MANAGEMENT])


@rules.predicate
def sees_everything(user) -> bool:
    """Quality and management see the whole organisation below where they sit."""
    return user_has_role(user, Membership.OVERSIGHT_ROLES)


can_file_for_unit = is_member_of_unit
can_view_unit = is_member_of_unit

rules.add_perm("organisation.file_for_unit", can_file_for_unit)
rules.add_perm("organisation.view_unit", can_view_unit)
rules.add_perm("organisation.manage_unit", manages_unit)
rules.add_perm("organisation.oversee_unit", oversees_unit)
