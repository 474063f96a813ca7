"""The risk analyses and risks REST API (API.md "Risk analyses and risks"): create once per unit
and year, the workshop and approval transitions, carry-forward, the matrix, the register with
its filters, scope (404), roles (403), guards (409), and no 500 for any input."""

import datetime
import json
import urllib.parse

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.risks import services
from riskmgmt.risks.models import Risk, RiskAnalysis
from tests.factories import ProcessFactory, UnitFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
ANALYSES, RISKS = "/api/v1/risk-analyses/", "/api/v1/risks/"
PERSONNUMMER = "811218-9876"  # checksum-valid


def _as(client, user):
    client.force_authenticate(user)
    return client


def _ok(response, code=200):
    assert response.status_code == code, response.content
    return response.json()


def _conflict(response, *missing):
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["detail"]
    assert body["code"] == "transition_not_allowed"
    assert set(missing) <= set(body["missing"])
    return body


def _transition(client, analysis, name, body=None):
    return client.post(f"{ANALYSES}{analysis.pk}/transitions/{name}/", body or {}, format="json")


def _hold_body(*participants, **extra):
    return {"held_on": TODAY().isoformat(), "participants": [p.pk for p in participants],
            "perspectives": ["client", "staff"], **extra}


def _risk_body(analysis, /, **extra):
    return {"analysis": analysis.pk, "title": "Förhandsbedömning blir inte klar inom 14 dagar",
            "description": "Många anmälningar samtidigt.", "risk_type": "process", "perspective": "client",
            "probability": 3, "consequence": 3, **extra}


@pytest.fixture
def held(analysis, unit_manager, reporter):
    return services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=TODAY(),
                                       participants=[reporter], perspectives=["client"])


@pytest.fixture
def approved(held, management):
    return services.risk_analysis_approve(analysis=held, actor=management)


# ---------------------------------------------------------------- analyses: create, list, detail

def test_unit_manager_plans_the_years_analysis_once(api_client, org, unit_manager):
    client = _as(api_client, unit_manager)
    body = _ok(client.post(ANALYSES, {"unit": org["mott"].pk, "year": 2026, "planned_on": "2026-03-10"},
                           format="json"), 201)
    assert body["status"] == "planned"
    assert body["year"] == 2026
    assert body["unit"] == org["mott"].pk
    assert body["available_transitions"] == ["hold"]
    assert body["history"] == []
    assert body["risks"] == []
    assert body["risk_count"] == 0
    analysis = RiskAnalysis.objects.get(pk=body["id"])
    assert analysis.planned_on == datetime.date(2026, 3, 10)
    assert analysis.history.first().history_user == unit_manager

    again = client.post(ANALYSES, {"unit": org["mott"].pk, "year": 2026}, format="json")
    assert again.status_code == 400
    assert "2026" in again.json()["year"][0]
    assert RiskAnalysis.objects.count() == 1


def test_planning_is_for_the_units_managers(api_client, org, reporter, other_manager, section_manager):
    response = _as(api_client, reporter).post(ANALYSES, {"unit": org["mott"].pk, "year": 2026}, format="json")
    assert response.status_code == 403
    # Another section's manager: the unit is not theirs to see, so the same 400 as an unknown unit.
    response = _as(api_client, other_manager).post(ANALYSES, {"unit": org["mott"].pk, "year": 2026}, format="json")
    assert response.status_code == 400
    assert "unit" in response.json()
    # The sektionschef may plan for a unit under the section.
    _ok(_as(api_client, section_manager).post(ANALYSES, {"unit": org["plac"].pk, "year": 2026}, format="json"), 201)


def test_list_is_scoped_and_filtered(api_client, org, analysis, unit_manager, other_manager, quality):
    miss = services.risk_analysis_create(actor=other_manager, unit=org["miss"], year=2026)
    older = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2025)
    ids = lambda r: {row["id"] for row in _ok(r)["results"]}  # noqa: E731
    assert ids(_as(api_client, unit_manager).get(ANALYSES)) == {analysis.pk, older.pk}
    assert ids(_as(api_client, other_manager).get(ANALYSES)) == {miss.pk}
    client = _as(api_client, quality)
    assert ids(client.get(ANALYSES)) == {analysis.pk, older.pk, miss.pk}
    assert ids(client.get(ANALYSES, {"unit": org["fam"].pk})) == {analysis.pk, older.pk}
    assert ids(client.get(ANALYSES, {"year": 2025})) == {older.pk}
    assert ids(client.get(ANALYSES, {"status": "held"})) == set()
    assert ids(client.get(ANALYSES, {"unit": 999999})) == set()
    for bad in ({"unit": "x"}, {"year": "förra"}, {"status": "done"}, {"page_size": "många"}):
        assert client.get(ANALYSES, bad).status_code in (200, 400), bad


