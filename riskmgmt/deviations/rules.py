"""Who may file, see, handle and notify IVO about deviations."""

import rules

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.rules import can_file_for_unit, manages_unit, oversees_unit
from riskmgmt.organisation.selectors import user_has_role_over

from .models import HANDLE, IVO, WITHDRAW

Role = Membership.Role


@rules.predicate
def is_reporter(user, deviation) -> bool:
    return deviation is not None and deviation.reporter_id == user.pk


@rules.predicate
def manages_deviation_unit(user, deviation) -> bool:
    return deviation is not None and manages_unit(user, deviation.unit)


@rules.predicate
def oversees_deviation_unit(user, deviation) -> bool:
    return deviation is not None and oversees_unit(user, deviation.unit)


@rules.predicate
def is_quality_over(user, deviation) -> bool:
    return deviation is not None and user_has_role_over(user, deviation.unit, [Role.QUALITY])


@rules.predicate
def records_ivo_for(user, deviation) -> bool:
    """The anmälan to IVO is made on the nämnd's delegation: section managers and quality."""
    return deviation is not None and user_has_role_over(
        user, deviation.unit, [Role.SECTION_MANAGER, Role.QUALITY]
    )


@rules.predicate
def ivo_recorder(user, notification) -> bool:
    return notification is not None and records_ivo_for(user, notification.deviation)


can_view_deviation = is_reporter | manages_deviation_unit | oversees_deviation_unit
can_see_reporter = is_reporter | manages_deviation_unit | is_quality_over

rules.add_perm("deviations.file_for_unit", can_file_for_unit)
rules.add_perm("deviations.view_deviation", can_view_deviation)
rules.add_perm(HANDLE, manages_deviation_unit)
rules.add_perm(WITHDRAW, manages_deviation_unit | is_reporter)
rules.add_perm(IVO, ivo_recorder)
rules.add_perm("deviations.notify_ivo", records_ivo_for)
rules.add_perm("deviations.see_reporter", can_see_reporter)
