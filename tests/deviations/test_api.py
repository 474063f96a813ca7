"""The deviations REST API (API.md "Deviations"): filing, filters, scope, every transition per
kind, the IVO track, and that no input answers 500."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations.models import Deviation, DeviationAccess, IvoNotification
from riskmgmt.notifications.models import Notification
from riskmgmt.organisation.models import Membership
from riskmgmt.supervision.models import SupervisionDecision
from tests.factories import ActionFactory, DeviationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
URL = "/api/v1/deviations/"
PERSONNUMMER = "811218-9876"  # checksum-valid


def _body(org, kind="other", **extra):
    body = {"kind": kind, "unit": org["mott"].pk, "title": "Akten låg kvar i skrivaren",
            "description": "En utskrift med uppgifter om ett ärende låg kvar över natten.",
            "occurred_at": (timezone.now() - datetime.timedelta(hours=3)).isoformat(),
            "location": "Kopieringsrummet", "immediate_actions": "Utskriften makulerades."}
    return {**body, **extra}


def _post(client, url, body=None):
    return client.post(url, body if body is not None else {}, format="json")


def _post_raw(client, url, body):
    """Any JSON value, ASCII-escaped: the test client's own encoder refuses lone surrogates."""
    return client.post(url, data=json.dumps(body), content_type="application/json")


def _transition(client, deviation, name, body=None):
    return _post(client, f"{URL}{deviation.pk}/transitions/{name}/", body)


def _ivo_url(deviation, name=None):
    url = f"{URL}{deviation.pk}/ivo-notification/"
    return f"{url}transitions/{name}/" if name else url


def _ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def _conflict(response):
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] in ("transition_not_allowed", "concurrent_change")
    assert body["detail"]
    assert isinstance(body["missing"], list)
    return body


LEX_SARAH_CONCLUSION = {"what_happened": "Skyddsbedömningen gjordes tre dagar för sent.",
                        "consequences": "Barnet var utan skydd över helgen.",
                        "causes": "Ingen rutin för helger.", "classification": "serious"}
CONCLUSIONS = {
    "lex_sarah": {**LEX_SARAH_CONCLUSION, "classification": "missforhallande"},
    "complaint": {"answer": "Vi har gått igenom rutinen för återkoppling.",
                  "answered_on": TODAY().isoformat()},
    "other": {"conclusion": "Rutinen för utskrifter följdes inte."},
}


@pytest.fixture
def filed(file_report):
    """A report in `reported`, filed by the staff member on Mottagningsenheten."""
    return file_report


@pytest.fixture
def manager_client(api_client, unit_manager):
    api_client.force_authenticate(unit_manager)
    return api_client


def _advance(client, deviation, to, kind=None):
    """Takes a deviation along the main line through the API as the unit manager."""
    steps = [("received", "receive", {}), ("investigating", "start_investigation", {}),
             ("concluded", "conclude", CONCLUSIONS[kind or deviation.kind])]
    for status, name, body in steps:
        _ok(_transition(client, deviation, name, body))
        if status == to:
            break
    deviation.refresh_from_db()
    assert deviation.status == to
    return deviation


# ---------------------------------------------------------------- create

@pytest.mark.parametrize("kind", ["lex_sarah", "complaint", "other"])
def test_create_per_kind(api_client, org, reporter, kind):
    api_client.force_authenticate(reporter)
    extra = {"complainant_type": "relative", "anonymous": False, "contact": "Ring på dagtid"} \
        if kind == "complaint" else {}
    data = _ok(_post(api_client, URL, _body(org, kind, process=org["mottagning"].pk, **extra)), 201)
    assert data["reference"] == f"AVV-{TODAY().year}-0001"
    assert data["status"] == "reported"
    assert data["kind"] == kind
    assert data["reported_by"] == reporter.pk
    assert data["reported_at"]
    assert data["process"] == org["mottagning"].pk
    assert data["history"][0]["transition"] == "create"
    assert data["available_transitions"] == ["withdraw"]
    assert data["ivo_notification"] is None
    deviation = Deviation.objects.get(pk=data["id"])
    assert deviation.reporter == reporter
    assert deviation.history.get().history_change_reason == "file"
    if kind == "complaint":
        assert (deviation.complainant_type, deviation.contact) == ("relative", "Ring på dagtid")
        assert data["contact"] == "Ring på dagtid"


def test_references_are_sequential(api_client, org, reporter):
    api_client.force_authenticate(reporter)
    references = [_ok(_post(api_client, URL, _body(org)), 201)["reference"] for _ in range(3)]
    year = TODAY().year
    assert references == [f"AVV-{year}-0001", f"AVV-{year}-0002", f"AVV-{year}-0003"]


def test_a_member_above_the_unit_may_file(api_client, org, section_manager):
    api_client.force_authenticate(section_manager)
    assert _post(api_client, URL, _body(org, unit=org["plac"].pk)).status_code == 201


@pytest.mark.parametrize(("persona", "unit"), [("outsider", "mott"), ("other_manager", "mott"),
                                               ("reporter", "plac"), ("reporter", "missing")])