def test_detail_outside_scope_is_404(api_client, analysis, other_manager, outsider):
    for user in (other_manager, outsider):
        assert _as(api_client, user).get(f"{ANALYSES}{analysis.pk}/").status_code == 404
    assert _as(api_client, other_manager).get(f"{ANALYSES}99999999999999999999/").status_code == 404


def test_detail_summarises_the_risks(api_client, analysis, make_risk, unit_manager, reporter):
    make_risk(analysis, "Hot vid hembesök", 2, 4)
    make_risk(analysis, "Papper i skrivaren", 1, 2)
    closed = make_risk(analysis, "Grinden olåst", 2, 3)
    services.risk_update(risk=closed, actor=unit_manager, status="closed")
    body = _ok(_as(api_client, reporter).get(f"{ANALYSES}{analysis.pk}/"))
    assert body["risk_count"] == 3
    assert body["open_risk_count"] == 2
    assert body["open_by_level"] == {"low": 1, "medium": 0, "high": 1, "very_high": 0}
    assert [r["title"] for r in body["risks"]] == ["Hot vid hembesök", "Grinden olåst", "Papper i skrivaren"]
    assert body["risks"][0]["level"] == "high"
    assert body["risks"][0]["score"] == 8
    assert body["available_transitions"] == []  # staff read


# ---------------------------------------------------------------- transitions

def test_hold_records_the_workshop(api_client, analysis, unit_manager, reporter):
    client = _as(api_client, unit_manager)
    body = _ok(_transition(client, analysis, "hold", _hold_body(reporter, participants_text="Två handläggare")))
    assert body["status"] == "held"
    assert body["participants"] == [reporter.pk]
    assert body["perspectives"] == ["client", "staff"]
    assert body["history"][-1] | {"at": None} == {
        "transition": "hold", "from": "planned", "to": "held", "by": unit_manager.pk,
        "by_name": unit_manager.full_name, "at": None, "comment": ""}
    analysis.refresh_from_db()
    assert analysis.status == "held"
    assert analysis.held_on == TODAY()
    assert analysis.history.first().history_change_reason == "hold"


def test_hold_with_names_in_text_only(api_client, analysis, unit_manager):
    body = _transition(_as(api_client, unit_manager), analysis, "hold",
                       {"held_on": TODAY().isoformat(), "participants_text": "Hela arbetsgruppen",
                        "perspectives": ["organisation"]})
    assert _ok(body)["status"] == "held"


def test_hold_names_what_is_missing(api_client, analysis, unit_manager):
    body = _conflict(_transition(_as(api_client, unit_manager), analysis, "hold", {}),
                     "held_on", "participants", "perspectives")
    assert "deltog" in body["detail"]
    analysis.refresh_from_db()
    assert analysis.status == "planned"


@pytest.mark.parametrize("bad", [
    {"perspectives": ["neighbours"]},
    {"perspectives": "client"},
    {"participants": [99999999]},
    {"participants": ["anna"]},
    {"held_on": "igår"},
    {"held_on": "2999-01-01"},
    {"participants_text": f"Klientens ombud {PERSONNUMMER}"},
])
def test_hold_rejects_bad_input(api_client, analysis, unit_manager, reporter, bad):
    response = _transition(_as(api_client, unit_manager), analysis, "hold", {**_hold_body(reporter), **bad})
    assert response.status_code == 400, response.content
    assert set(response.json()) <= {"perspectives", "participants", "participants_text", "held_on"}


