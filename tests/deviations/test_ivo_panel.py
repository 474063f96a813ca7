"""The IVO panel on lex Sarah cases (anmälan, investigation sent, IVO's decision) and the
"Underlag för anmälan till IVO" page and PDF."""

import datetime
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations import services
from riskmgmt.deviations.models import DeviationAccess, IvoNotification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
SERIOUS = {"what_happened": "Handlingen med skyddad adress skickades ut", "consequences": "Risk för våld",
           "causes": "Ingen kontroll före utskick", "classification": "serious",
           "decided_by": "Socialchef Eva Ström", "delegation_ref": "Delegationsordning 3.2.1"}


def url(deviation, name="detail", *args):
    return reverse(f"deviations:{name}", args=[deviation.pk, *args])


def text(response) -> str:
    return response.content.decode()


def panel(page: str) -> str:
    return page.split('id="ivo"')[1].split("</section>")[0]


@pytest.fixture
def received(file_report, unit_manager):
    deviation = file_report()
    services.deviation_receive(deviation=deviation, actor=unit_manager)
    return deviation


@pytest.fixture
def serious(received, unit_manager):
    services.deviation_start_investigation(deviation=received, actor=unit_manager)
    services.deviation_conclude(deviation=received, actor=unit_manager, **SERIOUS)
    received.refresh_from_db()
    return received


def notify(client, deviation, **data):
    payload = {"ivo-sent_on": TODAY().isoformat(), "ivo-ivo_reference": "", **data}
    return client.post(url(deviation, "ivo-create"), payload)


# ---------------------------------------------------------------- where the panel is

def test_no_panel_on_other_kinds(client, file_report, unit_manager, section_manager):
    deviation = file_report(kind="other")
    services.deviation_receive(deviation=deviation, actor=unit_manager)
    client.force_login(section_manager)
    assert 'id="ivo"' not in text(client.get(url(deviation)))
    assert notify(client, deviation).status_code == 404
    assert client.get(url(deviation, "ivo-basis")).status_code == 404
    assert not IvoNotification.objects.exists()


def test_before_receipt_the_panel_says_when_it_can_be_registered(client, file_report, section_manager):
    deviation = file_report()
    client.force_login(section_manager)
    page = panel(text(client.get(url(deviation))))
    assert "kan registreras när rapporten har tagits emot" in page
    assert "<form" not in page
    response = notify(client, deviation)
    assert response.status_code == 409
    assert "Rapporten måste tas emot innan den anmäls till IVO." in text(response)


def test_unit_manager_sees_the_panel_but_cannot_register(client, received, unit_manager):
    client.force_login(unit_manager)
    page = panel(text(client.get(url(received))))
    assert "Ingen anmälan till IVO är registrerad." in page
    assert "sektionschef eller kvalitetssamordnare" in page
    assert "<form" not in page
    assert notify(client, received, **{"ivo-ivo_reference": "8.5-1/2026"}).status_code == 403
    assert not IvoNotification.objects.exists()


def test_serious_classification_without_anmalan_warns_with_the_due_date(client, serious, unit_manager,
                                                                       section_manager):
    due = (TODAY() + datetime.timedelta(days=7)).isoformat()
    for user in (unit_manager, section_manager):
        client.force_login(user)
        page = text(client.get(url(serious)))
        alert = page.split('class="notice notice--danger ivo-alert"')[1].split("</section>")[0]
        assert f"Ska anmälas till IVO senast {due}" in alert
        assert "Allvarligt missförhållande" in alert
    # The section manager is offered the form at once; the case cannot be closed before it.
    assert 'href="#ivo">Registrera anmälan till IVO' in page
    assert "Avsluta ärendet går inte ännu." in page


def test_overdue_anmalan_is_marked(client, serious, section_manager, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(days=10))
    client.force_login(section_manager)
    alert = text(client.get(url(serious))).split('class="notice notice--danger ivo-alert"')[1].split("</section>")[0]
    assert "Försenad" in alert


def test_non_serious_classification_says_no_anmalan_is_needed(client, received, unit_manager, section_manager):
    services.deviation_start_investigation(deviation=received, actor=unit_manager)
    services.deviation_conclude(deviation=received, actor=unit_manager, **{**SERIOUS, "classification": "risk"})
    client.force_login(section_manager)
    page = text(client.get(url(received)))
    assert "ivo-alert" not in page
    assert "Bedömningen ”Påtaglig risk för missförhållande” ska inte anmälas." in panel(page)
    assert "Registrera en anmälan ändå" in panel(page)


# ---------------------------------------------------------------- the flow