def test_create_outside_scope_is_400_on_unit_and_reveals_nothing(request, api_client, org, persona, unit):
    api_client.force_authenticate(request.getfixturevalue(persona))
    unit_id = org[unit].pk if unit in org else 999_999
    response = _post(api_client, URL, _body(org, unit=unit_id))
    assert response.status_code == 400
    # The same answer whether the unit exists or not.
    assert response.json() == {"unit": ["Du kan bara rapportera för enheter där du arbetar."]}
    assert not Deviation.objects.exists()


def test_create_for_a_section_is_400(api_client, org, section_manager):
    api_client.force_authenticate(section_manager)
    response = _post(api_client, URL, _body(org, unit=org["fam"].pk))
    assert response.status_code == 400
    assert "unit" in response.json()


def test_reported_at_only_from_quality(api_client, org, reporter, quality):
    earlier = timezone.now() - datetime.timedelta(days=800)
    api_client.force_authenticate(reporter)
    response = _post(api_client, URL, _body(org, reported_at=earlier.isoformat()))
    assert response.status_code == 400
    assert list(response.json()) == ["reported_at"]
    api_client.force_authenticate(quality)
    data = _ok(_post(api_client, URL, _body(org, reported_at=earlier.isoformat())), 201)
    assert data["reference"].startswith(f"AVV-{timezone.localdate(earlier).year}-")
    assert datetime.datetime.fromisoformat(data["reported_at"]) == earlier
    future = timezone.now() + datetime.timedelta(days=1)
    response = _post(api_client, URL, _body(org, reported_at=future.isoformat()))
    assert response.status_code == 400
    assert "reported_at" in response.json()


@pytest.mark.parametrize("field", ["title", "description", "location", "immediate_actions", "consequences"])
def test_personnummer_in_free_text_is_400_on_the_field(api_client, org, reporter, field):
    api_client.force_authenticate(reporter)
    response = _post(api_client, URL, _body(org, **{field: f"Gäller {PERSONNUMMER} på avdelningen"}))
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert isinstance(response.json()[field], list)
    assert not Deviation.objects.exists()


def test_process_of_another_unit_is_400(api_client, org, reporter, section_manager):
    api_client.force_authenticate(section_manager)  # both units in scope: the service's rule
    response = _post(api_client, URL, _body(org, process=org["placering"].pk))
    assert response.status_code == 400
    assert list(response.json()) == ["process"]
    api_client.force_authenticate(reporter)  # the process's unit outside scope: same field
    response = _post(api_client, URL, _body(org, process=org["lvm"].pk))
    assert response.status_code == 400
    assert list(response.json()) == ["process"]


@pytest.mark.parametrize("field", ["complainant_type", "anonymous", "contact"])
def test_complaint_fields_only_on_complaints(api_client, org, reporter, field):
    api_client.force_authenticate(reporter)
    value = {"complainant_type": "client", "anonymous": True, "contact": "070-123 45 67"}[field]
    response = _post(api_client, URL, _body(org, "other", **{field: value}))
    assert response.status_code == 400
    assert field in response.json()
    assert _post(api_client, URL, _body(org, "complaint", **{field: value})).status_code == 201


def test_anonymous_complaint_keeps_no_contact(api_client, org, reporter):
    api_client.force_authenticate(reporter)
    data = _ok(_post(api_client, URL, _body(org, "complaint", anonymous=True, contact="x@example.se")), 201)
    assert data["anonymous"] is True
    assert data["contact"] == ""


@pytest.mark.parametrize(("patch", "field"), [
    ({"kind": "gossip"}, "kind"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": None}, "description"),
    ({"unit": "mott"}, "unit"),
    ({"unit": -1}, "unit"),
    ({"unit": 2**70}, "unit"),
    ({"process": "x"}, "process"),
    ({"occurred_at": "igår"}, "occurred_at"),
    ({"occurred_at": "2999-01-01T10:00:00+01:00"}, "occurred_at"),
    ({"complainant_type": "neighbour", "kind": "complaint"}, "complainant_type"),
    ({"anonymous": "kanske"}, "anonymous"),
])
def test_create_bad_input_is_400_with_field(api_client, org, reporter, patch, field):
    api_client.force_authenticate(reporter)
    response = _post(api_client, URL, _body(org, **patch))
    assert response.status_code == 400, response.content
    assert field in response.json()


# ---------------------------------------------------------------- list and filters

@pytest.fixture
def spread(org, reporter):
    """Deviations across units, kinds, statuses, processes and years."""
    old = timezone.now().replace(year=2024, month=6, day=1)
    return {
        "mott_other": DeviationFactory(unit=org["mott"], reporter=reporter, kind="other"),
        "mott_lex": DeviationFactory(unit=org["mott"], reporter=reporter, kind="lex_sarah",
                                     process=org["mottagning"], status="received",
                                     next_due=TODAY() - datetime.timedelta(days=2)),
        "plac_complaint": DeviationFactory(unit=org["plac"], reporter=reporter, kind="complaint",
                                           process=org["placering"], status="closed",
                                           description="Klagomål på placeringen i familjehemmet."),
        "miss_old": DeviationFactory(unit=org["miss"], reporter=reporter, kind="other", reported_at=old,
                                     reference="AVV-2024-0001"),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"mott_other", "mott_lex", "plac_complaint", "miss_old"}),
    ("kind=complaint", {"plac_complaint"}),
    ("kind=other", {"mott_other", "miss_old"}),
    ("status=closed", {"plac_complaint"}),
    ("status=open", {"mott_other", "mott_lex", "miss_old"}),
    ("unit=fam", {"mott_other", "mott_lex", "plac_complaint"}),
    ("unit=mott", {"mott_other", "mott_lex"}),
    ("unit=sof", {"mott_other", "mott_lex", "plac_complaint", "miss_old"}),
    ("unit=999999", set()),
    ("process=placering", {"plac_complaint"}),
    ("process=999999", set()),
    ("year=2024", {"miss_old"}),
    ("year=2025&kind=complaint", set()),
    ("overdue=true", {"mott_lex"}),
    ("overdue=false", {"mott_other", "plac_complaint", "miss_old"}),
    ("q=placeringen", {"plac_complaint"}),
    ("kind=other&unit=fam", {"mott_other"}),
])
def test_filters_narrow(api_client, org, quality, spread, query, expected):
    query = re.sub(r"(unit|process)=([a-z]+)", lambda m: f"{m[1]}={org[m[2]].pk}", query)
    api_client.force_authenticate(quality)
    data = _ok(api_client.get(f"{URL}?{query}"))
    assert {row["id"] for row in data["results"]} == {spread[name].pk for name in expected}
    assert data["count"] == len(expected)


