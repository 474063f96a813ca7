"""`{% upcoming_report_backs %}`: the start page's card with the coming report-back dates."""

import datetime

from django import template
from django.utils import timezone

from riskmgmt.organisation.selectors import user_has_role
from riskmgmt.supervision import selectors
from riskmgmt.supervision.views import days_left_text

register = template.Library()

CARD_ITEMS = 5
CARD_DAYS = 60


@register.inclusion_tag("supervision/_home_card.html", takes_context=True)
def upcoming_report_backs(context) -> dict:
    """Open requirements and unanswered statement requests due within 60 days (and overdue ones),
    for users who see supervision decisions; nothing at all for everyone else."""
    user = context["request"].user
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    today = timezone.localdate()
    items = [{"kind": "requirement", "date": r.due_date, "decision": r.decision, "url": r.get_absolute_url()}
             for r in selectors.upcoming_report_backs(user, days=CARD_DAYS, today=today)[:CARD_ITEMS]]
    until = today + datetime.timedelta(days=CARD_DAYS)
    items += [{"kind": "statement", "date": s.due_date, "decision": s.decision,
               "url": s.decision.get_absolute_url() + f"#yttrande-{s.pk}"}
              for s in selectors.statement_requests_due(user).filter(due_date__lte=until)[:CARD_ITEMS]]
    items = sorted(items, key=lambda i: i["date"])[:CARD_ITEMS]
    # Managers and oversight see decisions; anyone else only when responsible for an action on one.
    show = bool(items) or user_has_role(user, selectors.VIEWER_ROLES)
    for item in items:
        item["overdue"] = item["date"] < today
        item["days_left"] = days_left_text(item["date"], today)
    return {"show": show, "items": items, "days": CARD_DAYS}
