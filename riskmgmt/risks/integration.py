"""Risks own actions (a high risk needs at least one) through the action registry."""

from django.http import Http404

from riskmgmt.actions.sources import ActionSource, register_action_source

from .models import Risk
from .rules import runs_analysis, sees_analysis


def risk_get_for_user(user, pk) -> Risk:
    """The access gate for a single risk: 404 unless the user may see its analysis."""
    try:
        risk = Risk.objects.select_related("analysis__unit").get(pk=int(pk))
    except (Risk.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not sees_analysis(user, risk.analysis):
        raise Http404
    return risk


def register() -> None:
    register_action_source(ActionSource(
        key="risk", model=Risk, label="Risk",
        unit_of=lambda r: r.analysis.unit,
        get_for_user=risk_get_for_user,
        can_add=lambda user, r: r.status == Risk.Status.OPEN and runs_analysis(user, r.analysis),
        title_of=lambda r: f"{r.analysis.year}: {r.title}",
        url_of=lambda r: "",
        extra_viewers=lambda user, r: sees_analysis(user, r.analysis),
    ))
