import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.analyses import services
from riskmgmt.analyses.models import EventAnalysis
from riskmgmt.core.errors import TransitionNotAllowedError
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.notifications.models import Notification

pytestmark = pytest.mark.django_db
NOW = timezone.now
TODAY = timezone.localdate


def _areas(*codes):
    return services.cause_areas_by_code(codes)


def _prepare_for_submit(analysis, actor):
    services.analysis_start(analysis=analysis, actor=actor)
    for hours, text in [(0, "Anmälan kommer in fredag 15.40"), (1, "Ingen läser inkorgen efter 16"),
                        (64, "Skyddsbedömning måndag 08.10")]:
        services.timeline_entry_save(analysis=analysis, actor=actor, at=NOW() - datetime.timedelta(hours=70 - hours),
                                     description=text)
    why = services.cause_save(analysis=analysis, actor=actor, text="Anmälan lästes inte förrän måndag")
    root = services.cause_save(analysis=analysis, actor=actor, text="Ingen rutin för bevakning av inkorgen på fredagar",
                               parent=why, is_root=True, cause_areas=_areas("procedures", "organisation"))
    action = action_services.action_create(
        source_obj=analysis, actor=actor, title="Bevakning av inkorgen till 17 på fredagar", responsible=actor,
        due_date=TODAY() + datetime.timedelta(days=30), strength="medium", addresses=root)
    return root, action


def test_create_sets_reference_due_date_and_notifies_team(org, section_manager, unit_manager, team):
    analysis = services.analysis_create(actor=section_manager, title="Analys", unit=org["mott"], scope="Uppdrag",
                                        commissioner=section_manager, lead=unit_manager, team=team)
    assert analysis.reference == f"HA-{TODAY().year}-0001"
    assert analysis.due_date == TODAY() + datetime.timedelta(weeks=8)
    assert analysis.status == "commissioned"
    notified = set(Notification.objects.filter(kind="analysis_assigned").values_list("recipient__username", flat=True))
    assert notified == {"unit_manager", "team_a", "team_b", "team_c"}
    assert services.analysis_warnings(analysis) == []


@pytest.mark.parametrize("persona", ["unit_manager", "reporter", "quality", "other_manager"])
def test_only_section_manager_or_management_commissions(request, org, persona, unit_manager):
    with pytest.raises(PermissionDenied):
        services.analysis_create(actor=request.getfixturevalue(persona), title="A", unit=org["mott"], scope="S",
                                 commissioner=unit_manager, lead=unit_manager)
    assert not EventAnalysis.objects.exists()


def test_due_date_after_ivo_investigation_date_warns(org, section_manager, unit_manager, file_report_lex):
    deviation = file_report_lex
    analysis = services.analysis_create(actor=section_manager, title="A", unit=org["mott"], scope="S",
                                        commissioner=section_manager, lead=unit_manager, deviations=[deviation],
                                        due_date=TODAY() + datetime.timedelta(days=120))
    warnings = services.analysis_warnings(analysis)
    assert any("IVO" in w for w in warnings)


@pytest.fixture
def file_report_lex(org, reporter, unit_manager, section_manager):
    from riskmgmt.deviations import services as dev

    deviation = dev.deviation_file(actor=reporter, kind="lex_sarah", unit=org["mott"], title="T", description="D")
    dev.deviation_receive(deviation=deviation, actor=unit_manager)
    dev.ivo_notification_create(deviation=deviation, actor=section_manager, sent_on=TODAY())
    return deviation


def test_whole_flow(analysis, unit_manager, section_manager):
    _root, action = _prepare_for_submit(analysis, unit_manager)
    services.analysis_submit_report(analysis=analysis, actor=unit_manager, summary="Rutin saknades",
                                    lessons="Bevaka inkorgen")
    assert analysis.status == "report_submitted"
    with pytest.raises(PermissionDenied):
        services.analysis_decide_actions(analysis=analysis, actor=unit_manager)
    services.analysis_decide_actions(analysis=analysis, actor=section_manager, comment="Beslutas enligt förslag")
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.analysis_record_follow_up(analysis=analysis, actor=section_manager, feedback_given_on=TODAY())
    assert "actions" in exc.value.missing
    action_services.action_complete(action=action, actor=unit_manager, done_on=TODAY())
    action_services.action_evaluate(action=action, actor=unit_manager, effect="effective", comment="Stickprov")
    services.analysis_record_follow_up(analysis=analysis, actor=section_manager, feedback_given_on=TODAY(),
                                       comment="Återkoppling på APT")
    assert analysis.status == "followed_up"
    assert [t.name for t in transition_log_for(analysis)] == [
        "create", "start", "submit_report", "decide_actions", "record_follow_up"]


