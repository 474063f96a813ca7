"""The deadline job: reminders on their days, overdue once, escalation up the tree, idempotent."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from riskmgmt.notifications import tasks
from riskmgmt.notifications.models import DeadlineNotice, DeadlineRule, Notification
from riskmgmt.notifications.services import deadlines_run
from riskmgmt.organisation.models import Membership
from tests.factories import MembershipFactory, UserFactory

from .conftest import at

DUE = datetime.date(2026, 4, 20)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Runs the job on a given day as beat would (at 06:30 Stockholm), committing each notice."""

    def run_on(day: datetime.date):
        with at(day), django_capture_on_commit_callbacks(execute=True):
            return deadlines_run()

    return run_on


def sent(kind=None, recipient=None):
    notifications = Notification.objects.all()
    if kind:
        notifications = notifications.filter(kind=f"deadline_{kind}")
    if recipient:
        notifications = notifications.filter(recipient=recipient)
    return list(notifications.order_by("pk"))


def test_reminder_on_the_exact_day_and_not_the_day_before(deadline, run, org, reporter):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])

    result = run(DUE - 8 * DAY)
    assert result.reminders == 0
    assert sent() == []
    assert deadline.horizons == [DUE - DAY]  # today + the largest offset (7)

    result = run(DUE - 7 * DAY)
    assert (result.reminders, result.notifications) == (1, 1)
    [notification] = sent("reminder", reporter)
    pk = org["mottagning"].pk
    assert notification.subject == f"Påminnelse: Testärende P-{pk} ska vara klar 2026-04-20"
    assert "om 7 dagar" in notification.body
    assert notification.url == f"/test/{org['mottagning'].pk}/"
    assert notification.target_object == org["mottagning"]
    assert [message.to for message in mail.outbox] == [[reporter.email]]
    notice = DeadlineNotice.objects.get()
    assert (notice.rule_code, notice.kind, notice.due_date, notice.offset) == (
        "test_deadline", "reminder", DUE, 7,
    )

    assert run(DUE - 6 * DAY).reminders == 0
    assert run(DUE - DAY).reminders == 1
    assert [n.kind for n in sent()] == ["deadline_reminder", "deadline_reminder"]
    assert "i morgon" in sent()[-1].body
    assert run(DUE).reminders == 0  # no reminder on the due day itself (no 0 offset)


def test_second_run_the_same_day_sends_nothing(deadline, run, org, reporter, unit_manager):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    assert run(DUE - 7 * DAY).notifications == 1
    assert run(DUE - 7 * DAY).notifications == 0
    assert run(DUE + 5 * DAY).notifications == 2  # overdue + escalation
    assert run(DUE + 5 * DAY).notifications == 0
    assert len(sent()) == 3
    assert DeadlineNotice.objects.count() == 3


def test_an_escalation_with_nobody_to_tell_waits_until_someone_is_appointed(
    deadline, run, org, reporter, caplog
):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    assert run(DUE + 3 * DAY).escalations == 0
    assert "test_deadline escalation" in caplog.text
    assert "nobody to notify" in caplog.text
    boss = UserFactory(username="boss")
    MembershipFactory(user=boss, unit=org["mott"], role=Membership.Role.UNIT_MANAGER)
    assert run(DUE + 4 * DAY).escalations == 1
    assert [n.recipient for n in sent("escalation")] == [boss]


def test_missed_days_send_only_the_nearest_reminder(deadline, run, org, reporter):
    deadline.rule.reminder_offsets = [30, 14, 7, 1]
    deadline.rule.save()
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])

    # The job did not run for three weeks: one reminder for the 7-day point, not three.
    assert run(DUE - 6 * DAY).reminders == 1
    assert list(DeadlineNotice.objects.values_list("offset", flat=True)) == [7]
    assert "om 6 dagar" in sent()[0].body

    assert run(DUE - 2 * DAY).reminders == 0
    assert run(DUE).reminders == 1  # missed the 1-day point: sent on the due day, once
    assert sorted(DeadlineNotice.objects.values_list("offset", flat=True)) == [1, 7]


def test_overdue_notice_once_the_first_run_after_the_due_date(deadline, run, org, reporter):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    assert run(DUE).overdue == 0
    result = run(DUE + DAY)
    assert (result.overdue, result.escalations) == (1, 0)
    [notification] = sent("overdue", reporter)
    assert notification.subject.startswith("Försenad: Testärende")
    assert "1 dag sedan" in notification.body
    assert run(DUE + 2 * DAY).overdue == 0
    assert len(sent("overdue")) == 1


def test_staff_item_escalates_to_the_unit_manager(deadline, run, org, reporter, unit_manager, section_manager):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    assert run(DUE + 2 * DAY).escalations == 0  # escalation_after_days is 3
    assert run(DUE + 3 * DAY).escalations == 1
    assert [n.recipient for n in sent("escalation")] == [unit_manager]
    assert sent("escalation")[0].subject.startswith("Eskalering: Testärende")
    assert run(DUE + 4 * DAY).escalations == 0


