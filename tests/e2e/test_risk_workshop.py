"""The yearly riskanalys in the browser (issue 6): the enhetschef opens the workshop of a planned
analysis, adds four scored risks with the keyboard (htmx, no reload; the matrix fills in), adds an
action to a high one on the risk's page, marks the analysis held; then the ledningsgrupp approves it
from the year view. The data is built here, not by seed_demo. Screenshots go to test-artifacts/."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from riskmgmt.core.fsm import transition_log_for
from riskmgmt.organisation.models import Membership
from riskmgmt.risks import services
from riskmgmt.risks.models import RiskAnalysis
from tests.factories import MembershipFactory, ProcessFactory, UnitFactory, UserFactory

from .helpers import DESKTOP, PHONE, assert_accessible, login, logout, screenshot

pytestmark = pytest.mark.e2e

PASSWORD = "losen-123"  # tests.factories.UserFactory
Role = Membership.Role
RISKS = [
    # title, type, perspective, process, probability, consequence
    ("Orosanmälan blir liggande över helgen", "Process eller rutin", "Klient/brukare", "Mottagning och förhandsbedömning", 3, 4),
    ("Hot mot handläggare vid hembesök", "Situation", "Personal", "", 2, 3),
    ("Skyddsbedömning dokumenteras inte samma dag", "Process eller rutin", "Klient/brukare", "Mottagning och förhandsbedömning", 3, 3),
    ("Trångt och lyhört samtalsrum", "Plats", "Klient/brukare", "", 2, 1),
]


@pytest.fixture
def workshop(live_server):
    """A förvaltning with one section and unit, its enhetschef, two staff and the ledningsgrupp, and
    this year's planned analysis."""
    sof = UnitFactory(code="sof", name="Socialförvaltningen", kind="administration")
    fam = UnitFactory(code="fam", name="Familjesektionen", kind="section", parent=sof)
    mott = UnitFactory(code="mott", name="Mottagningsenheten", parent=fam)
    ProcessFactory(unit=mott, name="Mottagning och förhandsbedömning")
    ProcessFactory(unit=mott, name="Utredning")
    people = {}
    for username, first, last, unit, role, title in [
        ("maria", "Maria", "Ek", mott, Role.UNIT_MANAGER, "Enhetschef"),
        ("anna", "Anna", "Nilsson", mott, Role.STAFF, "Socialsekreterare"),
        ("erik", "Erik", "Johansson", mott, Role.STAFF, "Socialsekreterare"),
        ("lena", "Lena", "Holm", sof, Role.MANAGEMENT, "Socialchef"),
    ]:
        user = UserFactory(username=username, first_name=first, last_name=last, job_title=title)
        MembershipFactory(user=user, unit=unit, role=role)
        people[username] = user
    year = timezone.localdate().year
    analysis = services.risk_analysis_create(actor=people["maria"], unit=mott, year=year,
                                             planned_on=timezone.localdate())
    return {"analysis": analysis, "unit": mott, "year": year, **people}


def submit(page: Page, button) -> None:
    with page.expect_navigation():
        button.click()


def both_widths(page: Page, name: str) -> None:
    """Screenshots at desktop and phone width, back at desktop after."""
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    screenshot(page, name)
    page.set_viewport_size(DESKTOP)


def add_risk(page: Page, title, risk_type, perspective, process, probability, consequence) -> None:
    """Fill the quick add form and press Enter in the title field, as a keyboard user does."""
    form = page.locator("#lagg-till-risk form")
    form.get_by_label("Typ av risk").select_option(label=risk_type)
    form.get_by_label("Perspektiv").select_option(label=perspective)
    form.get_by_label("Process").select_option(label=process or "Ingen särskild process")
    form.get_by_role("group", name="Sannolikhet").get_by_role("radio", name=f"{probability} ").check()
    form.get_by_role("group", name="Konsekvens").get_by_role("radio", name=f"{consequence} ").check()
    title_field = form.get_by_label("Risk", exact=True)
    title_field.fill(title)
    title_field.press("Enter")
    expect(page.locator("#riskregister")).to_contain_text(title)
    # The live part is swapped in place and focus is back in an empty title field for the next risk.
    expect(page.locator("#lagg-till-risk").get_by_label("Risk", exact=True)).to_be_focused()
    expect(page.locator("#lagg-till-risk").get_by_label("Risk", exact=True)).to_have_value("")