def test_register_send_investigation_and_record_ivo_closing(client, serious, section_manager, unit_manager):
    client.force_login(section_manager)
    response = notify(client, serious, **{"ivo-ivo_reference": "8.5-12345/2026"})
    assert response.status_code == 302
    assert response["Location"] == url(serious) + "#ivo"
    notification = IvoNotification.objects.get(deviation=serious)
    assert (notification.status, notification.ivo_reference, notification.recorded_by) == (
        "sent", "8.5-12345/2026", section_manager)
    page = text(client.get(url(serious)))
    assert "ivo-alert" not in page
    box = panel(page)
    assert "Anmäld till IVO" in box
    assert "8.5-12345/2026" in box
    assert f"Utredningen ska vara hos IVO senast {notification.investigation_due.isoformat()}" in box
    assert "Utredningen skickad till IVO</button>" in box

    response = client.post(url(serious, "ivo-transition", "send_investigation"),
                           {"ivo-send_investigation-sent_on": TODAY().isoformat()})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.investigation_sent_on) == ("investigation_sent", TODAY())
    box = panel(text(client.get(url(serious))))
    assert "IVO har avslutat ärendet</button>" in box
    assert "Inleder IVO i stället tillsyn?" in box

    response = client.post(url(serious, "ivo-transition", "record_closed"),
                           {"ivo-record_closed-decided_on": TODAY().isoformat()})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.decided_on) == ("ivo_closed", TODAY())
    assert [t.name for t in transition_log_for(notification)] == ["create", "send_investigation", "record_closed"]
    assert notification.history.order_by("history_id").last().history_change_reason == "record_closed"
    box = panel(text(client.get(url(serious))))
    assert "IVO har avslutat ärendet" in box
    assert "<form" not in box

    # With the IVO track complete the unit manager can close the case.
    client.force_login(unit_manager)
    action_services.action_create(source_obj=serious, actor=unit_manager, title="Kontroll före utskick",
                                  responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                  strength="strong")
    response = client.post(url(serious, "transition", "close"), {"close-feedback_given_on": TODAY().isoformat()})
    assert response.status_code == 302
    serious.refresh_from_db()
    assert serious.status == "closed"


def test_close_is_refused_while_the_ivo_track_is_open(client, serious, section_manager, unit_manager):
    services.ivo_notification_create(deviation=serious, actor=section_manager, sent_on=TODAY())
    client.force_login(unit_manager)
    response = client.post(url(serious, "transition", "close"), {
        "close-feedback_given_on": TODAY().isoformat(), "close-no_action_reason": "Inga"})
    assert response.status_code == 409
    assert "kan inte avslutas förrän anmälan till IVO är gjord" in text(response)
    serious.refresh_from_db()
    assert serious.status == "concluded"


def test_register_with_the_investigation_attached(client, serious, quality):
    client.force_login(quality)
    assert notify(client, serious, **{"ivo-investigation_attached": "on"}).status_code == 302
    notification = IvoNotification.objects.get()
    assert (notification.status, notification.investigation_due) == ("investigation_sent", None)
    assert "(bifogad anmälan)" in panel(text(client.get(url(serious))))


def test_register_even_before_the_investigation_ends(client, received, section_manager):
    client.force_login(section_manager)
    assert "Registrera anmälan till IVO</button>" in panel(text(client.get(url(received))))
    assert notify(client, received).status_code == 302
    assert IvoNotification.objects.filter(deviation=received).exists()


def test_register_with_a_future_or_missing_date_is_a_form_error(client, serious, section_manager):
    client.force_login(section_manager)
    future = (TODAY() + datetime.timedelta(days=3)).isoformat()
    response = notify(client, serious, **{"ivo-sent_on": future, "ivo-ivo_reference": "8.5-99/2026"})
    assert response.status_code == 400
    assert "Datumet kan inte ligga i framtiden." in text(response)
    assert "8.5-99/2026" in text(response)
    assert notify(client, serious, **{"ivo-sent_on": ""}).status_code == 400
    assert not IvoNotification.objects.exists()


def test_second_registration_is_refused(client, serious, section_manager):
    services.ivo_notification_create(deviation=serious, actor=section_manager, sent_on=TODAY())
    client.force_login(section_manager)
    response = notify(client, serious)
    assert response.status_code == 409
    assert "Rapporten är redan anmäld till IVO." in text(response)
    assert IvoNotification.objects.count() == 1


def test_send_investigation_without_a_date_names_what_is_missing(client, serious, section_manager):
    services.ivo_notification_create(deviation=serious, actor=section_manager, sent_on=TODAY())
    client.force_login(section_manager)
    response = client.post(url(serious, "ivo-transition", "send_investigation"), {"ivo-send_investigation-sent_on": ""})
    assert response.status_code == 409
    assert "Ange när utredningen skickades." in text(response)
    assert IvoNotification.objects.get().status == "sent"


