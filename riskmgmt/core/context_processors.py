"""Navigation flags for the base template, from the user's roles (one query per request)."""

from riskmgmt.organisation import rules as org_rules
from riskmgmt.organisation.models import Membership


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "is_manager": org_rules.is_manager(user),
            "is_quality": org_rules.is_quality(user),
            "is_management": org_rules.is_management(user),
            "sees_everything": org_rules.sees_everything(user),
            "is_section_manager": org_rules.user_has_role(user, [Membership.Role.SECTION_MANAGER]),
            "is_admin": user.is_staff,
        }
    }