def test_workshop_add_risks_act_on_a_high_one_hold_and_approve(page: Page, live_server, workshop):
    analysis = workshop["analysis"]
    detail = f"{live_server.url}{reverse('risks:detail', args=[analysis.pk])}"

    # --- The enhetschef finds this year's analysis from the list.
    login(page, live_server, "maria", PASSWORD)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Riskanalyser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Riskanalyser")
    assert_accessible(page)
    both_widths(page, "risk-list-maria")
    submit(page, page.get_by_role("link", name="Fortsätt med riskerna för Mottagningsenheten"))
    assert page.url == detail
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Riskanalys {workshop['year']}")
    expect(page.locator(".rw-header__badges")).to_contain_text("Planerad")
    assert_accessible(page)
    both_widths(page, "risk-workshop-empty")

    # --- A first try without scores: a Swedish error summary, the title kept.
    form = page.locator("#lagg-till-risk form")
    form.get_by_label("Risk", exact=True).fill("Orosanmälan blir liggande över helgen")
    form.get_by_role("button", name="Lägg till risken").click()
    summary = page.locator("#lagg-till-risk .error-summary")
    expect(summary).to_contain_text("Sannolikhet")
    expect(summary).to_be_focused()
    expect(page.locator("#lagg-till-risk").get_by_label("Risk", exact=True)).to_have_value(
        "Orosanmälan blir liggande över helgen")
    assert_accessible(page)
    screenshot(page, "risk-workshop-error")

    # --- Four risks, each added with Enter; the page never reloads.
    page.evaluate("window.__same_page = true")
    for risk in RISKS:
        add_risk(page, *risk)
    assert page.evaluate("window.__same_page === true")
    expect(page.locator("#riskregister tbody tr")).to_have_count(4)
    expect(page.locator("#riskregister tbody tr").first).to_contain_text("Orosanmälan blir liggande över helgen")
    expect(page.locator(".risk-matrix caption")).to_contain_text("4 öppna risker")
    warning = page.locator("#risker-utan-atgard")
    expect(warning).to_contain_text("Orosanmälan blir liggande över helgen")
    expect(warning).to_contain_text("Skyddsbedömning dokumenteras inte samma dag")
    expect(warning).not_to_contain_text("Trångt")
    expect(page.locator("#messages")).to_contain_text("Trångt och lyhört samtalsrum” är tillagd: 2 poäng, låg")
    assert_accessible(page)
    both_widths(page, "risk-workshop-four-risks")

    # --- An action on the highest risk, from the risk's own page.
    submit(page, warning.get_by_role("link", name="Orosanmälan blir liggande över helgen"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orosanmälan blir liggande över helgen")
    expect(page.locator("#risk-needs-action")).to_contain_text("Risken saknar åtgärd.")
    panel = page.locator("#action-panel")
    panel.locator("summary", has_text="Lägg till åtgärd").click()
    panel.get_by_label("Åtgärd", exact=True).fill("Bevakning av funktionsbrevlådan lördag och söndag")
    panel.get_by_label("Ansvarig").select_option(label="Maria Ek (Enhetschef)")
    panel.get_by_label("Klart senast").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    panel.get_by_label("Stark", exact=True).check()
    panel.get_by_role("button", name="Spara åtgärd").click()
    expect(page.locator("#action-panel")).to_contain_text("Bevakning av funktionsbrevlådan lördag och söndag")
    expect(page.locator("#messages")).to_contain_text("Åtgärden är tillagd.")
    expect(page.locator("#risk-needs-action")).not_to_contain_text("Risken saknar åtgärd.")
    assert_accessible(page)
    both_widths(page, "risk-detail-with-action")

    # --- Back in the workshop the risk no longer lacks an action; the workshop is marked held.
    page.goto(detail)
    warning = page.locator("#risker-utan-atgard")
    expect(warning).not_to_contain_text("Orosanmälan blir liggande över helgen")
    expect(warning).to_contain_text("Skyddsbedömning dokumenteras inte samma dag")
    hold = page.locator("form.rw-next__form--hold")
    expect(hold.get_by_label("Datum då riskanalysen hölls")).to_have_value(timezone.localdate().isoformat())
    hold.get_by_label("Maria Ek (Enhetschef)").check()
    hold.get_by_label("Anna Nilsson (Socialsekreterare)").check()
    hold.get_by_label("Övriga deltagare").fill("Familjebehandlare från Placeringsenheten")
    for perspective in ("Klient/brukare", "Personal", "Organisation"):
        hold.get_by_label(perspective).check()
    screenshot(page, "risk-workshop-hold-form")
    submit(page, hold.get_by_role("button", name="Markera som genomförd"))
    expect(page.locator(".rw-header__badges")).to_contain_text("Genomförd")
    expect(page.locator("#messages")).to_contain_text("markerad som genomförd")
    expect(page.locator("#lagg-till-risk")).to_have_count(1)  # risks may still be added until approval
    assert_accessible(page)
    logout(page)

    # --- The ledningsgrupp approves it from the year view.
    login(page, live_server, "lena", PASSWORD)
    page.goto(f"{live_server.url}{reverse('risks:year', args=[workshop['year']])}")
    row = page.locator("tr", has_text="Mottagningsenheten")
    row.locator("summary", has_text="Godkänn").click()
    row.get_by_label("Kommentar").fill("Följ helgbevakningen särskilt i höst.")
    assert_accessible(page)
    both_widths(page, "risk-year-view-lena")
    submit(page, row.get_by_role("button", name="Godkänn riskanalysen för Mottagningsenheten"))
    assert page.url.startswith(f"{live_server.url}{reverse('risks:year', args=[workshop['year']])}")
    expect(page.locator("#messages")).to_contain_text("är godkänd")
    expect(page.locator("tr", has_text="Mottagningsenheten")).to_contain_text("Godkänd")

    page.goto(detail)
    expect(page.locator(".rw-header__badges")).to_contain_text("Godkänd")
    expect(page.locator(".rw-about")).to_contain_text("Följ helgbevakningen särskilt i höst.")
    expect(page.locator("#lagg-till-risk")).to_have_count(0)
    assert_accessible(page)
    both_widths(page, "risk-workshop-approved-lena")

    analysis = RiskAnalysis.objects.get(pk=analysis.pk)
    assert analysis.status == "approved"
    assert analysis.approved_by == workshop["lena"]
    assert {u.username for u in analysis.participants.all()} == {"maria", "anna"}
    assert analysis.risks.count() == 4
    assert [t.name for t in transition_log_for(analysis)] == ["hold", "approve"]
