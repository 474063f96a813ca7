"""The deadline registry: apps say which of their objects have deadlines under which rule.

An app registers a source per rule code from its `AppConfig.ready()`:

    register_deadline_source("action_due", actions.selectors.action_deadline_items)

and the daily job (`services.deadlines_run`) asks each source for its open items due by a
horizon, then sends reminders, overdue notices and escalations. Periods come from the
admin-editable `DeadlineRule` table (DOMAIN.md A1): use `due_date_for` to compute a due date.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from riskmgmt.accounts.models import User
    from riskmgmt.organisation.models import Unit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadlineItem:
    obj: models.Model  # the object with the deadline
    due_date: datetime.date
    responsible: User | None  # who is reminded
    unit: Unit  # where escalation starts going up the tree
    label: str  # e.g. "Åtgärd ÅTG-12: Ny rutin för skyddsbedömning" — no personal data
    url: str  # path to the object, e.g. "/atgarder/12/"
    also_notify: tuple = ()  # others who get the reminders and overdue notices too (e.g. the sektionschef)


DeadlineSource = Callable[[datetime.date], Iterable[DeadlineItem]]

_sources: dict[str, list[DeadlineSource]] = {}


def register_deadline_source(rule_code: str, source: Callable[[datetime.date], Iterable[DeadlineItem]]) -> None:
    """`source(horizon)` returns every OPEN item of that kind due on or before `horizon` (overdue ones too),
    using an indexed due-date column. Apps call this from AppConfig.ready()."""
    registered = _sources.setdefault(rule_code, [])
    # ready() can run more than once (tests, reloads); registering twice would notify twice.
    if source not in registered:
        registered.append(source)


def unregister_deadline_source(rule_code: str, source: DeadlineSource) -> None:
    """Removes a registered source (tests); unknown sources are ignored."""
    registered = _sources.get(rule_code, [])
    if source in registered:
        registered.remove(source)
    if not registered:
        _sources.pop(rule_code, None)


def deadline_sources(rule_code: str) -> list[DeadlineSource]:
    """The sources registered for a rule code, in registration order."""
    return list(_sources.get(rule_code, []))


def add_months(start: datetime.date, months: int) -> datetime.date:
    """`start` plus whole calendar months; a day past the month's end becomes its last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def next_annual_date(start: datetime.date, month_day: str) -> datetime.date:
    """The first date on or after `start` that falls on `month_day` ("MM-DD")."""
    month, day = (int(part) for part in month_day.split("-"))
    for year in (start.year, start.year + 1, start.year + 2, start.year + 3, start.year + 4):
        # 02-29 only exists in leap years; clamp it to 28 February otherwise.
        candidate = datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))
        if candidate >= start:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def period_due_date(rule, start: datetime.date) -> datetime.date | None:
    """`start` plus the rule's period (days, months or the next yearly date); None without one."""
    if rule.days is not None:
        return start + datetime.timedelta(days=rule.days)
    if rule.months is not None:
        return add_months(start, rule.months)
    if rule.annual_due:
        return next_annual_date(start, rule.annual_due)
    return None


def due_date_for(rule_code: str, start: datetime.date) -> datetime.date | None:
    """start + the rule's days or months (rule valid on `start`); None if the rule has no period."""
    from .models import DeadlineRule

    rule = DeadlineRule.objects.filter(code=rule_code).first()
    if rule is None:
        # Not a crash: an installation may have removed a rule. Say so in the log, loudly.
        logger.warning("deadline rule %s does not exist; no due date computed", rule_code)
        return None
    if not rule.is_valid_on(start):
        return None
    return period_due_date(rule, start)
