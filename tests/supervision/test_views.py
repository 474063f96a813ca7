"""The supervision pages: the list and its filters, the coming dates, the decision form, the decision
page with its steps, statement requests, requirements, actions and files, and the start page card.
Each view is tested both ways: what the right person may do, and the refusals (403 in scope,
404 outside it), with what was typed kept on a refused form."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.actions.models import Action
from riskmgmt.core.models import Transition
from riskmgmt.supervision import services
from riskmgmt.supervision.models import Requirement, StatementRequest, SupervisionDecision
from riskmgmt.supervision.views import days_left_text
from tests.factories import DeviationFactory

pytestmark = pytest.mark.django_db
# The page tests' own fixtures (ivo_case, ivo_decided, due_requirement, …), beside S1's conftest.
pytest_plugins = ["tests.supervision.view_fixtures"]


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
Status = SupervisionDecision.Status
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    """The page's text without tags and with whitespace collapsed, for reading assertions."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- helpers

@pytest.mark.parametrize(("offset", "text"), [
    (0, "i dag"), (1, "i morgon"), (5, "om 5 dagar"), (-1, "1 dag sen"), (-3, "3 dagar sen")])
def test_days_left_in_words(offset, text):
    today = datetime.date(2026, 3, 10)
    assert days_left_text(today + datetime.timedelta(days=offset), today) == text


# ---------------------------------------------------------------- the list

def test_list_shows_decisions_in_scope_with_next_report_date(client, ivo_decided, section_manager):
    response = _login(client, section_manager).get(reverse("supervision:list"))
    assert response.status_code == 200
    text = _text(response)
    assert "8.5-1234/2026" in text
    assert "Handläggning av orosanmälningar" in text
    # The nearest open requirement is the overdue one, said in words as well as colour.
    assert days(-3).isoformat() in text
    assert "3 dagar sen" in text
    assert "Försenad" in text
    assert "2 krav att redovisa" in text
    assert 'href="/tillsyn/ny/"' in response.content.decode()


def test_list_button_only_for_those_who_record(client, ivo_decided, unit_manager):
    response = _login(client, unit_manager).get(reverse("supervision:list"))
    assert response.status_code == 200
    assert "8.5-1234/2026" in _text(response)  # a unit manager reads the unit's decisions
    assert "Registrera beslut" not in _text(response)


@pytest.mark.parametrize("persona", ["other_manager", "outsider", "reporter"])
def test_list_hides_decisions_outside_scope(client, ivo_decided, personas, persona):
    response = _login(client, personas[persona]).get(reverse("supervision:list"))
    assert response.status_code == 200
    assert "8.5-1234/2026" not in _text(response)
    assert "Registrera beslut" not in _text(response)


