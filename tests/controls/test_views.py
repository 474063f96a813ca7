"""The internal control pages for every persona: scope (404), read-only roles (403, no buttons),
bad input (400 with the Swedish error summary), and the plan's query count."""

import datetime

import pytest
from django.urls import reverse

from riskmgmt.controls.models import ControlCheck, ControlPoint, Frequency
from riskmgmt.deviations.models import Deviation
from tests.controls.conftest import ControlCheckFactory, ControlPointFactory

pytestmark = pytest.mark.django_db
PLAN = reverse("controls:list")


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


# ---------------------------------------------------------------- the plan

@pytest.fixture
def plan(org, today, reporter, unit_manager, other_manager, section_manager):
    """Mottagningen: a quarterly point with Q1 performed (findings) and a monthly one with
    nothing done; Placeringen: a yearly point; Missbruk (another section): one point."""
    mott_q = ControlPointFactory(unit=org["mott"], responsible=reporter, title="Stickprov: skyddsbedömning")
    ControlCheckFactory(control_point=mott_q, findings=True, description="Två brister")
    mott_m = ControlPointFactory(unit=org["mott"], responsible=unit_manager, frequency=Frequency.MONTHLY,
                                 title="Aktgranskning: förhandsbedömning inom 14 dagar")
    plac = ControlPointFactory(unit=org["plac"], responsible=section_manager, frequency=Frequency.YEARLY,
                               title="Genomgång av placerade barns vårdplaner")
    miss = ControlPointFactory(unit=org["miss"], responsible=other_manager, title="Vuxens kontrollpunkt")
    return {"mott_q": mott_q, "mott_m": mott_m, "plac": plac, "miss": miss}


@pytest.mark.parametrize(("persona", "seen", "unseen"), [
    ("unit_manager", ["Stickprov: skyddsbedömning", "förhandsbedömning inom 14"], ["vårdplaner", "Vuxens"]),
    ("section_manager", ["Stickprov: skyddsbedömning", "vårdplaner"], ["Vuxens"]),
    ("quality", ["Stickprov: skyddsbedömning", "vårdplaner", "Vuxens"], []),
    ("management", ["Stickprov: skyddsbedömning", "vårdplaner", "Vuxens"], []),
    ("other_manager", ["Vuxens"], ["Stickprov: skyddsbedömning", "vårdplaner"]),
    ("reporter", ["Stickprov: skyddsbedömning"], ["förhandsbedömning inom 14", "vårdplaner", "Vuxens"]),
    ("outsider", [], ["Stickprov: skyddsbedömning", "vårdplaner", "Vuxens"]),
])
def test_plan_shows_the_users_units_only(request, client, plan, persona, seen, unseen):
    response = _get(client, request.getfixturevalue(persona), PLAN)
    assert response.status_code == 200
    page = response.content.decode()
    for text in seen:
        assert text in page, text
    for text in unseen:
        assert text not in page, text


def test_plan_needs_login(client):
    response = client.get(PLAN)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_plan_groups_by_unit_and_shows_each_periods_state(client, plan, section_manager):
    page = _get(client, section_manager, PLAN).content.decode()
    mott, plac = (f'<h2 id="unit-{unit.pk}">{unit.name}</h2>' for unit in (plan["mott_q"].unit, plan["plac"].unit))
    assert page.index(mott) < page.index("Stickprov: skyddsbedömning") < page.index(plac) < page.index("vårdplaner")
    assert "Kvartal 1 2026:</span>\n            <span class=\"period__state\">Med brister" in page
    assert "Kvartal 2 2026:</span>\n            <span class=\"period__state\">Att göra" in page
    assert "Kvartal 3 2026:</span>\n            <span class=\"period__state\">Kommande" in page
    assert "Januari 2026:</span>\n            <span class=\"period__state\">Försenad" in page
    assert "4 försenade" in page  # January–April of the monthly point
    check = plan["mott_q"].checks.get()
    assert check.get_absolute_url() in page


def test_plan_summary_counts_and_followed(client, plan, section_manager, unit_manager):
    page = _get(client, section_manager, PLAN).content.decode()
    # 4 + 12 + 1 planned in Familjesektionen, one performed with findings, four late.
    assert "Egenkontrollen följd:" in page
    assert "<dt>Planerade kontroller</dt><dd>17</dd>" in page
    assert "<dt>Genomförda</dt><dd>1</dd>" in page
    assert "<dt>Med brister</dt><dd>1</dd>" in page
    assert "<dt>Försenade</dt><dd>4</dd>" in page
    assert "<strong>Delvis</strong>" in page
    page = _get(client, unit_manager, PLAN + f"?unit={plan['mott_q'].unit.pk}").content.decode()
    assert "<dt>Planerade kontroller</dt><dd>16</dd>" in page


