from django.db.models import Q, QuerySet
from django.http import Http404

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import units_in_scope

from .models import Cause, CauseArea, EventAnalysis
from .rules import can_view_analysis


def analysis_list_for_user(user) -> QuerySet[EventAnalysis]:
    """Analyses the user commissioned, leads, works in, or whose unit they manage or oversee."""
    if not user.is_authenticated:
        return EventAnalysis.objects.none()
    scope = units_in_scope(user, [*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES])
    return EventAnalysis.objects.filter(
        Q(commissioner=user) | Q(lead=user) | Q(team__user=user) | Q(unit__in=scope)
    ).distinct().select_related("unit", "commissioner", "lead")


def analysis_get_for_user(user, pk) -> EventAnalysis:
    """The one access gate for analyses: 404 when the user may not see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    analysis = EventAnalysis.objects.select_related("unit", "commissioner", "lead").filter(pk=pk).first()
    if analysis is None or not can_view_analysis(user, analysis):
        raise Http404
    return analysis


def cause_tree(analysis: EventAnalysis) -> list[dict]:
    """The why-chains as nested dicts {cause, children, depth}, roots of the chains first.

    One query for the causes and one for their areas, whatever the tree's size.
    """
    causes = list(analysis.causes.prefetch_related("cause_areas").order_by("pk"))
    children: dict[int | None, list[Cause]] = {}
    for cause in causes:
        children.setdefault(cause.parent_id, []).append(cause)

    def build(parent_id, depth):
        return [{"cause": c, "depth": depth, "children": build(c.pk, depth + 1)} for c in children.get(parent_id, [])]

    return build(None, 0)


def root_causes_by_area(analysis: EventAnalysis) -> list[tuple[CauseArea, list[Cause]]]:
    """Root causes grouped by cause area, in the areas' order (a cause may sit in several)."""
    roots = list(analysis.causes.filter(is_root=True).prefetch_related("cause_areas"))
    grouped = []
    for area in CauseArea.objects.filter(is_active=True):
        in_area = [c for c in roots if any(a.pk == area.pk for a in c.cause_areas.all())]
        if in_area:
            grouped.append((area, in_area))
    return grouped