def test_refusals_come_in_order(api_client, analysis, held, management, other_manager, reporter, unit_manager):
    # 404 outside scope, 403 in scope but not yours, 404 for an unknown step.
    assert _transition(_as(api_client, other_manager), held, "approve").status_code == 404
    assert _transition(_as(api_client, reporter), held, "approve").status_code == 403
    assert _transition(_as(api_client, unit_manager), held, "approve").status_code == 403
    assert _transition(_as(api_client, management), held, "hold", _hold_body(reporter)).status_code == 403
    assert _transition(_as(api_client, unit_manager), held, "reopen").status_code == 404
    # The same step with the right person succeeds: the refusals were for the right reason.
    body = _ok(_transition(_as(api_client, management), held, "approve", {"comment": "Bra genomförd."}))
    assert body["status"] == "approved"
    assert body["approved_by"] == management.pk
    assert body["approval_comment"] == "Bra genomförd."
    assert body["history"][-1]["comment"] == "Bra genomförd."
    # Now approved: holding again is a 409, not a 500.
    _conflict(_transition(_as(api_client, unit_manager), held, "hold", _hold_body(reporter)))


def test_approving_a_planned_analysis_is_409(api_client, analysis, management):
    _conflict(_transition(_as(api_client, management), analysis, "approve"))


def test_available_transitions_follow_the_person(api_client, held, management, unit_manager):
    assert _ok(_as(api_client, management).get(f"{ANALYSES}{held.pk}/"))["available_transitions"] == ["approve"]
    assert _ok(_as(api_client, unit_manager).get(f"{ANALYSES}{held.pk}/"))["available_transitions"] == []


# ---------------------------------------------------------------- carry-forward

def test_carry_forward_copies_the_open_risks(api_client, approved, make_risk, unit_manager, reporter, outsider):
    analysis = approved
    # Risks were added before approval in real life; the factory here skips the status check.
    open_risk = Risk.objects.create(analysis=analysis, title="Hög arbetsbelastning", risk_type="process",
                                    perspective="staff", probability=3, consequence=3,
                                    residual_probability=2, residual_consequence=3)
    Risk.objects.create(analysis=analysis, title="Gammal risk", risk_type="place", perspective="staff",
                        probability=1, consequence=1, status="closed")
    url = f"{ANALYSES}{analysis.pk}/carry-forward/"
    assert _as(api_client, outsider).post(url).status_code == 404
    assert _as(api_client, reporter).post(url).status_code == 403
    body = _ok(_as(api_client, unit_manager).post(url), 201)
    assert body["year"] == analysis.year + 1
    assert body["status"] == "planned"
    assert body["previous"] == analysis.pk
    assert [(r["title"], r["probability"], r["predecessor"]) for r in body["risks"]] == [
        ("Hög arbetsbelastning", 2, open_risk.pk)]
    assert _ok(_as(api_client, unit_manager).get(f"{ANALYSES}{analysis.pk}/"))["next"] == body["id"]

    again = _conflict(_as(api_client, unit_manager).post(url), "year")
    assert str(analysis.year + 1) in again["detail"]
    assert RiskAnalysis.objects.filter(unit=analysis.unit, year=analysis.year + 1).count() == 1


# ---------------------------------------------------------------- matrix

def test_matrix_has_all_sixteen_cells(api_client, analysis, make_risk, unit_manager, reporter, other_manager,
                                     outsider):
    make_risk(analysis, "A", 3, 4)
    make_risk(analysis, "B", 3, 4)
    make_risk(analysis, "C", 1, 1)
    closed = make_risk(analysis, "D", 1, 1)
    services.risk_update(risk=closed, actor=unit_manager, status="closed")
    client = _as(api_client, reporter)
    body = _ok(client.get(f"{ANALYSES}{analysis.pk}/matrix/"))
    cells = {(c["probability"], c["consequence"]): c for c in body["cells"]}
    assert len(body["cells"]) == 16
    assert set(cells) == {(p, k) for p in range(1, 5) for k in range(1, 5)}
    assert cells[(3, 4)] == {"probability": 3, "consequence": 4, "count": 2, "level": "very_high"}
    assert cells[(1, 1)]["count"] == 1
    assert cells[(1, 4)]["level"] == "high"
    assert sum(c["count"] for c in body["cells"]) == 3
    everything = _ok(client.get(f"{ANALYSES}{analysis.pk}/matrix/", {"status": "all"}))
    assert sum(c["count"] for c in everything["cells"]) == 4
    assert client.get(f"{ANALYSES}{analysis.pk}/matrix/", {"status": "some"}).status_code == 400
    # Another section's manager and someone with no role: the analysis does not exist for them.
    for user in (other_manager, outsider):
        response = _as(api_client, user).get(f"{ANALYSES}{analysis.pk}/matrix/")
        assert response.status_code == 404
        assert "cells" not in response.json()


