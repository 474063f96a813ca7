import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from riskmgmt.actions import services
from riskmgmt.actions.models import Action
from riskmgmt.core.errors import ConcurrentChangeError, TransitionNotAllowedError
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.notifications.models import Notification
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _last_history(action):
    return action.history.order_by("-history_id").first()


def test_manager_creates_action_and_responsible_is_notified(org, unit_manager, reporter):
    action = services.action_create(
        source_obj=org["mott"], actor=unit_manager, title="Checklista för skyddsbedömning",
        description="Gäller barnet på Storgatan", responsible=reporter,
        due_date=TODAY() + datetime.timedelta(days=14), strength="medium",
    )
    assert action.status == Action.Status.PLANNED
    assert action.unit == org["mott"]
    assert _last_history(action).history_change_reason == "create"
    assert [t.name for t in transition_log_for(action)] == ["create"]
    note = Notification.objects.get(recipient=reporter)
    assert action.reference in note.subject + note.body
    assert note.url == action.get_absolute_url()
    # The description may hold case details; it never leaves the system in a notification.
    assert "Storgatan" not in note.subject + note.body


def test_staff_cannot_add_actions_to_the_unit_plan(org, reporter):
    with pytest.raises(PermissionDenied):
        services.action_create(source_obj=org["mott"], actor=reporter, title="X", responsible=reporter,
                               due_date=TODAY(), strength="weak")
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("due_date", {"due_date": datetime.date(2020, 1, 1)}),
        ("responsible", {"responsible": "outsider"}),
        ("strength", {"strength": "enormous"}),
    ],
)
def test_create_refuses_bad_input_with_the_field(org, unit_manager, reporter, outsider, field, kwargs):
    data = {"title": "Rutin", "responsible": reporter, "due_date": TODAY(), "strength": "weak", **kwargs}
    if data["responsible"] == "outsider":
        data["responsible"] = outsider
    with pytest.raises(services.ActionValidationError) as exc:
        services.action_create(source_obj=org["mott"], actor=unit_manager, **data)
    assert exc.value.field == field
    assert not Action.objects.exists()


def test_personnummer_in_title_is_refused(org, unit_manager, reporter):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.action_create(source_obj=org["mott"], actor=unit_manager,
                               title="Följ upp 811218-9876", responsible=reporter,
                               due_date=TODAY(), strength="weak")
    assert "personnummer" in str(exc.value)


def test_responsible_starts_completes_and_manager_evaluates(action, reporter, unit_manager):
    services.action_start(action=action, actor=reporter)
    assert action.status == "in_progress"
    services.action_complete(action=action, actor=reporter, done_on=TODAY(), comment="Klar")
    action.refresh_from_db()
    assert action.status == "done"
    assert action.done_on == TODAY()
    assert _last_history(action).history_change_reason == "complete"
    assert _last_history(action).history_user == reporter
    # The manager who created it hears that it is done.
    assert Notification.objects.filter(recipient=unit_manager, kind="status_changed").count() == 1
    services.action_evaluate(action=action, actor=unit_manager, effect="effective", comment="Stickprov ok")
    action.refresh_from_db()
    assert action.status == "evaluated"
    assert action.evaluated_on == TODAY()
    log = list(transition_log_for(action))
    assert [(t.name, t.source, t.target, t.by) for t in log] == [
        ("start", "planned", "in_progress", reporter),
        ("complete", "in_progress", "done", reporter),
        ("evaluate", "done", "evaluated", unit_manager),
    ]


def test_complete_needs_a_done_date_not_in_the_future(action, reporter):
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.action_complete(action=action, actor=reporter, done_on=None)
    assert exc.value.missing == ["done_on"]
    with pytest.raises(TransitionNotAllowedError):
        services.action_complete(action=action, actor=reporter, done_on=TODAY() + datetime.timedelta(days=1))
    action.refresh_from_db()
    assert action.status == "planned"
    assert not transition_log_for(action).exists()