def test_list_requires_login(client):
    response = client.get(reverse("supervision:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.fixture
def three_decisions(org, section_manager, quality, ivo_decided):
    jo = services.decision_create(
        actor=section_manager, unit=org["plac"], authority="jo", reference="3673-2026",
        subject="Umgänge vid LVU-vård", kind="jo_complaint", received_on=days(-60),
        decided_on=days(-40), outcome="serious_criticism")
    audit = services.decision_create(
        actor=quality, unit=org["miss"], authority="audit", reference="REV 2026/4",
        subject="Granskning av LVM-placeringar", kind="audit", received_on=days(-5))
    return {"ivo": ivo_decided, "jo": jo, "audit": audit}


@pytest.mark.parametrize(("query", "expected"), [
    ({"authority": "jo"}, {"jo"}),
    ({"outcome": "criticism"}, {"ivo"}),
    ({"outcome": "none"}, {"audit"}),
    ({"status": "received"}, {"audit"}),
    ({"status": "all"}, {"ivo", "jo", "audit"}),
    ({"unit": "fam"}, {"ivo", "jo"}),
    ({"due_before": days(0).isoformat()}, {"ivo"}),  # the overdue requirement
    ({"due_before": days(-30).isoformat()}, set()),
    ({"q": "lvm"}, {"audit"}),
    ({"q": "3673"}, {"jo"}),
])
def test_list_filters(client, three_decisions, quality, org, query, expected):
    if "unit" in query:
        query = {**query, "unit": org[query["unit"]].pk}
    response = _login(client, quality).get(reverse("supervision:list"), query)
    assert response.status_code == 200
    shown = {key for key, d in three_decisions.items() if d.reference in _text(response)}
    assert shown == expected


def test_list_status_defaults_to_open_and_closed_cases_are_hidden(client, three_decisions, section_manager):
    jo = three_decisions["jo"]
    services.decision_close(decision=jo, actor=section_manager, closed_on=days(-1))
    response = _login(client, section_manager).get(reverse("supervision:list"))
    assert jo.reference not in _text(response)
    response = client.get(reverse("supervision:list"), {"status": "closed"})
    assert jo.reference in _text(response)


@pytest.mark.parametrize("query", [
    {"due_before": "31-02-2026"}, {"unit": "abc"}, {"unit": "999999"}, {"status": "nonsense"},
    {"page": "x"}, {"authority": "<script>"}, {"q": "x" * 500}])
def test_list_bad_filters_are_reported_not_500(client, ivo_decided, section_manager, query):
    response = _login(client, section_manager).get(reverse("supervision:list"), query)
    assert response.status_code == 200
    if "page" not in query:
        assert "Filtret används inte" in _text(response)


def test_list_queries_are_bounded(client, org, section_manager, django_assert_max_num_queries):
    for n in range(60):
        ivo_case = services.decision_create(
            actor=section_manager, unit=org["mott"], authority="ivo", reference=f"8.5-{n}/2026",
            subject=f"Tillsyn {n}", kind="supervision", received_on=days(-20), decided_on=days(-10),
            outcome="criticism")
        services.requirement_add(decision=ivo_case, actor=section_manager, text="Redovisa rutinen.",
                                 due_date=days(n))
    _login(client, section_manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("supervision:list"))
    assert response.status_code == 200
    assert "Visar 1–50 av 60" in _text(response)
    with django_assert_max_num_queries(12):
        client.get(reverse("supervision:list"), {"page": 2, "due_before": days(30).isoformat(), "q": "Tillsyn"})


# ---------------------------------------------------------------- coming report-backs

def test_upcoming_groups_by_month_and_week_with_overdue_first(client, ivo_decided, section_manager):
    services.decision_create(actor=section_manager, unit=ivo_decided.unit, authority="jo", reference="111-2026",
                             subject="Remiss om handläggningstider", kind="jo_complaint", received_on=days(-2))
    statement_decision = SupervisionDecision.objects.get(reference="111-2026")
    services.decision_request_statement(decision=statement_decision, actor=section_manager,
                                        requested_on=days(-1), due_date=days(6), description="Yttra er över tiderna.")
    response = _login(client, section_manager).get(reverse("supervision:upcoming"))
    assert response.status_code == 200
    text = _text(response)
    assert text.index("Försenade") < text.index("Redovisa hur inkorgen bevakas") <\
        text.index("Yttra er över tiderna") < text.index("Redovisa hur skyddsbedömningar")
    assert "3 dagar sen" in text
    assert "om 6 dagar" in text
    assert "om 20 dagar" in text
    week = days(20).isocalendar().week
    assert f"Vecka {week}" in text
    assert "Yttrande" in text
    assert "Redovisning av krav" in text
    html = response.content.decode()
    assert reverse("processes:detail", args=[ivo_decided.processes.get().pk]) in html


def test_upcoming_range_and_bad_range(client, ivo_decided, section_manager):
    _login(client, section_manager)
    assert "om 20 dagar" in _text(client.get(reverse("supervision:upcoming"), {"dagar": "30"}))
    far = services.requirement_add(decision=ivo_decided, actor=section_manager, text="Redovisa utbildningsplanen.",
                                   due_date=days(120))
    assert far.text not in _text(client.get(reverse("supervision:upcoming")))
    assert far.text in _text(client.get(reverse("supervision:upcoming"), {"dagar": "180"}))
    assert client.get(reverse("supervision:upcoming"), {"dagar": "abc"}).status_code == 200
    assert client.get(reverse("supervision:upcoming"), {"dagar": "100000000"}).status_code == 200


@pytest.mark.parametrize("persona", ["other_manager", "outsider", "reporter"])
def test_upcoming_shows_nothing_outside_scope(client, ivo_decided, personas, persona):
    response = _login(client, personas[persona]).get(reverse("supervision:upcoming"))
    assert response.status_code == 200
    assert "Redovisa hur" not in _text(response)


# ---------------------------------------------------------------- create and edit

def _decision_post(org, **overrides):
    data = {"authority": "ivo", "reference": "8.5-777/2026", "kind": "supervision",
            "subject": "Bevakning av inkorgen", "unit": org["mott"].pk, "received_on": days(-3).isoformat(),
            "decided_on": "", "outcome": "", "summary": "", "processes": [org["mottagning"].pk], "deviation": ""}
    data.update(overrides)
    return data


def test_create_decision(client, org, section_manager):
    _login(client, section_manager)
    assert client.get(reverse("supervision:create")).status_code == 200
    deviation = DeviationFactory(unit=org["mott"], kind="lex_sarah")
    data = _decision_post(org, deviation=deviation.pk,
                          document=SimpleUploadedFile("IVO beslut Anna.pdf", PDF, content_type="application/pdf"))
    response = client.post(reverse("supervision:create"), data)
    ivo_case = SupervisionDecision.objects.get(reference="8.5-777/2026")
    assert response.status_code == 302
    assert response["Location"] == ivo_case.get_absolute_url()
    assert ivo_case.status == Status.RECEIVED
    assert ivo_case.recorded_by == section_manager
    assert list(ivo_case.processes.all()) == [org["mottagning"]]
    assert ivo_case.deviation == deviation
    assert ivo_case.document_name == "IVO beslut Anna.pdf"
    assert "Anna" not in ivo_case.document.name
    assert ivo_case.history.latest().history_change_reason == "create"
    assert Transition.objects.filter(object_id=ivo_case.pk, name="create").exists()


def test_create_already_decided_decision(client, org, section_manager):
    _login(client, section_manager)
    client.post(reverse("supervision:create"),
                _decision_post(org, decided_on=days(-1).isoformat(), outcome="criticism"))
    assert SupervisionDecision.objects.get(reference="8.5-777/2026").status == Status.DECIDED


def test_create_refused_keeps_what_was_typed(client, org, section_manager):
    _login(client, section_manager)
    data = _decision_post(org, authority="", reference="8.5-typed/2026", received_on="2026-02-31",
                          processes=[org["lvm"].pk], decided_on=days(-1).isoformat())
    response = client.post(reverse("supervision:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "error-summary" in html
    assert 'value="8.5-typed/2026"' in html
    text = _text(response)
    assert "Myndighet" in text
    assert "Ange både beslutsdatum och utfall" in text
    assert not SupervisionDecision.objects.exists()


def test_create_refuses_process_and_deviation_of_another_unit(client, org, section_manager):
    _login(client, section_manager)
    other = DeviationFactory(unit=org["plac"], kind="lex_sarah")
    response = client.post(reverse("supervision:create"),
                           _decision_post(org, processes=[org["placering"].pk], deviation=other.pk))
    assert response.status_code == 400
    text = _text(response)
    assert "hör inte till Mottagningsenheten" in text
    assert not SupervisionDecision.objects.exists()


def test_create_refuses_a_file_type_the_service_refuses(client, org, section_manager):
    _login(client, section_manager)
    data = _decision_post(org, document=SimpleUploadedFile("beslut.exe", b"MZ\x90\x00binary", content_type="x/y"))
    response = client.post(reverse("supervision:create"), data)
    assert response.status_code == 400
    assert "filtyp som inte är tillåten" in _text(response)
    assert 'value="8.5-777/2026"' in response.content.decode()


def test_create_refuses_personal_number(client, org, section_manager):
    _login(client, section_manager)
    response = client.post(reverse("supervision:create"), _decision_post(org, subject="Ärendet 19121212-1212"))
    assert response.status_code == 400
    assert not SupervisionDecision.objects.exists()


@pytest.mark.parametrize("persona", ["unit_manager", "reporter", "outsider", "other_manager"])
def test_create_refused_for_those_who_do_not_record(client, org, personas, persona):
    _login(client, personas[persona])
    assert client.get(reverse("supervision:create")).status_code == 403
    assert client.post(reverse("supervision:create"), _decision_post(org)).status_code == 403
    assert not SupervisionDecision.objects.exists()


def test_create_narrows_choices_to_the_unit_with_htmx(client, org, section_manager):
    _login(client, section_manager)
    response = client.get(reverse("supervision:create"), {"unit": org["plac"].pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="unit-choices"') or 'id="unit-choices"' in html[:200]
    assert "Placering i familjehem/HVB" in html
    assert "Mottagning och förhandsbedömning" not in html
    response = client.get(reverse("supervision:create"), {"unit": "nonsense"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_edit_decision(client, org, ivo_case, section_manager):
    _login(client, section_manager)
    url = reverse("supervision:edit", args=[ivo_case.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'value="8.5-1234/2026"' in response.content.decode()
    data = _decision_post(org, reference="8.5-1234/2026 (rättat)", subject="Bevakning av inkorgen",
                          processes=[])
    response = client.post(url, data)
    assert response.status_code == 302
    ivo_case.refresh_from_db()
    assert ivo_case.reference == "8.5-1234/2026 (rättat)"
    assert not ivo_case.processes.exists()
    assert ivo_case.history.latest().history_change_reason == "update"


def test_edit_refused_keeps_typed_values(client, org, ivo_case, section_manager):
    _login(client, section_manager)
    response = client.post(reverse("supervision:edit", args=[ivo_case.pk]),
                           _decision_post(org, reference="", subject="Nytt ämne"))
    assert response.status_code == 400
    assert 'value="Nytt ämne"' in response.content.decode()
    ivo_case.refresh_from_db()
    assert ivo_case.subject == "Handläggning av orosanmälningar"


def test_edit_refused_in_scope_403_outside_404(client, org, ivo_case, unit_manager, other_manager):
    url = reverse("supervision:edit", args=[ivo_case.pk])
    assert _login(client, unit_manager).get(url).status_code == 403
    assert client.post(url, _decision_post(org)).status_code == 403
    assert _login(client, other_manager).get(url).status_code == 404


def test_edit_of_a_case_awaiting_its_decision_offers_no_outcome_yet(client, org, ivo_case, section_manager):
    services.decision_request_statement(decision=ivo_case, actor=section_manager, requested_on=days(-2),
                                        due_date=days(10))
    html = _login(client, section_manager).get(reverse("supervision:edit", args=[ivo_case.pk])).content.decode()
    outcome = re.search(r'<select name="outcome".*?</select>', html, re.S).group(0)
    # Without an empty choice the browser would send the first outcome with the next save.
    assert '<option value="" selected>' in outcome
    response = client.post(reverse("supervision:edit", args=[ivo_case.pk]),
                           _decision_post(org, reference="8.5-1234/2026", received_on=days(-30).isoformat()))
    assert response.status_code == 302
    ivo_case.refresh_from_db()
    assert (ivo_case.status, ivo_case.outcome) == ("responding", "")


def test_edit_keeps_a_recorded_decisions_date_and_outcome(client, org, ivo_decided, section_manager):
    response = _login(client, section_manager).post(
        reverse("supervision:edit", args=[ivo_decided.pk]),
        _decision_post(org, reference="8.5-1234/2026", received_on=days(-30).isoformat()))
    assert response.status_code == 400
    assert "kan rättas men inte tas bort" in _text(response)
    ivo_decided.refresh_from_db()
    assert (ivo_decided.status, ivo_decided.outcome, ivo_decided.decided_on) == ("decided", "criticism", days(-10))


def test_edit_of_closed_case_redirects(client, ivo_case, section_manager):
    services.decision_record(decision=ivo_case, actor=section_manager, decided_on=days(-1), outcome="no_criticism")
    services.decision_close(decision=ivo_case, actor=section_manager, closed_on=days(0))
    response = _login(client, section_manager).get(reverse("supervision:edit", args=[ivo_case.pk]))
    assert response.status_code == 302
    assert response["Location"] == ivo_case.get_absolute_url()


# ---------------------------------------------------------------- the decision page

def test_detail_for_the_recorder(client, ivo_decided, due_requirement, due_action, section_manager, org):
    response = _login(client, section_manager).get(ivo_decided.get_absolute_url())
    assert response.status_code == 200
    text = _text(response)
    html = response.content.decode()
    assert "IVO · dnr 8.5-1234/2026" in text
    assert "Kritik" in text
    assert "Beslut meddelat" in text
    assert "Krav 1" in text
    assert "Krav 2" in text
    assert "3 dagar sen" in text
    assert "om 20 dagar" in text
    assert "Försenad" in text
    assert due_action.title in text
    assert "Maria Ek" in text
    assert reverse("processes:detail", args=[org["mottagning"].pk]) in html
    assert reverse("supervision:requirement-action", args=[ivo_decided.pk, due_requirement.pk]) in html
    assert reverse("supervision:requirement-transition", args=[ivo_decided.pk, due_requirement.pk, "report_back"]) in html
    assert reverse("risks:raise", args=["requirement", due_requirement.pk]) in html
    assert reverse("supervision:letter", args=[ivo_decided.pk]) in html
    assert "Avsluta ärendet går inte ännu" in text  # two requirements still open
    assert f'id="krav-{due_requirement.pk}"' in html
    # One add-action form per requirement, each with its own ids.
    assert html.count(f'id="krav{due_requirement.pk}-title"') == 1


def test_detail_read_only_for_the_unit_manager(client, ivo_decided, due_requirement, unit_manager):
    response = _login(client, unit_manager).get(ivo_decided.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Krav 1" in _text(response)
    assert reverse("supervision:requirement-transition", args=[ivo_decided.pk, due_requirement.pk, "report_back"]) not in html
    assert reverse("supervision:edit", args=[ivo_decided.pk]) not in html
    # ...but plans the measures: the action form is there.
    assert reverse("supervision:requirement-action", args=[ivo_decided.pk, due_requirement.pk]) in html
    assert "Du kan läsa ärendet" in _text(response)
    # The unit's manager raises risks (risks.raise_views decides so).
    assert reverse("risks:raise", args=["requirement", due_requirement.pk]) in html


@pytest.mark.parametrize("persona", ["other_manager", "outsider", "reporter"])
def test_detail_404_outside_scope(client, ivo_decided, personas, persona):
    assert _login(client, personas[persona]).get(ivo_decided.get_absolute_url()).status_code == 404


def test_detail_bad_pk_is_404(client, section_manager):
    _login(client, section_manager)
    assert client.get("/tillsyn/999999/").status_code == 404
    assert client.get("/tillsyn/99999999999999999999999/").status_code == 404


def test_action_responsible_sees_the_decision(client, ivo_decided, due_action, reporter, section_manager,
                                              due_requirement):
    action_services.action_create(source_obj=due_requirement, actor=section_manager, title="Ny rutin för inkorgen",
                                  responsible=reporter, due_date=days(10), strength="weak")
    response = _login(client, reporter).get(ivo_decided.get_absolute_url())
    assert response.status_code == 200
    assert reverse("supervision:requirement-action", args=[ivo_decided.pk, due_requirement.pk]) not in\
        response.content.decode()


def test_detail_shows_raised_risk_instead_of_link(client, ivo_decided, due_requirement, unit_manager):
    from riskmgmt.risks.services import risk_raise_from

    risk = risk_raise_from(source_obj=due_requirement, unit=ivo_decided.unit, actor=unit_manager,
                           title="Skyddsbedömning dokumenteras inte samma dag", risk_type="process",
                           perspective="client", probability=3, consequence=4, process=None)
    response = _login(client, unit_manager).get(ivo_decided.get_absolute_url())
    html = response.content.decode()
    assert reverse("risks:risk-detail", args=[risk.pk]) in html
    assert reverse("risks:raise", args=["requirement", due_requirement.pk]) not in html
    assert "Skyddsbedömning dokumenteras inte samma dag" in _text(response)


def test_detail_links_the_lex_sarah_case_only_for_those_who_see_it(client, org, section_manager, unit_manager):
    deviation = DeviationFactory(unit=org["mott"], kind="lex_sarah")
    ivo_case = services.decision_create(actor=section_manager, unit=org["mott"], authority="ivo",
                                        reference="8.5-9/2026", subject="Lex Sarah-uppföljning",
                                        kind="lex_sarah", received_on=days(-1), deviation=deviation)
    html = _login(client, section_manager).get(ivo_case.get_absolute_url()).content.decode()
    assert deviation.get_absolute_url() in html


def test_detail_queries_do_not_grow_with_requirements(client, ivo_decided, section_manager, unit_manager,
                                                      django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            requirement = services.requirement_add(decision=ivo_decided, actor=section_manager,
                                                   text=f"Krav nummer {i}.", due_date=days(30 + i))
            action_services.action_create(source_obj=requirement, actor=section_manager, title=f"Åtgärd {i}",
                                          responsible=unit_manager, due_date=days(14), strength="medium")

    _login(client, section_manager)
    add(1)
    client.get(ivo_decided.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(ivo_decided.get_absolute_url())
    add(12)  # each with an action form listing the unit's people
    with django_assert_max_num_queries(len(few)):
        response = client.get(ivo_decided.get_absolute_url())
    assert response.status_code == 200
    assert _text(response).count("Åtgärd 11") == 1


# ---------------------------------------------------------------- steps of the case

def _step(client, ivo_case, name, data):
    return client.post(reverse("supervision:transition", args=[ivo_case.pk, name]),
                       {f"{name}-{k}": v for k, v in data.items()})


def test_request_statement_and_submit_it(client, ivo_case, section_manager):
    _login(client, section_manager)
    response = _step(client, ivo_case, "request_statement", {
        "requested_on": days(-1).isoformat(), "due_date": days(13).isoformat(), "description": "Yttra er."})
    assert response.status_code == 302
    ivo_case.refresh_from_db()
    assert ivo_case.status == Status.RESPONDING
    statement = StatementRequest.objects.get(decision=ivo_case)
    page = _text(client.get(ivo_case.get_absolute_url()))
    assert "Yttrande senast" in page
    assert "om 13 dagar" in page
    response = client.post(reverse("supervision:statement-submit", args=[ivo_case.pk, statement.pk]),
                           {f"yttrande{statement.pk}-submitted_on": days(0).isoformat()})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#yttrande-{statement.pk}")
    statement.refresh_from_db()
    assert statement.submitted_on == days(0)
    assert statement.submitted_by == section_manager


def test_statement_submit_refusals(client, ivo_case, section_manager, unit_manager, other_manager):
    statement = services.decision_request_statement(decision=ivo_case, actor=section_manager,
                                                    requested_on=days(-1), due_date=days(10))
    url = reverse("supervision:statement-submit", args=[ivo_case.pk, statement.pk])
    key = f"yttrande{statement.pk}-submitted_on"
    response = _login(client, section_manager).post(url, {key: days(5).isoformat()})
    assert response.status_code == 400
    assert "framtiden" in _text(response)
    response = client.post(url, {key: days(-2).isoformat()})
    assert response.status_code == 400
    assert "innan det begärdes" in _text(response)
    assert _login(client, unit_manager).post(url, {key: days(0).isoformat()}).status_code == 403
    assert _login(client, other_manager).post(url, {key: days(0).isoformat()}).status_code == 404
    statement.refresh_from_db()
    assert statement.submitted_on is None


def test_record_decision(client, ivo_case, section_manager):
    _login(client, section_manager)
    response = _step(client, ivo_case, "record_decision", {
        "decided_on": days(-1).isoformat(), "outcome": "serious_criticism", "summary": "Allvarlig kritik."})
    assert response.status_code == 302
    ivo_case.refresh_from_db()
    assert ivo_case.status == Status.DECIDED
    assert ivo_case.outcome == "serious_criticism"
    record = ivo_case.history.latest()
    assert record.history_change_reason == "record_decision"
    assert record.history_user == section_manager
    log = Transition.objects.get(object_id=ivo_case.pk, name="record_decision")
    assert (log.source, log.target, log.by) == ("received", "decided", section_manager)
    assert "Registrera beslut" in _text(client.get(ivo_case.get_absolute_url()))


def test_record_decision_missing_outcome_is_409_with_typed_date(client, ivo_case, section_manager):
    _login(client, section_manager)
    response = _step(client, ivo_case, "record_decision", {"decided_on": days(-1).isoformat(), "outcome": ""})
    assert response.status_code == 409
    assert "Ange utfallet" in _text(response)
    assert "error-summary" in response.content.decode()
    assert f'value="{days(-1).isoformat()}"' in response.content.decode()
    ivo_case.refresh_from_db()
    assert ivo_case.status == Status.RECEIVED


def test_record_decision_bad_date_is_400(client, ivo_case, section_manager):
    _login(client, section_manager)
    response = _step(client, ivo_case, "record_decision", {"decided_on": "2026-13-45", "outcome": "criticism"})
    assert response.status_code == 400
    response = _step(client, ivo_case, "record_decision", {"decided_on": days(-40).isoformat(),
                                                           "outcome": "criticism"})
    assert response.status_code == 400
    assert "innan ärendet kom in" in _text(response)


def test_steps_refused_403_in_scope_404_outside_and_unknown_step(client, ivo_case, unit_manager, other_manager,
                                                                   section_manager):
    data = {"decided_on": days(-1).isoformat(), "outcome": "criticism"}
    assert _step(_login(client, unit_manager), ivo_case, "record_decision", data).status_code == 403
    assert _step(_login(client, other_manager), ivo_case, "record_decision", data).status_code == 404
    assert _step(_login(client, section_manager), ivo_case, "explode", data).status_code == 404
    assert client.get(reverse("supervision:transition", args=[ivo_case.pk, "record_decision"])).status_code == 405
    ivo_case.refresh_from_db()
    assert ivo_case.status == Status.RECEIVED


def test_start_report_back_needs_a_requirement(client, ivo_case, section_manager):
    services.decision_record(decision=ivo_case, actor=section_manager, decided_on=days(-1), outcome="criticism")
    _login(client, section_manager)
    page = _text(client.get(ivo_case.get_absolute_url()))
    assert "Påbörja redovisning går inte ännu" in page
    assert "Lägg in minst ett krav" in page
    response = _step(client, ivo_case, "start_report_back", {})
    assert response.status_code == 409
    assert "Lägg in minst ett krav" in _text(response)


def test_close_when_every_requirement_is_accepted(client, ivo_decided, section_manager):
    _login(client, section_manager)
    response = _step(client, ivo_decided, "close", {"closed_on": days(0).isoformat()})
    assert response.status_code == 409
    assert "Alla krav måste vara godtagna" in _text(response)
    for due_requirement in ivo_decided.requirements.all():
        services.requirement_report_back(requirement=due_requirement, actor=section_manager, reported_on=days(-1),
                                         summary="Rutinen är ändrad.")
        services.requirement_accept(requirement=due_requirement, actor=section_manager, accepted_on=days(0))
    response = _step(client, ivo_decided, "close", {"closed_on": days(0).isoformat()})
    assert response.status_code == 302
    ivo_decided.refresh_from_db()
    assert ivo_decided.status == Status.CLOSED
    assert ivo_decided.closed_on == days(0)
    page = client.get(ivo_decided.get_absolute_url())
    assert "Ärendet är avslutat" in _text(page)
    assert reverse("supervision:edit", args=[ivo_decided.pk]) not in page.content.decode()


# ---------------------------------------------------------------- requirements

def test_add_requirement(client, ivo_case, section_manager, org):
    _login(client, section_manager)
    response = client.post(reverse("supervision:requirement-add", args=[ivo_case.pk]), {
        "krav-ny-text": "Redovisa rutinen för skyddsbedömning.", "krav-ny-due_date": days(40).isoformat(),
        "krav-ny-process": org["mottagning"].pk})
    assert response.status_code == 302
    assert response["Location"].endswith("#krav")
    due_requirement = Requirement.objects.get(decision=ivo_case)
    assert due_requirement.process == org["mottagning"]
    assert due_requirement.due_date == days(40)


def test_add_requirement_refused_keeps_text(client, ivo_case, section_manager, org, unit_manager):
    _login(client, section_manager)
    url = reverse("supervision:requirement-add", args=[ivo_case.pk])
    response = client.post(url, {"krav-ny-text": "Skrivet men utan datum", "krav-ny-due_date": "",
                                 "krav-ny-process": org["placering"].pk})
    assert response.status_code == 400
    assert "Skrivet men utan datum" in response.content.decode()
    assert "error-summary" in response.content.decode()
    assert _login(client, unit_manager).post(url, {"krav-ny-text": "x", "krav-ny-due_date": days(1).isoformat()}
                                             ).status_code == 403
    assert not Requirement.objects.exists()


def _report(client, ivo_case, due_requirement, **data):
    prefix = f"krav{due_requirement.pk}"
    return client.post(reverse("supervision:requirement-transition", args=[ivo_case.pk, due_requirement.pk, "report_back"]),
                       {f"{prefix}-{k}": v for k, v in data.items()})


def test_report_back_with_a_file_then_accept(client, ivo_decided, due_requirement, section_manager):
    _login(client, section_manager)
    response = _report(client, ivo_decided, due_requirement, reported_on=days(0).isoformat(),
                       summary="Journalmallen har ett obligatoriskt fält.",
                       document=SimpleUploadedFile("redovisning.pdf", PDF, content_type="application/pdf"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#krav-{due_requirement.pk}")
    due_requirement.refresh_from_db()
    ivo_decided.refresh_from_db()
    assert due_requirement.status == Requirement.Status.REPORTED
    assert due_requirement.report_document
    assert ivo_decided.status == Status.REPORTING_BACK  # the first report starts the report-back
    assert due_requirement.history.latest().history_change_reason == "report_back"
    download = client.get(reverse("supervision:requirement-document", args=[ivo_decided.pk, due_requirement.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert ".pdf" in download["Content-Disposition"]
    response = client.post(reverse("supervision:requirement-transition",
                                   args=[ivo_decided.pk, due_requirement.pk, "accept"]),
                           {f"krav{due_requirement.pk}-accepted_on": days(0).isoformat()})
    assert response.status_code == 302
    due_requirement.refresh_from_db()
    assert due_requirement.status == Requirement.Status.ACCEPTED
    assert due_requirement.accepted_on == days(0)


@pytest.mark.parametrize("document", [
    SimpleUploadedFile("redovisning.pdf", b"MZ\x90\x00 a program renamed", content_type="application/pdf"),
    SimpleUploadedFile("redovisning.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf"),
], ids=["exe-named-pdf", "over-10-mb"])
def test_report_back_refuses_a_file_by_its_content_and_size(client, ivo_decided, due_requirement, section_manager,
                                                            document):
    _login(client, section_manager)
    response = _report(client, ivo_decided, due_requirement, reported_on=days(0).isoformat(),
                       summary="Journalmallen har ett obligatoriskt fält.", document=document)
    assert response.status_code == 400
    due_requirement.refresh_from_db()
    assert (due_requirement.status, bool(due_requirement.report_document)) == ("open", False)


def test_report_file_download_is_scoped_to_the_case(client, org, ivo_decided, due_requirement, section_manager,
                                                    unit_manager, other_manager):
    _login(client, section_manager)
    _report(client, ivo_decided, due_requirement, reported_on=days(0).isoformat(), summary="Ny rutin.",
            document=SimpleUploadedFile("redovisning.pdf", PDF, content_type="application/pdf"))
    url = reverse("supervision:requirement-document", args=[ivo_decided.pk, due_requirement.pk])
    assert _login(client, unit_manager).get(url).status_code == 200  # reads the case
    assert _login(client, other_manager).get(url).status_code == 404
    other_case = services.decision_create(actor=section_manager, unit=org["plac"], authority="jo", reference="1-2026",
                                          subject="Annat ärende", kind="jo_complaint", received_on=days(-1))
    # The file is not reachable through another case's address either.
    url = reverse("supervision:requirement-document", args=[other_case.pk, due_requirement.pk])
    assert _login(client, section_manager).get(url).status_code == 404


def test_report_back_missing_summary_is_409_and_keeps_date(client, ivo_decided, due_requirement, section_manager):
    _login(client, section_manager)
    response = _report(client, ivo_decided, due_requirement, reported_on=days(0).isoformat(), summary="")
    assert response.status_code == 409
    assert "Sammanfatta vad som redovisades" in _text(response)
    assert f'value="{days(0).isoformat()}"' in response.content.decode()
    due_requirement.refresh_from_db()
    assert due_requirement.status == Requirement.Status.OPEN


def test_report_back_refusals(client, ivo_decided, due_requirement, unit_manager, other_manager, section_manager):
    assert _report(_login(client, unit_manager), ivo_decided, due_requirement, reported_on=days(0).isoformat(),
                   summary="x").status_code == 403
    assert _report(_login(client, other_manager), ivo_decided, due_requirement, reported_on=days(0).isoformat(),
                   summary="x").status_code == 404
    _login(client, section_manager)
    bad = reverse("supervision:requirement-transition", args=[ivo_decided.pk, due_requirement.pk, "explode"])
    assert client.post(bad, {}).status_code == 404
    other_decision = services.decision_create(actor=section_manager, unit=ivo_decided.unit, authority="jo",
                                              reference="1-2026", subject="Annat", kind="jo_complaint",
                                              received_on=days(-1))
    wrong_pair = reverse("supervision:requirement-transition", args=[other_decision.pk, due_requirement.pk, "accept"])
    assert client.post(wrong_pair, {}).status_code == 404
    response = client.post(reverse("supervision:requirement-transition", args=[ivo_decided.pk, due_requirement.pk, "accept"]),
                           {})
    assert response.status_code == 409  # not reported yet
    due_requirement.refresh_from_db()
    assert due_requirement.status == Requirement.Status.OPEN


def test_add_action_to_a_requirement(client, ivo_decided, due_requirement, section_manager, unit_manager):
    _login(client, section_manager)
    url = reverse("supervision:requirement-action", args=[ivo_decided.pk, due_requirement.pk])
    response = client.post(url, {"title": "Obligatoriskt fält för skyddsbedömning", "responsible": unit_manager.pk,
                                 "due_date": days(14).isoformat(), "strength": "strong", "description": "",
                                 "effect_measure": ""})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#krav-{due_requirement.pk}")
    action = Action.objects.get(source_content_type=ContentType.objects.get_for_model(Requirement),
                                source_id=due_requirement.pk)
    assert action.responsible == unit_manager
    assert action.unit == ivo_decided.unit
    assert action.title in _text(client.get(ivo_decided.get_absolute_url()))


def test_add_action_refused_keeps_title(client, ivo_decided, due_requirement, section_manager, unit_manager):
    _login(client, section_manager)
    url = reverse("supervision:requirement-action", args=[ivo_decided.pk, due_requirement.pk])
    response = client.post(url, {"title": "Titeln som skrevs", "responsible": "", "due_date": "", "strength": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Titeln som skrevs"' in html
    assert "error-summary" in html
    assert " open" in html
    assert _login(client, unit_manager).post(url, {"title": "x"}).status_code == 400  # may add; bad input
    assert not Action.objects.exists()


# ---------------------------------------------------------------- files

def test_decision_document_download_checks_access(client, org, section_manager, other_manager, unit_manager):
    _login(client, section_manager)
    client.post(reverse("supervision:create"), _decision_post(
        org, document=SimpleUploadedFile("Beslut IVO.pdf", PDF, content_type="application/pdf")))
    ivo_case = SupervisionDecision.objects.get()
    url = reverse("supervision:document", args=[ivo_case.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Beslut IVO.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF
    assert _login(client, unit_manager).get(url).status_code == 200
    assert _login(client, other_manager).get(url).status_code == 404


def test_a_document_is_served_as_what_it_contains_not_as_its_name_says(client, org, section_manager):
    _login(client, section_manager)
    client.post(reverse("supervision:create"), _decision_post(
        org, document=SimpleUploadedFile("beslut.html", PDF, content_type="text/html")))
    response = client.get(reverse("supervision:document", args=[SupervisionDecision.objects.get().pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "beslut.html" in response["Content-Disposition"]  # the user's name is kept, as an attachment


def test_document_404_when_there_is_none(client, ivo_decided, due_requirement, section_manager):
    _login(client, section_manager)
    assert client.get(reverse("supervision:document", args=[ivo_decided.pk])).status_code == 404
    assert client.get(reverse("supervision:requirement-document",
                              args=[ivo_decided.pk, due_requirement.pk])).status_code == 404


# ---------------------------------------------------------------- the start page card

def test_start_page_card_shows_the_coming_dates(client, ivo_decided, section_manager):
    response = _login(client, section_manager).get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="card-report-backs"' in html
    text = _text(response)
    assert "Kommande redovisningar" in text
    assert days(-3).isoformat() in text
    assert "3 dagar sen" in text
    assert ivo_decided.get_absolute_url() in html


def test_start_page_card_empty_for_a_manager_without_dates(client, org, unit_manager):
    response = _login(client, unit_manager).get(reverse("core:home"))
    assert 'id="card-report-backs"' in response.content.decode()
    assert "Inga krav eller yttranden ska lämnas" in _text(response)


@pytest.mark.parametrize("persona", ["reporter", "outsider"])
def test_start_page_card_not_shown_to_others(client, ivo_decided, personas, persona):
    response = _login(client, personas[persona]).get(reverse("core:home"))
    assert response.status_code == 200
    assert 'id="card-report-backs"' not in response.content.decode()


# ---------------------------------------------------------------- bad input never answers 500

BIG = "99999999999999999999999"


def test_huge_and_odd_ids_are_refused_not_500(client, org, section_manager, ivo_decided, due_requirement):
    _login(client, section_manager)
    create = reverse("supervision:create")
    assert client.get(create, {"unit": BIG, "processes": [BIG, "x"], "deviation": BIG}).status_code == 200
    assert client.get(create, {"unit": BIG, "processes": BIG}, HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(create, _decision_post(org, unit=BIG, processes=[BIG], deviation="-" + BIG))
    assert response.status_code == 400
    response = client.post(create, _decision_post(org, processes=["-" + BIG, "abc"]))
    assert response.status_code == 400
    assert client.get(reverse("supervision:edit", args=[ivo_decided.pk]), {"unit": BIG, "processes": BIG},
                      HTTP_HX_REQUEST="true").status_code == 200
    response = client.post(reverse("supervision:requirement-add", args=[ivo_decided.pk]),
                           {"krav-ny-text": "x", "krav-ny-due_date": days(5).isoformat(), "krav-ny-process": BIG})
    assert response.status_code == 400
    response = client.post(reverse("supervision:requirement-action", args=[ivo_decided.pk, due_requirement.pk]),
                           {"title": "x", "responsible": BIG})
    assert response.status_code == 400
    assert client.get(reverse("supervision:list"), {"unit": BIG, "due_before": "99999-01-01"}).status_code == 200
    assert not SupervisionDecision.objects.exclude(pk=ivo_decided.pk).exists()
