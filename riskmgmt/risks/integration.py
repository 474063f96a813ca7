"""Risks own actions (a high risk needs at least one) through the action registry, and the access
gates the risk pages share."""

from django.http import Http404
from django.urls import reverse

from riskmgmt.actions.sources import ActionSource, register_action_source

from .models import Risk, RiskAnalysis
from .rules import runs_analysis, sees_analysis


def analysis_get_for_user(user, pk) -> RiskAnalysis:
    """The access gate for a risk analysis: 404 unless the user may see it (its unit or above)."""
    try:
        analysis = RiskAnalysis.objects.select_related("unit", "approved_by").get(pk=int(pk))
    except (RiskAnalysis.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not sees_analysis(user, analysis):
        raise Http404
    return analysis


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
        url_of=lambda r: reverse("risks:risk-detail", args=[r.pk]),
        extra_viewers=lambda user, r: sees_analysis(user, r.analysis),
    ))
