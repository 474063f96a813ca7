import datetime

import pytest
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.core.fsm import transition_log_for
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
URL = "/api/v1/actions/"


def _body(org, owner, **extra):
    body = {"source_type": "unit", "source_id": org["mott"].pk, "title": "Ny rutin för överlämning",
            "responsible": owner.pk, "due_date": (TODAY() + datetime.timedelta(days=20)).isoformat(),
            "strength": "medium"}
    return {**body, **extra}


def test_create_on_unit_plan(api_client, org, unit_manager, reporter):
    api_client.force_authenticate(unit_manager)
    response = api_client.post(URL, _body(org, reporter), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "planned"
    assert data["source_type"] == "unit"
    assert data["reference"].startswith("ÅTG-")
    assert data["history"][0]["transition"] == "create"
    assert Action.objects.get().responsible == reporter


@pytest.mark.parametrize(("persona", "status"), [("reporter", 403), ("quality", 403),
                                                 ("other_manager", 404), ("outsider", 404)])
def test_create_refused(request, api_client, org, reporter, persona, status):
    api_client.force_authenticate(request.getfixturevalue(persona))
    assert api_client.post(URL, _body(org, reporter), format="json").status_code == status
    assert not Action.objects.exists()


@pytest.mark.parametrize(("patch", "field"), [
    ({"due_date": "2020-01-01"}, "due_date"),
    ({"strength": "huge"}, "strength"),
    ({"source_type": "planet"}, "source_type"),
    ({"title": ""}, "title"),
    ({"responsible": 999999}, "responsible"),
    ({"title": "Samtal om 811218-9876"}, "title"),
])
def test_create_bad_input_is_400_with_field(api_client, org, unit_manager, reporter, patch, field):
    api_client.force_authenticate(unit_manager)
    response = api_client.post(URL, _body(org, reporter, **patch), format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_list_filters(api_client, org, reporter, unit_manager):
    mine_late = ActionFactory(unit=org["mott"], responsible=reporter, due_date=TODAY() - datetime.timedelta(days=1))
    ActionFactory(unit=org["mott"], responsible=reporter)
    ActionFactory(unit=org["mott"], responsible=unit_manager, due_date=TODAY() - datetime.timedelta(days=1))
    api_client.force_authenticate(reporter)
    data = api_client.get(URL + "?responsible=me&overdue=true").json()
    assert data["count"] == 1
    assert data["results"][0]["id"] == mine_late.pk
    api_client.force_authenticate(unit_manager)
    assert api_client.get(URL).json()["count"] == 3
    assert api_client.get(URL + "?overdue=true").json()["count"] == 2
    assert api_client.get(URL + "?source_type=unit").json()["count"] == 3
    assert api_client.get(URL + "?source_type=planet").status_code == 400
    assert api_client.get(URL + "?responsible=nobody").status_code == 400


def test_list_scoped(api_client, org, reporter, other_manager, outsider):
    ActionFactory(unit=org["mott"], responsible=reporter)
    api_client.force_authenticate(other_manager)
    assert api_client.get(URL).json()["count"] == 0
    api_client.force_authenticate(outsider)
    assert api_client.get(URL).json()["count"] == 0


def test_transitions_200_403_404_409(api_client, action, reporter, unit_manager, management, other_manager):
    url = f"{URL}{action.pk}/transitions/"
    api_client.force_authenticate(other_manager)
    assert api_client.post(url + "start/", {}, format="json").status_code == 404
    api_client.force_authenticate(management)
    assert api_client.post(url + "start/", {}, format="json").status_code == 403
    api_client.force_authenticate(reporter)
    response = api_client.post(url + "start/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    assert "complete" in response.json()["available_transitions"]
    response = api_client.post(url + "evaluate/", {"effect": "effective", "comment": "ok"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert "detail" in body
    assert "missing" in body
    future = (TODAY() + datetime.timedelta(days=2)).isoformat()
    response = api_client.post(url + "complete/", {"done_on": future}, format="json")
    assert response.status_code == 409
    assert response.json()["missing"] == ["done_on"]
    assert api_client.post(url + "complete/", {}, format="json").status_code == 400
    response = api_client.post(url + "complete/", {"done_on": TODAY().isoformat(), "comment": "klart"},
                               format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    api_client.force_authenticate(unit_manager)
    response = api_client.post(url + "evaluate/", {"effect": "partly", "comment": "delvis"}, format="json")
    assert response.status_code == 200
    history = response.json()["history"]
    assert [h["transition"] for h in history] == ["start", "complete", "evaluate"]
    assert history[-1]["from"] == "done"
    assert history[-1]["to"] == "evaluated"
    assert history[-1]["by"] == unit_manager.pk
    assert api_client.post(url + "teleport/", {}, format="json").status_code == 404
    assert len(transition_log_for(action)) == 3


def test_cancel_requires_reason(api_client, action, unit_manager):
    api_client.force_authenticate(unit_manager)
    url = f"{URL}{action.pk}/transitions/cancel/"
    assert api_client.post(url, {}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "Dubblett"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_detail_404_outside_scope_and_for_garbage(api_client, action, other_manager):
    api_client.force_authenticate(other_manager)
    assert api_client.get(f"{URL}{action.pk}/").status_code == 404
    assert api_client.get(f"{URL}999999/").status_code == 404


def test_list_query_count_is_bounded(api_client, org, reporter, django_assert_max_num_queries):
    ActionFactory.create_batch(120, unit=org["mott"], responsible=reporter)
    api_client.force_authenticate(reporter)
    with django_assert_max_num_queries(8):
        response = api_client.get(URL + "?page_size=100")
    assert len(response.json()["results"]) == 100
    assert "history" not in response.json()["results"][0]


def test_create_on_a_deviation(api_client, org, reporter, unit_manager, other_manager):
    from riskmgmt.deviations import services as deviation_services

    deviation = deviation_services.deviation_file(actor=reporter, kind="other", unit=org["mott"],
                                                  title="Utskrift kvar", description="Låg kvar i skrivaren")
    body = _body(org, unit_manager, source_type="deviation", source_id=deviation.pk)
    api_client.force_authenticate(reporter)
    assert api_client.post(URL, body, format="json").status_code == 403
    api_client.force_authenticate(other_manager)
    assert api_client.post(URL, body, format="json").status_code == 404
    api_client.force_authenticate(unit_manager)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["source_type"] == "deviation"
    assert api_client.get(URL + "?source_type=deviation").json()["count"] == 1


def test_create_on_an_event_analysis_addressing_a_root_cause(api_client, org, unit_manager, section_manager,
                                                             outsider):
    from riskmgmt.analyses import services as analysis_services

    analysis = analysis_services.analysis_create(
        actor=section_manager, title="Analys", unit=org["mott"], scope="Uppdrag",
        commissioner=section_manager, lead=unit_manager)
    cause = analysis_services.cause_save(analysis=analysis, actor=unit_manager, text="Ingen helgrutin",
                                         is_root=True, cause_areas=analysis_services.cause_areas_by_code(["procedures"]))
    body = _body(org, unit_manager, source_type="event_analysis", source_id=analysis.pk, addresses_cause=cause.pk)
    api_client.force_authenticate(outsider)
    assert api_client.post(URL, body, format="json").status_code == 404
    api_client.force_authenticate(unit_manager)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["addresses_id"] == cause.pk
    wrong = api_client.post(URL, {**body, "addresses_cause": 999999}, format="json")
    assert wrong.status_code == 400
    assert "addresses_cause" in wrong.json()


def test_a_lone_surrogate_is_a_400_not_a_500(api_client, org, unit_manager, reporter):
    api_client.force_authenticate(unit_manager)
    response = api_client.post(URL, _body(org, reporter, strength="\ud800"), format="json")
    assert response.status_code == 400
    assert "strength" in response.json()