def test_plan_for_another_year_and_bad_years(client, plan, unit_manager, org, reporter):
    ControlPointFactory(unit=org["mott"], responsible=reporter, year=2014, title="Gammal kontrollpunkt")
    page = _get(client, unit_manager, PLAN + "?year=2014").content.decode()
    assert "Gammal kontrollpunkt" in page
    assert "Stickprov: skyddsbedömning" not in page
    assert "<strong>Nej</strong>" in page
    # An old plan's gaps are history: not done, no longer late.
    assert "<dt>Inte gjorda</dt><dd>4</dd>" in page
    assert "Inte gjord" in page
    assert "Försenad" not in page
    for bad in ("abc", "99999", "-1", ""):
        response = client.get(PLAN + f"?year={bad}&unit=xyz")
        assert response.status_code == 200
        assert "Egenkontroll 2026" in response.content.decode()


def test_plan_buttons_follow_the_role(client, plan, unit_manager, management, reporter):
    page = _get(client, unit_manager, PLAN).content.decode()
    assert "Ny kontrollpunkt" in page
    assert reverse("controls:record", args=[plan["mott_q"].pk]) in page
    assert reverse("controls:point-edit", args=[plan["mott_q"].pk]) in page
    page = _get(client, management, PLAN).content.decode()
    assert "Ny kontrollpunkt" not in page
    assert "Registrera kontroll" not in page
    assert "/andra/" not in page
    page = _get(client, reporter, PLAN).content.decode()
    assert "Ny kontrollpunkt" not in page
    assert reverse("controls:record", args=[plan["mott_q"].pk]) in page
    assert reverse("controls:point-edit", args=[plan["mott_q"].pk]) not in page


def test_plan_without_points_says_so(client, today, unit_manager):
    page = _get(client, unit_manager, PLAN).content.decode()
    assert "Det finns inga kontrollpunkter för 2026." in page


def test_plan_query_count_is_bounded(client, org, today, section_manager, reporter, django_assert_max_num_queries):
    for index in range(40):
        point = ControlPointFactory(unit=org["mott" if index % 2 else "plac"], responsible=reporter,
                                    frequency=Frequency.MONTHLY)
        for period in point.periods()[:4]:
            ControlCheckFactory(control_point=point, period_start=period.start, findings=bool(index % 3))
    client.force_login(section_manager)
    with django_assert_max_num_queries(12):
        response = client.get(PLAN)
    assert response.status_code == 200
    assert response.content.decode().count('class="control-point"') == 40


# ---------------------------------------------------------------- control points

def _point_data(unit, responsible, **extra):
    return {"unit": unit.pk, "year": 2026, "title": "Aktgranskning: förhandsbedömning inom 14 dagar",
            "description": "Alla avslutade förhandsbedömningar under månaden.", "method": "aktgranskning",
            "frequency": "monthly", "responsible": responsible.pk, "is_active": "on", **extra}


@pytest.mark.parametrize(("persona", "status"), [
    ("unit_manager", 200), ("section_manager", 200), ("quality", 200), ("management", 403), ("reporter", 403),
    ("outsider", 403), ("other_manager", 200)])
def test_who_opens_the_new_point_form(request, client, org, persona, status):
    assert _get(client, request.getfixturevalue(persona), reverse("controls:point-create")).status_code == status


def test_create_point(client, org, today, unit_manager, reporter):
    client.force_login(unit_manager)
    response = client.post(reverse("controls:point-create"), _point_data(org["mott"], reporter))
    point = ControlPoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == point.get_absolute_url()
    assert (point.unit, point.responsible, point.frequency, point.planned_count) == (
        org["mott"], reporter, "monthly", 12)
    assert point.history.get().history_user == unit_manager


