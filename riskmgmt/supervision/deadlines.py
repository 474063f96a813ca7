"""Deadline sources for the daily job (notifications.services.deadlines_run).

`requirement_report_back` (seeded by notifications): an open requirement's "redovisa senast" date,
reminded 30, 14, 7 and 1 days before (the rule's offsets) and escalated to management once when
overdue. `supervision_statement` (seeded by this app): a statement the authority asked for.
The job records each notice in DeadlineNotice, so nothing is sent twice.

Reminders go to whoever recorded the decision and to the section managers over its unit.
"""

from __future__ import annotations

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from riskmgmt.notifications.deadlines import DeadlineItem
from riskmgmt.organisation.models import Membership

from .models import Requirement, StatementRequest, SupervisionDecision

REQUIREMENT_RULE = "requirement_report_back"
STATEMENT_RULE = "supervision_statement"
OPEN_DECISION = (SupervisionDecision.Status.RECEIVED, SupervisionDecision.Status.RESPONDING,
                 SupervisionDecision.Status.DECIDED, SupervisionDecision.Status.REPORTING_BACK)


def safe_url(obj) -> str:
    """The object's page; the list while the detail route is missing (a link must not fail the job)."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return reverse("supervision:list")


class _SectionManagers:
    """Active section managers over a unit, nearest first; one query per unit and run."""

    def __init__(self) -> None:
        self._cache: dict[int, list] = {}

    def __call__(self, unit) -> list:
        if unit.pk not in self._cache:
            memberships = Membership.objects.filter(
                is_active=True, user__is_active=True, unit__is_active=True,
                role=Membership.Role.SECTION_MANAGER, unit__code__in=[*unit.ancestor_codes(), unit.code],
            ).select_related("user", "unit").order_by("-unit__path", "user__pk")
            self._cache[unit.pk] = list({m.user.pk: m.user for m in memberships}.values())
        return self._cache[unit.pk]


def recipients_for(decision: SupervisionDecision, section_managers) -> list:
    """Who is reminded: the recorder first, then the section managers over the unit (no duplicates)."""
    people = [decision.recorded_by, *section_managers(decision.unit)]
    return list({user.pk: user for user in people if user is not None and user.is_active}.values())


def _item(obj, *, due_date: datetime.date, decision: SupervisionDecision, label: str, url: str, section_managers):
    people = recipients_for(decision, section_managers)
    return DeadlineItem(obj=obj, due_date=due_date, responsible=people[0] if people else None,
                        unit=decision.unit, label=label, url=url, also_notify=tuple(people[1:]))


def requirement_items(horizon: datetime.date):
    """Open requirements of open decisions due on or before `horizon` (index status, due_date)."""
    section_managers = _SectionManagers()
    for requirement in Requirement.objects.filter(
        status=Requirement.Status.OPEN, due_date__lte=horizon, decision__status__in=OPEN_DECISION,
    ).select_related("decision__unit", "decision__recorded_by").order_by("due_date", "pk"):
        decision = requirement.decision
        label = _("%(decision)s: redovisning av krav %(pk)s") % {"decision": decision, "pk": requirement.pk}
        yield _item(requirement, due_date=requirement.due_date, decision=decision, label=label,
                    url=safe_url(requirement), section_managers=section_managers)


def statement_items(horizon: datetime.date):
    """Unanswered statement requests of decisions still awaiting the authority."""
    section_managers = _SectionManagers()
    for statement in StatementRequest.objects.filter(
        submitted_on__isnull=True, due_date__lte=horizon,
        decision__status__in=[SupervisionDecision.Status.RECEIVED, SupervisionDecision.Status.RESPONDING],
    ).select_related("decision__unit", "decision__recorded_by").order_by("due_date", "pk"):
        decision = statement.decision
        label = _("%(decision)s: yttrande") % {"decision": decision}
        yield _item(statement, due_date=statement.due_date, decision=decision, label=label,
                    url=safe_url(decision) + "#yttranden", section_managers=section_managers)
