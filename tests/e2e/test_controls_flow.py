"""Egenkontroll in the browser: the plan, a new control point, recording a check with findings
and reporting it as a deviation; axe on every page, screenshots at 1280 and 390 px in
test-artifacts/."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from riskmgmt.controls.demo import seed_controls
from riskmgmt.organisation.demo import seed_organisation
from tests.e2e.helpers import PHONE, assert_accessible, login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def controls_demo(live_server):
    seed_organisation(password=settings.DEMO_PASSWORD)
    seed_controls()


def _shoot(page, name):
    assert_accessible(page)
    screenshot(page, name)
    width = page.viewport_size
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    screenshot(page, name)
    page.set_viewport_size(width)


def test_plan_record_a_finding_and_report_it(page, live_server, controls_demo):
    login(page, live_server, "maria")
    page.goto(f"{live_server.url}{reverse('controls:list')}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Egenkontroll")
    expect(page.get_by_text("Egenkontrollen följd:")).to_be_visible()
    _shoot(page, "controls-plan")

    # A new point: the empty form answers with the error summary first.
    page.get_by_role("link", name="Ny kontrollpunkt").click()
    page.get_by_role("button", name="Lägg till i planen").click()
    expect(page.locator(".error-summary")).to_contain_text("fel att rätta")
    _shoot(page, "controls-point-errors")
    page.get_by_label("Vad kontrolleras").fill("Stickprov: orosanmälningar återkopplade till anmälaren")
    page.get_by_label("Stickprov").check()
    page.get_by_label("Varje kvartal").check()
    page.get_by_label("Ansvarig").select_option(label="Anna Nilsson (Socialsekreterare)")
    page.get_by_role("button", name="Lägg till i planen").click()
    expect(page.get_by_text("Kontrollpunkten är tillagd")).to_be_visible()
    expect(page.get_by_role("heading", name="Stickprov: orosanmälningar återkopplade till anmälaren")).to_be_visible()

    # Record this period's file review, with findings.
    point = page.locator("li.control-point", has=page.get_by_role(
        "heading", name="Aktgranskning: förhandsbedömning inom 14 dagar"))
    point.get_by_role("link", name="Registrera kontroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrera kontroll")
    _shoot(page, "controls-record")
    page.get_by_label("Antal granskade").fill("36")
    page.get_by_label("Ja, det fanns brister").check()
    page.get_by_label("Resultat").fill("Två av 36 förhandsbedömningar tog mer än 14 dagar utan dokumenterade skäl.")
    page.get_by_role("button", name="Spara kontrollen").click()
    expect(page.get_by_text("är registrerad")).to_be_visible()
    expect(page.get_by_role("heading", name="Åtgärder")).to_be_visible()
    _shoot(page, "controls-check")

    page.get_by_role("button", name="Rapportera avvikelse från fyndet").click()
    expect(page.locator("#messages")).to_contain_text("Fyndet är rapporterat som avvikelse AVV-")
    expect(page.get_by_role("button", name="Rapportera avvikelse från fyndet")).to_have_count(0)
    _shoot(page, "controls-check-reported")


def test_management_reads_the_2014_plan(page, live_server, controls_demo):
    login(page, live_server, "lena")
    page.goto(f"{live_server.url}{reverse('controls:list')}?year=2014")
    expect(page.locator(".control-summary__verdict")).to_contain_text("Delvis")
    expect(page.get_by_role("link", name="Ny kontrollpunkt")).to_have_count(0)
    expect(page.get_by_role("link", name="Registrera kontroll")).to_have_count(0)
    _shoot(page, "controls-plan-2014")
