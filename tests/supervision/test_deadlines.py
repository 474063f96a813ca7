"""Report-back dates and statement requests in the daily deadline job: reminders exactly 30, 14,
7 and 1 days before (the seeded rule), an overdue notice, and one escalation to management."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from riskmgmt.notifications.models import DeadlineNotice, DeadlineRule, Notification
from riskmgmt.notifications.services import deadlines_run
from riskmgmt.supervision import services
from tests.notifications.conftest import at

pytestmark = pytest.mark.django_db
START = datetime.date(2026, 3, 2)
DUE = datetime.date(2026, 5, 15)
DAY = datetime.timedelta(days=1)


def _notices(obj, user=None) -> list[str]:
    qs = Notification.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    if user is not None:
        qs = qs.filter(recipient=user)
    return list(qs.order_by("created", "pk").values_list("kind", flat=True))


@pytest.fixture
def open_requirement(org, quality, section_manager, unit_manager, management):
    """Recorded by quality (so the section manager is someone else), due on DUE."""
    with at(START):
        decision = services.decision_create(actor=quality, unit=org["mott"], authority="ivo", reference="8.5-1/2026",
                                            subject="Tillsyn", kind="supervision", received_on=START,
                                            decided_on=START, outcome="criticism")
        return services.requirement_add(decision=decision, actor=quality, text="Redovisa rutinen", due_date=DUE)


def test_the_seeded_rule_reminds_30_14_7_1_and_escalates_to_management():
    rule = DeadlineRule.objects.get(code="requirement_report_back")
    assert (rule.reminder_offsets, rule.escalation_after_days, rule.escalate_to) == ([30, 14, 7, 1], 0, "management")
    statement = DeadlineRule.objects.get(code="supervision_statement")
    assert (statement.escalate_to, statement.days, statement.months) == ("management", None, None)


def test_reminders_on_the_exact_days_and_one_escalation(open_requirement, quality, unit_manager, management):
    reminder_days = {DUE - datetime.timedelta(days=n) for n in (30, 14, 7, 1)}
    day = DUE - datetime.timedelta(days=35)
    while day <= DUE + datetime.timedelta(days=5):
        with at(day):
            before = len(_notices(open_requirement, quality))
            deadlines_run()
            deadlines_run()  # a second run the same day sends nothing twice
            sent = len(_notices(open_requirement, quality)) - before
        expected = 1 if day in reminder_days or day == DUE + DAY else 0
        assert sent == expected, day
        day += DAY
    assert _notices(open_requirement, quality) == ["deadline_reminder"] * 4 + ["deadline_overdue"]
    assert _notices(open_requirement, management) == ["deadline_escalation"]
    assert _notices(open_requirement, unit_manager) == []
    assert list(DeadlineNotice.objects.filter(rule_code="requirement_report_back").order_by("created")
                .values_list("kind", "offset")) == [("reminder", 30), ("reminder", 14), ("reminder", 7),
                                                     ("reminder", 1), ("overdue", 0), ("escalation", 0)]
    body = Notification.objects.filter(recipient=management, object_id=open_requirement.pk,
                                       content_type=ContentType.objects.get_for_model(open_requirement)).get().body
    assert "IVO 8.5-1/2026" in body
    assert "Redovisa rutinen" not in body  # references only, never the text


def test_section_managers_are_reminded_too(open_requirement, section_manager):
    with at(DUE - datetime.timedelta(days=30)):
        deadlines_run()
    assert _notices(open_requirement, section_manager) == ["deadline_reminder"]


def test_a_reported_requirement_is_no_longer_reminded(open_requirement, quality, management):
    with at(DUE - datetime.timedelta(days=30)):
        deadlines_run()
    with at(DUE - datetime.timedelta(days=20)):
        services.requirement_report_back(requirement=open_requirement, actor=quality,
                                         reported_on=DUE - datetime.timedelta(days=20), summary="Rutin antagen")
    for offset in (14, 7, 1, -1, -3):
        with at(DUE - datetime.timedelta(days=offset)):
            deadlines_run()
    assert _notices(open_requirement, quality) == ["deadline_reminder"]


def test_a_moved_due_date_gets_its_own_reminders(open_requirement, quality):
    with at(DUE - datetime.timedelta(days=7)):
        deadlines_run()
        services.requirement_update(requirement=open_requirement, actor=quality, due_date=DUE + datetime.timedelta(30))
    with at(DUE):
        deadlines_run()
    with at(DUE + datetime.timedelta(days=16)):
        deadlines_run()
    # 7 days before the old date, then 30 and 14 days before the new one.
    assert _notices(open_requirement, quality) == ["deadline_reminder"] * 3


def test_statement_requests_are_reminded_and_escalated_once(org, section_manager, management):
    with at(START):
        decision = services.decision_create(actor=section_manager, unit=org["mott"], authority="jo",
                                            reference="3673-2026", subject="Klagomål på handläggningstid",
                                            kind="jo_complaint", received_on=START)
        statement = services.decision_request_statement(decision=decision, actor=section_manager,
                                                        requested_on=START, due_date=START + datetime.timedelta(21))
    due = statement.due_date
    for day in (due - datetime.timedelta(days=14), due - datetime.timedelta(days=13), due - DAY, due + DAY,
                due + datetime.timedelta(days=2)):
        with at(day):
            deadlines_run()
    assert _notices(statement, section_manager) == ["deadline_reminder", "deadline_reminder", "deadline_overdue"]
    assert _notices(statement, management) == ["deadline_escalation"]
    assert Notification.objects.filter(recipient=section_manager, object_id=statement.pk).first().url.startswith(
        "/tillsyn/")


def test_an_answered_statement_is_not_reminded(org, section_manager):
    with at(START):
        decision = services.decision_create(actor=section_manager, unit=org["mott"], authority="jo",
                                            reference="3673-2026", subject="Klagomål", kind="jo_complaint",
                                            received_on=START)
        statement = services.decision_request_statement(decision=decision, actor=section_manager,
                                                        requested_on=START, due_date=START + datetime.timedelta(21))
        services.statement_submit(statement=statement, actor=section_manager, submitted_on=START)
    with at(statement.due_date + DAY):
        deadlines_run()
    assert _notices(statement) == []
