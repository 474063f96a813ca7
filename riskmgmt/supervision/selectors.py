"""Reads of supervision decisions, requirements and statement requests, and their access gates.

Scope is one SQL condition: the decision's unit lies under a unit where the user is a manager,
quality or management, or the user is responsible for an action on one of its requirements.
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from riskmgmt.organisation.models import Membership
from riskmgmt.organisation.selectors import units_in_scope

from .models import Requirement, StatementRequest, SupervisionDecision

VIEWER_ROLES = [*Membership.MANAGER_ROLES, *Membership.OVERSIGHT_ROLES]
MAX_ID = 2**63 - 1


def _pk(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < value <= MAX_ID:
        raise Http404
    return value


def _visible_decision_q(user) -> Q:
    """The condition on SupervisionDecision rows the user may see."""
    from riskmgmt.actions.models import Action

    action_on_requirement = Action.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Requirement),
        source_id__in=Requirement.objects.filter(decision=OuterRef(OuterRef("pk"))).values("pk"),
        responsible=user,
    )
    return Q(unit__in=units_in_scope(user, VIEWER_ROLES)) | Q(Exists(action_on_requirement))


def decisions_for_user(user) -> QuerySet[SupervisionDecision]:
    """Every decision the user may see, with its unit loaded."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return SupervisionDecision.objects.none()
    return SupervisionDecision.objects.filter(_visible_decision_q(user)).select_related("unit", "deviation")


def decision_get_for_user(user, pk) -> SupervisionDecision:
    """The one access gate for decisions: 404 outside the user's scope or for a bad pk."""
    decision = decisions_for_user(user).select_related("recorded_by").filter(pk=_pk(pk)).first()
    if decision is None:
        raise Http404
    return decision


def requirements_for_user(user) -> QuerySet[Requirement]:
    """Requirements of the decisions the user may see, with decision, unit and process loaded."""
    return Requirement.objects.filter(decision__in=decisions_for_user(user).values("pk")).select_related(
        "decision__unit", "process")


def requirement_get_for_user(user, pk) -> Requirement:
    """The access gate for one requirement: 404 unless its decision is visible."""
    requirement = requirements_for_user(user).filter(pk=_pk(pk)).first()
    if requirement is None:
        raise Http404
    return requirement


def requirements_for_decision(decision: SupervisionDecision) -> QuerySet[Requirement]:
    """One decision's requirements, earliest report-back date first (the caller checked access)."""
    return Requirement.objects.filter(decision=decision).select_related("process").order_by("due_date", "pk")


def upcoming_report_backs(user, days: int = 60, *, today: datetime.date | None = None) -> QuerySet[Requirement]:
    """Open requirements due within `days` (overdue ones too), earliest first."""
    today = today or timezone.localdate()
    return requirements_for_user(user).filter(
        status=Requirement.Status.OPEN, due_date__lte=today + datetime.timedelta(days=days),
    ).order_by("due_date", "pk")


def statement_requests_due(user) -> QuerySet[StatementRequest]:
    """Statement requests not yet answered on decisions still awaiting the authority, earliest first."""
    return StatementRequest.objects.filter(
        decision__in=decisions_for_user(user).values("pk"), submitted_on__isnull=True,
        decision__status__in=[SupervisionDecision.Status.RECEIVED, SupervisionDecision.Status.RESPONDING],
    ).select_related("decision__unit").order_by("due_date", "pk")


def statement_request_get_for_user(user, pk) -> StatementRequest:
    """The access gate for one statement request: 404 unless its decision is visible."""
    statement = StatementRequest.objects.filter(
        decision__in=decisions_for_user(user).values("pk"), pk=_pk(pk)).select_related("decision__unit").first()
    if statement is None:
        raise Http404
    return statement


def decision_filter(qs: QuerySet[SupervisionDecision], *, status: str | None = None, authority: str | None = None,
                    kind: str | None = None, unit=None, year: int | None = None) -> QuerySet[SupervisionDecision]:
    """Narrows a visible queryset by the filters the list page and the API share."""
    if status == "open":
        qs = qs.exclude(status=SupervisionDecision.Status.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if authority:
        qs = qs.filter(authority=authority)
    if kind:
        qs = qs.filter(kind=kind)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if year:
        qs = qs.filter(received_on__year=year)
    return qs


def requirement_filter(qs: QuerySet[Requirement], *, status: str | None = None,
                       due_before: datetime.date | None = None, decision=None, unit=None,
                       process=None, overdue: bool = False,
                       today: datetime.date | None = None) -> QuerySet[Requirement]:
    """Narrows a visible requirement queryset (API filters, the process page)."""
    if status == "overdue" or overdue:
        qs = qs.filter(status=Requirement.Status.OPEN, due_date__lt=today or timezone.localdate())
    if status in Requirement.Status.values:
        qs = qs.filter(status=status)
    if due_before is not None:
        # Inclusive, as django-filter's DateFromToRangeFilter reads "_before".
        qs = qs.filter(due_date__lte=due_before)
    if decision is not None:
        qs = qs.filter(decision=decision)
    if unit is not None:
        qs = qs.filter(decision__unit__path__startswith=unit.path)
    if process is not None:
        qs = qs.filter(process=process)
    return qs


def requirement_risks(requirement: Requirement):
    """The risks raised from a requirement (one per analysis year), newest analysis first."""
    from riskmgmt.risks.models import Risk

    return Risk.objects.filter(
        source_content_type=ContentType.objects.get_for_model(Requirement), source_id=requirement.pk,
    ).select_related("analysis__unit").order_by("-analysis__year", "pk")
