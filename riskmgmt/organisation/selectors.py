"""Read queries over the organisation, and the access gates for units and processes.

A user's scope is computed in SQL: a unit is in scope when one of the user's active
memberships sits on it or on an ancestor (its path is a prefix of the unit's path).
Other apps scope their rows with `unit__in=units_in_scope(...)`, one subquery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith
from django.http import Http404

from .models import Membership, Process, Unit

Role = Membership.Role


@dataclass(frozen=True)
class HeldRole:
    role: str
    unit_id: int
    unit_path: str


def _can_hold_roles(user) -> bool:
    # A deactivated account keeps its memberships for the record but holds no role, as Django's
    # ModelBackend grants an inactive user no permission (the rules backend does not check).
    return getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def user_roles(user) -> list[HeldRole]:
    """The user's active roles with their units' paths, loaded once per user object."""
    if not _can_hold_roles(user):
        return []
    cached = getattr(user, "_riskmgmt_roles", None)
    if cached is None:
        cached = [
            HeldRole(role, unit_id, path)
            for role, unit_id, path in Membership.objects.filter(
                user=user, is_active=True, unit__is_active=True
            ).values_list("role", "unit_id", "unit__path")
        ]
        user._riskmgmt_roles = cached
    return cached


def user_has_role_over(user, unit: Unit, roles: Iterable[str] | None = None) -> bool:
    """True when the user holds one of `roles` (any role if None) on `unit` or an ancestor."""
    wanted = set(roles) if roles is not None else None
    return any(
        unit.path.startswith(held.unit_path)
        for held in user_roles(user)
        if wanted is None or held.role in wanted
    )


def user_has_role(user, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(held.role in wanted for held in user_roles(user))


def units_in_scope(user, roles: Iterable[str] | None = None) -> QuerySet[Unit]:
    """Units on which, or under which, the user holds one of `roles` (any role if None)."""
    if not _can_hold_roles(user):
        return Unit.objects.none()
    memberships = Membership.objects.filter(user=user, is_active=True, unit__is_active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    outer_path = ExpressionWrapper(OuterRef("path"), output_field=CharField())
    covering = memberships.filter(StartsWith(outer_path, F("unit__path")))
    return Unit.objects.filter(Exists(covering))


def unit_list_for_user(user) -> QuerySet[Unit]:
    return units_in_scope(user).order_by("path")


def unit_get_for_user(user, pk) -> Unit:
    """The one access gate for units: 404 outside the user's scope."""
    try:
        return unit_list_for_user(user).get(pk=pk)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def process_list_for_user(user) -> QuerySet[Process]:
    return Process.objects.filter(unit__in=units_in_scope(user), is_active=True).order_by(
        "unit__path", "name"
    )


def process_get_for_user(user, pk) -> Process:
    """The one access gate for processes: 404 outside the user's scope."""
    try:
        return Process.objects.filter(unit__in=units_in_scope(user)).get(pk=pk)
    except (Process.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def units_for_filing(user) -> QuerySet[Unit]:
    """Units a user may file a report for: of kind 'unit' within their scope."""
    return units_in_scope(user).filter(kind=Unit.Kind.UNIT, is_active=True).order_by("path")


def unit_managers(unit: Unit) -> list:
    """Users who manage `unit` directly or through an ancestor, nearest level first."""
    memberships = (
        Membership.objects.filter(
            is_active=True, user__is_active=True, unit__is_active=True, role__in=Membership.MANAGER_ROLES,
            unit__code__in=[*unit.ancestor_codes(), unit.code],
        )
        .select_related("user", "unit")
        .order_by("-unit__path", "user__first_name")
    )
    managers = []
    for membership in memberships:
        if membership.user not in managers:
            managers.append(membership.user)
    return managers
