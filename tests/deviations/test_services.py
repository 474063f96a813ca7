import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.core.errors import TransitionNotAllowedError
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations import services
from riskmgmt.deviations.models import Deviation, IvoNotification
from riskmgmt.notifications.models import Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _reasons(deviation):
    return [h.history_change_reason for h in deviation.history.order_by("history_id")]


def test_filing_gives_reference_deadlines_and_notifies(file_report, reporter, unit_manager, section_manager, quality):
    deviation = file_report()
    year = timezone.localdate().year
    assert deviation.reference == f"AVV-{year}-0001"
    assert file_report(kind="other").reference == f"AVV-{year}-0002"
    assert deviation.status == "reported"
    assert deviation.receipt_due == TODAY() + datetime.timedelta(days=1)
    assert deviation.conclusion_due == TODAY() + datetime.timedelta(days=30)
    assert deviation.next_due == deviation.receipt_due
    recipients = set(Notification.objects.filter(object_id=deviation.pk).values_list("recipient__username", flat=True))
    assert recipients == {"unit_manager", "section_manager", "quality"}
    body = " ".join(Notification.objects.values_list("body", flat=True))
    assert "skyddsbedömningen gjordes först" not in body
    assert deviation.reference in body


def test_outsider_cannot_file(org, outsider):
    with pytest.raises(services.DeviationValidationError) as exc:
        services.deviation_file(actor=outsider, kind="other", unit=org["mott"], title="T", description="D")
    assert "unit" in exc.value.errors
    assert not Deviation.objects.exists()


def test_reported_at_only_for_quality(file_report, quality, org):
    earlier = timezone.now() - datetime.timedelta(days=800)
    with pytest.raises(services.DeviationValidationError) as exc:
        file_report(reported_at=earlier)
    assert "reported_at" in exc.value.errors
    deviation = services.deviation_file(actor=quality, kind="other", unit=org["mott"], title="Historik",
                                        description="Från tidigare system", reported_at=earlier)
    assert deviation.reference.startswith(f"AVV-{timezone.localdate(earlier).year}-")


def test_full_lex_sarah_flow_with_ivo(file_report, unit_manager, section_manager, reporter):
    deviation = file_report()
    services.deviation_receive(deviation=deviation, actor=unit_manager, immediate_actions="Skyddsbedömning gjord")
    services.deviation_start_investigation(deviation=deviation, actor=unit_manager)
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.deviation_conclude(deviation=deviation, actor=unit_manager, what_happened="Se ovan")
    assert set(exc.value.missing) == {"consequences", "causes", "classification"}
    services.deviation_conclude(deviation=deviation, actor=unit_manager, what_happened="Sen bedömning",
                                consequences="Barnet var utan skydd i tre dagar", causes="Ingen helgrutin",
                                classification="serious")
    assert deviation.status == "concluded"
    assert deviation.ivo_notification_due == TODAY() + datetime.timedelta(days=7)
    action_services.action_create(source_obj=deviation, actor=unit_manager, title="Helgrutin för skyddsbedömning",
                                  responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                  strength="medium")
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.deviation_close(deviation=deviation, actor=unit_manager, feedback_given_on=TODAY())
    assert exc.value.missing == ["ivo_notification"]
    with pytest.raises(PermissionDenied):
        services.ivo_notification_create(deviation=deviation, actor=unit_manager, sent_on=TODAY())
    notification = services.ivo_notification_create(deviation=deviation, actor=section_manager, sent_on=TODAY(),
                                                    ivo_reference="8.5-12345/2026")
    assert notification.investigation_due.month != TODAY().month or notification.investigation_due.year != TODAY().year
    with pytest.raises(TransitionNotAllowedError):
        services.deviation_close(deviation=deviation, actor=unit_manager, feedback_given_on=TODAY())
    services.ivo_send_investigation(notification=notification, actor=section_manager, sent_on=TODAY())
    services.deviation_close(deviation=deviation, actor=unit_manager, feedback_given_on=TODAY(),
                             feedback="Ny helgrutin införs.")
    deviation.refresh_from_db()
    assert deviation.status == "closed"
    assert deviation.next_due is None
    assert [t.name for t in transition_log_for(deviation)] == [
        "create", "receive", "start_investigation", "conclude", "close"]
    assert "close" in _reasons(deviation)
    assert Notification.objects.filter(recipient=reporter, kind="deviation_closed").exists()
    services.ivo_record_closed(notification=notification, actor=section_manager, decided_on=TODAY())
    assert IvoNotification.objects.get().status == "ivo_closed"


def test_close_needs_action_or_reason_and_feedback(file_report, unit_manager):
    deviation = file_report(kind="other")
    services.deviation_receive(deviation=deviation, actor=unit_manager)
    services.deviation_start_investigation(deviation=deviation, actor=unit_manager)
    services.deviation_conclude(deviation=deviation, actor=unit_manager, conclusion="Rutinen följdes inte")
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.deviation_close(deviation=deviation, actor=unit_manager, feedback_given_on=None)
    assert set(exc.value.missing) == {"feedback_given_on", "actions"}
    services.deviation_close(deviation=deviation, actor=unit_manager, feedback_given_on=TODAY(),
                             no_action_reason="Engångshändelse, rutinen är tydlig")
    assert deviation.status == "closed"


