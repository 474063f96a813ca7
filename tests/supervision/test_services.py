"""The supervision services: decisions from receipt to closing, statement requests,
requirements and their report-back, attachments and raising a requirement as a risk."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from riskmgmt.core.errors import ConcurrentChangeError, TransitionNotAllowedError
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.risks.models import Risk
from riskmgmt.supervision import services
from riskmgmt.supervision.models import Requirement, StatementRequest, SupervisionDecision
from riskmgmt.supervision.selectors import requirement_risks
from tests.factories import DeviationFactory, ProcessFactory
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _pdf(name="Beslut om Anna Andersson.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def _log(obj) -> list[str]:
    return [entry.name for entry in transition_log_for(obj)]


def _reason(obj) -> tuple:
    record = obj.history.order_by("history_id").last()
    return record.history_change_reason, record.history_user


# ---------------------------------------------------------------- creating decisions

def test_section_manager_registers_a_received_decision(make_decision, section_manager, org):
    decision = make_decision(processes=[org["mottagning"]], summary="IVO granskar förhandsbedömningar.")
    decision.refresh_from_db()
    assert (decision.status, decision.authority, decision.kind, decision.recorded_by) == (
        "received", "ivo", "supervision", section_manager)
    assert list(decision.processes.all()) == [org["mottagning"]]
    assert _log(decision) == ["create"]
    assert decision.history.order_by("history_id").first().history_change_reason == "create"
    assert decision.history.order_by("history_id").first().history_user == section_manager


def test_a_decision_with_date_and_outcome_is_recorded_at_once(make_decision, section_manager):
    decision = make_decision(decided_on=TODAY() - days(1), outcome="no_criticism")
    assert decision.status == "decided"
    assert _log(decision) == ["create", "record_decision"]
    assert _reason(decision) == ("record_decision", section_manager)


@pytest.mark.parametrize("persona", ["quality", "management"])
def test_quality_and_management_register_decisions(make_decision, persona, personas):
    assert make_decision(actor=personas[persona]).recorded_by == personas[persona]


@pytest.mark.parametrize("persona", ["reporter", "unit_manager", "other_manager", "outsider"])
def test_others_may_not_register_decisions(make_decision, persona, personas):
    with pytest.raises(PermissionDenied):
        make_decision(actor=personas[persona])
    assert not SupervisionDecision.objects.exists()


def test_a_section_manager_registers_only_under_their_section(make_decision, personas, org):
    with pytest.raises(PermissionDenied):
        make_decision(unit=org["miss"])
    assert make_decision(unit=org["fam"]).unit == org["fam"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"authority": "ivo2"}, "authority"),
    ({"kind": "gossip"}, "kind"),
    ({"outcome": "praise"}, "outcome"),
    ({"reference": "  "}, "reference"),
    ({"subject": ""}, "subject"),
    ({"received_on": TODAY() + days(1)}, "received_on"),
    ({"received_on": None}, "received_on"),
    ({"decided_on": TODAY() - days(20)}, "decided_on"),
    ({"decided_on": TODAY() + days(1)}, "decided_on"),
    ({"subject": "Klient 19121212-1212"}, "subject"),
    ({"decided_on": TODAY() - days(1)}, "outcome"),  # a decision is its date and its outcome
    ({"outcome": "criticism"}, "decided_on"),
])
def test_bad_decision_input_names_the_field(make_decision, fields, field):
    with pytest.raises(services.SupervisionValidationError) as exc:
        make_decision(**fields)
    assert field in exc.value.errors
    assert not SupervisionDecision.objects.exists()


def test_processes_and_deviation_must_belong_to_the_unit(make_decision, org):
    with pytest.raises(services.SupervisionValidationError) as exc:
        make_decision(processes=[org["placering"]])
    assert "processes" in exc.value.errors
    other = DeviationFactory(unit=org["miss"], kind="lex_sarah")
    with pytest.raises(services.SupervisionValidationError) as exc:
        make_decision(deviation=other)
    assert "deviation" in exc.value.errors
    # A decision on the section may name processes and cases of its units.
    own = DeviationFactory(unit=org["mott"], kind="lex_sarah")
    decision = make_decision(unit=org["fam"], processes=[org["mottagning"], org["placering"]], deviation=own)
    assert decision.processes.count() == 2
    assert decision.deviation == own


def test_the_decision_document_is_stored_under_a_random_name(make_decision, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    decision = make_decision(document=_pdf())
    decision.refresh_from_db()
    assert decision.document_name == "Beslut om Anna Andersson.pdf"
    assert "Anna" not in decision.document.name
    assert decision.document.name.endswith(decision.document_token)
    assert decision.document.read() == PDF


def test_a_document_of_the_wrong_type_is_refused(make_decision, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(services.SupervisionValidationError) as exc:
        make_decision(document=SimpleUploadedFile("beslut.exe", b"MZ\x90\x00rest"))
    assert "document" in exc.value.errors
    assert not SupervisionDecision.objects.exists()


def test_update_corrects_facts_with_history_but_not_after_closing(decision, section_manager, unit_manager, org):
    services.decision_update(decision=decision, actor=section_manager, reference="8.5-1/2026",
                             processes=[org["mottagning"]], status="closed", unknown="x")
    decision.refresh_from_db()
    assert (decision.reference, decision.status) == ("8.5-1/2026", "received")
    assert list(decision.processes.all()) == [org["mottagning"]]
    assert _reason(decision)[0] in ("update", None)  # the m2m change writes its own row
    assert decision.history.filter(history_change_reason="update", history_user=section_manager).exists()
    with pytest.raises(PermissionDenied):
        services.decision_update(decision=decision, actor=unit_manager, reference="x")
    with pytest.raises(services.SupervisionValidationError):
        services.decision_update(decision=decision, actor=section_manager, reference="")
    decision.refresh_from_db()
    services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="no_criticism")
    services.decision_close(decision=decision, actor=section_manager, closed_on=TODAY())
    with pytest.raises(TransitionNotAllowedError):
        services.decision_update(decision=decision, actor=section_manager, summary="Sent tillägg")


def test_moving_a_decision_needs_the_right_to_record_for_the_new_unit(decision, section_manager, quality, org):
    with pytest.raises(PermissionDenied):
        services.decision_update(decision=decision, actor=section_manager, unit=org["miss"])
    services.decision_update(decision=decision, actor=quality, unit=org["miss"])
    decision.refresh_from_db()
    assert decision.unit == org["miss"]


def test_an_edit_may_record_the_decision_but_never_empty_a_recorded_one(decision, section_manager):
    services.decision_update(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="criticism")
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == ("decided", "criticism")
    assert _log(decision)[-1] == "record_decision"
    for fields, field in (({"decided_on": None, "outcome": ""}, "decided_on"), ({"outcome": None}, "outcome")):
        with pytest.raises(services.SupervisionValidationError) as exc:
            services.decision_update(decision=decision, actor=section_manager, **fields)
        assert list(exc.value.errors) == [field]
        decision.refresh_from_db()
        assert (decision.decided_on, decision.outcome) == (TODAY(), "criticism")
    services.decision_update(decision=decision, actor=section_manager, outcome="serious_criticism")  # corrected
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == ("decided", "serious_criticism")


def test_an_edit_with_only_half_of_the_decision_is_refused(decision, section_manager):
    with pytest.raises(services.SupervisionValidationError) as exc:
        services.decision_update(decision=decision, actor=section_manager, outcome="criticism")
    assert list(exc.value.errors) == ["decided_on"]
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == ("received", "")


def test_an_edit_made_on_a_status_someone_else_changed_is_a_conflict(decision, requirement, section_manager):
    stale_decision = SupervisionDecision.objects.get(pk=decision.pk)
    stale_requirement = Requirement.objects.get(pk=requirement.pk)
    services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                     summary="Ny rutin.")
    with pytest.raises(ConcurrentChangeError):
        services.decision_update(decision=stale_decision, actor=section_manager, subject="Ändrad rubrik")
    with pytest.raises(ConcurrentChangeError):
        services.requirement_update(requirement=stale_requirement, actor=section_manager, text="Ändrat krav")
    decision.refresh_from_db()
    requirement.refresh_from_db()
    assert decision.subject == "Tillsyn av förhandsbedömningar"
    assert requirement.text == "Förhandsbedömningar ska avslutas inom 14 dagar."


# ---------------------------------------------------------------- statements

def test_a_statement_request_moves_the_case_to_responding(decision, section_manager):
    statement = services.decision_request_statement(decision=decision, actor=section_manager,
                                                    requested_on=TODAY() - days(1), due_date=TODAY() + days(20),
                                                    description="Redogör för rutinen för skyddsbedömning.")
    decision.refresh_from_db()
    assert decision.status == "responding"
    assert _log(decision) == ["create", "request_statement"]
    assert statement.history.first().history_change_reason == "create"
    # A second request is added to the responding case without a new transition.
    services.decision_request_statement(decision=decision, actor=section_manager, requested_on=TODAY(),
                                        due_date=TODAY() + days(30))
    decision.refresh_from_db()
    assert (decision.status, decision.statement_requests.count()) == ("responding", 2)
    assert _log(decision) == ["create", "request_statement"]


def test_statement_request_input_and_status(decision, section_manager, unit_manager):
    with pytest.raises(PermissionDenied):
        services.decision_request_statement(decision=decision, actor=unit_manager, requested_on=TODAY(),
                                            due_date=TODAY() + days(5))
    with pytest.raises(services.SupervisionValidationError) as exc:
        services.decision_request_statement(decision=decision, actor=section_manager, requested_on=TODAY(),
                                            due_date=TODAY() - days(1))
    assert "due_date" in exc.value.errors
    services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="criticism")
    with pytest.raises(TransitionNotAllowedError):
        services.decision_request_statement(decision=decision, actor=section_manager, requested_on=TODAY(),
                                            due_date=TODAY() + days(5))
    assert not StatementRequest.objects.exists()


def test_statement_submitted_once(decision, section_manager, unit_manager):
    statement = services.decision_request_statement(decision=decision, actor=section_manager,
                                                    requested_on=TODAY() - days(5), due_date=TODAY() + days(9))
    with pytest.raises(PermissionDenied):
        services.statement_submit(statement=statement, actor=unit_manager, submitted_on=TODAY())
    with pytest.raises(services.SupervisionValidationError):
        services.statement_submit(statement=statement, actor=section_manager, submitted_on=TODAY() - days(6))
    services.statement_submit(statement=statement, actor=section_manager, submitted_on=TODAY())
    statement.refresh_from_db()
    assert (statement.submitted_on, statement.submitted_by) == (TODAY(), section_manager)
    with pytest.raises(TransitionNotAllowedError):
        services.statement_submit(statement=statement, actor=section_manager, submitted_on=TODAY())


# ---------------------------------------------------------------- the decision's workflow

def test_record_decision_names_what_is_missing(decision, section_manager, unit_manager):
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="")
    assert exc.value.missing == ["outcome"]
    with pytest.raises(PermissionDenied):
        services.decision_record(decision=decision, actor=unit_manager, decided_on=TODAY(), outcome="criticism")
    decision.refresh_from_db()
    assert decision.status == "received"
    services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="criticism",
                             summary="Kritik")
    decision.refresh_from_db()
    assert (decision.status, decision.outcome, decision.summary) == ("decided", "criticism", "Kritik")
    assert _reason(decision) == ("record_decision", section_manager)


def test_report_back_needs_requirements_and_closing_needs_them_accepted(decided, section_manager):
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.decision_start_report_back(decision=decided, actor=section_manager)
    assert exc.value.missing == ["requirements"]
    requirement = services.requirement_add(decision=decided, actor=section_manager, text="Dokumentera skälen.",
                                           due_date=TODAY() + days(30))
    services.decision_start_report_back(decision=decided, actor=section_manager)
    assert decided.status == "reporting_back"
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.decision_close(decision=decided, actor=section_manager, closed_on=TODAY())
    assert exc.value.missing == ["requirements"]
    services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                     summary="Ny rutin och checklista.")
    services.requirement_accept(requirement=requirement, actor=section_manager)
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.decision_close(decision=decided, actor=section_manager, closed_on=None)
    assert exc.value.missing == ["closed_on"]
    services.decision_close(decision=decided, actor=section_manager, closed_on=TODAY(), comment="IVO avslutade")
    decided.refresh_from_db()
    assert (decided.status, decided.closed_on) == ("closed", TODAY())
    assert _log(decided) == ["create", "record_decision", "start_report_back", "close"]


def test_a_decision_without_requirements_closes_directly(decided, section_manager):
    with pytest.raises(services.SupervisionValidationError):
        services.decision_close(decision=decided, actor=section_manager, closed_on=TODAY() - days(5))
    services.decision_close(decision=decided, actor=section_manager, closed_on=TODAY())
    assert decided.status == "closed"


# ---------------------------------------------------------------- requirements

def test_requirement_added_with_history_and_log(requirement, section_manager, org):
    requirement.refresh_from_db()
    assert (requirement.status, requirement.process) == ("open", org["mottagning"])
    assert _log(requirement) == ["create"]
    assert _reason(requirement) == ("create", section_manager)


def test_requirements_may_be_added_before_the_decision_but_not_to_a_closed_case(decision, section_manager):
    services.requirement_add(decision=decision, actor=section_manager, text="Krav", due_date=TODAY() + days(9))
    services.decision_record(decision=decision, actor=section_manager, decided_on=TODAY(), outcome="criticism")
    requirement = decision.requirements.get()
    services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                     summary="Redovisat")
    services.requirement_accept(requirement=requirement, actor=section_manager, accepted_on=TODAY())
    decision.refresh_from_db()
    services.decision_close(decision=decision, actor=section_manager, closed_on=TODAY())
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.requirement_add(decision=decision, actor=section_manager, text="Till", due_date=TODAY())
    assert exc.value.missing == ["status"]


def test_requirement_process_must_be_in_the_decisions_subtree(make_decision, section_manager, unit_manager, org):
    decision = make_decision(unit=org["fam"])
    # The section's decision may point at a process of one of its units.
    services.requirement_add(decision=decision, actor=section_manager, text="A", due_date=TODAY(),
                             process=org["placering"])
    with pytest.raises(services.SupervisionValidationError) as exc:
        services.requirement_add(decision=decision, actor=section_manager, text="B", due_date=TODAY(),
                                 process=org["lvm"])
    assert "process" in exc.value.errors
    with pytest.raises(services.SupervisionValidationError) as exc:
        services.requirement_add(decision=decision, actor=section_manager, text=" ", due_date=None)
    assert set(exc.value.errors) == {"text", "due_date"}
    with pytest.raises(PermissionDenied):
        services.requirement_add(decision=decision, actor=unit_manager, text="C", due_date=TODAY())


def test_requirement_update_keeps_history(requirement, section_manager, org):
    services.requirement_update(requirement=requirement, actor=section_manager, due_date=TODAY() + days(60),
                                text="  Nytt krav  ", process=None)
    requirement.refresh_from_db()
    assert (requirement.due_date, requirement.text, requirement.process) == (TODAY() + days(60), "Nytt krav", None)
    assert _reason(requirement) == ("update", section_manager)
    assert requirement.history.count() == 2


def test_report_back_without_summary_is_refused_with_what_is_missing(requirement, section_manager):
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                         summary="  ")
    assert exc.value.missing == ["report_summary"]
    requirement.refresh_from_db()
    assert requirement.status == "open"


def test_personal_numbers_are_refused_in_the_report_the_closing_comment_and_the_reference(
        requirement, make_decision, section_manager):
    with pytest.raises(services.SupervisionValidationError) as exc:
        services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                         summary="Rutin för klienten 121212-1212.")
    assert list(exc.value.errors) == ["summary"]
    assert "121212-1212" not in exc.value.errors["summary"]
    requirement.refresh_from_db()
    assert (requirement.status, requirement.report_summary) == ("open", "")
    decision = make_decision(reference="8.5-2/2026", decided_on=TODAY(), outcome="no_criticism")
    with pytest.raises(services.SupervisionValidationError) as exc:
        services.decision_close(decision=decision, actor=section_manager, closed_on=TODAY(),
                                comment="Gäller 19121212-1212")
    assert list(exc.value.errors) == ["comment"]
    decision.refresh_from_db()
    assert decision.status == "decided"
    with pytest.raises(services.SupervisionValidationError) as exc:
        make_decision(reference="121212-1212")
    assert list(exc.value.errors) == ["reference"]


def test_first_report_back_starts_the_decisions_report_back(requirement, section_manager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                     summary="Ny rutin med bevakning i verksamhetssystemet.",
                                     document=_pdf("Redovisning till IVO.pdf"))
    requirement.refresh_from_db()
    decision = requirement.decision
    decision.refresh_from_db()
    assert (requirement.status, requirement.reported_on) == ("reported", TODAY())
    assert "Redovisning" not in requirement.report_document.name
    assert _reason(requirement) == ("report_back", section_manager)
    assert decision.status == "reporting_back"
    assert _log(decision)[-1] == "start_report_back"


def test_report_back_waits_for_the_decision(decision, section_manager):
    requirement = services.requirement_add(decision=decision, actor=section_manager, text="K",
                                           due_date=TODAY() + days(3))
    with pytest.raises(TransitionNotAllowedError) as exc:
        services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                         summary="Redovisat")
    assert exc.value.missing == ["decision"]


def test_accept_is_the_recorders_and_defaults_to_today(requirement, section_manager, unit_manager):
    services.requirement_report_back(requirement=requirement, actor=section_manager, reported_on=TODAY(),
                                     summary="Redovisat")
    with pytest.raises(PermissionDenied):
        services.requirement_accept(requirement=requirement, actor=unit_manager)
    with pytest.raises(services.SupervisionValidationError):
        services.requirement_accept(requirement=requirement, actor=section_manager, accepted_on=TODAY() + days(1))
    services.requirement_accept(requirement=requirement, actor=section_manager)
    requirement.refresh_from_db()
    assert (requirement.status, requirement.accepted_on) == ("accepted", TODAY())
    with pytest.raises(TransitionNotAllowedError):
        services.requirement_update(requirement=requirement, actor=section_manager, text="Ändrat")


def test_a_requirement_raised_as_risk_twice_is_one_risk(requirement, unit_manager, org):
    risk = services.requirement_raise_as_risk(requirement=requirement, actor=unit_manager)
    again = services.requirement_raise_as_risk(requirement=requirement, actor=unit_manager, title="Annan titel")
    assert again == risk
    assert (risk.analysis.unit, risk.analysis.year, risk.process) == (org["mott"], TODAY().year, org["mottagning"])
    assert (risk.source_content_type, risk.source_id) == (ContentType.objects.get_for_model(Requirement),
                                                          requirement.pk)
    assert risk.title == "Förhandsbedömningar ska avslutas inom 14 dagar."
    assert list(requirement_risks(requirement)) == [risk]
    assert Risk.objects.count() == 1


def test_a_process_of_another_unit_is_not_copied_to_the_risk(make_decision, section_manager, org):
    decision = make_decision(unit=org["fam"])
    requirement = services.requirement_add(decision=decision, actor=section_manager, text="Krav", due_date=TODAY(),
                                           process=ProcessFactory(unit=org["plac"], name="Umgänge"))
    risk = services.requirement_raise_as_risk(requirement=requirement, actor=section_manager)
    assert (risk.analysis.unit, risk.process) == (org["fam"], None)


def test_the_raise_as_risk_page_knows_requirements(client, requirement, unit_manager, other_manager):
    from django.urls import reverse

    url = reverse("risks:raise", args=["requirement", requirement.pk])
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    client.force_login(unit_manager)
    response = client.get(url)
    assert response.status_code == 200
    assert "Förhandsbedömningar ska avslutas inom 14 dagar." in response.content.decode()
    response = client.post(url, {"risk-title": "Förhandsbedömningar drar ut på tiden", "risk-risk_type": "process",
                                 "risk-perspective": "client", "risk-probability": 3, "risk-consequence": 3,
                                 "risk-process": ""})
    assert response.status_code == 302
    assert requirement_risks(requirement).get().title == "Förhandsbedömningar drar ut på tiden"
