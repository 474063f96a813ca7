"""Risks own actions (a high risk needs at least one) through the action registry."""

from django.urls import reverse

from riskmgmt.actions.sources import ActionSource, register_action_source

from .models import Risk
from .rules import runs_analysis, sees_analysis
from .selectors import risk_get_for_user


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
