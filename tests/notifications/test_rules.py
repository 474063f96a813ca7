"""Deadline rules: the seeded defaults, due-date arithmetic and validation."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from riskmgmt.notifications.deadlines import add_months, due_date_for
from riskmgmt.notifications.models import DeadlineRule

seed = importlib.import_module("riskmgmt.notifications.migrations.0002_seed_deadline_rules")

D = datetime.date

LATER_SEEDS = ["supervision_statement"]
EXPECTED = {
    # Each rule as days, months, annual due date, reminders, escalation delay, escalated to.
    "lex_sarah_receipt": (1, None, "", [0], 0, "next_manager"),
    "deviation_receipt": (3, None, "", [1], 2, "next_manager"),
    "lex_sarah_investigation": (30, None, "", [7, 1], 3, "next_manager"),
    "ivo_notification": (7, None, "", [3, 1], 0, "management"),
    "ivo_investigation": (None, 2, "", [14, 7, 1], 0, "management"),
    "complaint_answer": (14, None, "", [3], 3, "next_manager"),
    "event_analysis_report": (56, None, "", [14, 7], 7, "next_manager"),
    "requirement_report_back": (None, None, "", [30, 14, 7, 1], 0, "management"),
    "action_due": (None, None, "", [7], 14, "next_manager"),
    "risk_analysis_yearly": (None, None, "03-31", [30, 7], 14, "next_manager"),
    "control_check": (None, None, "", [7], 14, "next_manager"),
}


def test_seeded_rules_match_the_domain_defaults(db):
    rules = {
        rule.code: (
            rule.days, rule.months, rule.annual_due, rule.reminder_offsets,
            rule.escalation_after_days, rule.escalate_to,
        )
        # Apps may seed rules of their own (supervision_statement); these are this seed's.
        for rule in DeadlineRule.objects.exclude(code__in=LATER_SEEDS)
    }
    assert rules == EXPECTED
    for rule in DeadlineRule.objects.exclude(code__in=LATER_SEEDS):
        rule.full_clean()
        assert rule.name
        assert rule.legal_basis
        assert "§" not in rule.legal_basis  # DOMAIN.md A1: paragraph numbers are data for the admin
        assert rule.history.filter(history_change_reason="seed_deadline_rules").count() == 1


def test_seed_is_rerunnable_and_keeps_admin_edits(db):
    rule = DeadlineRule.objects.get(code="complaint_answer")
    rule.days = 10
    rule.save()
    seed.seed_rules(apps, None)
    seed.seed_rules(apps, None)
    assert DeadlineRule.objects.exclude(code__in=LATER_SEEDS).count() == len(EXPECTED)
    assert DeadlineRule.objects.get(code="complaint_answer").days == 10
    assert DeadlineRule.history.filter(history_change_reason="seed_deadline_rules").count() == len(EXPECTED)


@pytest.mark.parametrize(
    ("code", "start", "due"),
    [
        ("lex_sarah_receipt", D(2026, 3, 2), D(2026, 3, 3)),
        ("lex_sarah_investigation", D(2026, 3, 2), D(2026, 4, 1)),
        ("event_analysis_report", D(2026, 3, 2), D(2026, 4, 27)),
        ("ivo_investigation", D(2026, 3, 15), D(2026, 5, 15)),
        ("ivo_investigation", D(2025, 12, 31), D(2026, 2, 28)),  # no 31 February: month's end
        ("risk_analysis_yearly", D(2026, 1, 10), D(2026, 3, 31)),
        ("risk_analysis_yearly", D(2026, 4, 1), D(2027, 3, 31)),
        ("action_due", D(2026, 3, 2), None),  # its own due date: no period
        ("requirement_report_back", D(2026, 3, 2), None),
    ],
)
def test_due_date_for(db, code, start, due):
    assert due_date_for(code, start) == due


def test_due_date_for_respects_validity_and_unknown_codes(db, caplog):
    rule = DeadlineRule.objects.get(code="complaint_answer")
    rule.valid_to = D(2025, 6, 30)
    rule.save()
    assert due_date_for("complaint_answer", D(2025, 6, 30)) == D(2025, 7, 14)
    assert due_date_for("complaint_answer", D(2025, 7, 1)) is None
    rule.valid_to = None
    rule.is_active = False
    rule.save()
    assert due_date_for("complaint_answer", D(2025, 7, 1)) is None
    assert due_date_for("no_such_rule", D(2025, 7, 1)) is None
    assert "no_such_rule does not exist" in caplog.text


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert add_months(D(2025, 12, 15), 1) == D(2026, 1, 15)


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"days": 3, "months": 1}, "__all__"),
        ({"reminder_offsets": [7, -1]}, "reminder_offsets"),
        ({"reminder_offsets": "7"}, "reminder_offsets"),
        ({"annual_due": "02-30"}, "annual_due"),
        ({"annual_due": "3-31"}, "annual_due"),
        ({"valid_from": D(2026, 1, 1), "valid_to": D(2025, 1, 1)}, "valid_to"),
    ],
)
def test_rule_validation(db, fields, error_field):
    rule = DeadlineRule(code="x", name="X", **fields)
    with pytest.raises(ValidationError) as excinfo:
        rule.full_clean()
    assert error_field in excinfo.value.message_dict
