"""IVO's tillsyn after a lex Sarah anmälan: `record_supervision` on the IVO notification links an
existing supervision decision or registers a new one (service, API and the IVO panel)."""

import pytest
from django.urls import reverse

from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations import services as deviation_services
from riskmgmt.deviations.models import IvoNotification
from riskmgmt.supervision.deadlines import safe_url
from riskmgmt.supervision.models import SupervisionDecision
from tests.supervision.conftest import TODAY, days

pytestmark = pytest.mark.django_db


def ivo_url(notification, name) -> str:
    return reverse("api:deviation-ivo-transition", args=[notification.deviation_id, name])


def page_url(notification) -> str:
    return reverse("deviations:detail", args=[notification.deviation_id])


def panel(response) -> str:
    return response.content.decode().split('id="ivo"')[1].split("</section>")[0]


def test_recording_supervision_registers_an_ivo_decision(ivo_waiting, section_manager, org):
    deviation_services.ivo_record_supervision(notification=ivo_waiting, actor=section_manager)
    ivo_waiting.refresh_from_db()
    decision = ivo_waiting.supervision_decision
    assert ivo_waiting.status == "supervision_opened"
    assert (decision.authority, decision.kind, decision.reference, decision.unit, decision.deviation) == (
        "ivo", "lex_sarah", "8.5-40123/2026", org["mott"], ivo_waiting.deviation)
    assert (decision.status, decision.received_on, decision.recorded_by) == ("received", TODAY(), section_manager)
    assert ivo_waiting.deviation.reference in decision.subject
    assert [t.name for t in transition_log_for(ivo_waiting)][-1] == "record_supervision"
    assert list(ivo_waiting.deviation.supervision_decisions.all()) == [decision]
    assert list(decision.ivo_notifications.all()) == [ivo_waiting]


def test_recording_supervision_links_an_existing_decision(ivo_waiting, make_decision, section_manager, org):
    on_section = make_decision(unit=org["fam"], reference="8.5-777/2026", kind="lex_sarah")
    deviation_services.ivo_record_supervision(notification=ivo_waiting, actor=section_manager,
                                              supervision_decision=on_section.pk)
    ivo_waiting.refresh_from_db()
    on_section.refresh_from_db()
    assert ivo_waiting.supervision_decision == on_section
    assert on_section.deviation == ivo_waiting.deviation
    assert on_section.history.order_by("history_id").last().history_change_reason == "update"
    assert SupervisionDecision.objects.count() == 1


@pytest.mark.parametrize("which", ["jo", "other_unit", "other_deviation", "missing"])
def test_only_an_ivo_decision_of_the_unit_can_be_linked(ivo_waiting, make_decision, quality, section_manager, org,
                                                        which):
    from tests.factories import DeviationFactory

    decision_id = {
        "jo": lambda: make_decision(authority="jo").pk,
        "other_unit": lambda: make_decision(actor=quality, unit=org["miss"]).pk,
        "other_deviation": lambda: make_decision(deviation=DeviationFactory(
            unit=org["mott"], kind="lex_sarah", reference="AVV-2014-0099")).pk,
        "missing": lambda: 424242,
    }[which]()
    with pytest.raises(deviation_services.DeviationValidationError) as exc:
        deviation_services.ivo_record_supervision(notification=ivo_waiting, actor=section_manager,
                                                  supervision_decision=decision_id)
    assert "supervision_decision" in exc.value.errors
    ivo_waiting.refresh_from_db()
    assert (ivo_waiting.status, ivo_waiting.supervision_decision) == ("investigation_sent", None)


def test_a_new_decision_needs_a_reference_and_nothing_is_left_behind(ivo_waiting, section_manager):
    ivo_waiting.ivo_reference = ""
    ivo_waiting.save()
    with pytest.raises(deviation_services.DeviationValidationError) as exc:
        deviation_services.ivo_record_supervision(notification=ivo_waiting, actor=section_manager)
    assert "reference" in exc.value.errors
    assert not SupervisionDecision.objects.exists()


def test_api_record_supervision_creates_or_links(api_client, ivo_waiting, section_manager, unit_manager,
                                                 make_decision):
    api_client.force_authenticate(unit_manager)
    assert api_client.post(ivo_url(ivo_waiting, "record_supervision"), {}, format="json").status_code == 403
    api_client.force_authenticate(section_manager)
    response = api_client.post(ivo_url(ivo_waiting, "record_supervision"), {"supervision_decision": 42},
                               format="json")
    assert response.status_code == 400
    assert "supervision_decision" in response.json()
    assert api_client.post(ivo_url(ivo_waiting, "record_supervision"), {"received_on": "9999-01-01"},
                           format="json").status_code == 400
    existing = make_decision(reference="8.5-40123/2026")
    response = api_client.post(ivo_url(ivo_waiting, "record_supervision"), {"supervision_decision": existing.pk},
                               format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["supervision_decision"]) == ("supervision_opened", existing.pk)
    detail = api_client.get(reverse("api:supervision-decision-detail", args=[existing.pk])).json()
    assert detail["deviation"] == ivo_waiting.deviation_id


