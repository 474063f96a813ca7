"""The case page: who sees what, each step through the page both ways, drafts, deadlines,
history, the access log and attachments."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.core.errors import ConcurrentChangeError
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations import services
from riskmgmt.deviations.models import Attachment, DeviationAccess
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PDF = b"%PDF-1.4\n% test\n"


def url(deviation, name="detail", *args):
    return reverse(f"deviations:{name}", args=[deviation.pk, *args])


def step(deviation, name):
    return reverse("deviations:transition", args=[deviation.pk, name])


def text(response) -> str:
    return response.content.decode()


def advance(deviation, to, actor, **conclusion):
    """Take a filed report along the main road to `to` through the services."""
    road = ["reported", "received", "investigating", "concluded"]
    for target in road[road.index(deviation.status) + 1: road.index(to) + 1]:
        if target == "received":
            services.deviation_receive(deviation=deviation, actor=actor)
        elif target == "investigating":
            services.deviation_start_investigation(deviation=deviation, actor=actor)
        else:
            defaults = {"other": {"conclusion": "Rutinen följdes inte."},
                        "lex_sarah": {"what_happened": "Sen bedömning", "consequences": "Utan skydd i tre dagar",
                                      "causes": "Ingen helgrutin", "classification": "risk"},
                        "complaint": {"answer": "Vi ber om ursäkt.", "answered_on": TODAY()}}[deviation.kind]
            services.deviation_conclude(deviation=deviation, actor=actor, **{**defaults, **conclusion})
    deviation.refresh_from_db()
    return deviation


def reasons(deviation):
    return [(h.history_change_reason, h.history_user.username if h.history_user else None)
            for h in deviation.history.order_by("history_id")]


# ---------------------------------------------------------------- who sees the page

@pytest.mark.parametrize("persona", ["other_manager", "outsider"])
def test_outside_the_scope_the_case_does_not_exist(client, request, file_report, persona):
    deviation = file_report()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(deviation)).status_code == 404
    assert client.post(step(deviation, "receive"), {"receive-kind": "lex_sarah"}).status_code == 404
    deviation.refresh_from_db()
    assert deviation.status == "reported"
    assert not DeviationAccess.objects.exists()


def test_anonymous_is_sent_to_login(client, file_report):
    response = client.get(url(file_report()))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_reporter_sees_own_report_but_no_handling_steps(client, file_report, reporter, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(reporter)
    page = text(client.get(url(deviation)))
    assert deviation.title in page
    assert "Ta emot</button>" not in page
    # Withdrawing a report filed by mistake is the reporter's own right (rules: withdraw_deviation).
    assert "Återkalla</button>" in page
    advance(deviation, "investigating", unit_manager)
    page = text(client.get(url(deviation)))
    assert "<button" not in page.split('id="nasta-steg"')[1].split("</section>")[0]
    assert "Din rapport hanteras av enhetens chef" in page
    assert client.post(step(deviation, "conclude"), {"conclude-conclusion": "Klart"}).status_code == 403
    deviation.refresh_from_db()
    assert deviation.status == "investigating"


def test_reporter_does_not_see_the_investigation_or_the_ivo_panel(client, file_report, reporter, unit_manager):
    deviation = advance(file_report(), "concluded", unit_manager, causes="Ingen helgrutin för jouren")
    client.force_login(reporter)
    page = text(client.get(url(deviation)))
    assert "Ingen helgrutin för jouren" not in page
    assert 'id="ivo"' not in page
    assert "Ändringshistorik" not in page


def test_management_reads_but_cannot_act_and_does_not_see_the_reporter(client, file_report, management):
    deviation = file_report(kind="other")
    client.force_login(management)
    response = client.get(url(deviation))
    page = text(response)
    assert response.status_code == 200
    assert deviation.title in page
    assert "Anna Nilsson" not in page
    assert "Rapportören" in page  # the transition log names the reporter by role only
    assert "<form" not in page.split('id="nasta-steg"')[1].split("</section>")[0]
    assert "Du kan läsa ärendet" in page
    response = client.post(step(deviation, "receive"), {"receive-kind": "other", "receive-immediate_actions": "X"})
    assert response.status_code == 403
    deviation.refresh_from_db()
    assert deviation.status == "reported"
    assert deviation.immediate_actions == ""


@pytest.mark.parametrize("persona", ["unit_manager", "section_manager", "quality", "reporter"])
def test_reporter_name_shown_to_managers_quality_and_the_reporter(client, request, file_report, persona):
    client.force_login(request.getfixturevalue(persona))
    page = text(client.get(url(file_report())))
    assert "Rapportör</dt><dd>Anna Nilsson" in page


def test_unit_manager_sees_only_the_steps_open_now(client, file_report, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    assert "Ta emot</button>" in page
    assert "Återkalla</button>" in page
    assert "Starta utredning</button>" not in page
    assert "Avsluta ärendet</button>" not in page


# ---------------------------------------------------------------- receive

def test_receive_records_immediate_actions_and_reclassifies(client, file_report, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(unit_manager)
    response = client.post(step(deviation, "receive"), {
        "receive-immediate_actions": "Barnet placerades tillfälligt hos mormor.", "receive-kind": "lex_sarah"})
    assert response.status_code == 302
    assert response["Location"] == url(deviation)
    deviation.refresh_from_db()
    assert deviation.status == "received"
    assert deviation.kind == "lex_sarah"
    assert deviation.immediate_actions == "Barnet placerades tillfälligt hos mormor."
    assert deviation.conclusion_due == TODAY() + datetime.timedelta(days=30)
    assert reasons(deviation)[-1] == ("receive", "unit_manager")
    entry = transition_log_for(deviation).last()
    assert (entry.name, entry.by, "Omklassificerad" in entry.comment) == ("receive", unit_manager, True)
    page = text(client.get(url(deviation)))
    done = page.split('class="deadline deadline--done"')[1].split("</li>")[0]
    assert "Mottagen" in done
    assert "klart" in done
    assert "Omklassificerad från Övrig avvikelse till Lex Sarah-rapport" in page


def test_reclassifying_a_lex_sarah_as_other_drops_its_investigation_deadline(client, file_report, unit_manager):
    deviation = file_report()
    client.force_login(unit_manager)
    client.post(step(deviation, "receive"), {"receive-kind": "other"})
    deviation.refresh_from_db()
    assert (deviation.kind, deviation.conclusion_due, deviation.next_due) == ("other", None, None)


def test_receive_with_a_bad_kind_is_a_form_error(client, file_report, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(unit_manager)
    response = client.post(step(deviation, "receive"), {
        "receive-immediate_actions": "Det här skrev jag", "receive-kind": "nonsense"})
    assert response.status_code == 400
    page = text(response)
    assert 'class="error-summary"' in page
    assert "Det här skrev jag" in page
    deviation.refresh_from_db()
    assert deviation.status == "reported"


def test_receive_refuses_a_personal_number_in_free_text(client, file_report, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(unit_manager)
    response = client.post(step(deviation, "receive"), {
        "receive-immediate_actions": "Kontakt med 19121212-1212 tagen", "receive-kind": "other"})
    assert response.status_code == 400
    assert "personnummer" in text(response).lower()
    deviation.refresh_from_db()
    assert (deviation.status, deviation.immediate_actions) == ("reported", "")


def test_a_step_from_the_wrong_status_is_refused_with_a_message(client, file_report, unit_manager):
    deviation = advance(file_report(kind="other"), "investigating", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "receive"), {"receive-kind": "other", "receive-immediate_actions": "Sent"})
    assert response.status_code == 409
    page = text(response)
    assert "Det går inte att ta emot när status är ”Under utredning”." in page
    assert "Sent" in page  # the typed text stays


def test_a_concurrent_change_shows_its_message(client, file_report, unit_manager, monkeypatch):
    deviation = file_report(kind="other")

    def raced(**kwargs):
        raise ConcurrentChangeError("Någon annan hann ändra ärendet före dig. Ladda om sidan och försök igen.")

    monkeypatch.setattr(services, "deviation_receive", raced)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "receive"), {"receive-kind": "other", "receive-immediate_actions": "Mitt"})
    assert response.status_code == 409
    assert "Någon annan hann ändra ärendet före dig" in text(response)
    assert "Mitt" in text(response)


def test_unknown_step_is_404(client, file_report, unit_manager):
    deviation = file_report()
    client.force_login(unit_manager)
    assert client.post(step(deviation, "delete")).status_code == 404
    assert client.get(step(deviation, "receive")).status_code == 405


# ---------------------------------------------------------------- start investigation

def test_start_investigation_with_an_investigator_from_the_unit(client, file_report, unit_manager, reporter,
                                                               other_manager):
    deviation = advance(file_report(), "received", unit_manager)
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    form = page.split('transition-form--start_investigation')[1].split("</form>")[0]
    assert "Anna Nilsson" in form
    assert "Nils Forsberg" not in form  # another section's manager is not offered
    response = client.post(step(deviation, "start_investigation"), {"start_investigation-investigator": reporter.pk})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, deviation.investigator) == ("investigating", reporter)
    assert reasons(deviation)[-1] == ("start_investigation", "unit_manager")


def test_start_investigation_refuses_someone_outside_the_unit(client, file_report, unit_manager, other_manager):
    deviation = advance(file_report(), "received", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "start_investigation"),
                           {"start_investigation-investigator": other_manager.pk})
    assert response.status_code == 400
    deviation.refresh_from_db()
    assert deviation.status == "received"


# ---------------------------------------------------------------- conclude and drafts

def test_conclude_form_shows_the_classification_with_explanations(client, file_report, unit_manager):
    deviation = advance(file_report(), "investigating", unit_manager)
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    for label in ("Inget missförhållande", "Påtaglig risk för missförhållande", "Missförhållande",
                  "Påtaglig risk för allvarligt missförhållande", "Allvarligt missförhållande"):
        assert f'<span class="radio-option__label">{label}</span>' in page
    assert "uppenbar och konkret" in page
    assert page.count('type="radio" name="conclude-classification"') == 5
    assert "Spara utkast</button>" in page


def test_conclude_lex_sarah_through_the_page(client, file_report, unit_manager, section_manager, quality):
    deviation = advance(file_report(), "investigating", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "conclude"), {
        "conclude-what_happened": "Bedömningen gjordes på måndagen", "conclude-consequences": "Tre dagar utan skydd",
        "conclude-causes": "Ingen helgrutin", "conclude-classification": "serious",
        "conclude-decided_by": "Socialchef", "conclude-delegation_ref": "D 3.2.1"})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, deviation.classification, deviation.delegation_ref) == ("concluded", "serious", "D 3.2.1")
    assert deviation.ivo_notification_due == TODAY() + datetime.timedelta(days=7)
    assert reasons(deviation)[-1] == ("conclude", "unit_manager")


def test_conclude_missing_fields_is_refused_naming_them_and_keeps_the_text(client, file_report, unit_manager):
    deviation = advance(file_report(), "investigating", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "conclude"), {"conclude-what_happened": "Så här långt har jag kommit"})
    assert response.status_code == 409
    page = text(response)
    assert "Utredningen saknar: konsekvenser, orsaker, bedömning." in page
    assert "Så här långt har jag kommit" in page
    assert page.index('class="error-summary"') < page.index("<h1")
    assert 'href="#id_conclude-causes"' in page  # the summary links to the field to fill in
    deviation.refresh_from_db()
    assert (deviation.status, deviation.what_happened) == ("investigating", "")


def test_conclude_with_an_unknown_classification_is_a_form_error(client, file_report, unit_manager):
    deviation = advance(file_report(), "investigating", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "conclude"), {"conclude-classification": "terrible",
                                                         "conclude-causes": "Mina orsaker"})
    assert response.status_code == 400
    assert "Mina orsaker" in text(response)


@pytest.mark.parametrize(("kind", "data", "field", "value"), [
    ("other", {"conclude-conclusion": "Rutinen var okänd"}, "conclusion", "Rutinen var okänd"),
    ("complaint", {"conclude-answer": "Vi har ändrat rutinen", "conclude-answered_on": "2026-01-05"},
     "answer", "Vi har ändrat rutinen"),
    ("complaint", {"conclude-anonymous": "on"}, "anonymous", True),
])
def test_conclude_other_kinds(client, file_report, unit_manager, kind, data, field, value, time_machine):
    time_machine.move_to(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC))
    deviation = advance(file_report(kind=kind), "investigating", unit_manager)
    client.force_login(unit_manager)
    assert client.post(step(deviation, "conclude"), data).status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, getattr(deviation, field)) == ("concluded", value)


def test_save_draft_keeps_the_investigation_open(client, file_report, unit_manager):
    deviation = advance(file_report(), "investigating", unit_manager)
    client.force_login(unit_manager)
    response = client.post(url(deviation, "save-investigation"), {
        "conclude-what_happened": "Första intervjun gjord", "conclude-classification": "risk"})
    assert response.status_code == 302
    assert response["Location"].endswith("#nasta-steg")
    deviation.refresh_from_db()
    assert (deviation.status, deviation.what_happened, deviation.classification) == (
        "investigating", "Första intervjun gjord", "risk")
    assert reasons(deviation)[-1] == ("save_investigation", "unit_manager")
    page = text(client.get(url(deviation)))
    assert "Första intervjun gjord</textarea>" in page  # the draft fills the form next time
    assert 'value="risk" id="id_conclude-classification_1" checked' in page


def test_save_draft_refused_outside_the_investigation_and_for_readers(client, file_report, unit_manager,
                                                                      management):
    deviation = advance(file_report(), "concluded", unit_manager)
    client.force_login(unit_manager)
    response = client.post(url(deviation, "save-investigation"), {"conclude-causes": "Sent tillägg"})
    assert response.status_code == 409
    assert "Utredningen kan bara sparas medan den pågår" in text(response)
    client.force_login(management)
    assert client.post(url(deviation, "save-investigation"), {"conclude-causes": "X"}).status_code == 403
    deviation.refresh_from_db()
    assert deviation.causes == "Ingen helgrutin"


# ---------------------------------------------------------------- close, withdraw, forward

def test_close_with_feedback_and_an_action(client, file_report, unit_manager, reporter):
    deviation = advance(file_report(), "concluded", unit_manager)
    action_services.action_create(source_obj=deviation, actor=unit_manager, title="Helgrutin för jouren",
                                  responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                  strength="medium")
    client.force_login(unit_manager)
    response = client.post(step(deviation, "close"), {
        "close-feedback": "Vi inför en helgrutin.", "close-feedback_given_on": TODAY().isoformat(),
        "close-comment": "Klart"})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, deviation.feedback) == ("closed", "Vi inför en helgrutin.")
    assert reasons(deviation)[-1] == ("close", "unit_manager")
    client.force_login(reporter)
    page = text(client.get(url(deviation)))
    assert "Vi inför en helgrutin." in page  # the reporter sees the feedback


def test_close_refused_without_feedback_date_or_actions(client, file_report, unit_manager):
    deviation = advance(file_report(), "concluded", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "close"), {"close-feedback": "Min återkoppling", "close-feedback_given_on": ""})
    assert response.status_code == 409
    page = text(response)
    assert "Ange när rapportören fick återkoppling." in page
    assert "Besluta minst en åtgärd eller ange varför ingen åtgärd behövs." in page
    assert "Min återkoppling" in page
    deviation.refresh_from_db()
    assert (deviation.status, deviation.feedback) == ("concluded", "")
    # The same step with what was missing goes through.
    response = client.post(step(deviation, "close"), {
        "close-feedback_given_on": TODAY().isoformat(), "close-no_action_reason": "Engångshändelse"})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == "closed"


@pytest.mark.parametrize("given_on", ["igår", (TODAY() + datetime.timedelta(days=2)).isoformat()])
def test_close_with_a_bad_date_is_a_form_error(client, file_report, unit_manager, given_on):
    deviation = advance(file_report(), "concluded", unit_manager)
    client.force_login(unit_manager)
    response = client.post(step(deviation, "close"), {"close-feedback_given_on": given_on,
                                                      "close-no_action_reason": "Inget behov"})
    assert response.status_code == 400
    assert "Inget behov" in text(response)
    deviation.refresh_from_db()
    assert deviation.status == "concluded"


def test_withdraw_with_and_without_a_reason(client, file_report, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(unit_manager)
    response = client.post(step(deviation, "withdraw"), {"withdraw-reason": ""})
    assert response.status_code == 409
    assert "Ange varför rapporten återkallas." in text(response)
    response = client.post(step(deviation, "withdraw"), {"withdraw-reason": "Dubblett av AVV-2026-0001"})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, deviation.withdraw_reason) == ("withdrawn", "Dubblett av AVV-2026-0001")
    assert "Dubblett av AVV-2026-0001" in text(client.get(url(deviation)))


def test_forward_a_complaint_both_ways(client, file_report, unit_manager):
    deviation = advance(file_report(kind="complaint"), "received", unit_manager)
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    assert "Överlämna</button>" in page
    response = client.post(step(deviation, "forward"), {"forward-forwarded_to": "Regionens BUP"})
    assert response.status_code == 409
    assert "Ange när den som klagat underrättades." in text(response)
    assert "Regionens BUP" in text(response)
    response = client.post(step(deviation, "forward"), {"forward-forwarded_to": "Regionens BUP",
                                                        "forward-complainant_notified_on": TODAY().isoformat()})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, deviation.forwarded_to) == ("forwarded", "Regionens BUP")


def test_forward_not_offered_for_lex_sarah(client, file_report, unit_manager):
    deviation = advance(file_report(), "received", unit_manager)
    client.force_login(unit_manager)
    assert "Överlämna</button>" not in text(client.get(url(deviation)))
    response = client.post(step(deviation, "forward"), {"forward-forwarded_to": "BUP",
                                                        "forward-complainant_notified_on": TODAY().isoformat()})
    assert response.status_code == 409
    assert "Bara synpunkter och klagomål kan överlämnas." in text(response)


# ---------------------------------------------------------------- deadlines and history

def test_deadlines_are_shown_and_overdue_ones_marked(client, org, unit_manager, reporter):
    deviation = DeviationFactory(kind="lex_sarah", unit=org["mott"], reporter=reporter,
                                 receipt_due=TODAY() - datetime.timedelta(days=2),
                                 conclusion_due=TODAY() + datetime.timedelta(days=20),
                                 next_due=TODAY() - datetime.timedelta(days=2))
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    overdue = page.split('class="deadline deadline--overdue"')[1].split("</li>")[0]
    assert "Mottagen" in overdue
    assert (TODAY() - datetime.timedelta(days=2)).isoformat() in overdue
    assert "Försenad" in overdue
    assert f"senast {(TODAY() + datetime.timedelta(days=20)).isoformat()}" in page


def test_transition_log_and_field_history(client, file_report, unit_manager):
    deviation = file_report()
    client.force_login(unit_manager)
    client.post(step(deviation, "receive"), {"receive-kind": "lex_sarah",
                                             "receive-immediate_actions": "Skyddsbedömning gjord"})
    page = text(client.get(url(deviation)))
    log = page.split('id="handelser"')[1]
    assert "<strong>Ta emot</strong> (Rapporterad → Mottagen), Maria Ek" in log
    history = log.split("Ändringshistorik")[1]
    assert "Maria Ek: <strong>Ta emot</strong>" in history
    assert "omedelbara åtgärder" in history
    assert "status (Rapporterad → Mottagen)" in history
    assert "Anna Nilsson: <strong>Rapporterad</strong>" in history


# ---------------------------------------------------------------- access log

def test_every_read_is_logged(client, file_report, unit_manager, quality):
    deviation = file_report()
    client.force_login(unit_manager)
    client.get(url(deviation))
    client.get(url(deviation))
    client.force_login(quality)
    client.get(url(deviation))
    assert list(DeviationAccess.objects.filter(deviation=deviation).order_by("at", "pk")
                .values_list("user__username", "via")) == [
        ("unit_manager", "web"), ("unit_manager", "web"), ("quality", "web")]


@pytest.mark.parametrize(("persona", "status"), [
    ("quality", 200), ("management", 200),
    ("unit_manager", 404), ("section_manager", 404), ("reporter", 404), ("other_manager", 404), ("outsider", 404),
])
def test_access_log_page_for_oversight_only(client, request, file_report, unit_manager, persona, status):
    deviation = file_report()
    client.force_login(unit_manager)
    client.get(url(deviation))
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url(deviation, "access-log"))
    assert response.status_code == status
    if status == 200:
        assert "Maria Ek" in text(response)
        assert "Ärendesidan" in text(response)


def test_access_log_link_only_for_oversight(client, file_report, quality, unit_manager):
    deviation = file_report()
    client.force_login(quality)
    assert url(deviation, "access-log") in text(client.get(url(deviation)))
    client.force_login(unit_manager)
    assert url(deviation, "access-log") not in text(client.get(url(deviation)))


def test_access_log_hides_the_reporter_from_management(client, file_report, reporter, management):
    deviation = file_report()
    client.force_login(reporter)
    client.get(url(deviation))
    client.force_login(management)
    page = text(client.get(url(deviation, "access-log")))
    assert "Anna Nilsson" not in page
    assert "Rapportören" in page


# ---------------------------------------------------------------- attachments

def pdf_upload(name="Protokoll möte 3 mars.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_reporter_and_manager_upload_and_download(client, file_report, reporter, unit_manager):
    deviation = file_report()
    client.force_login(reporter)
    response = client.post(url(deviation, "attachment-upload"), {"file": pdf_upload()})
    assert response.status_code == 302
    assert response["Location"].endswith("#bilagor")
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.uploaded_by) == ("Protokoll möte 3 mars.pdf", reporter)
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    assert reverse("deviations:attachment-download", args=[attachment.pk]) in page
    response = client.get(reverse("deviations:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Protokoll" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 200), ("unit_manager", 200), ("section_manager", 200), ("quality", 200), ("management", 200),
    ("other_manager", 404), ("outsider", 404),
])
def test_download_needs_sight_of_the_case(client, request, file_report, reporter, persona, status):
    deviation = file_report()
    attachment = services.attachment_add(deviation=deviation, actor=reporter, upload=pdf_upload())
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("deviations:attachment-download", args=[attachment.pk])).status_code == status


def test_download_of_a_missing_attachment_is_404(client, unit_manager):
    client.force_login(unit_manager)
    assert client.get(reverse("deviations:attachment-download", args=[9999])).status_code == 404


def test_upload_of_a_forbidden_file_type_is_explained(client, file_report, unit_manager):
    deviation = file_report()
    client.force_login(unit_manager)
    upload = SimpleUploadedFile("lista.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
    response = client.post(url(deviation, "attachment-upload"), {"file": upload})
    assert response.status_code == 400
    assert "har en filtyp som inte är tillåten" in text(response)
    assert not Attachment.objects.exists()


def test_upload_without_a_file_asks_for_one(client, file_report, unit_manager):
    deviation = file_report()
    client.force_login(unit_manager)
    response = client.post(url(deviation, "attachment-upload"), {})
    assert response.status_code == 400
    assert "Välj en fil att ladda upp." in text(response)


def test_readers_cannot_upload_and_closed_cases_take_no_files(client, file_report, management, unit_manager):
    deviation = file_report(kind="other")
    client.force_login(management)
    assert "Ladda upp bilaga" not in text(client.get(url(deviation)))
    assert client.post(url(deviation, "attachment-upload"), {"file": pdf_upload()}).status_code == 403
    services.deviation_withdraw(deviation=deviation, actor=unit_manager, reason="Dubblett")
    client.force_login(unit_manager)
    assert "Ladda upp bilaga" not in text(client.get(url(deviation)))
    response = client.post(url(deviation, "attachment-upload"), {"file": pdf_upload()})
    assert response.status_code == 400
    assert "Ärendet är inte längre öppet" in text(response)
    assert not Attachment.objects.exists()


def test_action_panel_is_on_the_page(client, file_report, unit_manager):
    deviation = advance(file_report(), "investigating", unit_manager)
    action_services.action_create(source_obj=deviation, actor=unit_manager, title="Helgrutin för jouren",
                                  responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                  strength="medium")
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    assert 'id="action-panel"' in page
    assert "Helgrutin för jouren" in page
    assert "Lägg till åtgärd" in page


def test_detail_query_count_is_bounded(client, file_report, unit_manager, django_assert_max_num_queries):
    deviation = advance(file_report(), "concluded", unit_manager)
    for i in range(5):
        services.attachment_add(deviation=deviation, actor=unit_manager, upload=pdf_upload(f"f{i}.pdf"))
        action_services.action_create(source_obj=deviation, actor=unit_manager, title=f"Åtgärd {i}",
                                      responsible=unit_manager, due_date=TODAY() + datetime.timedelta(days=30),
                                      strength="medium")
    client.force_login(unit_manager)
    client.get(url(deviation))
    with django_assert_max_num_queries(25):
        assert client.get(url(deviation)).status_code == 200


def test_a_public_complaint_names_the_web_form_not_the_system_account(client, org, unit_manager):
    deviation = services.deviation_file(actor=None, kind="complaint", unit=org["mott"], public=True,
                                        title="Ingen ringde tillbaka", description="Jag väntade i två veckor.")
    client.force_login(unit_manager)
    page = text(client.get(url(deviation)))
    assert "Rapportör</dt><dd>Allmänheten, via webbformuläret" in page


def test_section_manager_can_start_an_event_analysis_from_a_lex_sarah_case(client, file_report, section_manager,
                                                                         unit_manager):
    from django.urls import reverse

    deviation = file_report()
    start = f'{reverse("analyses:create")}?deviation={deviation.pk}'
    client.force_login(section_manager)
    assert start in client.get(reverse("deviations:detail", args=[deviation.pk])).content.decode()
    client.force_login(unit_manager)
    assert start not in client.get(reverse("deviations:detail", args=[deviation.pk])).content.decode()