def test_evaluate_needs_effect_and_comment(action, reporter, unit_manager):
    services.action_complete(action=action, actor=reporter, done_on=TODAY())
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.action_evaluate(action=action, actor=unit_manager, effect="", comment="")
    assert set(exc.value.missing) == {"effect", "evaluation_comment"}
    assert "effekt" in exc.value.message


def test_evaluate_from_wrong_state_is_refused(action, unit_manager):
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.action_evaluate(action=action, actor=unit_manager, effect="effective", comment="ok")
    assert "Planerad" in exc.value.message


def test_cancel_needs_reason_and_only_from_open_states(action, unit_manager, reporter):
    with pytest.raises(TransitionNotAllowedError):
        services.action_cancel(action=action, actor=unit_manager, reason="")
    services.action_cancel(action=action, actor=unit_manager, reason="Ersatt av ny rutin")
    action.refresh_from_db()
    assert action.status == "cancelled"
    assert action.cancel_reason == "Ersatt av ny rutin"
    with pytest.raises(TransitionNotAllowedError):
        services.action_start(action=action, actor=reporter)


@pytest.mark.parametrize("persona", ["section_manager", "unit_manager", "reporter"])
def test_responsible_and_managers_of_the_unit_may_act(request, action, persona):
    services.action_start(action=action, actor=request.getfixturevalue(persona))
    assert action.status == "in_progress"


@pytest.mark.parametrize("persona", ["quality", "management", "other_manager", "outsider"])
def test_others_may_not_act(request, action, persona):
    with pytest.raises(PermissionDenied):
        services.action_start(action=action, actor=request.getfixturevalue(persona))
    action.refresh_from_db()
    assert action.status == "planned"


def test_concurrent_transition_is_refused(action, reporter, unit_manager):
    stale = Action.objects.get(pk=action.pk)
    services.action_start(action=action, actor=reporter)
    with pytest.raises(ConcurrentChangeError):
        services.action_cancel(action=stale, actor=unit_manager, reason="Dubblett")
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_follow_up_links_predecessor(action, reporter, unit_manager):
    services.action_complete(action=action, actor=reporter, done_on=TODAY())
    services.action_evaluate(action=action, actor=unit_manager, effect="none", comment="Ingen skillnad")
    assert action.needs_follow_up
    follow_up = services.action_create_follow_up(
        predecessor=action, actor=unit_manager, title="Spärr i systemet", responsible=reporter,
        due_date=TODAY() + datetime.timedelta(days=30), strength="strong",
    )
    assert follow_up.predecessor == action
    assert follow_up.unit == action.unit
    assert not Action.objects.get(pk=action.pk).needs_follow_up


def test_update_by_manager_reassigns_and_notifies(action, unit_manager, org):
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, unit=org["mott"], role="staff")
    services.action_update(action=action, actor=unit_manager, title=action.title, description="",
                           responsible=colleague, due_date=action.due_date, strength="strong")
    action.refresh_from_db()
    assert action.responsible == colleague
    assert action.strength == "strong"
    assert Notification.objects.filter(recipient=colleague, kind="action_assigned").exists()
    assert _last_history(action).history_change_reason == "update"


def test_update_refused_for_responsible_staff(action, reporter):
    with pytest.raises(PermissionDenied):
        services.action_update(action=action, actor=reporter, title="Ny", description="",
                               responsible=reporter, due_date=action.due_date, strength="weak")


def test_no_notification_when_the_change_rolls_back(org, unit_manager, reporter):
    from django.db import transaction

    def create_then_fail():
        with transaction.atomic():
            services.action_create(source_obj=org["mott"], actor=unit_manager, title="Rutin",
                                   responsible=reporter, due_date=TODAY(), strength="weak")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        create_then_fail()
    assert not Action.objects.exists()
    assert not Notification.objects.exists()


def test_factory_is_planned(db):
    assert ActionFactory().status == "planned"