@pytest.mark.parametrize("query", [
    "kind=gossip", "status=lost", "unit=mott", "unit=0", "unit=-3", f"unit={2**70}", "process=x",
    "year=abc", "year=99999", "year=12", "overdue=maybe", "q=" + "x" * 201, "q=%00", "page=zero",
    "page=999",
])
def test_unknown_filter_values_are_4xx_never_500(api_client, quality, spread, query):
    api_client.force_authenticate(quality)
    response = api_client.get(f"{URL}?{query}")
    assert response.status_code in (400, 404), response.content
    if query.startswith("page="):
        assert response.status_code == 404  # DRF's answer for a page that does not exist
    else:
        assert response.status_code == 400
        assert query.split("=")[0] in response.json()


def test_list_rows_leave_out_history_and_free_text(api_client, quality, spread):
    api_client.force_authenticate(quality)
    row = _ok(api_client.get(URL))["results"][0]
    for name in ("history", "description", "immediate_actions", "what_happened", "answer", "contact"):
        assert name not in row
    for name in ("id", "reference", "kind", "status", "unit", "title", "reported_at", "reported_by",
                 "available_transitions", "ivo_notification", "is_overdue", "next_due"):
        assert name in row


def test_list_is_paginated(api_client, org, reporter):
    DeviationFactory.create_batch(5, unit=org["mott"], reporter=reporter)
    api_client.force_authenticate(reporter)
    data = _ok(api_client.get(URL + "?page_size=2"))
    assert data["count"] == 5
    assert len(data["results"]) == 2
    assert data["next"]
    assert data["previous"] is None


# ---------------------------------------------------------------- scope

def test_reporter_sees_only_own_reports(api_client, org, reporter):
    colleague = UserFactory(username="kollega")
    MembershipFactory(user=colleague, unit=org["mott"], role=Membership.Role.STAFF)
    own = DeviationFactory(unit=org["mott"], reporter=reporter)
    theirs = DeviationFactory(unit=org["mott"], reporter=colleague)
    api_client.force_authenticate(reporter)
    data = _ok(api_client.get(URL))
    assert [row["id"] for row in data["results"]] == [own.pk]
    assert _ok(api_client.get(f"{URL}{own.pk}/"))["reported_by"] == reporter.pk
    assert api_client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert _transition(api_client, theirs, "withdraw", {"reason": "Fel"}).status_code == 404


def test_manager_of_another_unit_gets_404(api_client, org, reporter, other_manager, outsider):
    deviation = DeviationFactory(unit=org["mott"], reporter=reporter)
    for user in (other_manager, outsider):
        api_client.force_authenticate(user)
        assert _ok(api_client.get(URL))["count"] == 0
        assert api_client.get(f"{URL}{deviation.pk}/").status_code == 404
        assert _transition(api_client, deviation, "receive").status_code == 404
        assert _post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(),
                                                       "investigation_attached": False}).status_code == 404
        assert api_client.get(_ivo_url(deviation)).status_code == 404


def test_section_manager_sees_the_sections_units(api_client, org, reporter, section_manager):
    mott = DeviationFactory(unit=org["mott"], reporter=reporter)
    plac = DeviationFactory(unit=org["plac"], reporter=reporter)
    miss = DeviationFactory(unit=org["miss"], reporter=reporter)
    api_client.force_authenticate(section_manager)
    assert {row["id"] for row in _ok(api_client.get(URL))["results"]} == {mott.pk, plac.pk}
    assert _ok(api_client.get(f"{URL}{plac.pk}/"))["reported_by"] == reporter.pk
    assert api_client.get(f"{URL}{miss.pk}/").status_code == 404


