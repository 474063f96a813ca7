"""The risk analysis pages by role: the units' list, planning, the live workshop (quick add with and
without htmx, the register, risks without action), hold and approve, carry-forward, one risk and its
edit form. Each view allowed, refused (403) and out of scope (404); bad input answers 400 and keeps
what was typed."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from riskmgmt.actions import services as action_services
from riskmgmt.actions.sources import action_source
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.risks import services
from riskmgmt.risks.forms import ApproveForm, RiskEditForm
from riskmgmt.risks.models import Risk, RiskAnalysis
from tests.factories import (
    DeviationFactory,
    MembershipFactory,
    ProcessFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
THIS_YEAR = TODAY().year
PERSONNUMMER = "19121212-1212"  # checksum-valid (Skatteverket's test number)
HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(analysis):
    return reverse("risks:detail", args=[analysis.pk])


def add_url(analysis):
    return reverse("risks:risk-create", args=[analysis.pk])


def transition_url(analysis, name):
    return reverse("risks:transition", args=[analysis.pk, name])


def risk_url(risk):
    return reverse("risks:risk-detail", args=[risk.pk])


def edit_url(risk):
    return reverse("risks:risk-edit", args=[risk.pk])


def add_data(**overrides):
    data = {"title": "Anmälan om oro läses för sent", "risk_type": "process", "perspective": "client",
            "process": "", "probability": "3", "consequence": "4", "description": ""}
    data.update(overrides)
    return data


def held(analysis, actor):
    return services.risk_analysis_hold(analysis=analysis, actor=actor, held_on=TODAY(), participants=[actor],
                                       perspectives=["client", "staff"])


def an_action(risk, actor, title="Bevakning av funktionsbrevlådan"):
    return action_services.action_create(source_obj=risk, actor=actor, title=title, responsible=actor,
                                         due_date=TODAY() + datetime.timedelta(days=30), strength="strong")


@pytest.fixture
def current(org, unit_manager):
    """This year's planned analysis for the mottagningsenhet."""
    return services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR)


@pytest.fixture
def last_year(org, unit_manager, make_risk):
    """Last year's analysis: an open high risk, an open low one and a closed one."""
    analysis = services.risk_analysis_create(actor=unit_manager, unit=org["mott"], year=THIS_YEAR - 1)
    make_risk(analysis, title="Ingen bevakning av brevlådan på helger", probability=3, consequence=4)
    make_risk(analysis, title="Trångt väntrum", probability=1, consequence=1, perspective="client")
    closed = make_risk(analysis, title="Faxen skickar till fel nummer", probability=2, consequence=3)
    services.risk_update(risk=closed, actor=unit_manager, status="closed")
    return analysis


# ---------------------------------------------------------------- the units' list

LIST_UNITS = {
    # persona: (units shown, may plan for mott, sees the year view link)
    "unit_manager": ({"Mottagningsenheten"}, True, False),
    "section_manager": ({"Mottagningsenheten", "Placeringsenheten"}, True, False),
    "other_manager": ({"Missbruksenheten"}, False, False),
    "reporter": ({"Mottagningsenheten"}, False, False),
    "quality": ({"Mottagningsenheten", "Placeringsenheten", "Missbruksenheten"}, False, True),
    "management": ({"Mottagningsenheten", "Placeringsenheten", "Missbruksenheten"}, False, True),
    "outsider": (set(), False, False),
}


@pytest.mark.parametrize("persona", list(LIST_UNITS))
def test_list_shows_the_units_in_scope_and_what_the_user_may_do(client, request, org, persona):
    units, plans, year_view = LIST_UNITS[persona]
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("risks:list"))

    assert response.status_code == 200
    shown = {row["unit"].name for row in response.context["rows"]}
    assert shown == units
    html = response.content.decode()
    plan_link = f'{reverse("risks:create")}?unit={org["mott"].pk}&amp;year={THIS_YEAR}'
    assert (plan_link in html) is plans
    assert (reverse("risks:year-current") in html) is year_view
    if not units:
        assert "Du har ingen roll på någon enhet" in html


def test_list_shows_this_and_last_years_analysis_and_offers_to_start_this_year(client, unit_manager, last_year):
    client.force_login(unit_manager)

    html = client.get(reverse("risks:list")).content.decode()

    assert "Starta årets riskanalys" in html
    assert reverse("risks:carry-forward", args=[last_year.pk]) in html
    assert "Planera en tom riskanalys" in html
    assert "2 öppna risker" in html
    assert "Ingen riskanalys" in html  # this year's column


def test_list_hides_the_start_buttons_once_this_years_exists(client, unit_manager, last_year, current):
    client.force_login(unit_manager)

    html = client.get(reverse("risks:list")).content.decode()

    assert "Starta årets riskanalys" not in html
    assert f'{reverse("risks:create")}?unit=' not in html
    assert detail_url(current) in html
    assert "Fortsätt med riskerna" in html


