"""Seeds the deadline rule for statements (yttranden) an authority asks for.

Rerunnable: a rule that already exists (perhaps edited in the admin) is left as it is, and a
created one gets its first history row. The reply date is the authority's, so the rule has no
period of its own; it only says when to remind and that a missed date goes to management.
"""

import datetime

from django.db import migrations
from django.utils import timezone

RULE = {
    "code": "supervision_statement",
    "name": "Yttrande till tillsynsmyndighet",
    "applies_to": "Begäran om yttrande eller remiss från IVO, JO, domstol eller revision: myndighetens datum",
    "reminder_offsets": [14, 7, 1],
    "escalation_after_days": 0,
    "escalate_to": "management",
    "legal_basis": "Myndighetens begäran anger datumet.",
    "valid_from": datetime.date(2000, 1, 1),
    "is_active": True,
}
FIELDS = ["code", "name", "applies_to", "days", "months", "annual_due", "reminder_offsets",
          "escalation_after_days", "escalate_to", "legal_basis", "valid_from", "valid_to", "is_active"]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("notifications", "DeadlineRule")
    HistoricalDeadlineRule = apps.get_model("notifications", "HistoricalDeadlineRule")
    defaults = dict(RULE)
    code = defaults.pop("code")
    rule, created = DeadlineRule.objects.get_or_create(code=code, defaults=defaults)
    if created:
        HistoricalDeadlineRule.objects.create(
            id=rule.pk, **{field: getattr(rule, field) for field in FIELDS},
            history_date=timezone.now(), history_type="+", history_change_reason="seed_statement_rule",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("notifications", "0002_seed_deadline_rules"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