def test_detail_has_every_field_and_logs_the_read(api_client, filed, unit_manager):
    deviation = filed()
    api_client.force_authenticate(unit_manager)
    data = _ok(api_client.get(f"{URL}{deviation.pk}/"))
    for name in ("id", "reference", "kind", "unit", "process", "title", "description", "occurred_at",
                 "location", "immediate_actions", "reported_at", "reported_by", "status",
                 "available_transitions", "history", "ivo_notification", "classification", "next_due"):
        assert name in data
    assert set(data["available_transitions"]) == {"receive", "withdraw"}
    assert data["history"] == [{"transition": "create", "from": "", "to": "reported", "by": deviation.reporter_id,
                                "by_name": deviation.reporter.full_name, "at": data["history"][0]["at"],
                                "comment": ""}]
    access = DeviationAccess.objects.get(deviation=deviation)
    assert (access.user, access.via) == (unit_manager, "api")


def test_management_reads_but_every_transition_is_403(api_client, filed, management, unit_manager):
    deviation = filed(kind="complaint", contact="Ring efter tre")
    api_client.force_authenticate(management)
    assert _ok(api_client.get(URL))["count"] == 1
    data = _ok(api_client.get(f"{URL}{deviation.pk}/"))
    assert data["reported_by"] is None  # management may read, not know who reported
    assert data["contact"] is None
    assert data["available_transitions"] == []
    for name, body in [("receive", {}), ("start_investigation", {}), ("conclude", CONCLUSIONS["complaint"]),
                       ("close", {"feedback_given_on": TODAY().isoformat(), "no_action_reason": "x"}),
                       ("withdraw", {"reason": "Dubblett"}),
                       ("forward", {"forwarded_to": "BUP", "complainant_notified_on": TODAY().isoformat()})]:
        assert _transition(api_client, deviation, name, body).status_code == 403, name
        assert _transition(api_client, deviation, name, {"garbage": [1]}).status_code == 403, name
    assert _post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(),
                                                   "investigation_attached": False}).status_code == 403
    deviation.refresh_from_db()
    assert deviation.status == "reported"
    # The same request from the unit's manager succeeds: the 403 was about the role.
    api_client.force_authenticate(unit_manager)
    assert _ok(_transition(api_client, deviation, "receive"))["status"] == "received"


def test_quality_sees_the_reporter(api_client, filed, quality):
    deviation = filed()
    api_client.force_authenticate(quality)
    assert _ok(api_client.get(f"{URL}{deviation.pk}/"))["reported_by"] == deviation.reporter_id


# ---------------------------------------------------------------- transitions per kind

@pytest.mark.parametrize("kind", ["lex_sarah", "complaint", "other"])
def test_main_line_per_kind_both_ways(api_client, filed, reporter, unit_manager, kind):
    deviation = filed(kind=kind, **({"complainant_type": "client"} if kind == "complaint" else {}))
    api_client.force_authenticate(reporter)
    assert _transition(api_client, deviation, "receive").status_code == 403  # staff do not receive
    api_client.force_authenticate(unit_manager)
    _conflict(_transition(api_client, deviation, "start_investigation"))  # not yet received
    data = _ok(_transition(api_client, deviation, "receive", {"immediate_actions": "Samtal med personalen."}))
    assert data["status"] == "received"
    assert data["immediate_actions"] == "Samtal med personalen."
    assert data["received_at"]
    _conflict(_transition(api_client, deviation, "receive"))  # twice
    data = _ok(_transition(api_client, deviation, "start_investigation", {"investigator": reporter.pk}))
    assert (data["status"], data["investigator"]) == ("investigating", reporter.pk)
    assert "conclude" in data["available_transitions"]
    # The conclusion the kind needs: nothing → 409 naming every missing field.
    missing = {"lex_sarah": {"what_happened", "consequences", "causes", "classification"},
               "complaint": {"answer", "answered_on"}, "other": {"conclusion"}}[kind]
    assert set(_conflict(_transition(api_client, deviation, "conclude"))["missing"]) == missing
    # Another kind's fields do not count.
    wrong = CONCLUSIONS["other" if kind != "other" else "complaint"]
    assert set(_conflict(_transition(api_client, deviation, "conclude", wrong))["missing"]) == missing
    data = _ok(_transition(api_client, deviation, "conclude", CONCLUSIONS[kind]))
    assert data["status"] == "concluded"
    assert data["concluded_at"]
    body = _conflict(_transition(api_client, deviation, "close", {"feedback_given_on": TODAY().isoformat()}))
    assert body["missing"] == ["actions"]
    data = _ok(_transition(api_client, deviation, "close", {
        "feedback_given_on": TODAY().isoformat(), "comment": "Återkopplat på APT",
        "no_action_reason": "Engångshändelse"}))
    assert data["status"] == "closed"
    assert data["available_transitions"] == []
    assert [h["transition"] for h in data["history"]] == [
        "create", "receive", "start_investigation", "conclude", "close"]
    assert data["history"][-1]["comment"] == "Återkopplat på APT"
    assert data["history"][-1]["by"] == unit_manager.pk
    deviation.refresh_from_db()
    assert deviation.status == "closed"
    assert deviation.history.first().history_change_reason == "close"
    assert deviation.history.first().history_user == unit_manager
    assert Notification.objects.filter(recipient=reporter, kind="deviation_closed", object_id=deviation.pk).exists()
    _conflict(_transition(api_client, deviation, "withdraw", {"reason": "För sent"}))