# ---------------------------------------------------------------- risks: create

def test_unit_manager_adds_a_scored_risk(api_client, analysis, org, unit_manager):
    body = _ok(_as(api_client, unit_manager).post(
        RISKS, _risk_body(analysis, process=org["mottagning"].pk), format="json"), 201)
    assert body["score"] == 9
    assert body["level"] == "high"
    assert body["analysis"] == analysis.pk
    assert body["unit"] == org["mott"].pk
    assert body["year"] == 2026
    assert body["process"] == org["mottagning"].pk
    assert body["status"] == "open"
    assert body["actions"] == []
    risk = Risk.objects.get(pk=body["id"])
    assert risk.history.first().history_user == unit_manager


@pytest.mark.parametrize("bad", [
    {"probability": 5}, {"probability": 0}, {"probability": "tre"}, {"consequence": None},
    {"perspective": "neighbours"}, {"risk_type": ""}, {"title": ""}, {"title": "x" * 201},
    {"title": f"Risk för {PERSONNUMMER}"}, {"analysis": "mott"}, {"analysis": 2**70}, {"process": 10**30},
])
def test_bad_risk_input_is_400(api_client, analysis, unit_manager, bad):
    response = _as(api_client, unit_manager).post(RISKS, _risk_body(analysis, **bad), format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) & set(bad)
    assert not Risk.objects.exists()


def test_process_must_be_the_units(api_client, analysis, org, unit_manager):
    response = _as(api_client, unit_manager).post(RISKS, _risk_body(analysis, process=org["lvm"].pk), format="json")
    assert response.status_code == 400
    assert "process" in response.json()


def test_risk_refusals(api_client, analysis, approved, org, reporter, other_manager, unit_manager):
    assert _as(api_client, reporter).post(RISKS, _risk_body(analysis), format="json").status_code == 403
    outside = _as(api_client, other_manager).post(RISKS, _risk_body(analysis), format="json")
    assert outside.status_code == 400
    assert "analysis" in outside.json()
    # An approved analysis takes no new risks: they go into next year's.
    _conflict(_as(api_client, unit_manager).post(RISKS, _risk_body(approved), format="json"), "status")


# ---------------------------------------------------------------- risks: change

def test_patch_rescores_records_residual_escalates_and_closes(api_client, analysis, make_risk, unit_manager):
    risk = make_risk(analysis, "Inget jourhem", 3, 4)
    client = _as(api_client, unit_manager)
    url = f"{RISKS}{risk.pk}/"
    assert _ok(client.get(url))["level"] == "very_high"
    body = _ok(client.patch(url, {"probability": 1, "consequence": 2}, format="json"))
    assert (body["score"], body["level"]) == (2, "low")
    body = _ok(client.patch(url, {"residual_probability": 1, "residual_consequence": 1}, format="json"))
    assert (body["residual_score"], body["residual_level"]) == (1, "low")
    assert client.patch(url, {"escalated": True}, format="json").status_code == 400
    body = _ok(client.patch(url, {"escalated": True, "escalation_reason": "Gäller hela sektionen."}, format="json"))
    assert body["escalated"] is True
    body = _ok(client.patch(url, {"status": "closed"}, format="json"))
    assert body["status"] == "closed"
    assert body["title"] == "Inget jourhem"
    risk.refresh_from_db()
    assert risk.status == "closed"
    assert risk.history.first().history_change_reason == "update"
    assert risk.history.count() == 5


@pytest.mark.parametrize("bad", [
    {"probability": 5}, {"residual_consequence": "två"}, {"status": "deleted"}, {"escalated": "kanske"},
    {"title": f"Angående {PERSONNUMMER}"}, {"process": 999999},
])
def test_bad_patch_is_400(api_client, analysis, make_risk, unit_manager, bad):
    risk = make_risk(analysis)
    response = _as(api_client, unit_manager).patch(f"{RISKS}{risk.pk}/", bad, format="json")
    assert response.status_code == 400, response.content
    risk.refresh_from_db()
    assert (risk.probability, risk.status) == (3, "open")