def test_unit_managers_item_escalates_to_the_section_manager(
    deadline, run, org, reporter, unit_manager, section_manager, management
):
    deadline.add(org["mottagning"], due_date=DUE, responsible=unit_manager, unit=org["mott"])
    run(DUE + 3 * DAY)
    assert [n.recipient for n in sent("escalation")] == [section_manager]
    assert [n.recipient for n in sent("overdue")] == [unit_manager]


def test_section_managers_item_escalates_past_their_own_level(
    deadline, run, org, unit_manager, section_manager, management
):
    # Filed on a unit below the section: the unit manager there is not the section manager's
    # manager, so the escalation goes up, past the section; nobody manages the administration,
    # so management gets it.
    deadline.add(org["mottagning"], due_date=DUE, responsible=section_manager, unit=org["mott"])
    run(DUE + 3 * DAY)
    assert [n.recipient for n in sent("escalation")] == [management]


def test_escalation_goes_to_a_manager_above_the_section_when_there_is_one(
    deadline, run, org, section_manager, management
):
    director = UserFactory(username="director")
    MembershipFactory(user=director, unit=org["sof"], role=Membership.Role.SECTION_MANAGER)
    deadline.add(org["placering"], due_date=DUE, responsible=section_manager, unit=org["plac"])
    run(DUE + 3 * DAY)
    assert [n.recipient for n in sent("escalation")] == [director]


def test_inactive_managers_are_skipped(deadline, run, org, reporter, unit_manager, section_manager):
    Membership.objects.filter(user=unit_manager).update(is_active=False)
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    run(DUE + 3 * DAY)
    assert [n.recipient for n in sent("escalation")] == [section_manager]


def test_management_rule_escalates_to_management(
    deadline, run, org, unit_manager, section_manager, management, quality
):
    deadline.rule.escalate_to = DeadlineRule.EscalateTo.MANAGEMENT
    deadline.rule.escalation_after_days = 0
    deadline.rule.save()
    deadline.add(org["mottagning"], due_date=DUE, responsible=unit_manager, unit=org["mott"])
    result = run(DUE + DAY)
    assert (result.overdue, result.escalations) == (1, 1)
    assert [n.recipient for n in sent("escalation")] == [management]


def test_without_a_responsible_person_the_units_managers_are_reminded(
    deadline, run, org, unit_manager, section_manager
):
    deadline.add(org["placering"], due_date=DUE, responsible=None, unit=org["plac"])
    # Nobody manages plac directly: the nearest manager above it is the section manager.
    run(DUE - 7 * DAY)
    assert [n.recipient for n in sent("reminder")] == [section_manager]


def test_a_changed_due_date_gets_its_own_notices(deadline, run, org, reporter):
    item = deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    assert run(DUE - 7 * DAY).reminders == 1
    later = DUE + 14 * DAY
    deadline.move(item, later)
    assert run(DUE - 6 * DAY).reminders == 0
    assert run(later - 7 * DAY).reminders == 1
    assert list(DeadlineNotice.objects.order_by("pk").values_list("due_date", flat=True)) == [DUE, later]


def test_an_item_listed_twice_is_notified_once(deadline, run, org, reporter):
    # Two overlapping runs race for the same notice; here the same item appears twice in one
    # batch, so the second insert meets the unique constraint exactly as the losing run would.
    item = deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    deadline.items.append(item)
    result = run(DUE - 7 * DAY)
    assert (result.reminders, result.notifications) == (1, 1)
    assert len(sent()) == 1


def test_inactive_or_expired_rules_send_nothing(deadline, run, org, reporter):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    deadline.rule.valid_to = DUE - 10 * DAY
    deadline.rule.save()
    assert run(DUE - 7 * DAY).reminders == 0
    deadline.rule.valid_to = None
    deadline.rule.is_active = False
    deadline.rule.save()
    assert run(DUE - 7 * DAY).reminders == 0
    assert deadline.horizons == []


def test_a_failing_source_does_not_stop_the_others(deadline, run, org, reporter, caplog):
    from riskmgmt.notifications.deadlines import register_deadline_source

    def broken(horizon):
        raise RuntimeError("bug in another app")

    register_deadline_source("test_deadline", broken)
    register_deadline_source("test_deadline", broken)  # registering twice is a no-op
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    deadline.rule.reminder_offsets = [7]
    deadline.rule.save()
    result = run(DUE - 7 * DAY)
    assert (result.reminders, result.failed_sources) == (1, 1)
    assert "deadline source for rule test_deadline failed" in caplog.text


def test_the_task_and_the_command_run_the_job(deadline, org, reporter, django_capture_on_commit_callbacks):
    deadline.add(org["mottagning"], due_date=DUE, responsible=reporter, unit=org["mott"])
    with at(DUE - 7 * DAY), django_capture_on_commit_callbacks(execute=True):
        assert tasks.run_deadlines_task()["reminders"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_deadlines", "--date", (DUE - DAY).isoformat())
    assert [n.kind for n in sent()] == ["deadline_reminder", "deadline_reminder"]
    assert sorted(DeadlineNotice.objects.values_list("offset", flat=True)) == [1, 7]


def test_the_command_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ogiltigt datum"):
        call_command("run_deadlines", "--date", "2026-13-01")