def test_close_with_a_decided_action(api_client, filed, manager_client, unit_manager):
    deviation = _advance(manager_client, filed(kind="other"), "concluded")
    ActionFactory(unit=deviation.unit, source_content_type=ContentType.objects.get_for_model(Deviation),
                  source_id=deviation.pk, responsible=unit_manager)
    data = _ok(_transition(manager_client, deviation, "close", {"feedback_given_on": TODAY().isoformat()}))
    assert data["status"] == "closed"


def test_close_refuses_a_future_feedback_date_and_needs_the_date(manager_client, filed):
    deviation = _advance(manager_client, filed(kind="other"), "concluded")
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = _transition(manager_client, deviation, "close", {"feedback_given_on": tomorrow,
                                                               "no_action_reason": "x"})
    assert response.status_code == 400
    assert "feedback_given_on" in response.json()
    response = _transition(manager_client, deviation, "close", {"no_action_reason": "x"})
    assert response.status_code == 400
    assert "feedback_given_on" in response.json()


def test_complaint_concluded_as_anonymous(manager_client, filed):
    deviation = _advance(manager_client, filed(kind="complaint", anonymous=True), "investigating")
    data = _ok(_transition(manager_client, deviation, "conclude", {"anonymous": True}))
    assert data["status"] == "concluded"


def test_lex_sarah_conclusion_refuses_unknown_classification(manager_client, filed):
    deviation = _advance(manager_client, filed(), "investigating")
    response = _transition(manager_client, deviation, "conclude", {**LEX_SARAH_CONCLUSION, "classification": "mild"})
    assert response.status_code == 400
    assert "classification" in response.json()
    response = _transition(manager_client, deviation, "conclude",
                           {**LEX_SARAH_CONCLUSION, "causes": f"Se {PERSONNUMMER}"})
    assert response.status_code == 400
    assert "causes" in response.json()
    deviation.refresh_from_db()
    assert deviation.status == "investigating"


def test_receive_reclassifies_and_logs_it(manager_client, filed):
    deviation = filed(kind="other")
    data = _ok(_transition(manager_client, deviation, "receive", {"kind": "lex_sarah"}))
    assert data["kind"] == "lex_sarah"
    assert data["history"][-1]["transition"] == "receive"
    assert "Omklassificerad" in data["history"][-1]["comment"]
    deviation.refresh_from_db()
    assert deviation.kind == "lex_sarah"
    assert deviation.history.filter(kind="other").exists()
    assert deviation.conclusion_due == TODAY() + datetime.timedelta(days=30)


def test_receive_refuses_an_unknown_kind(manager_client, filed):
    deviation = filed(kind="other")
    response = _transition(manager_client, deviation, "receive", {"kind": "gossip"})
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.parametrize("investigator", ["other_manager", "outsider", "missing"])
def test_investigator_must_work_in_the_unit(request, manager_client, filed, investigator):
    deviation = _advance(manager_client, filed(), "received")
    user_id = 999_999 if investigator == "missing" else request.getfixturevalue(investigator).pk
    response = _transition(manager_client, deviation, "start_investigation", {"investigator": user_id})
    assert response.status_code == 400
    assert response.json() == {"investigator": ["Utredaren måste arbeta inom enheten."]}


def test_withdraw_by_reporter_before_investigation_only(api_client, filed, reporter, unit_manager):
    first = filed(kind="other")
    api_client.force_authenticate(reporter)
    assert _transition(api_client, first, "withdraw").status_code == 400  # reason required
    assert _transition(api_client, first, "withdraw", {"reason": ""}).status_code == 400
    data = _ok(_transition(api_client, first, "withdraw", {"reason": "Dubblett av AVV-2026-0001"}))
    assert data["status"] == "withdrawn"
    assert data["withdraw_reason"] == "Dubblett av AVV-2026-0001"
    assert data["history"][-1]["comment"] == "Dubblett av AVV-2026-0001"
    second = filed(kind="other")
    api_client.force_authenticate(unit_manager)
    _advance(api_client, second, "received")
    assert _ok(_transition(api_client, second, "withdraw", {"reason": "Felregistrerad"}))["status"] == "withdrawn"
    third = _advance(api_client, filed(kind="other"), "investigating")
    body = _conflict(_transition(api_client, third, "withdraw", {"reason": "För sent"}))
    assert body["code"] == "transition_not_allowed"