def test_reclassification_is_logged(file_report, unit_manager):
    deviation = file_report(kind="other")
    services.deviation_receive(deviation=deviation, actor=unit_manager, kind="lex_sarah")
    deviation.refresh_from_db()
    assert deviation.kind == "lex_sarah"
    assert "Omklassificerad" in transition_log_for(deviation).last().comment
    assert deviation.history.filter(kind="other").exists()


def test_complaint_conclusion_and_forward(file_report, unit_manager):
    deviation = file_report(kind="complaint", complainant_type="relative")
    services.deviation_receive(deviation=deviation, actor=unit_manager)
    with pytest.raises(TransitionNotAllowedError):
        services.deviation_forward(deviation=deviation, actor=unit_manager, forwarded_to="", complainant_notified_on=None)
    services.deviation_forward(deviation=deviation, actor=unit_manager, forwarded_to="Region, BUP",
                               complainant_notified_on=TODAY())
    assert deviation.status == "forwarded"


def test_forward_refused_for_other_kinds(file_report, unit_manager):
    deviation = file_report(kind="other")
    services.deviation_receive(deviation=deviation, actor=unit_manager)
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.deviation_forward(deviation=deviation, actor=unit_manager, forwarded_to="BUP",
                                   complainant_notified_on=TODAY())
    assert "kind" in exc.value.missing


def test_withdraw_before_investigation_only(file_report, reporter, unit_manager):
    deviation = file_report(kind="other")
    services.deviation_withdraw(deviation=deviation, actor=reporter, reason="Dubblett")
    assert deviation.status == "withdrawn"
    second = file_report(kind="other")
    services.deviation_receive(deviation=second, actor=unit_manager)
    services.deviation_start_investigation(deviation=second, actor=unit_manager)
    with pytest.raises(TransitionNotAllowedError):
        services.deviation_withdraw(deviation=second, actor=unit_manager, reason="Fel")


@pytest.mark.parametrize("persona", ["reporter", "quality", "management", "other_manager", "outsider"])
def test_only_managers_receive(request, file_report, persona):
    deviation = file_report(kind="other")
    with pytest.raises(PermissionDenied):
        services.deviation_receive(deviation=deviation, actor=request.getfixturevalue(persona))
    deviation.refresh_from_db()
    assert deviation.status == "reported"


@pytest.mark.parametrize("persona", ["unit_manager", "section_manager"])
def test_managers_receive(request, file_report, persona):
    deviation = file_report(kind="other")
    services.deviation_receive(deviation=deviation, actor=request.getfixturevalue(persona))
    assert deviation.status == "received"


def test_ivo_only_for_lex_sarah_after_receipt(file_report, unit_manager, section_manager):
    other = file_report(kind="other")
    services.deviation_receive(deviation=other, actor=unit_manager)
    with pytest.raises(TransitionNotAllowedError):
        services.ivo_notification_create(deviation=other, actor=section_manager, sent_on=TODAY())
    lex = file_report()
    with pytest.raises(TransitionNotAllowedError):
        services.ivo_notification_create(deviation=lex, actor=section_manager, sent_on=TODAY())
    services.deviation_receive(deviation=lex, actor=unit_manager)
    notification = services.ivo_notification_create(deviation=lex, actor=section_manager, sent_on=TODAY(),
                                                    investigation_attached=True)
    assert notification.status == "investigation_sent"
    assert notification.investigation_due is None
    with pytest.raises(TransitionNotAllowedError):
        services.ivo_notification_create(deviation=lex, actor=section_manager, sent_on=TODAY())


def test_filing_refuses_an_impossible_year(file_report):
    import datetime as dt

    with pytest.raises(services.DeviationValidationError) as exc:
        file_report(occurred_at=dt.datetime(1, 1, 2, tzinfo=dt.UTC))
    assert "occurred_at" in exc.value.errors


def test_investigation_cannot_reach_ivo_before_the_notification(file_report, unit_manager, section_manager):
    deviation = file_report()
    services.deviation_receive(deviation=deviation, actor=unit_manager)
    notification = services.ivo_notification_create(deviation=deviation, actor=section_manager, sent_on=TODAY())
    with pytest.raises(services.DeviationValidationError) as exc:
        services.ivo_send_investigation(notification=notification, actor=section_manager,
                                        sent_on=TODAY() - datetime.timedelta(days=3))
    assert "sent_on" in exc.value.errors


def test_receiving_adds_measures_below_the_reporters_text(file_report, unit_manager):
    deviation = file_report(immediate_actions="Ringde jouren direkt.")
    services.deviation_receive(deviation=deviation, actor=unit_manager, immediate_actions="Skyddsbedömning gjord.")
    deviation.refresh_from_db()
    assert deviation.immediate_actions.startswith("Ringde jouren direkt.")
    assert "Åtgärder vid mottagandet (Maria Ek" in deviation.immediate_actions
    assert deviation.immediate_actions.endswith("Skyddsbedömning gjord.")