def test_a_personnummer_in_the_escalation_reason_is_refused(api_client, analysis, make_risk, unit_manager):
    """DOMAIN.md A9: the reason a risk is lifted is free text like any other."""
    risk = make_risk(analysis)
    client = _as(api_client, unit_manager)
    body = {"escalated": True, "escalation_reason": f"Barnet {PERSONNUMMER} saknar jourhem."}
    response = client.patch(f"{RISKS}{risk.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert "personnummer" in response.json()["escalation_reason"][0]
    risk.refresh_from_db()
    assert (risk.escalated, risk.escalation_reason) == (False, "")
    # The same change without the number goes through.
    body["escalation_reason"] = "Ett placerat barn saknar jourhem."
    assert _ok(client.patch(f"{RISKS}{risk.pk}/", body, format="json"))["escalated"] is True


def test_patch_refusals(api_client, analysis, make_risk, reporter, outsider, other_manager):
    risk = make_risk(analysis)
    url = f"{RISKS}{risk.pk}/"
    assert _as(api_client, outsider).patch(url, {"status": "closed"}, format="json").status_code == 404
    assert _as(api_client, other_manager).get(url).status_code == 404
    assert _as(api_client, reporter).patch(url, {"status": "closed"}, format="json").status_code == 403
    assert _ok(_as(api_client, reporter).get(url))["status"] == "open"


def test_risk_detail_lists_its_actions(api_client, analysis, make_risk, unit_manager):
    risk = make_risk(analysis, "Hot vid hembesök", 2, 4)
    action = action_services.action_create(source_obj=risk, actor=unit_manager, title="Dubbelbemanning",
                                           responsible=unit_manager, strength="medium",
                                           due_date=TODAY() + datetime.timedelta(days=30))
    assert _ok(_as(api_client, unit_manager).get(f"{RISKS}{risk.pk}/"))["actions"] == [action.pk]


# ---------------------------------------------------------------- risks: list

def test_risk_list_filters(api_client, org, analysis, make_risk, unit_manager, section_manager, quality):
    plac = services.risk_analysis_create(actor=section_manager, unit=org["plac"], year=2026)
    high = make_risk(analysis, "Förhandsbedömning", 3, 3, process=org["mottagning"])
    low = make_risk(analysis, "Skrivaren", 1, 2)
    other = services.risk_add(analysis=plac, actor=section_manager, title="Inget jourhem", risk_type="process",
                              perspective="client", probability=3, consequence=4, process=org["placering"])
    services.risk_update(risk=low, actor=unit_manager, status="closed")
    services.risk_update(risk=other, actor=section_manager, escalated=True, escalation_reason="Sektionen.")
    client = _as(api_client, quality)

    def ids(**params):
        return [row["id"] for row in _ok(client.get(RISKS, params))["results"]]

    assert set(ids()) == {high.pk, low.pk, other.pk}
    assert ids(analysis=analysis.pk) == [high.pk, low.pk]
    assert set(ids(unit=org["fam"].pk)) == {high.pk, low.pk, other.pk}
    assert ids(unit=org["plac"].pk) == [other.pk]
    assert ids(unit=org["vux"].pk) == []
    assert ids(process=org["mottagning"].pk) == [high.pk]
    assert ids(level="very_high") == [other.pk]
    assert ids(level="high") == [high.pk]
    assert ids(status="closed") == [low.pk]
    assert ids(escalated="true") == [other.pk]
    assert ids(year=2025) == []
    row = _ok(client.get(RISKS, {"analysis": analysis.pk}))["results"][0]
    assert row["level"] == "high"
    assert row["score"] == 9
    assert "actions" not in row
    for bad in ({"level": "extreme"}, {"status": "done"}, {"unit": "fam"}, {"analysis": -1},
                {"escalated": "kanske"}, {"year": 10**12}, {"process": "x"}):
        assert client.get(RISKS, bad).status_code == 400, bad
    # Another section's unit manager sees none of these.
    assert _ok(_as(api_client, unit_manager).get(RISKS))["count"] == 2


# ---------------------------------------------------------------- bounded queries

def test_lists_answer_in_a_bounded_number_of_queries(api_client, org, unit_manager, quality,
                                                     django_assert_max_num_queries):
    for i in range(12):
        unit = UnitFactory(code=f"extra-{i:02}", parent=org["fam"])
        process = ProcessFactory(unit=unit)
        analysis = RiskAnalysis.objects.create(unit=unit, year=2026)
        for k in range(1, 4):
            Risk.objects.create(analysis=analysis, title=f"Risk {k}", risk_type="process", perspective="staff",
                                probability=2, consequence=k, process=process,
                                source_content_type_id=None if k < 3 else _deviation_type().pk,
                                source_id=None if k < 3 else 1)
    client = _as(api_client, quality)
    client.get(RISKS)  # warm the content type cache
    for url in (ANALYSES, RISKS, f"{RISKS}?level=medium", f"{ANALYSES}?unit={org['fam'].pk}"):
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200


def _deviation_type():
    from django.contrib.contenttypes.models import ContentType

    from riskmgmt.deviations.models import Deviation

    return ContentType.objects.get_for_model(Deviation)


# ---------------------------------------------------------------- never a 500

GARBAGE = [None, [], "", "x", 0, -1, 2**70, 1.5, True, {"a": 1}, "\ud800", "2026-02-30"]


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_no_input_gives_a_500(api_client, org, analysis, make_risk, unit_manager, management, value):
    risk = make_risk(analysis)
    client = _as(api_client, unit_manager)

    def send(method, url, body):
        response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (method, url, body, response.content)

    # Each field of an otherwise valid body, so the bad value reaches as far as it can.
    create = {"unit": org["plac"].pk, "year": 2027, "planned_on": "2027-01-10"}
    for field in create:
        send("post", ANALYSES, {**create, field: value})
    for field in _risk_body(analysis):
        send("post", RISKS, {**_risk_body(analysis), field: value})
    for field in ("title", "description", "process", "probability", "consequence", "residual_probability",
                  "residual_consequence", "escalated", "escalation_reason", "status"):
        send("patch", f"{RISKS}{risk.pk}/", {field: value})
    for field in ("held_on", "participants", "participants_text", "perspectives"):
        send("post", f"{ANALYSES}{analysis.pk}/transitions/hold/", {field: value})
    send("post", f"{ANALYSES}{analysis.pk}/carry-forward/", {"year": value})
    for url in (ANALYSES, RISKS, f"{ANALYSES}{analysis.pk}/transitions/hold/"):
        send("post", url, value)  # the whole body, not an object
    client = _as(api_client, management)
    send("post", f"{ANALYSES}{analysis.pk}/transitions/approve/", {"comment": value})
    # A lone surrogate cannot be encoded; its nearest query-string form is invalid UTF-8.
    query = "%ED%A0%80" if value == "\ud800" else urllib.parse.quote(str(value))
    for url, params in ((ANALYSES, ("unit", "year", "status", "page")),
                        (RISKS, ("unit", "year", "status", "level", "analysis", "process", "escalated", "page_size")),
                        (f"{ANALYSES}{analysis.pk}/matrix/", ("status",))):
        for param in params:
            assert client.get(f"{url}?{param}={query}").status_code < 500, (url, param, value)


def test_schema_names_the_risk_paths(api_client, db):
    schema = _ok(api_client.get("/api/schema/", {"format": "json"}))
    for path in ("/api/v1/risk-analyses/", "/api/v1/risk-analyses/{id}/",
                 "/api/v1/risk-analyses/{id}/transitions/{name}/", "/api/v1/risk-analyses/{id}/carry-forward/",
                 "/api/v1/risk-analyses/{id}/matrix/", "/api/v1/risks/", "/api/v1/risks/{id}/"):
        assert path in schema["paths"], path
    enums = schema["components"]["schemas"]
    assert enums["RiskLevelEnum"]["enum"] == ["low", "medium", "high", "very_high"]
    assert enums["RiskPerspectiveEnum"]["enum"] == ["client", "staff", "organisation"]


def test_rescoring_a_risk_of_an_approved_analysis_is_409(api_client, org, unit_manager, management):
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=2025)
    risk = services.risk_add(analysis=analysis, actor=unit_manager, title="Vakanser", risk_type="process",
                             perspective="staff", probability=3, consequence=3)
    services.risk_analysis_hold(analysis=analysis, actor=unit_manager, held_on=analysis.created.date(),
                                participants=[unit_manager], perspectives=["staff"])
    services.risk_analysis_approve(analysis=analysis, actor=management)
    api_client.force_authenticate(unit_manager)
    url = reverse("api:risk-detail", args=[risk.pk])
    response = api_client.patch(url, {"probability": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["missing"] == ["probability"]
    assert api_client.patch(url, {"residual_probability": 2}, format="json").status_code == 200