def test_staff_see_the_analyses_but_get_no_buttons(client, reporter, last_year):
    client.force_login(reporter)

    html = client.get(reverse("risks:list")).content.decode()

    assert detail_url(last_year) in html
    assert "Starta årets riskanalys" not in html


def test_list_query_count_does_not_grow_with_units(client, org, section_manager, management, unit_manager,
                                                  django_assert_max_num_queries):
    for n in range(15):
        unit = UnitFactory(code=f"enhet-{n}", name=f"Enhet {n}", parent=org["fam"])
        analysis = services.risk_analysis_create(actor=section_manager, unit=unit, year=THIS_YEAR - 1)
        services.risk_add(analysis=analysis, actor=section_manager, title="Risk", risk_type="place",
                          perspective="staff", probability=2, consequence=2)
    for user in (section_manager, management):
        client.force_login(user)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("risks:list"))
        assert response.content.decode().count("Starta årets riskanalys") == (15 if user == section_manager else 0)


def test_list_needs_login(client, org):
    response = client.get(reverse("risks:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# ---------------------------------------------------------------- planning

@pytest.mark.parametrize(("persona", "status"), [
    ("unit_manager", 200), ("section_manager", 200),
    ("reporter", 403), ("quality", 403), ("management", 403), ("outsider", 403),
])
def test_plan_form_is_for_managers(client, request, org, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("risks:create")).status_code == status


def test_plan_form_is_filled_in_from_the_list(client, org, unit_manager):
    client.force_login(unit_manager)

    form = client.get(reverse("risks:create"), {"unit": org["mott"].pk, "year": THIS_YEAR}).context["form"]

    assert str(form["unit"].value()) == str(org["mott"].pk)
    assert str(form["year"].value()) == str(THIS_YEAR)
    assert list(form.fields["unit"].queryset) == [org["mott"]]


def test_planning_creates_the_analysis_and_opens_the_workshop(client, org, unit_manager):
    client.force_login(unit_manager)

    response = client.post(reverse("risks:create"), {"unit": org["mott"].pk, "year": THIS_YEAR,
                                                     "planned_on": "2026-03-10"})

    analysis = RiskAnalysis.objects.get(unit=org["mott"], year=THIS_YEAR)
    assert response.status_code == 302
    assert response["Location"] == detail_url(analysis)
    assert analysis.status == "planned"
    assert analysis.planned_on == datetime.date(2026, 3, 10)
    assert analysis.history.get().history_user == unit_manager
    page = client.get(response["Location"])
    assert "är planerad" in page.content.decode()


def test_planning_a_second_analysis_for_the_year_answers_400_and_keeps_the_input(client, org, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(reverse("risks:create"), {"unit": org["mott"].pk, "year": THIS_YEAR,
                                                     "planned_on": "2026-04-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "har redan en riskanalys" in html
    assert 'value="2026-04-01"' in html
    assert "error-summary" in html
    assert RiskAnalysis.objects.filter(unit=org["mott"]).count() == 1


def test_planning_for_a_unit_not_managed_is_refused_as_bad_input(client, org, unit_manager):
    client.force_login(unit_manager)

    response = client.post(reverse("risks:create"), {"unit": org["miss"].pk, "year": THIS_YEAR})

    assert response.status_code == 400
    assert not RiskAnalysis.objects.exists()


# ---------------------------------------------------------------- the workshop page

WORKSHOP_ACCESS = {
    # persona: (status, has the add form, has the hold form)
    "unit_manager": (200, True, True),
    "section_manager": (200, True, True),
    "reporter": (200, False, False),
    "quality": (200, False, False),
    "management": (200, False, False),
    "other_manager": (404, False, False),
    "outsider": (404, False, False),
}


@pytest.mark.parametrize("persona", list(WORKSHOP_ACCESS))
def test_workshop_access_by_role(client, request, current, persona):
    status, adds, holds = WORKSHOP_ACCESS[persona]
    client.force_login(request.getfixturevalue(persona))

    response = client.get(detail_url(current))

    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert (add_url(current) in html) is adds
        assert (transition_url(current, "hold") in html) is holds
        assert transition_url(current, "approve") not in html
        assert ("Du kan läsa riskanalysen" in html) is not adds


def test_unknown_analysis_is_404(client, unit_manager):
    client.force_login(unit_manager)
    assert client.get(reverse("risks:detail", args=[999999])).status_code == 404


def test_workshop_shows_header_progress_register_and_matrix(client, org, unit_manager, current, make_risk):
    make_risk(current, title="Hot vid hembesök", probability=2, consequence=3, risk_type="situation",
              process=org["mottagning"])
    make_risk(current, title="Ingen bevakning på helger", probability=3, consequence=4, perspective="client")
    client.force_login(unit_manager)

    response = client.get(detail_url(current))

    html = response.content.decode()
    assert f"Riskanalys {THIS_YEAR}" in html
    assert "Mottagningsenheten" in html
    assert 'aria-current="step">Planerad' in html
    risks = response.context["risks"]
    assert [r.title for r in risks] == ["Ingen bevakning på helger", "Hot vid hembesök"]  # highest score first
    assert [r.level_label for r in risks] == ["Mycket hög", "Måttlig"]
    assert "Mottagning och förhandsbedömning" in html
    assert "Situation" in html
    assert "Riskmatris" in html
    assert response.context["matrix"]["total"] == 2


def test_high_risks_without_action_are_listed_until_they_get_one(client, unit_manager, current, make_risk):
    high = make_risk(current, title="Ingen bevakning på helger", probability=3, consequence=3)
    make_risk(current, title="Trångt väntrum", probability=1, consequence=2)
    client.force_login(unit_manager)

    response = client.get(detail_url(current))
    assert [r.title for r in response.context["without_action"]] == ["Ingen bevakning på helger"]
    assert "Risker utan åtgärd" in response.content.decode()

    an_action(high, unit_manager)
    response = client.get(detail_url(current))
    assert response.context["without_action"] == []
    html = response.content.decode()
    assert "Risker utan åtgärd" not in html
    assert "Alla risker på nivån Hög eller Mycket hög har minst en åtgärd." in html
    assert next(r for r in response.context["risks"] if r.pk == high.pk).action_count == 1


def test_a_closed_high_risk_needs_no_action(client, unit_manager, current, make_risk):
    risk = make_risk(current, probability=4, consequence=4)
    services.risk_update(risk=risk, actor=unit_manager, status="closed")
    client.force_login(unit_manager)

    assert client.get(detail_url(current)).context["without_action"] == []


def test_workshop_query_count_does_not_grow_with_risks(client, org, unit_manager, current, make_risk,
                                                      django_assert_max_num_queries):
    client.force_login(unit_manager)
    for n in range(3):
        make_risk(current, title=f"Risk {n}", process=org["mottagning"])
    with django_assert_max_num_queries(20) as few:
        client.get(detail_url(current))
    for n in range(3, 20):
        risk = make_risk(current, title=f"Risk {n}", process=org["mottagning"], probability=4)
        if n % 2:
            an_action(risk, unit_manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(detail_url(current))
    assert len(response.context["risks"]) == 20


# ---------------------------------------------------------------- quick add

def test_add_without_js_saves_and_returns_to_the_form(client, org, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(add_url(current), add_data(process=org["mottagning"].pk,
                                                      description="Brevlådan läses bara vardagar."))

    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(current)}?lagt-till=1#lagg-till-risk"
    risk = current.risks.get()
    assert (risk.title, risk.probability, risk.consequence, risk.process) == (
        "Anmälan om oro läses för sent", 3, 4, org["mottagning"])
    assert risk.history.get().history_user == unit_manager
    page = client.get(response["Location"])
    assert "är tillagd: 12 poäng, mycket hög" in page.content.decode()
    assert page.context["add_form"].fields["title"].widget.attrs["autofocus"]
    assert "autofocus" not in client.get(detail_url(current)).context["add_form"].fields["title"].widget.attrs


def test_add_with_htmx_swaps_the_live_part_and_focuses_the_title(client, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(add_url(current), add_data(perspective="staff", risk_type="place"), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="workshop-live"' in html
    assert "Anmälan om oro läses för sent" in html  # in the register
    assert 'id="messages" class="messages" role="status" aria-live="polite" hx-swap-oob="true"' in html
    assert "är tillagd: 12 poäng, mycket hög" in html  # the message, out of band
    assert "Risker utan åtgärd" in html  # 3 × 4 is very high, no action yet
    form = response.context["add_form"]
    assert form.fields["title"].widget.attrs.get("autofocus")
    assert not form.is_bound
    assert (form.initial["risk_type"], form.initial["perspective"]) == ("place", "staff")  # kept for the next one
    assert response.context["matrix"]["total"] == 1


def test_add_with_missing_scores_answers_400_with_the_typed_title(client, unit_manager, current):
    client.force_login(unit_manager)

    for extra in ({}, HTMX):
        response = client.post(add_url(current), add_data(probability="", consequence="9"), **extra)

        assert response.status_code == 400
        html = response.content.decode()
        assert "error-summary" in html
        assert 'value="Anmälan om oro läses för sent"' in html
        form = response.context["add_form"]
        assert set(form.errors) == {"probability", "consequence"}
    assert not current.risks.exists()


def test_a_refused_add_marks_the_score_radios_and_keeps_the_choice(client, unit_manager, current):
    client.force_login(unit_manager)

    html = client.post(add_url(current), add_data(probability="3", consequence="")).content.decode()

    assert 'value="3" required id="id_probability_2" checked>' in html
    assert 'value="1" required aria-invalid="true" id="id_consequence_0">' in html
    assert 'aria-invalid="true" id="id_probability_' not in html


def test_add_refuses_a_personnummer_in_the_title(client, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(add_url(current), add_data(title=f"Barnet {PERSONNUMMER} väntade"), **HTMX)

    assert response.status_code == 400
    assert "personnummer" in " ".join(response.context["add_form"].errors["title"]).lower()
    assert not current.risks.exists()


def test_add_refuses_another_units_process(client, org, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(add_url(current), add_data(process=org["placering"].pk))

    assert response.status_code == 400
    assert "process" in response.context["add_form"].errors


def test_add_to_an_approved_analysis_answers_409(client, unit_manager, management, current, make_risk):
    make_risk(current)
    held(current, unit_manager)
    services.risk_analysis_approve(analysis=current, actor=management)
    client.force_login(unit_manager)

    assert add_url(current) not in client.get(detail_url(current)).content.decode()
    response = client.post(add_url(current), add_data())

    assert response.status_code == 409
    assert "nästa års analys" in response.content.decode()
    assert current.risks.count() == 1


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 403), ("quality", 403), ("management", 403), ("other_manager", 404), ("outsider", 404),
])
def test_add_is_the_managers(client, request, current, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.post(add_url(current), add_data()).status_code == status
    assert not current.risks.exists()


def test_the_section_manager_adds_risks_to_the_units_analysis(client, section_manager, current):
    client.force_login(section_manager)

    response = client.post(add_url(current), add_data(), **HTMX)

    assert response.status_code == 200
    assert current.risks.get().history.get().history_user == section_manager


def test_add_by_get_goes_back_to_the_form(client, unit_manager, current):
    client.force_login(unit_manager)
    response = client.get(add_url(current))
    assert response.status_code == 302
    assert response["Location"].endswith("#lagg-till-risk")


def test_add_checks_csrf(unit_manager, current):
    client = Client(enforce_csrf_checks=True)
    client.force_login(unit_manager)

    assert client.post(add_url(current), add_data()).status_code == 403
    assert not current.risks.exists()


# ---------------------------------------------------------------- hold and approve

def test_hold_records_the_workshop(client, org, unit_manager, reporter, current, make_risk):
    make_risk(current)
    client.force_login(unit_manager)
    page = client.get(detail_url(current))
    people = {str(u.pk) for u in page.context["transitions"][0]["form"].fields["participants"].queryset}
    assert str(reporter.pk) in people

    response = client.post(transition_url(current, "hold"), {
        "held_on": TODAY().isoformat(), "participants": [unit_manager.pk, reporter.pk],
        "participants_text": "Familjebehandlare från Placeringsenheten", "perspectives": ["client", "staff"]})

    assert response.status_code == 302
    assert response["Location"] == detail_url(current)
    current.refresh_from_db()
    assert current.status == "held"
    assert set(current.participants.all()) == {unit_manager, reporter}
    assert current.perspectives == ["client", "staff"]
    log = transition_log_for(current).get(name="hold")
    assert (log.by, log.source, log.target) == (unit_manager, "planned", "held")
    assert current.history.first().history_change_reason == "hold"
    html = client.get(detail_url(current)).content.decode()
    assert "Markera som genomförd" in html  # the log names the step
    assert "Familjebehandlare från Placeringsenheten" in html
    assert 'aria-current="step">Genomförd' in html


def test_hold_without_its_facts_answers_409_naming_what_is_missing(client, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(transition_url(current, "hold"), {"held_on": "", "participants_text": "",
                                                              "perspectives": []})

    assert response.status_code == 409
    form = next(t["form"] for t in response.context["transitions"] if t["name"] == "hold")
    assert {"held_on", "participants", "perspectives"} <= set(form.errors)
    html = response.content.decode()
    assert "Ange vilka som deltog." in html
    current.refresh_from_db()
    assert current.status == "planned"


def test_hold_in_the_future_answers_400_and_keeps_the_input(client, unit_manager, current):
    client.force_login(unit_manager)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()

    response = client.post(transition_url(current, "hold"), {
        "held_on": tomorrow, "participants_text": "Hela arbetsgruppen", "perspectives": ["client"]})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Datumet kan inte ligga i framtiden." in html
    assert "Hela arbetsgruppen" in html
    assert f'value="{tomorrow}"' in html
    current.refresh_from_db()
    assert current.status == "planned"


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 403), ("quality", 403), ("management", 403), ("other_manager", 404), ("outsider", 404),
])
def test_hold_is_the_managers(client, request, current, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(transition_url(current, "hold"), {"held_on": TODAY().isoformat(),
                                                             "participants_text": "Alla", "perspectives": ["staff"]})
    assert response.status_code == status
    current.refresh_from_db()
    assert current.status == "planned"


def test_section_manager_may_hold_the_units_workshop(client, section_manager, current):
    client.force_login(section_manager)

    response = client.post(transition_url(current, "hold"), {
        "held_on": TODAY().isoformat(), "participants": [section_manager.pk], "perspectives": ["staff"]})

    assert response.status_code == 302
    current.refresh_from_db()
    assert current.status == "held"
    assert transition_log_for(current).get(name="hold").by == section_manager


def test_hold_offers_the_units_people_and_the_managers_above_it_only(client, org, unit_manager, reporter,
                                                                     section_manager, other_manager, quality,
                                                                     management, current):
    elsewhere = UserFactory(username="plac-staff")
    MembershipFactory(user=elsewhere, unit=org["plac"], role="staff")
    client.force_login(unit_manager)

    form = next(t["form"] for t in client.get(detail_url(current)).context["transitions"] if t["name"] == "hold")

    assert set(form.fields["participants"].queryset) == {unit_manager, reporter, section_manager}
    response = client.post(transition_url(current, "hold"), {
        "held_on": TODAY().isoformat(), "participants": [unit_manager.pk, elsewhere.pk], "perspectives": ["staff"]})
    assert response.status_code == 400
    current.refresh_from_db()
    assert current.status == "planned"


@pytest.mark.parametrize("participant", ["99999999999999999999", "-99999999999999999999", "abc"])
def test_hold_with_an_impossible_participant_id_answers_400(client, unit_manager, current, participant):
    client.force_login(unit_manager)

    response = client.post(transition_url(current, "hold"), {
        "held_on": TODAY().isoformat(), "participants": [participant], "perspectives": ["staff"]})

    assert response.status_code == 400
    form = next(t["form"] for t in response.context["transitions"] if t["name"] == "hold")
    assert "participants" in form.errors
    current.refresh_from_db()
    assert current.status == "planned"


def test_hold_refusal_puts_each_missing_fact_at_its_field_once(client, unit_manager, current):
    client.force_login(unit_manager)

    response = client.post(transition_url(current, "hold"), {"held_on": "", "participants_text": "",
                                                              "perspectives": []})

    assert response.status_code == 409
    form = next(t["form"] for t in response.context["transitions"] if t["name"] == "hold")
    assert form.errors == {"held_on": ["Ange när riskanalysen hölls."],
                           "participants": ["Ange vilka som deltog."],
                           "perspectives": ["Ange vilka perspektiv som täcktes."]}
    html = response.content.decode()
    assert "Det finns 3 fel att rätta" in html
    assert '<a href="#id_participants_0">Deltagare: Ange vilka som deltog.</a>' in html


def test_a_second_hold_answers_409_and_keeps_the_first(client, unit_manager, current):
    client.force_login(unit_manager)
    data = {"held_on": TODAY().isoformat(), "participants_text": "Alla", "perspectives": ["staff"]}

    assert client.post(transition_url(current, "hold"), data).status_code == 302
    response = client.post(transition_url(current, "hold"), {**data, "participants_text": "Några"})

    assert response.status_code == 409
    current.refresh_from_db()
    assert (current.status, current.participants_text) == ("held", "Alla")
    assert transition_log_for(current).filter(name="hold").count() == 1


def test_approve_by_management_with_a_comment(client, unit_manager, management, current, make_risk):
    make_risk(current)
    held(current, unit_manager)
    client.force_login(management)
    page = client.get(detail_url(current)).content.decode()
    assert transition_url(current, "approve") in page
    assert transition_url(current, "hold") not in page

    response = client.post(transition_url(current, "approve"), {"comment": "Följ hembesöken särskilt."})

    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.status, current.approved_by, current.approved_on) == ("approved", management, TODAY())
    assert current.approval_comment == "Följ hembesöken särskilt."
    log = transition_log_for(current).get(name="approve")
    assert (log.by, log.comment) == (management, "Följ hembesöken särskilt.")
    html = client.get(detail_url(current)).content.decode()
    assert "Följ hembesöken särskilt." in html
    assert "är godkänd" in html


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                       "javascript:alert(1)", "http:///evil.example/"])
def test_approve_returns_to_a_posted_page_on_this_site_only(client, unit_manager, management, current, elsewhere):
    held(current, unit_manager)
    client.force_login(management)
    year_view = reverse("risks:year", args=[THIS_YEAR])

    response = client.post(transition_url(current, "approve"), {"comment": "", "next": elsewhere})
    assert response["Location"] == detail_url(current)

    other = services.risk_analysis_create(actor=unit_manager, unit=current.unit, year=THIS_YEAR + 1)
    held(other, unit_manager)
    response = client.post(transition_url(other, "approve"), {"comment": "", "next": year_view})
    assert response["Location"] == year_view


@pytest.mark.parametrize(("persona", "status"), [
    ("unit_manager", 403), ("section_manager", 403), ("quality", 403), ("reporter", 403), ("other_manager", 404),
    ("outsider", 404),
])
def test_approve_is_the_ledningsgrupps_never_the_units_own(client, request, unit_manager, current, persona, status):
    held(current, unit_manager)
    client.force_login(request.getfixturevalue(persona))

    assert client.post(transition_url(current, "approve"), {"comment": ""}).status_code == status
    current.refresh_from_db()
    assert current.status == "held"


def test_the_units_own_manager_may_not_approve_even_in_the_ledningsgrupp(client, org, unit_manager, current):
    held(current, unit_manager)
    MembershipFactory(user=unit_manager, unit=org["sof"], role="management")
    client.force_login(unit_manager)

    assert transition_url(current, "approve") not in client.get(detail_url(current)).content.decode()
    assert client.post(transition_url(current, "approve"), {"comment": ""}).status_code == 403
    current.refresh_from_db()
    assert current.status == "held"


def test_approve_comment_with_a_personnummer_is_refused_at_the_field(client, unit_manager, management, current):
    held(current, unit_manager)
    client.force_login(management)

    response = client.post(transition_url(current, "approve"), {"comment": f"Gäller {PERSONNUMMER}"})

    assert response.status_code == 400
    form = next(t["form"] for t in response.context["transitions"] if t["name"] == "approve")
    assert list(form.errors) == ["comment"]
    assert "personnummer" in form.errors["comment"][0]
    assert '<a href="#id_comment">' in response.content.decode()
    current.refresh_from_db()
    assert (current.status, current.approval_comment) == ("held", "")


def test_approve_before_the_workshop_answers_409(client, management, current):
    client.force_login(management)

    response = client.post(transition_url(current, "approve"), {"comment": "Bra"})

    assert response.status_code == 409
    assert "Det går inte att godkänn" in response.content.decode()
    current.refresh_from_db()
    assert current.status == "planned"


def test_unknown_transition_is_404_and_get_is_405(client, unit_manager, current):
    client.force_login(unit_manager)
    assert client.post(transition_url(current, "delete")).status_code == 404
    assert client.get(transition_url(current, "hold")).status_code == 405


# ---------------------------------------------------------------- carry-forward

def test_carry_forward_copies_open_risks_with_links_back(client, unit_manager, last_year):
    client.force_login(unit_manager)

    response = client.post(reverse("risks:carry-forward", args=[last_year.pk]))

    new = RiskAnalysis.objects.get(unit=last_year.unit, year=THIS_YEAR)
    assert response.status_code == 302
    assert response["Location"] == detail_url(new)
    copies = list(new.risks.select_related("predecessor").order_by("pk"))
    assert [r.title for r in copies] == ["Ingen bevakning av brevlådan på helger", "Trångt väntrum"]
    assert all(r.predecessor.analysis_id == last_year.pk for r in copies)
    html = client.get(response["Location"]).content.decode()
    assert f"startad med 2 öppna risker från {THIS_YEAR - 1}" in html
    assert "Från förra året" in html


def test_carry_forward_twice_answers_409_with_a_message(client, unit_manager, last_year, current):
    client.force_login(unit_manager)

    response = client.post(reverse("risks:carry-forward", args=[last_year.pk]))

    assert response.status_code == 409
    assert f"Det finns redan en riskanalys för {THIS_YEAR}." in response.content.decode()
    assert not current.risks.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 403), ("management", 403), ("other_manager", 404), ("outsider", 404),
])
def test_carry_forward_is_the_managers(client, request, last_year, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("risks:carry-forward", args=[last_year.pk])).status_code == status
    assert not RiskAnalysis.objects.filter(year=THIS_YEAR).exists()


def test_the_section_manager_may_carry_forward_but_not_the_quality_coordinator(client, section_manager, quality,
                                                                             last_year):
    url = reverse("risks:carry-forward", args=[last_year.pk])
    client.force_login(quality)
    assert client.post(url).status_code == 403
    assert not RiskAnalysis.objects.filter(year=THIS_YEAR).exists()

    client.force_login(section_manager)
    response = client.post(url)

    new = RiskAnalysis.objects.get(unit=last_year.unit, year=THIS_YEAR)
    assert response["Location"] == detail_url(new)
    assert new.risks.count() == 2


def test_an_earlier_years_workshop_offers_the_next_year(client, unit_manager, reporter, last_year):
    client.force_login(unit_manager)
    assert reverse("risks:carry-forward", args=[last_year.pk]) in client.get(detail_url(last_year)).content.decode()
    client.force_login(reporter)
    assert reverse("risks:carry-forward", args=[last_year.pk]) not in client.get(
        detail_url(last_year)).content.decode()


# ---------------------------------------------------------------- one risk

RISK_ACCESS = {
    # persona: (status, may edit and add actions)
    "unit_manager": (200, True),
    "section_manager": (200, True),
    "reporter": (200, False),
    "quality": (200, False),
    "management": (200, False),
    "other_manager": (404, False),
    "outsider": (404, False),
}


@pytest.mark.parametrize("persona", list(RISK_ACCESS))
def test_risk_page_access_by_role(client, request, current, make_risk, persona):
    status, edits = RISK_ACCESS[persona]
    risk = make_risk(current, probability=3, consequence=3)
    client.force_login(request.getfixturevalue(persona))

    response = client.get(risk_url(risk))

    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert (edit_url(risk) in html) is edits
        assert (reverse("actions:create", args=["risk", risk.pk]) in html) is edits
        assert "Risken saknar åtgärd." in html


def test_risk_page_shows_scores_links_and_history(client, org, unit_manager, last_year):
    old = last_year.risks.get(title="Ingen bevakning av brevlådan på helger")
    new = services.risk_analysis_carry_forward(analysis=last_year, actor=unit_manager)
    copy = new.risks.get(predecessor=old)
    services.risk_update(risk=copy, actor=unit_manager, residual_probability=1, residual_consequence=4)
    client.force_login(unit_manager)

    html = client.get(risk_url(copy)).content.decode()
    assert "Stor – ungefär en gång i veckan" in html
    assert "Katastrofal" in html
    assert "1 × 4 = <strong>4</strong>" in html
    assert risk_url(old) in html
    assert "Förd vidare från förra årets riskanalys" in html
    assert "sannolikhet efter åtgärder (– → 1)" in html

    old_html = client.get(risk_url(old)).content.decode()
    assert "Följande år" in old_html
    assert risk_url(copy) in old_html


def test_risk_page_links_the_deviation_it_was_raised_from(client, org, unit_manager, reporter):
    deviation = DeviationFactory(unit=org["mott"], reporter=reporter)
    risk = services.risk_raise_from(source_obj=deviation, unit=org["mott"], actor=unit_manager,
                                    title="Utskrifter blir liggande")
    client.force_login(unit_manager)

    html = client.get(risk_url(risk)).content.decode()

    assert deviation.get_absolute_url() in html
    assert deviation.reference in html


def test_an_action_added_on_the_risk_page_returns_there(client, unit_manager, current, make_risk):
    risk = make_risk(current, probability=4, consequence=3)
    client.force_login(unit_manager)

    response = client.post(reverse("actions:create", args=["risk", risk.pk]), {
        "title": "Helgbevakning av brevlådan", "responsible": unit_manager.pk,
        "due_date": (TODAY() + datetime.timedelta(days=20)).isoformat(), "strength": "strong",
        "next": risk_url(risk)})

    assert response.status_code == 302
    assert response["Location"] == risk_url(risk)
    assert client.get(detail_url(current)).context["without_action"] == []


def test_action_source_links_to_the_risk_page(current, make_risk):
    risk = make_risk(current)
    assert action_source("risk").url_of(risk) == risk_url(risk)


def test_risk_page_query_count_does_not_grow_with_actions_or_history(client, unit_manager, last_year,
                                                                      django_assert_max_num_queries):
    old = last_year.risks.get(title="Ingen bevakning av brevlådan på helger")
    risk = services.risk_analysis_carry_forward(analysis=last_year, actor=unit_manager).risks.get(predecessor=old)
    client.force_login(unit_manager)
    client.get(risk_url(risk))
    with django_assert_max_num_queries(40) as few:
        client.get(risk_url(risk))
    for n in range(8):
        an_action(risk, unit_manager, title=f"Åtgärd {n}")
        services.risk_update(risk=risk, actor=unit_manager, probability=1 + n % 4)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(risk_url(risk))
    assert len(response.context["history"]) == 9


# ---------------------------------------------------------------- edit

@pytest.mark.parametrize(("persona", "status"), [
    ("unit_manager", 200), ("section_manager", 200), ("reporter", 403), ("quality", 403), ("management", 403),
    ("other_manager", 404), ("outsider", 404),
])
def test_edit_form_is_the_managers(client, request, current, make_risk, persona, status):
    risk = make_risk(current)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(edit_url(risk)).status_code == status
    assert client.post(edit_url(risk), {"form": "status", "status": "closed"}).status_code in (status, 302)
    risk.refresh_from_db()
    assert (risk.status == "closed") is (status == 200)


def edit_data(risk, **overrides):
    data = {"title": risk.title, "description": risk.description, "process": "",
            "probability": risk.probability, "consequence": risk.consequence,
            "residual_probability": "", "residual_consequence": ""}
    data.update(overrides)
    return data


def test_edit_rescores_records_residual_and_escalates(client, unit_manager, current, make_risk):
    risk = make_risk(current, probability=3, consequence=3)
    client.force_login(unit_manager)

    response = client.post(edit_url(risk), edit_data(
        risk, probability=4, residual_probability=2, residual_consequence=2, escalated="on",
        escalation_reason="Enheten kan inte själv ordna helgbevakning."))

    assert response.status_code == 302
    assert response["Location"] == risk_url(risk)
    risk.refresh_from_db()
    assert (risk.probability, risk.residual_probability, risk.residual_consequence) == (4, 2, 2)
    assert risk.escalated
    record = risk.history.first()
    assert (record.history_change_reason, record.history_user) == ("update", unit_manager)
    html = client.get(detail_url(current)).content.decode()
    assert "Lyft till sektionen" in html
    assert "2 × 2 = 4" in html


def test_escalating_without_a_reason_answers_400_and_keeps_the_input(client, unit_manager, current, make_risk):
    risk = make_risk(current, title="Hot vid hembesök")
    client.force_login(unit_manager)

    response = client.post(edit_url(risk), edit_data(risk, title="Hot vid hembesök på kvällstid", escalated="on"))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Ange varför risken lyfts till sektionen." in html
    assert 'value="Hot vid hembesök på kvällstid"' in html
    assert "<h1>Ändra risken</h1>" in html
    risk.refresh_from_db()
    assert (risk.title, risk.escalated) == ("Hot vid hembesök", False)


@pytest.mark.parametrize("score", ["7", "99999999999999999999", "-1", "tre"])
def test_edit_with_a_bad_score_answers_400(client, unit_manager, current, make_risk, score):
    risk = make_risk(current)
    client.force_login(unit_manager)

    response = client.post(edit_url(risk), edit_data(risk, probability=score, residual_consequence=score))

    assert response.status_code == 400
    assert {"probability", "residual_consequence"} <= set(response.context["form"].errors)
    risk.refresh_from_db()
    assert risk.probability == 3


def test_close_and_reopen_a_risk(client, unit_manager, current, make_risk):
    risk = make_risk(current)
    client.force_login(unit_manager)

    response = client.post(edit_url(risk), {"form": "status", "status": "closed"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.status == "closed"
    assert "följer inte med" in client.get(risk_url(risk)).content.decode()

    client.post(edit_url(risk), {"form": "status", "status": "open"})
    risk.refresh_from_db()
    assert risk.status == "open"
    assert risk.history.count() == 3

    response = client.post(edit_url(risk), {"form": "status", "status": "deleted"})
    assert response.status_code == 400
    risk.refresh_from_db()
    assert risk.status == "open"


def test_risk_of_a_process_keeps_it_on_edit(client, org, unit_manager, current, make_risk):
    other = ProcessFactory(unit=org["mott"], name="Utredning")
    risk = make_risk(current, process=org["mottagning"])
    client.force_login(unit_manager)

    form = client.get(edit_url(risk)).context["form"]
    assert form["process"].value() == org["mottagning"].pk

    client.post(edit_url(risk), edit_data(risk, process=other.pk))
    risk.refresh_from_db()
    assert risk.process == other
    assert ContentType.objects.get_for_model(Risk)  # the risk stays an action source


def test_edit_keeps_a_process_that_is_no_longer_active(client, org, unit_manager, current, make_risk):
    risk = make_risk(current, process=org["mottagning"])
    org["mottagning"].is_active = False
    org["mottagning"].save()
    client.force_login(unit_manager)

    form = client.get(edit_url(risk)).context["form"]
    assert org["mottagning"] in form.fields["process"].queryset
    assert 'selected>Mottagning och förhandsbedömning' in str(form["process"])
    response = client.post(edit_url(risk), edit_data(risk, process=org["mottagning"].pk, probability=4))

    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.process, risk.probability) == (org["mottagning"], 4)
    add_form = client.get(detail_url(current)).context["add_form"]
    assert org["mottagning"] not in add_form.fields["process"].queryset  # new risks only get active ones


def test_escalation_reason_with_a_personnummer_is_refused_at_the_field(client, unit_manager, current, make_risk):
    risk = make_risk(current)
    client.force_login(unit_manager)

    response = client.post(edit_url(risk), edit_data(risk, escalated="on",
                                                     escalation_reason=f"Barnet {PERSONNUMMER} far illa"))

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["escalation_reason"]
    assert '<a href="#id_escalation_reason">' in response.content.decode()
    risk.refresh_from_db()
    assert (risk.escalated, risk.escalation_reason) == (False, "")


# ---------------------------------------------------------------- personnummer (DOMAIN.md A9)

def test_the_forms_refuse_a_personnummer_before_the_service(org):
    approve = ApproveForm({"comment": f"Se {PERSONNUMMER}"})
    edit = RiskEditForm({"title": "Risk", "probability": "2", "consequence": "2", "escalated": "on",
                         "escalation_reason": f"Se {PERSONNUMMER}"}, unit=org["mott"])

    assert not approve.is_valid()
    assert "personnummer" in " ".join(approve.errors["comment"])
    assert not edit.is_valid()
    assert "personnummer" in " ".join(edit.errors["escalation_reason"])


def test_the_models_refuse_a_personnummer_in_approval_comment_and_escalation_reason(current, make_risk):
    current.approval_comment = f"Se {PERSONNUMMER}"
    with pytest.raises(ValidationError) as analysis_error:
        current.full_clean(exclude=["unit", "year"])
    assert list(analysis_error.value.message_dict) == ["approval_comment"]

    risk = make_risk(current)
    risk.escalation_reason = f"Se {PERSONNUMMER}"
    with pytest.raises(ValidationError) as risk_error:
        risk.full_clean(exclude=["analysis", "process", "predecessor", "source_content_type", "score"])
    assert list(risk_error.value.message_dict) == ["escalation_reason"]