def test_submit_without_root_cause_is_refused_with_message(analysis, unit_manager):
    services.analysis_start(analysis=analysis, actor=unit_manager)
    services.timeline_entry_save(analysis=analysis, actor=unit_manager, at=NOW(), description="Något hände")
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.analysis_submit_report(analysis=analysis, actor=unit_manager, summary="S")
    assert set(exc.value.missing) == {"causes", "actions"}
    assert "grundorsak" in exc.value.message
    assert analysis.status == "in_progress"


def test_team_members_edit_content_outsiders_cannot(analysis, team, reporter, section_manager):
    member = team[0][0]
    entry = services.timeline_entry_save(analysis=analysis, actor=member, at=NOW(), description="Samtal")
    assert entry.pk
    for stranger in (reporter, section_manager):
        with pytest.raises(PermissionDenied):
            services.timeline_entry_save(analysis=analysis, actor=stranger, at=NOW(), description="X")


def test_only_lead_submits(analysis, team, unit_manager):
    _prepare_for_submit(analysis, unit_manager)
    with pytest.raises(PermissionDenied):
        services.analysis_submit_report(analysis=analysis, actor=team[0][0], summary="S")


def test_cause_cannot_be_its_own_ancestor(analysis, unit_manager):
    top = services.cause_save(analysis=analysis, actor=unit_manager, text="A")
    middle = services.cause_save(analysis=analysis, actor=unit_manager, text="B", parent=top)
    bottom = services.cause_save(analysis=analysis, actor=unit_manager, text="C", parent=middle)
    with pytest.raises(services.AnalysisValidationError) as exc:
        services.cause_save(analysis=analysis, actor=unit_manager, text="A", parent=bottom, cause=top)
    assert "parent" in exc.value.errors
    with pytest.raises(services.AnalysisValidationError):
        services.cause_save(analysis=analysis, actor=unit_manager, text="A", parent=top, cause=top)
    top.refresh_from_db()
    assert top.parent is None


def test_deleting_a_cause_with_children_is_refused(analysis, unit_manager):
    top = services.cause_save(analysis=analysis, actor=unit_manager, text="A")
    child = services.cause_save(analysis=analysis, actor=unit_manager, text="B", parent=top)
    with pytest.raises(services.AnalysisValidationError):
        services.cause_delete(cause=top, actor=unit_manager)
    services.cause_delete(cause=child, actor=unit_manager)
    services.cause_delete(cause=top, actor=unit_manager)
    assert not analysis.causes.exists()


def test_root_cause_needs_an_area(analysis, unit_manager):
    with pytest.raises(services.AnalysisValidationError) as exc:
        services.cause_save(analysis=analysis, actor=unit_manager, text="Rot", is_root=True)
    assert "cause_areas" in exc.value.errors


def test_content_frozen_after_submission(analysis, unit_manager):
    _prepare_for_submit(analysis, unit_manager)
    services.analysis_submit_report(analysis=analysis, actor=unit_manager, summary="S")
    with pytest.raises(Exception, match="inlämnad"):
        services.timeline_entry_save(analysis=analysis, actor=unit_manager, at=NOW(), description="Sent")


def test_cancel_needs_reason_and_commissioner(analysis, unit_manager, section_manager):
    with pytest.raises(PermissionDenied):
        services.analysis_cancel(analysis=analysis, actor=unit_manager, reason="x")
    with pytest.raises(TransitionNotAllowedError):
        services.analysis_cancel(analysis=analysis, actor=section_manager, reason="")
    services.analysis_cancel(analysis=analysis, actor=section_manager, reason="Ingår i större analys")
    assert analysis.status == "cancelled"


def test_personnummer_in_timeline_refused(analysis, unit_manager):
    with pytest.raises(services.AnalysisValidationError) as exc:
        services.timeline_entry_save(analysis=analysis, actor=unit_manager, at=NOW(),
                                     description="Samtal med 811218-9876")
    assert "description" in exc.value.errors


def test_the_commissioner_must_be_someone_who_may_commission(org, section_manager, unit_manager, reporter):
    with pytest.raises(services.AnalysisValidationError) as exc:
        services.analysis_create(actor=section_manager, title="A", unit=org["mott"], scope="S",
                                 commissioner=reporter, lead=unit_manager)
    assert "commissioner" in exc.value.errors
    assert not EventAnalysis.objects.exists()