def test_create_point_form_offers_only_the_users_units(client, org, unit_manager, reporter, other_manager):
    client.force_login(unit_manager)
    page = client.get(reverse("controls:point-create")).content.decode()
    assert "Mottagningsenheten" in page
    assert "Placeringsenheten" not in page
    response = client.post(reverse("controls:point-create"), _point_data(org["plac"], reporter))
    assert response.status_code == 400
    assert not ControlPoint.objects.exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "Det här fältet är obligatoriskt."),
    ({"description": "Gäller barnet 19121212-1212."}, "personnummer"),
    ({"frequency": "weekly"}, "Välj ett giltigt alternativ"),
    ({"year": "1999"}, "Välj ett giltigt alternativ"),
])
def test_create_point_bad_input_rerenders_with_error_summary(client, org, unit_manager, reporter, change, message):
    client.force_login(unit_manager)
    response = client.post(reverse("controls:point-create"), _point_data(org["mott"], reporter, **change))
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page
    assert "fel att rätta" in page
    assert message in page
    assert not ControlPoint.objects.exists()


def test_create_point_with_a_responsible_outside_the_unit(client, org, unit_manager, other_manager):
    client.force_login(unit_manager)
    response = client.post(reverse("controls:point-create"), _point_data(org["mott"], other_manager))
    assert response.status_code == 400
    assert not ControlPoint.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("unit_manager", 200), ("section_manager", 200), ("quality", 200), ("management", 403),
    ("reporter", 403), ("other_manager", 404), ("outsider", 404)])
def test_who_opens_the_edit_form(request, client, point, persona, status):
    response = _get(client, request.getfixturevalue(persona), reverse("controls:point-edit", args=[point.pk]))
    assert response.status_code == status


def test_edit_point(client, point, unit_manager, reporter):
    client.force_login(unit_manager)
    response = client.post(reverse("controls:point-edit", args=[point.pk]), {
        "title": "Stickprov: skyddsbedömning samma dag", "description": "", "method": "stickprov",
        "frequency": "quarterly", "responsible": reporter.pk})
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.title, point.is_active) == ("Stickprov: skyddsbedömning samma dag", False)
    assert point.history.latest().history_change_reason == "update"


def test_edit_point_refuses_a_new_frequency_after_checks(client, point, check, unit_manager, reporter):
    client.force_login(unit_manager)
    response = client.post(reverse("controls:point-edit", args=[point.pk]), {
        "title": point.title, "method": "stickprov", "frequency": "monthly", "responsible": reporter.pk,
        "is_active": "on"})
    assert response.status_code == 400
    assert "Det finns redan genomförda kontroller" in response.content.decode()
    point.refresh_from_db()
    assert point.frequency == "quarterly"


def test_edit_by_management_is_refused_on_post_too(client, point, management, reporter):
    client.force_login(management)
    response = client.post(reverse("controls:point-edit", args=[point.pk]), {
        "title": "X", "method": "stickprov", "frequency": "quarterly", "responsible": reporter.pk})
    assert response.status_code == 403
    point.refresh_from_db()
    assert point.title != "X"


# ---------------------------------------------------------------- recording a check

def _check_data(performer, **extra):
    return {"period_start": "2026-01-01", "performed_on": "2026-04-02", "performed_by": performer.pk,
            "sample_size": "10", "findings": "yes", "description": "Två av tio saknade skyddsbedömning.",
            **extra}


@pytest.mark.parametrize(("persona", "status"), [
    ("reporter", 200), ("unit_manager", 200), ("section_manager", 200), ("quality", 403),
    ("management", 403), ("other_manager", 404), ("outsider", 404)])
def test_who_opens_the_record_form(request, client, today, point, persona, status):
    response = _get(client, request.getfixturevalue(persona), reverse("controls:record", args=[point.pk]))
    assert response.status_code == status


def test_record_form_offers_the_open_periods_late_first(client, today, point, reporter):
    page = _get(client, reporter, reverse("controls:record", args=[point.pk])).content.decode()
    assert '<option value="2026-01-01" selected>Kvartal 1 2026' in page
    assert "Kvartal 2 2026" in page
    assert "Kvartal 3 2026" not in page  # not begun
    assert "En kontroll är försenad: Kvartal 1 2026." in page


def test_record_a_check(client, today, point, reporter):
    client.force_login(reporter)
    response = client.post(reverse("controls:record", args=[point.pk]), _check_data(reporter))
    check = ControlCheck.objects.get()
    assert response.status_code == 302
    assert response["Location"] == check.get_absolute_url()
    assert (check.period_start, check.findings, check.sample_size, check.performed_by) == (
        datetime.date(2026, 1, 1), True, 10, reporter)
    assert check.history.get().history_user == reporter