def test_forward_a_complaint_both_ways(manager_client, filed):
    complaint = _advance(manager_client, filed(kind="complaint"), "received")
    response = _transition(manager_client, complaint, "forward", {"forwarded_to": "Regionen, BUP"})
    assert response.status_code == 400
    assert "complainant_notified_on" in response.json()
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    assert _transition(manager_client, complaint, "forward", {
        "forwarded_to": "Regionen, BUP", "complainant_notified_on": future}).status_code == 400
    data = _ok(_transition(manager_client, complaint, "forward", {
        "forwarded_to": "Regionen, BUP", "complainant_notified_on": TODAY().isoformat()}))
    assert (data["status"], data["forwarded_to"]) == ("forwarded", "Regionen, BUP")
    other = _advance(manager_client, filed(kind="other"), "received")
    body = _conflict(_transition(manager_client, other, "forward", {
        "forwarded_to": "BUP", "complainant_notified_on": TODAY().isoformat()}))
    assert "kind" in body["missing"]
    reported = filed(kind="complaint")
    _conflict(_transition(manager_client, reported, "forward", {
        "forwarded_to": "BUP", "complainant_notified_on": TODAY().isoformat()}))


def test_unknown_transition_is_404(manager_client, filed):
    deviation = filed()
    for name in ("teleport", "save", "delete", "ivo_notification_create"):
        assert _transition(manager_client, deviation, name).status_code == 404


# ---------------------------------------------------------------- IVO track and closing a serious case

def test_serious_lex_sarah_closes_only_after_the_ivo_track(api_client, filed, unit_manager, section_manager,
                                                          quality):
    deviation = filed()
    api_client.force_authenticate(section_manager)
    body = _conflict(_post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(),
                                                             "investigation_attached": False}))
    assert body["missing"] == ["status"]  # not received yet
    api_client.force_authenticate(unit_manager)
    _advance(api_client, deviation, "investigating")
    _ok(_transition(api_client, deviation, "conclude", LEX_SARAH_CONCLUSION))
    close = {"feedback_given_on": TODAY().isoformat(), "no_action_reason": "Rutin finns redan"}
    body = _conflict(_transition(api_client, deviation, "close", close))
    assert "ivo_notification" in body["missing"]
    data = _ok(api_client.get(f"{URL}{deviation.pk}/"))
    assert "close" not in data["available_transitions"]
    assert data["ivo_notification_due"] == (TODAY() + datetime.timedelta(days=7)).isoformat()
    # A unit manager may not notify IVO.
    notify = {"sent_on": TODAY().isoformat(), "ivo_reference": "8.5-12345/2026", "investigation_attached": False}
    assert _post(api_client, _ivo_url(deviation), notify).status_code == 403
    api_client.force_authenticate(section_manager)
    data = _ok(_post(api_client, _ivo_url(deviation), notify), 201)
    assert data["status"] == "sent"
    assert data["ivo_reference"] == "8.5-12345/2026"
    assert data["investigation_due"] > TODAY().isoformat()
    assert data["available_transitions"] == ["send_investigation"]
    assert [h["transition"] for h in data["history"]] == ["create"]
    body = _conflict(_post(api_client, _ivo_url(deviation), notify))  # a second one
    assert body["code"] == "transition_not_allowed"
    api_client.force_authenticate(unit_manager)
    detail = _ok(api_client.get(f"{URL}{deviation.pk}/"))
    assert detail["ivo_notification"]["investigation_due"] == data["investigation_due"]
    assert detail["ivo_notification"]["available_transitions"] == []
    assert detail["next_due"] == data["investigation_due"]
    body = _conflict(_transition(api_client, deviation, "close", close))
    assert body["missing"] == ["ivo_notification"]
    # The investigation reaches IVO (quality may record it too).
    api_client.force_authenticate(quality)
    assert _post(api_client, _ivo_url(deviation, "send_investigation"), {}).status_code == 400
    data = _ok(_post(api_client, _ivo_url(deviation, "send_investigation"), {"sent_on": TODAY().isoformat()}))
    assert (data["status"], data["investigation_sent_on"]) == ("investigation_sent", TODAY().isoformat())
    assert set(data["available_transitions"]) == {"record_closed", "record_supervision"}
    api_client.force_authenticate(unit_manager)
    data = _ok(_transition(api_client, deviation, "close", close))
    assert data["status"] == "closed"
    assert data["ivo_notification"]["status"] == "investigation_sent"


@pytest.fixture
def notified(api_client, filed, unit_manager, section_manager):
    """A received lex Sarah report notified to IVO, as the section manager."""
    deviation = filed()
    api_client.force_authenticate(unit_manager)
    _advance(api_client, deviation, "received")
    api_client.force_authenticate(section_manager)
    _ok(_post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(), "investigation_attached": False}),
        201)
    return deviation