def test_api_record_supervision_without_an_id_registers_one(api_client, ivo_waiting, section_manager):
    api_client.force_authenticate(section_manager)
    response = api_client.post(ivo_url(ivo_waiting, "record_supervision"),
                               {"reference": "8.5-555/2026", "received_on": (TODAY() - days(1)).isoformat()},
                               format="json")
    assert response.status_code == 200, response.content
    decision = SupervisionDecision.objects.get()
    assert response.json()["supervision_decision"] == decision.pk
    assert (decision.reference, decision.received_on, decision.kind) == ("8.5-555/2026", TODAY() - days(1),
                                                                         "lex_sarah")
    response = api_client.post(ivo_url(ivo_waiting, "record_supervision"), {}, format="json")
    assert response.status_code == 409
    assert SupervisionDecision.objects.count() == 1


def test_the_panel_offers_the_form_and_then_links_the_decision(client, ivo_waiting, section_manager, make_decision,
                                                               unit_manager):
    existing = make_decision(reference="8.5-31/2026")
    client.force_login(section_manager)
    box = panel(client.get(page_url(ivo_waiting)))
    assert "Inleder IVO i stället tillsyn?" in box
    assert "ivo-record_supervision-supervision_decision" in box
    assert "8.5-31/2026" in box
    url = reverse("deviations:ivo-transition", args=[ivo_waiting.deviation_id, "record_supervision"])
    response = client.post(url, {"ivo-record_supervision-supervision_decision": "",
                                 "ivo-record_supervision-reference": "",
                                 "ivo-record_supervision-received_on": (TODAY() + days(2)).isoformat()})
    assert response.status_code == 400
    ivo_waiting.refresh_from_db()
    assert ivo_waiting.status == "investigation_sent"
    response = client.post(url, {"ivo-record_supervision-supervision_decision": str(existing.pk),
                                 "ivo-record_supervision-reference": "",
                                 "ivo-record_supervision-received_on": TODAY().isoformat()})
    assert response.status_code == 302
    ivo_waiting.refresh_from_db()
    assert (ivo_waiting.status, ivo_waiting.supervision_decision) == ("supervision_opened", existing)
    box = panel(client.get(page_url(ivo_waiting)))
    assert "ivo-record_supervision" not in box
    assert f'href="{safe_url(existing)}"' in box
    assert "8.5-31/2026" in box
    # The unit manager reads the link but cannot take the step.
    client.force_login(unit_manager)
    assert f'href="{safe_url(existing)}"' in panel(client.get(page_url(ivo_waiting)))


def test_the_panel_registers_a_new_decision(client, ivo_waiting, section_manager, unit_manager):
    url = reverse("deviations:ivo-transition", args=[ivo_waiting.deviation_id, "record_supervision"])
    client.force_login(unit_manager)
    assert "ivo-record_supervision" not in panel(client.get(page_url(ivo_waiting)))
    assert client.post(url, {}).status_code == 403
    client.force_login(section_manager)
    response = client.post(url, {"ivo-record_supervision-supervision_decision": "",
                                 "ivo-record_supervision-reference": "",
                                 "ivo-record_supervision-received_on": TODAY().isoformat(),
                                 "ivo-record_supervision-subject": ""})
    assert response.status_code == 302
    decision = SupervisionDecision.objects.get()
    assert (decision.reference, decision.deviation_id) == ("8.5-40123/2026", ivo_waiting.deviation_id)
    assert IvoNotification.objects.get().supervision_decision == decision


def test_the_panel_names_a_section_decision_only_to_those_who_see_it(ivo_waiting, make_decision, section_manager,
                                                                    unit_manager, org, client):
    section_case = make_decision(unit=org["fam"], reference="8.5-77/2026")
    deviation_services.ivo_record_supervision(notification=ivo_waiting, actor=section_manager,
                                              supervision_decision=section_case.pk)
    client.force_login(section_manager)
    assert "8.5-77/2026" in panel(client.get(page_url(ivo_waiting)))
    # The unit manager handles the lex Sarah case but does not see the section's decision:
    # the panel says there is one, without its reference or a link that would answer 404.
    client.force_login(unit_manager)
    assert client.get(section_case.get_absolute_url()).status_code == 404
    box = panel(client.get(page_url(ivo_waiting)))
    assert "Ett tillsynsärende är registrerat" in box
    assert "8.5-77/2026" not in box
    assert f'href="{safe_url(section_case)}"' not in box
