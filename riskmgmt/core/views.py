from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from riskmgmt.core import home as home_cards
from riskmgmt.organisation import rules as org_rules
from riskmgmt.organisation.models import Membership, Unit
from riskmgmt.organisation.selectors import units_in_scope, user_roles

Role = Membership.Role


def _memberships(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, is_active=True, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "role")
    )


def _managers_by_unit(units: list[Unit]) -> dict[int, list[Membership]]:
    """The enhetschefer and sektionschefer sitting directly on each unit, in one query."""
    managers: dict[int, list[Membership]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            unit__in=units,
            role__in=Membership.MANAGER_ROLES,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    ):
        managers[membership.unit_id].append(membership)
    return managers


def _tree_rows(units: list[Unit]) -> list[dict]:
    """Units in path order with an indent level relative to the highest one shown."""
    top = min((unit.depth for unit in units), default=0)
    return [{"unit": unit, "level": unit.depth - top} for unit in units]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Start page: what the user's roles let them do, with reporting first."""
    user = request.user
    context: dict = {
        "memberships": _memberships(user),
        "roles": {held.role for held in user_roles(user)},
        "managed_units": [],
        "overview_units": [],
    }
    if org_rules.is_manager(user):
        context["managed_units"] = _tree_rows(
            list(
                units_in_scope(user, Membership.MANAGER_ROLES)
                .filter(is_active=True)
                .order_by("path")
            )
        )
    if org_rules.sees_everything(user):
        units = list(
            units_in_scope(user, Membership.OVERSIGHT_ROLES).filter(is_active=True).order_by("path")
        )
        managers = _managers_by_unit(units)
        context["overview_units"] = [
            {**row, "managers": managers.get(row["unit"].pk, [])} for row in _tree_rows(units)
        ]
    # Lead or team member of an open analysis: staff have no menu link to analyses.
    from django.db.models import Q

    from riskmgmt.analyses.models import EventAnalysis

    context["my_analyses"] = list(
        EventAnalysis.objects.filter(Q(lead=request.user) | Q(team__user=request.user),
                                     status__in=EventAnalysis.OPEN_STATUSES).distinct().order_by("due_date")[:5]
    )
    context.update(_next_steps(user, context["roles"]))
    return render(request, "core/home.html", context)


def _next_steps(user, roles: set[str]) -> dict:
    """The cards that say what to do next: this year's riskanalys (enhetschef), the user's own
    egenkontroller, and the follow-up links for the ledningsgrupp and sektionschefer."""
    today = timezone.localdate()
    steps: dict = {
        "year": today.year,
        "risk_rows": home_cards.risk_year_rows(user, year=today.year) if Role.UNIT_MANAGER in roles else [],
        "my_checks": home_cards.control_checks_due(user, today=today),
        "oversight": bool(roles & set(Membership.OVERSIGHT_ROLES)),
        "follow_up": Role.SECTION_MANAGER in roles,
        "awaiting_approval": [],
    }
    if steps["oversight"]:
        steps["awaiting_approval"] = home_cards.analyses_awaiting_approval(user)
    return steps


@login_required
def report_start(request: HttpRequest) -> HttpResponse:
    """Where "Rapportera avvikelse" leads until the filing form exists: who to report to now.

    `contacts` is one (unit, [manager membership]) per unit the user belongs to, nearest
    manager first (the unit's own enhetschef before the sektionschef above), never the user.
    """
    contacts = []
    seen: set[int] = set()
    for membership in _memberships(request.user):
        unit = membership.unit
        if unit.pk in seen:
            continue
        seen.add(unit.pk)
        managers = list(
            Membership.objects.filter(
                is_active=True,
                user__is_active=True,
                role__in=Membership.MANAGER_ROLES,
                unit__is_active=True,
                unit__code__in=[*unit.ancestor_codes(), unit.code],
            )
            .exclude(user=request.user)
            .select_related("user", "unit")
            # An ancestor's path is a prefix of its descendants', so descending = nearest first.
            .order_by("-unit__path", "user__first_name")
        )
        contacts.append((unit, managers))
    return render(request, "core/report_start.html", {"contacts": contacts})