def test_ivo_transitions_both_ways(api_client, notified, unit_manager, section_manager):
    url = lambda name: _ivo_url(notified, name)  # noqa: E731
    _conflict(_post(api_client, url("record_closed"), {"decided_on": TODAY().isoformat()}))
    api_client.force_authenticate(unit_manager)
    assert _post(api_client, url("send_investigation"), {"sent_on": TODAY().isoformat()}).status_code == 403
    api_client.force_authenticate(section_manager)
    future = (TODAY() + datetime.timedelta(days=1)).isoformat()
    response = _post(api_client, url("send_investigation"), {"sent_on": future})
    assert response.status_code == 400
    assert "sent_on" in response.json()
    _ok(_post(api_client, url("send_investigation"), {"sent_on": TODAY().isoformat()}))
    _conflict(_post(api_client, url("send_investigation"), {"sent_on": TODAY().isoformat()}))
    assert _post(api_client, url("record_supervision"), {"supervision_decision": "x"}).status_code == 400
    assert _post(api_client, url("record_supervision"), {"supervision_decision": 0}).status_code == 400
    response = _post(api_client, url("record_supervision"), {"supervision_decision": 42})  # no such decision
    assert response.status_code == 400
    data = _ok(_post(api_client, url("record_supervision"), {"reference": "8.5-1/2026"}))
    decision = SupervisionDecision.objects.get()
    assert (data["status"], data["supervision_decision"]) == ("supervision_opened", decision.pk)
    assert (decision.authority, decision.kind, decision.reference) == ("ivo", "lex_sarah", "8.5-1/2026")
    _conflict(_post(api_client, url("record_closed"), {"decided_on": TODAY().isoformat()}))
    assert [h["transition"] for h in data["history"]] == ["create", "send_investigation", "record_supervision"]
    assert IvoNotification.objects.get().history.first().history_user == section_manager
    assert _post(api_client, url("teleport"), {}).status_code == 404


def test_ivo_record_closed(api_client, notified, section_manager):
    api_client.force_authenticate(section_manager)
    _ok(_post(api_client, _ivo_url(notified, "send_investigation"), {"sent_on": TODAY().isoformat()}))
    assert _post(api_client, _ivo_url(notified, "record_closed"), {}).status_code == 400
    data = _ok(_post(api_client, _ivo_url(notified, "record_closed"), {"decided_on": TODAY().isoformat()}))
    assert (data["status"], data["decided_on"]) == ("ivo_closed", TODAY().isoformat())
    assert data["available_transitions"] == []
    assert _ok(api_client.get(_ivo_url(notified)))["status"] == "ivo_closed"


def test_ivo_notification_with_the_investigation_attached(api_client, filed, unit_manager, quality):
    deviation = filed()
    api_client.force_authenticate(unit_manager)
    _advance(api_client, deviation, "received")
    api_client.force_authenticate(quality)
    data = _ok(_post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(),
                                                       "investigation_attached": True}), 201)
    assert (data["status"], data["investigation_due"]) == ("investigation_sent", None)
    assert data["investigation_sent_on"] == TODAY().isoformat()


@pytest.mark.parametrize("body", [{}, {"sent_on": "igår", "investigation_attached": False},
                                  {"sent_on": "2999-01-01", "investigation_attached": False},
                                  {"sent_on": "2026-01-01", "investigation_attached": "kanske"},
                                  {"sent_on": "2026-01-01", "investigation_attached": False,
                                   "ivo_reference": "x" * 61}])
def test_ivo_notification_bad_body_is_400(api_client, filed, unit_manager, section_manager, body):
    deviation = filed()
    api_client.force_authenticate(unit_manager)
    _advance(api_client, deviation, "received")
    api_client.force_authenticate(section_manager)
    assert _post(api_client, _ivo_url(deviation), body).status_code == 400
    assert not IvoNotification.objects.exists()


def test_ivo_notification_only_for_lex_sarah(api_client, filed, unit_manager, section_manager):
    deviation = filed(kind="other")
    api_client.force_authenticate(unit_manager)
    _advance(api_client, deviation, "received")
    api_client.force_authenticate(section_manager)
    body = _conflict(_post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(),
                                                             "investigation_attached": False}))
    assert body["missing"] == ["kind"]
    assert api_client.get(_ivo_url(deviation)).status_code == 404
    assert _post(api_client, _ivo_url(deviation, "send_investigation"),
                 {"sent_on": TODAY().isoformat()}).status_code == 404


@pytest.mark.parametrize("persona", ["reporter", "unit_manager", "management"])
def test_ivo_notification_refused_roles_are_403(request, api_client, filed, unit_manager, persona):
    deviation = filed()
    api_client.force_authenticate(unit_manager)
    _advance(api_client, deviation, "received")
    api_client.force_authenticate(request.getfixturevalue(persona))
    assert _post(api_client, _ivo_url(deviation), {"sent_on": TODAY().isoformat(),
                                                   "investigation_attached": False}).status_code == 403


# ---------------------------------------------------------------- no input answers 500

FUZZ_BODIES = [
    None, [], [1, 2], "text", 42, {"kind": None}, {"kind": ["lex_sarah"]}, {"immediate_actions": {"a": 1}},
    {"immediate_actions": "x" * 200_001}, {"investigator": "me"}, {"investigator": 2**80},
    {"investigator": -5}, {"investigator": 1.5}, {"classification": None}, {"answered_on": "2026-02-30"},
    {"answered_on": 20260101}, {"anonymous": "yes please"}, {"feedback_given_on": None},
    {"feedback_given_on": "0000-00-00"}, {"reason": None}, {"reason": "nul\x00byte"}, {"reason": "\ud800"},
    {"forwarded_to": "x" * 10_000, "complainant_notified_on": "2026-01-01"},
    {"conclusion": ["a", "b"]}, {"what_happened": True}, {"kind": "\ud800"}, {"classification": "\ud800x"},
    {"kind": "x\x00"}, {"\ud800": 1},
]