def test_ivo_steps_refused_for_the_unit_manager_and_out_of_order(client, serious, section_manager, unit_manager):
    services.ivo_notification_create(deviation=serious, actor=section_manager, sent_on=TODAY())
    client.force_login(unit_manager)
    assert "Utredningen skickad till IVO</button>" not in panel(text(client.get(url(serious))))
    response = client.post(url(serious, "ivo-transition", "send_investigation"),
                           {"ivo-send_investigation-sent_on": TODAY().isoformat()})
    assert response.status_code == 403
    client.force_login(section_manager)
    response = client.post(url(serious, "ivo-transition", "record_closed"),
                           {"ivo-record_closed-decided_on": TODAY().isoformat()})
    assert response.status_code == 409
    assert IvoNotification.objects.get().status == "sent"
    assert client.post(url(serious, "ivo-transition", "record_supervision"), {}).status_code == 404


def test_ivo_step_without_a_notification_is_404(client, serious, section_manager):
    client.force_login(section_manager)
    response = client.post(url(serious, "ivo-transition", "send_investigation"),
                           {"ivo-send_investigation-sent_on": TODAY().isoformat()})
    assert response.status_code == 404


def test_investigation_overdue_at_ivo_is_red(client, serious, section_manager, time_machine):
    notification = services.ivo_notification_create(deviation=serious, actor=section_manager, sent_on=TODAY())
    time_machine.move_to(timezone.now() + datetime.timedelta(days=70))
    client.force_login(section_manager)
    box = panel(text(client.get(url(serious))))
    assert "ivo-panel__due--overdue" in box
    assert notification.investigation_due.isoformat() in box
    assert "Försenad" in box


# ---------------------------------------------------------------- the basis for IVO's form

@pytest.mark.parametrize(("persona", "status"), [
    ("section_manager", 200), ("quality", 200), ("unit_manager", 200),
    ("management", 404), ("reporter", 404), ("other_manager", 404), ("outsider", 404),
])
def test_basis_only_for_those_who_notify_or_manage(client, request, serious, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(serious, "ivo-basis")).status_code == status
    assert client.get(url(serious, "ivo-basis-pdf")).status_code == status


def test_basis_gathers_what_ivo_asks_for(client, serious, section_manager, unit_manager):
    action_services.action_create(source_obj=serious, actor=unit_manager, title="Kontroll av skyddade uppgifter",
                                  responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                  strength="strong")
    client.force_login(section_manager)
    page = text(client.get(url(serious, "ivo-basis")))
    for part in (serious.reference, "Socialförvaltningen", "Mottagningsenheten", "Familjesektionen",
                 "Sara Lindqvist", SERIOUS["what_happened"], SERIOUS["consequences"], SERIOUS["causes"],
                 "Allvarligt missförhållande", "Socialchef Eva Ström", "Delegationsordning 3.2.1",
                 "Kontroll av skyddade uppgifter", "Utredd", "Skicka inte det här underlaget med e-post"):
        assert part in page
    assert "Anna Nilsson" not in page  # the reporter is not part of the anmälan
    assert DeviationAccess.objects.filter(deviation=serious, via="underlag").count() == 1


def test_basis_pdf_holds_the_reference_classification_and_actions(client, serious, section_manager, unit_manager,
                                                                  tmp_path):
    action_services.action_create(source_obj=serious, actor=unit_manager, title="Kontroll av skyddade uppgifter",
                                  responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                  strength="strong")
    client.force_login(section_manager)
    response = client.get(url(serious, "ivo-basis-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="ivo-underlag-{serious.reference}.pdf"' in response["Content-Disposition"]
    pdf = tmp_path / "underlag.pdf"
    pdf.write_bytes(response.content)
    command = ["pdftotext", "-layout", str(pdf), "-"]
    extracted = subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603
    assert serious.reference in extracted
    assert "Allvarligt missförhållande" in extracted
    assert "Kontroll av skyddade uppgifter" in extracted
    assert "e-post" in extracted
    assert DeviationAccess.objects.filter(deviation=serious, via="pdf").count() == 1


def test_basis_is_linked_from_the_panel(client, serious, section_manager):
    client.force_login(section_manager)
    box = panel(text(client.get(url(serious))))
    assert url(serious, "ivo-basis") in box
    assert url(serious, "ivo-basis-pdf") in box


def test_basis_names_the_section_manager_as_contact_when_a_unit_manager_prints_it(client, serious, section_manager,
                                                                                 unit_manager):
    client.force_login(unit_manager)
    contact = text(client.get(url(serious, "ivo-basis"))).split("3. Kontaktperson")[1].split("<h2>")[0]
    assert "Sara Lindqvist" in contact
    assert "Maria Ek" not in contact
