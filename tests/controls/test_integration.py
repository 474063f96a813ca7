"""The app's hooks: the control_check deadline source and ControlCheck as an action source."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions.models import Action
from riskmgmt.actions.sources import action_source
from riskmgmt.controls.integration import control_check_deadline_items
from riskmgmt.controls.models import ControlCheck
from riskmgmt.notifications.deadlines import deadline_sources

pytestmark = pytest.mark.django_db
DUE = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()


def test_the_app_registers_its_deadline_source():
    assert control_check_deadline_items in deadline_sources("control_check")


def test_control_check_is_an_action_source(check, unit_manager):
    source = action_source("control_check")
    assert source.model is ControlCheck
    assert source.unit_of(check) == check.control_point.unit
    assert source.title_of(check) == "Egenkontroll Kvartal 1 2026: Stickprov: skyddsbedömning dokumenterad samma dag"
    assert source.url_of(check) == reverse("controls:check-detail", args=[check.pk])


@pytest.mark.parametrize(("persona", "can_add"), [
    ("unit_manager", True), ("section_manager", True), ("reporter", False), ("quality", False),
    ("management", False), ("other_manager", False)])
def test_managers_add_actions_to_a_finding(request, check, persona, can_add):
    assert action_source("control_check").can_add(request.getfixturevalue(persona), check) is can_add


def test_action_added_on_the_check_page_is_linked_to_the_check(client, check, unit_manager, reporter):
    client.force_login(unit_manager)
    response = client.post(reverse("actions:create", args=["control_check", check.pk]), {
        "title": "Jourens rutin för anmälningar på fredagar", "responsible": reporter.pk,
        "due_date": DUE, "strength": "medium",
    })
    assert response.status_code == 302
    assert response["Location"] == check.get_absolute_url()
    action = Action.objects.get()
    assert (action.source, action.unit) == (check, check.control_point.unit)
    page = client.get(check.get_absolute_url()).content.decode()
    assert "Jourens rutin för anmälningar på fredagar" in page


def test_actions_api_accepts_control_check_sources(api_client, check, unit_manager, reporter):
    api_client.force_authenticate(unit_manager)
    response = api_client.post("/api/v1/actions/", {
        "source_type": "control_check", "source_id": check.pk, "title": "Ny checklista",
        "responsible": reporter.pk, "due_date": DUE, "strength": "medium"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source_type"] == "control_check"


@pytest.mark.parametrize(("persona", "status"), [("other_manager", 404), ("outsider", 404), ("quality", 403)])
def test_actions_api_scopes_control_check_sources(request, api_client, check, persona, status, reporter):
    api_client.force_authenticate(request.getfixturevalue(persona))
    response = api_client.post("/api/v1/actions/", {
        "source_type": "control_check", "source_id": check.pk, "title": "Ny checklista",
        "responsible": reporter.pk, "due_date": DUE, "strength": "medium"}, format="json")
    assert response.status_code == status


def test_admin_reads_points_and_checks(client, check):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    point = check.control_point
    for name, obj in (("controlpoint", point), ("controlcheck", check)):
        assert client.get(reverse(f"admin:controls_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:controls_{name}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:controls_{name}_history", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"admin:controls_{name}_add")).status_code == 403