@pytest.mark.parametrize(("name", "state"), [
    ("receive", "reported"), ("start_investigation", "received"), ("conclude", "investigating"),
    ("close", "concluded"), ("withdraw", "reported"), ("forward", "received"), ("conclude", "reported"),
])
def test_transition_fuzz_never_500(manager_client, filed, name, state):
    deviation = filed(kind="complaint")
    if state != "reported":
        _advance(manager_client, deviation, state)
    for body in FUZZ_BODIES:
        with transaction.atomic():  # every body meets the same state
            response = _post_raw(manager_client, f"{URL}{deviation.pk}/transitions/{name}/", body)
            transaction.set_rollback(True)
        assert response.status_code in (200, 400, 409), (body, response.status_code, response.content)


@pytest.mark.parametrize("body", [
    *FUZZ_BODIES,
    {"kind": "other", "unit": None, "title": None, "description": None},
    {"kind": "other", "unit": "1; DROP TABLE", "title": "t", "description": "d"},
    {"kind": "complaint", "unit": 1, "title": "t", "description": "d", "complainant_type": None},
    {"kind": "other", "unit": 1, "title": "t", "description": "d" * 200_001},
    {"kind": "other", "unit": 1, "title": "t", "description": "d", "occurred_at": "0001-01-01T00:00:00+14:00"},
    {"kind": "other", "unit": 1, "title": "t", "description": "d", "reported_at": "9999-12-31T23:59:59-12:00"},
    {"kind": "other", "unit": 1, "title": "\ud800", "description": "d"},
    {"kind": "other", "unit": 1, "title": "t\x00", "description": "d"},
])
def test_create_fuzz_never_500(api_client, org, quality, body):
    api_client.force_authenticate(quality)
    if isinstance(body, dict) and body.get("unit") == 1:
        body = {**body, "unit": org["mott"].pk}
    response = _post_raw(api_client, URL, body)
    assert response.status_code == 400, (body, response.content)


def test_malformed_json_is_400(api_client, reporter):
    api_client.force_authenticate(reporter)
    response = api_client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("path", [
    "abc/", "1.5/", "-1/", "99999999999999999999999/", "0/", f"{2**63}/",
    "abc/transitions/receive/", "99999999999999999999999/transitions/receive/",
    "99999999999999999999999/ivo-notification/", "1/ivo-notification/transitions/x/",
    "%00/",
])
def test_odd_ids_are_404(api_client, filed, unit_manager, path):
    filed()
    api_client.force_authenticate(unit_manager)
    assert api_client.get(URL + path).status_code in (404, 405)
    expected = (404,) if "transitions" in path else (404, 405)  # detail paths take GET only
    assert api_client.post(URL + path, {}, format="json").status_code in expected


def test_anonymous_caller_is_401(api_client, filed):
    deviation = filed()
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}{deviation.pk}/").status_code == 401


# ---------------------------------------------------------------- query bound

def test_list_query_count_is_bounded_with_1000_deviations(api_client, org, reporter, quality, section_manager,
                                                           django_assert_max_num_queries):
    now = timezone.now()
    Deviation.objects.bulk_create([
        Deviation(reference=f"AVV-{now.year}-{n + 1:04d}", kind=("lex_sarah", "complaint", "other")[n % 3],
                  unit=org[("mott", "plac", "miss")[n % 3]], title=f"Avvikelse {n}", description="Beskrivning",
                  reporter=reporter, reported_at=now - datetime.timedelta(minutes=n),
                  status=("reported", "received", "concluded")[n % 3],
                  classification="serious" if n % 3 == 0 else "")
        for n in range(1000)
    ])
    IvoNotification.objects.bulk_create([
        IvoNotification(deviation=d, sent_on=TODAY(), recorded_by=quality)
        for d in Deviation.objects.filter(kind="lex_sarah")[:50]
    ])
    User = get_user_model()
    for user in (quality, section_manager, reporter):
        # A fresh user object per request: roles and permissions are cached on it.
        api_client.force_authenticate(User.objects.get(pk=user.pk))
        with django_assert_max_num_queries(5) as small:
            _ok(api_client.get(URL + "?page_size=5"))
        api_client.force_authenticate(User.objects.get(pk=user.pk))
        with django_assert_max_num_queries(5) as large:
            data = _ok(api_client.get(URL + "?page_size=200"))
        assert len(data["results"]) == 200
        assert len(large.captured_queries) == len(small.captured_queries)
    api_client.force_authenticate(User.objects.get(pk=quality.pk))
    with django_assert_max_num_queries(6):  # and the unit filter's unit
        data = _ok(api_client.get(URL + f"?page_size=200&kind=lex_sarah&unit={org['fam'].pk}&status=open"))
    assert data["count"] == 334
    assert any(row["ivo_notification"] for row in data["results"])


def test_detail_query_count_is_bounded(api_client, notified, unit_manager, django_assert_max_num_queries):
    api_client.force_authenticate(unit_manager)
    with django_assert_max_num_queries(12):
        _ok(api_client.get(f"{URL}{notified.pk}/"))
    assert len(transition_log_for(notified)) == 2
