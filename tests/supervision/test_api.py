"""/api/v1/supervision-decisions/ and /api/v1/requirements/ (API.md "Supervision"): create, list,
detail, transitions, filters, the status codes of the conventions and bounded queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from riskmgmt.core.fsm import transition_log_for
from riskmgmt.supervision import services
from riskmgmt.supervision.models import Requirement, SupervisionDecision
from tests.factories import DeviationFactory
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db
DECISIONS = reverse("api:supervision-decision-list")
REQUIREMENTS = reverse("api:requirement-list")


def detail(decision) -> str:
    return reverse("api:supervision-decision-detail", args=[decision.pk])


def transition(decision, name) -> str:
    return reverse("api:supervision-decision-transition", args=[decision.pk, name])


def requirement_transition(requirement, name) -> str:
    return reverse("api:requirement-transition", args=[requirement.pk, name])


def post(client, url, data=None):
    return client.post(url, data or {}, format="json")


def ok(response, code=200) -> dict:
    assert response.status_code == code, response.content
    return response.json()


def conflict(response) -> dict:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    return body


def body(org, **fields) -> dict:
    return {"authority": "ivo", "reference": "8.5-29206/2026", "unit": org["mott"].pk,
            "subject": "Tillsyn av förhandsbedömningar", "received_on": (TODAY() - days(10)).isoformat(),
            "summary": "", "processes": [org["mottagning"].pk], **fields}


# ---------------------------------------------------------------- create

def test_create_a_decision(api_client, org, section_manager):
    api_client.force_authenticate(section_manager)
    data = ok(post(api_client, DECISIONS, body(org)), 201)
    decision = SupervisionDecision.objects.get()
    assert data["id"] == decision.pk
    assert (data["status"], data["kind"], data["authority"], data["unit"]) == (
        "received", "supervision", "ivo", org["mott"].pk)
    assert data["processes"] == [org["mottagning"].pk]
    assert data["requirements"] == []
    assert data["statement_requests"] == []
    assert set(data["available_transitions"]) == {"request_statement", "record_decision"}
    assert [h["transition"] for h in data["history"]] == ["create"]
    assert data["recorded_by"] == section_manager.pk
    assert decision.history.order_by("history_id").first().history_user == section_manager


def test_create_an_already_decided_decision_with_a_deviation(api_client, org, quality):
    deviation = DeviationFactory(unit=org["mott"], kind="lex_sarah")
    api_client.force_authenticate(quality)
    data = ok(post(api_client, DECISIONS, body(
        org, kind="lex_sarah", decided_on=TODAY().isoformat(), outcome="no_criticism", deviation=deviation.pk)), 201)
    assert (data["status"], data["outcome"], data["deviation"], data["kind"]) == (
        "decided", "no_criticism", deviation.pk, "lex_sarah")


@pytest.mark.parametrize("persona", ["reporter", "unit_manager", "other_manager", "outsider"])
def test_create_is_refused_to_others(api_client, org, personas, persona):
    api_client.force_authenticate(personas[persona])
    assert post(api_client, DECISIONS, body(org)).status_code == 403
    assert not SupervisionDecision.objects.exists()


def test_create_for_a_unit_out_of_scope_or_missing(api_client, org, section_manager):
    api_client.force_authenticate(section_manager)
    response = post(api_client, DECISIONS, body(org, unit=org["miss"].pk))
    assert response.status_code == 400
    assert "unit" in response.json()
    response = post(api_client, DECISIONS, body(org, unit=999999))
    assert response.status_code == 400
    assert "unit" in response.json()


@pytest.mark.parametrize(("fields", "field"), [
    ({"authority": "nasa"}, "authority"),
    ({"authority": "\ud800"}, "authority"),
    ({"reference": ""}, "reference"),
    ({"unit": "x"}, "unit"),
    ({"unit": 2**64}, "unit"),
    ({"received_on": "igår"}, "received_on"),
    ({"received_on": "9999-12-31"}, "received_on"),
    ({"decided_on": (TODAY() - days(30)).isoformat()}, "decided_on"),
    ({"outcome": "beröm"}, "outcome"),
    ({"processes": "1"}, "processes"),
    ({"processes": [2**63]}, "processes"),
    ({"subject": "Barnet 19121212-1212"}, "subject"),
    ({"deviation": 424242}, "deviation"),
    ({"kind": ["supervision"]}, "kind"),
])
def test_bad_create_bodies_are_400_with_the_field(api_client, org, section_manager, fields, field):
    api_client.force_authenticate(section_manager)
    response = post(api_client, DECISIONS, body(org, **fields))
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_processes_of_other_units_and_non_json_bodies(api_client, org, section_manager):
    api_client.force_authenticate(section_manager)
    response = post(api_client, DECISIONS, body(org, processes=[org["placering"].pk]))
    assert response.status_code == 400
    assert "processes" in response.json()
    response = post(api_client, DECISIONS, body(org, processes=[org["lvm"].pk]))
    assert response.status_code == 400
    assert "processes" in response.json()
    assert api_client.post(DECISIONS, "[1, 2", content_type="application/json").status_code == 400
    assert api_client.post(DECISIONS, [1, 2], format="json").status_code == 400


def test_anonymous_is_401(api_client, decision):
    # API.md: a missing or bad token answers 401.
    for url in (DECISIONS, detail(decision), REQUIREMENTS):
        assert api_client.get(url).status_code == 401
    assert post(api_client, transition(decision, "close")).status_code == 401


# ---------------------------------------------------------------- list and detail

def test_list_is_scoped_and_filtered(api_client, make_decision, org, quality, unit_manager, other_manager):
    mott = make_decision(reference="A")
    make_decision(reference="B", actor=quality, unit=org["miss"], authority="jo", kind="jo_complaint")
    closed = make_decision(reference="C", decided_on=TODAY(), outcome="no_criticism")
    services.decision_close(decision=closed, actor=quality, closed_on=TODAY())
    api_client.force_authenticate(unit_manager)
    data = ok(api_client.get(DECISIONS))
    assert sorted(r["reference"] for r in data["results"]) == ["A", "C"]
    assert "history" not in data["results"][0]
    api_client.force_authenticate(other_manager)
    assert [r["reference"] for r in ok(api_client.get(DECISIONS))["results"]] == ["B"]
    api_client.force_authenticate(quality)
    assert ok(api_client.get(DECISIONS))["count"] == 3
    assert [r["reference"] for r in ok(api_client.get(DECISIONS, {"authority": "jo"}))["results"]] == ["B"]
    assert sorted(r["reference"] for r in ok(api_client.get(DECISIONS, {"status": "open"}))["results"]) == ["A", "B"]
    assert [r["reference"] for r in ok(api_client.get(DECISIONS, {"status": "closed"}))["results"]] == ["C"]
    assert sorted(r["reference"] for r in ok(api_client.get(DECISIONS, {"unit": org["fam"].pk}))["results"]) == [
        "A", "C"]
    assert ok(api_client.get(DECISIONS, {"unit": 999999}))["count"] == 0
    assert ok(api_client.get(DECISIONS, {"year": mott.received_on.year}))["count"] == 3  # all received the same day
    assert ok(api_client.get(DECISIONS, {"year": mott.received_on.year - 1}))["count"] == 0
    for bad in ({"status": "nope"}, {"unit": "x"}, {"year": "10000"}, {"authority": "ivo\x00"}):
        assert api_client.get(DECISIONS, bad).status_code == 400
    assert mott.pk in [r["id"] for r in ok(api_client.get(DECISIONS))["results"]]


def test_the_list_is_a_fixed_number_of_queries(api_client, make_decision, org, quality):
    api_client.force_authenticate(quality)
    make_decision(processes=[org["mottagning"]])
    ok(api_client.get(DECISIONS))  # the user's roles are loaded once per user object
    with CaptureQueriesContext(connection) as one:
        ok(api_client.get(DECISIONS))
    for n in range(6):
        decision = make_decision(reference=f"R{n}", processes=[org["mottagning"]])
        services.requirement_add(decision=decision, actor=quality, text="Krav", due_date=TODAY())
    with CaptureQueriesContext(connection) as many:
        assert ok(api_client.get(DECISIONS))["count"] == 7
    assert len(many.captured_queries) == len(one.captured_queries)
    with CaptureQueriesContext(connection) as one_req:
        assert ok(api_client.get(REQUIREMENTS, {"page_size": 1}))["count"] == 6
    with CaptureQueriesContext(connection) as all_req:
        ok(api_client.get(REQUIREMENTS))
    assert len(all_req.captured_queries) == len(one_req.captured_queries)


def test_requirements_with_actions_and_risks_do_not_add_queries(api_client, decided, section_manager, unit_manager):
    from riskmgmt.actions import services as action_services

    def add(n):
        for i in range(n):
            requirement = services.requirement_add(decision=decided, actor=section_manager, text=f"Krav {i}",
                                                   due_date=TODAY() + days(10 + i))
            action_services.action_create(source_obj=requirement, actor=section_manager, title=f"Åtgärd {i}",
                                          responsible=unit_manager, due_date=TODAY() + days(9), strength="medium")
            services.requirement_raise_as_risk(requirement=requirement, actor=unit_manager)

    api_client.force_authenticate(section_manager)
    add(1)
    urls = [detail(decided), REQUIREMENTS]
    few = {}
    for url in urls:
        ok(api_client.get(url))
        with CaptureQueriesContext(connection) as captured:
            ok(api_client.get(url))
        few[url] = len(captured)
    add(8)
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            data = ok(api_client.get(url))
        assert len(captured) == few[url], url
    rows = data["results"]
    assert len(rows) == 9
    assert all(len(row["actions"]) == 1 and len(row["risks"]) == 1 for row in rows)


def test_detail_404_outside_scope(api_client, decision, other_manager, unit_manager):
    api_client.force_authenticate(other_manager)
    assert api_client.get(detail(decision)).status_code == 404
    assert post(api_client, transition(decision, "record_decision"), {}).status_code == 404
    api_client.force_authenticate(unit_manager)
    data = ok(api_client.get(detail(decision)))
    assert data["available_transitions"] == []
    assert api_client.get(reverse("api:supervision-decision-detail", args=[2**62])).status_code == 404


# ---------------------------------------------------------------- the whole track over the API

def test_the_whole_track(api_client, org, section_manager, unit_manager):
    api_client.force_authenticate(section_manager)
    decision = SupervisionDecision.objects.get(pk=ok(post(api_client, DECISIONS, body(org)), 201)["id"])

    data = ok(post(api_client, transition(decision, "request_statement"),
                   {"requested_on": TODAY().isoformat(), "due_date": (TODAY() + days(14)).isoformat()}))
    assert data["status"] == "responding"
    assert [s["due_date"] for s in data["statement_requests"]] == [(TODAY() + days(14)).isoformat()]

    api_client.force_authenticate(unit_manager)
    assert post(api_client, transition(decision, "record_decision"), {"outcome": "criticism"}).status_code == 403
    api_client.force_authenticate(section_manager)
    assert conflict(post(api_client, transition(decision, "record_decision"), {"outcome": "criticism"}))[
        "missing"] == ["decided_on"]
    assert post(api_client, transition(decision, "record_decision"), {"outcome": "x"}).status_code == 400
    data = ok(post(api_client, transition(decision, "record_decision"),
                   {"decided_on": TODAY().isoformat(), "outcome": "criticism", "summary": "Brister"}))
    assert (data["status"], data["outcome"]) == ("decided", "criticism")
    assert "start_report_back" not in data["available_transitions"]
    assert conflict(post(api_client, transition(decision, "start_report_back")))["missing"] == ["requirements"]

    response = post(api_client, REQUIREMENTS, {"decision": decision.pk, "text": "Förhandsbedömningar inom 14 dagar",
                                               "due_date": (TODAY() + days(30)).isoformat(),
                                               "process": org["mottagning"].pk})
    requirement = Requirement.objects.get(pk=ok(response, 201)["id"])
    assert ok(response, 201)["status"] == "open"
    data = ok(api_client.get(detail(decision)))
    assert [r["id"] for r in data["requirements"]] == [requirement.pk]
    assert "start_report_back" in data["available_transitions"]
    assert "close" not in data["available_transitions"]

    assert conflict(post(api_client, requirement_transition(requirement, "report_back"),
                         {"reported_on": TODAY().isoformat()}))["missing"] == ["report_summary"]
    data = ok(post(api_client, requirement_transition(requirement, "report_back"),
                   {"reported_on": TODAY().isoformat(), "summary": "Ny rutin med bevakning"}))
    assert (data["status"], data["report_summary"]) == ("reported", "Ny rutin med bevakning")
    assert [h["transition"] for h in data["history"]] == ["create", "report_back"]
    assert conflict(post(api_client, requirement_transition(requirement, "report_back"),
                         {"reported_on": TODAY().isoformat(), "summary": "Igen"}))
    data = ok(post(api_client, requirement_transition(requirement, "accept"), {}))
    assert (data["status"], data["accepted_on"]) == ("accepted", TODAY().isoformat())

    decision.refresh_from_db()
    assert decision.status == "reporting_back"
    assert conflict(post(api_client, transition(decision, "close"), {}))["missing"] == ["closed_on"]
    data = ok(post(api_client, transition(decision, "close"), {"closed_on": TODAY().isoformat()}))
    assert (data["status"], data["available_transitions"]) == ("closed", [])
    assert [h["transition"] for h in data["history"]] == [
        "create", "request_statement", "record_decision", "start_report_back", "close"]
    assert [e.by for e in transition_log_for(decision)][-1] == section_manager
    assert post(api_client, transition(decision, "teleport")).status_code == 404
    assert conflict(post(api_client, REQUIREMENTS, {"decision": decision.pk, "text": "Sent",
                                                    "due_date": TODAY().isoformat()}))["missing"] == ["status"]


def test_personal_numbers_in_a_report_closing_comment_or_reference_are_400(api_client, requirement, org,
                                                                            section_manager):
    api_client.force_authenticate(section_manager)
    response = post(api_client, requirement_transition(requirement, "report_back"),
                    {"reported_on": TODAY().isoformat(), "summary": "Klienten 121212-1212 har fått besök."})
    assert (response.status_code, list(response.json())) == (400, ["summary"])
    requirement.refresh_from_db()
    assert (requirement.status, requirement.report_summary) == ("open", "")
    closable = SupervisionDecision.objects.get(pk=ok(post(api_client, DECISIONS, body(
        org, reference="3673-2026", decided_on=TODAY().isoformat(), outcome="no_criticism")), 201)["id"])
    response = post(api_client, transition(closable, "close"),
                    {"closed_on": TODAY().isoformat(), "comment": "Avser 19121212-1212"})
    assert (response.status_code, list(response.json())) == (400, ["comment"])
    response = post(api_client, DECISIONS, body(org, reference="121212-1212"))
    assert (response.status_code, list(response.json())) == (400, ["reference"])
    # The same requests without the number go through.
    assert ok(post(api_client, transition(closable, "close"), {"closed_on": TODAY().isoformat(),
                                                               "comment": "Avslutat utan kritik"}))["status"] == "closed"
    assert ok(post(api_client, requirement_transition(requirement, "report_back"),
                   {"reported_on": TODAY().isoformat(), "summary": "Rutinen är ändrad."}))["status"] == "reported"


def test_requirement_create_refusals(api_client, decided, org, unit_manager, section_manager, other_manager):
    payload = {"decision": decided.pk, "text": "Krav", "due_date": TODAY().isoformat()}
    api_client.force_authenticate(unit_manager)
    assert post(api_client, REQUIREMENTS, payload).status_code == 403
    api_client.force_authenticate(other_manager)
    assert post(api_client, REQUIREMENTS, payload).status_code == 403
    api_client.force_authenticate(section_manager)
    for bad, field in (({"decision": 999999}, "decision"), ({"process": org["lvm"].pk}, "process"),
                       ({"due_date": "snart"}, "due_date"), ({"text": ""}, "text"),
                       ({"process": org["placering"].pk}, "process")):
        response = post(api_client, REQUIREMENTS, {**payload, **bad})
        assert response.status_code == 400, (bad, response.content)
        assert field in response.json()
    assert not Requirement.objects.exists()


def test_requirement_list_filters_and_patch(api_client, decided, section_manager, unit_manager, other_manager):
    add = lambda text, due: services.requirement_add(  # noqa: E731
        decision=decided, actor=section_manager, text=text, due_date=due)
    soon, later, late = add("Snart", TODAY() + days(5)), add("Senare", TODAY() + days(50)), add("Sent", TODAY() - days(1))
    services.requirement_report_back(requirement=soon, actor=section_manager, reported_on=TODAY(), summary="Klart")
    api_client.force_authenticate(unit_manager)
    ids = lambda params: [r["id"] for r in ok(api_client.get(REQUIREMENTS, params))["results"]]  # noqa: E731
    assert ids({}) == [late.pk, soon.pk, later.pk]
    assert ids({"due_before": (TODAY() + days(5)).isoformat()}) == [late.pk, soon.pk]
    assert ids({"status": "open"}) == [late.pk, later.pk]
    assert ids({"status": "overdue"}) == [late.pk]
    assert ids({"decision": decided.pk, "status": "reported"}) == [soon.pk]
    assert ids({"unit": decided.unit.parent_id}) == [late.pk, soon.pk, later.pk]
    for bad in ({"due_before": "x"}, {"status": "?"}, {"decision": "-1"}, {"due_before": "99999-01-01"}):
        assert api_client.get(REQUIREMENTS, bad).status_code == 400
    row = ok(api_client.get(reverse("api:requirement-detail", args=[late.pk])))
    assert (row["is_overdue"], row["available_transitions"]) == (True, [])
    assert api_client.patch(reverse("api:requirement-detail", args=[late.pk]), {"text": "x"},
                            format="json").status_code == 403
    api_client.force_authenticate(other_manager)
    assert ids({}) == []
    assert api_client.get(reverse("api:requirement-detail", args=[late.pk])).status_code == 404
    api_client.force_authenticate(section_manager)
    data = ok(api_client.patch(reverse("api:requirement-detail", args=[late.pk]),
                               {"due_date": (TODAY() + days(10)).isoformat()}, format="json"))
    assert (data["due_date"], data["is_overdue"]) == ((TODAY() + days(10)).isoformat(), False)
    assert set(data["available_transitions"]) == {"report_back"}


def test_requirement_shows_its_risk_and_actions(api_client, requirement, unit_manager, section_manager):
    from riskmgmt.actions import services as action_services

    risk = services.requirement_raise_as_risk(requirement=requirement, actor=unit_manager)
    action = action_services.action_create(source_obj=requirement, actor=section_manager, title="Ny rutin",
                                           responsible=unit_manager, due_date=TODAY() + days(9), strength="medium")
    api_client.force_authenticate(unit_manager)
    data = ok(api_client.get(reverse("api:requirement-detail", args=[requirement.pk])))
    assert (data["risks"], data["actions"]) == ([risk.pk], [action.pk])
    row = ok(api_client.get(REQUIREMENTS))["results"][0]
    assert (row["risks"], row["actions"]) == ([risk.pk], [action.pk])
    nested = ok(api_client.get(detail(requirement.decision)))["requirements"][0]
    assert (nested["risks"], nested["actions"]) == ([risk.pk], [action.pk])


def test_actions_can_be_added_to_a_requirement_over_the_actions_api(api_client, requirement, section_manager,
                                                                     unit_manager, reporter):
    def add(user, title, responsible):
        api_client.force_authenticate(user)
        return post(api_client, reverse("api:action-list"), {
            "source_type": "requirement", "source_id": requirement.pk, "title": title, "description": "",
            "responsible": responsible.pk, "due_date": (TODAY() + days(9)).isoformat(), "strength": "medium"})

    assert add(section_manager, "Bevaka inkorgen", reporter).status_code == 201
    # The unit's own manager plans measures too; the staff member responsible for one only reads.
    assert add(unit_manager, "Ny rutin för förhandsbedömning", unit_manager).status_code == 201
    assert add(reporter, "Till", reporter).status_code == 403
    assert requirement_actions(requirement) == ["Bevaka inkorgen", "Ny rutin för förhandsbedömning"]


def requirement_actions(requirement) -> list[str]:
    from riskmgmt.actions.models import Action
    return sorted(Action.objects.filter(source_id=requirement.pk, source_content_type__model="requirement")
                  .values_list("title", flat=True))


JUNK = [None, [], "x", 0, -1, 2**64, "\x00", {"a": 1}, "9999-99-99", "2026-02-30", True, 1.5]


def test_no_input_answers_500(api_client, requirement, section_manager):
    decision = requirement.decision
    api_client.force_authenticate(section_manager)
    urls = [DECISIONS, REQUIREMENTS, *(transition(decision, n) for n in (
        "request_statement", "record_decision", "start_report_back", "close")),
        *(requirement_transition(requirement, n) for n in ("report_back", "accept"))]
    fields = ["authority", "reference", "unit", "subject", "received_on", "decided_on", "outcome", "summary",
              "processes", "deviation", "kind", "decision", "text", "due_date", "process", "requested_on",
              "description", "closed_on", "comment", "reported_on", "accepted_on"]
    for url in urls:
        for value in JUNK:
            response = post(api_client, url, dict.fromkeys(fields, value))
            assert response.status_code < 500, (url, value, response.content)
        for value in (None, "x", 2**64, {"a": 1}):
            for field in fields:
                response = post(api_client, url, {field: value})
                assert response.status_code < 500, (url, field, value, response.content)
        assert api_client.post(url, "not json", content_type="application/json").status_code == 400
    patch_url = reverse("api:requirement-detail", args=[requirement.pk])
    for value in JUNK:
        for field in ("text", "due_date", "process"):
            assert api_client.patch(patch_url, {field: value}, format="json").status_code < 500
    for value in ("x", "-1", "0", str(2**64), "2026-13-01", "\x00"):
        for param in ("status", "due_before", "decision", "unit", "process", "page", "page_size"):
            assert api_client.get(REQUIREMENTS, {param: value}).status_code < 500
        for param in ("status", "authority", "kind", "unit", "year"):
            assert api_client.get(DECISIONS, {param: value}).status_code < 500