@pytest.mark.parametrize(("change", "message"), [
    ({"performed_on": ""}, "Det här fältet är obligatoriskt."),
    ({"performed_on": "2026-05-21"}, "Datumet kan inte ligga i framtiden."),
    ({"performed_on": "2025-12-01"}, "före periodens början"),
    ({"period_start": "2026-07-01"}, "Välj ett giltigt alternativ"),
    ({"period_start": "inte-ett-datum"}, "Välj ett giltigt alternativ"),
    ({"findings": ""}, "Det här fältet är obligatoriskt."),
    ({"description": ""}, "Beskriv bristerna som hittades."),
    ({"description": "Barnet 19121212-1212 saknade plan."}, "personnummer"),
    ({"sample_size": "-3"}, "större än eller lika med 0"),
])
def test_record_bad_input_rerenders_with_error_summary(client, today, point, reporter, change, message):
    client.force_login(reporter)
    response = client.post(reverse("controls:record", args=[point.pk]), _check_data(reporter, **change))
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page
    assert message in page
    assert not ControlCheck.objects.exists()


def test_record_refused_for_read_only_roles_on_post(client, today, point, quality):
    client.force_login(quality)
    response = client.post(reverse("controls:record", args=[point.pk]), _check_data(quality))
    assert response.status_code == 403
    assert not ControlCheck.objects.exists()


def test_record_link_for_a_performed_period_goes_to_the_check(client, today, point, check, reporter):
    response = _get(client, reporter, reverse("controls:record", args=[point.pk]) + "?period=2026-01-01")
    assert response.status_code == 302
    assert response["Location"] == check.get_absolute_url()
    assert _get(client, reporter, reverse("controls:record", args=[point.pk]) + "?period=nonsens").status_code == 200


def test_record_when_nothing_is_open(client, today, org, reporter):
    point = ControlPointFactory(unit=org["mott"], responsible=reporter, year=2027)
    page = _get(client, reporter, reverse("controls:record", args=[point.pk])).content.decode()
    assert "Det finns ingen period att registrera just nu" in page


# ---------------------------------------------------------------- a check's page

@pytest.mark.parametrize(("persona", "status", "button"), [
    ("reporter", 200, True), ("unit_manager", 200, True), ("section_manager", 200, True),
    ("quality", 200, False), ("management", 200, False), ("other_manager", 404, False), ("outsider", 404, False)])
def test_check_detail_scope_and_button(request, client, check, persona, status, button):
    response = _get(client, request.getfixturevalue(persona), reverse("controls:check-detail", args=[check.pk]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Två av tio skyddsbedömningar" in page
        assert ("Rapportera avvikelse från fyndet" in page) is button
        assert 'id="action-panel"' in page


def test_check_detail_of_a_clean_check_has_no_deviation_button(client, point, reporter):
    check = ControlCheckFactory(control_point=point, findings=False)
    page = _get(client, reporter, reverse("controls:check-detail", args=[check.pk])).content.decode()
    assert "Inga brister" in page
    assert "Rapportera avvikelse från fyndet" not in page


def test_report_deviation_from_the_finding(client, check, reporter):
    client.force_login(reporter)
    response = client.post(reverse("controls:report-deviation", args=[check.pk]))
    assert response.status_code == 302
    deviation = Deviation.objects.get()
    check.refresh_from_db()
    assert check.deviation == deviation
    assert deviation.kind == "other"
    page = client.get(response["Location"]).content.decode()
    assert f"Fyndet är rapporterat som avvikelse {deviation.reference}." in page
    assert "Rapportera avvikelse från fyndet" not in page
    # A second click (another tab) is refused with the reason, not a second report.
    response = client.post(reverse("controls:report-deviation", args=[check.pk]))
    assert response.status_code == 409
    assert "redan rapporterat" in response.content.decode()
    assert Deviation.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("quality", 403), ("management", 403), ("other_manager", 404),
                                                 ("outsider", 404)])
def test_report_deviation_refused(request, client, check, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("controls:report-deviation", args=[check.pk])).status_code == status
    assert not Deviation.objects.exists()


def test_report_deviation_is_post_only(client, check, reporter):
    assert _get(client, reporter, reverse("controls:report-deviation", args=[check.pk])).status_code == 405
