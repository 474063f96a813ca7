"""A supervision decision in the browser: the section manager sees the coming report-back date on
the start page, opens the decision, adds an action to a requirement, records the report-back and
opens the process page, which shows the decision, the requirement, the risk and the action.
Screenshots of every page at desktop and phone width go to test-artifacts/."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from riskmgmt.organisation.models import Process, Unit
from riskmgmt.supervision import services

from .helpers import DESKTOP, PHONE, assert_accessible, login, screenshot

pytestmark = pytest.mark.e2e
REFERENCE = "8.5-40412/2026"


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def ivo_decision(demo_data):
    """IVO's criticism of Mottagningsenheten with two requirements to report back, one raised as a risk."""
    sara = get_user_model().objects.get(username="sara")
    maria = get_user_model().objects.get(username="maria")
    unit = Unit.objects.get(code="fam-mott")
    process = Process.objects.get(unit=unit, name="Mottagning och förhandsbedömning")
    decision = services.decision_create(
        actor=sara, unit=unit, authority="ivo", reference=REFERENCE, kind="supervision",
        subject="Handläggning av orosanmälningar som kommer in på fredagar", received_on=_day(-45),
        processes=[process])
    services.decision_request_statement(decision=decision, actor=sara, requested_on=_day(-44), due_date=_day(-30),
                                        description="Redogör för hur inkorgen bevakas efter kontorstid.")
    services.statement_submit(statement=decision.statement_requests.get(), actor=sara, submitted_on=_day(-32))
    services.decision_record(decision=decision, actor=sara, decided_on=_day(-12), outcome="criticism",
                             summary="IVO riktar kritik mot att skyddsbedömningar har dröjt över helger och "
                                     "begär en redovisning av vidtagna åtgärder.")
    first = services.requirement_add(
        decision=decision, actor=sara, due_date=_day(18), process=process,
        text="Redovisa hur nämnden säkerställer att en skyddsbedömning görs samma dag som en anmälan kommer in.")
    services.requirement_add(
        decision=decision, actor=sara, due_date=_day(40), process=process,
        text="Redovisa hur anmälningar som kommer in efter kontorstid bevakas.")
    services.requirement_raise_as_risk(requirement=first, actor=maria, probability=3, consequence=4,
                                       title="Skyddsbedömning görs inte samma dag")
    return decision


def test_section_manager_follows_up_an_ivo_decision(page, live_server, ivo_decision):
    decision = ivo_decision
    first = decision.requirements.order_by("due_date").first()
    process = decision.processes.get()
    login(page, live_server, "sara")

    # --- The start page shows the coming report-back date.
    card = page.locator("#card-report-backs")
    expect(card).to_contain_text("Kommande redovisningar")
    expect(card).to_contain_text(_day(18).isoformat())
    expect(card).to_contain_text("om 18 dagar")
    assert_accessible(page)
    screenshot(page, "supervision-home-card")

    # --- The list and the calendar of coming dates.
    page.goto(f"{live_server.url}{reverse('supervision:list')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillsyn")
    expect(page.get_by_role("link", name="Registrera beslut")).to_be_visible()
    expect(page.locator("table")).to_contain_text(REFERENCE)
    assert_accessible(page)
    screenshot(page, "supervision-list")
    page.get_by_role("link", name="Kommande redovisningar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommande redovisningar")
    expect(page.locator(".due-list").first).to_contain_text(REFERENCE)
    assert_accessible(page)
    screenshot(page, "supervision-upcoming")

    # --- The decision form (looked at, not sent).
    page.goto(f"{live_server.url}{reverse('supervision:create')}")
    page.get_by_label("Enhet", exact=True).select_option(label="– Mottagningsenheten")
    expect(page.locator("#unit-choices")).to_contain_text("Skyddsbedömning")
    expect(page.locator("#unit-choices")).not_to_contain_text("Placering i familjehem")
    assert_accessible(page)
    screenshot(page, "supervision-decision-form")

    # --- From the start page to the decision.
    page.goto(f"{live_server.url}{reverse('core:home')}")
    with page.expect_navigation():
        page.locator("#card-report-backs").get_by_role("link", name=f"IVO dnr {REFERENCE}").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Handläggning av orosanmälningar")
    expect(page.locator(".case-header__badges")).to_contain_text("Beslut meddelat")
    expect(page.locator(".case-header__badges")).to_contain_text("Kritik")
    requirement = page.locator(f"#krav-{first.pk}")
    expect(requirement).to_contain_text("Krav 1")
    expect(requirement).to_contain_text("om 18 dagar")
    expect(requirement).to_contain_text("Skyddsbedömning görs inte samma dag")  # the risk raised from it
    assert_accessible(page)
    screenshot(page, "supervision-decision")

    # --- An action on the first requirement.
    requirement.locator("summary", has_text="Lägg till åtgärd för krav 1").click()
    form = requirement.locator("form").filter(has=page.get_by_role("button", name="Spara åtgärd"))
    form.get_by_label("Åtgärd", exact=True).fill("Obligatoriskt fält för skyddsbedömning i journalmallen")
    form.get_by_label("Ansvarig").select_option(label="Maria Ek (Enhetschef)")
    form.get_by_label("Klart senast").fill(_day(10).isoformat())
    form.get_by_label("Stark", exact=True).check()
    form.get_by_label("Hur effekten ska mätas").fill("Stickprov på tio anmälningar i månaden.")
    with page.expect_navigation():
        form.get_by_role("button", name="Spara åtgärd").click()
    expect(page.locator(".messages")).to_contain_text("Åtgärden är tillagd till krav 1")
    requirement = page.locator(f"#krav-{first.pk}")
    expect(requirement.locator("table")).to_contain_text("Obligatoriskt fält för skyddsbedömning")
    expect(requirement.locator("table")).to_contain_text("Maria Ek")

    # --- The report-back of the first requirement.
    requirement.locator("summary", has_text="Registrera redovisning av krav 1").click()
    report = requirement.locator("form").filter(has=page.get_by_role("button", name="Registrera redovisningen"))
    report.get_by_label("Redovisningen skickades").fill(_day(0).isoformat())
    report.get_by_label("Vad som redovisades").fill(
        "Journalmallen har fått ett obligatoriskt fält för skyddsbedömning. Enhetschefen följer upp med "
        "stickprov varje månad.")
    screenshot(page, "supervision-report-form")
    with page.expect_navigation():
        report.get_by_role("button", name="Registrera redovisningen").click()
    expect(page.locator(".messages")).to_contain_text("Redovisningen av kravet är registrerad")
    expect(page.locator(".case-header__badges")).to_contain_text("Redovisning pågår")
    requirement = page.locator(f"#krav-{first.pk}")
    expect(requirement).to_contain_text("Redovisat")
    expect(requirement).to_contain_text("Journalmallen har fått ett obligatoriskt fält")
    expect(requirement.locator("summary", has_text="Myndigheten har godtagit redovisningen av krav 1")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "supervision-decision-reported")

    # --- The letter to IVO.
    page.get_by_role("link", name="Redovisning till myndigheten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Redovisning till IVO, dnr {REFERENCE}")
    expect(page.locator("main")).to_contain_text("Obligatoriskt fält för skyddsbedömning i journalmallen")
    assert_accessible(page)
    screenshot(page, "supervision-letter")
    page.go_back()

    # --- The process page has it all.
    with page.expect_navigation():
        page.locator(f"#krav-{first.pk}").get_by_role("link", name=process.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(process.name)
    expect(page.locator("#tillsyn")).to_contain_text(REFERENCE)
    expect(page.locator("#tillsyn")).to_contain_text("Redovisa hur nämnden säkerställer")
    expect(page.locator("#risker")).to_contain_text("Skyddsbedömning görs inte samma dag")
    expect(page.locator("#risker")).to_contain_text("Mycket hög")
    expect(page.locator("#atgarder")).to_contain_text("Obligatoriskt fält för skyddsbedömning i journalmallen")
    assert_accessible(page)
    screenshot(page, "supervision-process")


def test_pages_at_phone_width(page, live_server, ivo_decision):
    """The same pages on a phone: nothing wider than the screen, and a screenshot of each."""
    login(page, live_server, "sara")
    process = ivo_decision.processes.get()
    pages = {
        "supervision-home-card": reverse("core:home"),
        "supervision-list": reverse("supervision:list"),
        "supervision-upcoming": reverse("supervision:upcoming"),
        "supervision-decision-form": reverse("supervision:create"),
        "supervision-decision": ivo_decision.get_absolute_url(),
        "supervision-letter": reverse("supervision:letter", args=[ivo_decision.pk]),
        "supervision-process": reverse("processes:detail", args=[process.pk]),
    }
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for name, url in pages.items():
            page.goto(f"{live_server.url}{url}")
            # The page's own content (the shared header and menu are base.html's); a table may
            # scroll inside its own focusable .table-wrap.
            overflow = page.evaluate("""() => { const width = document.documentElement.clientWidth;
                let right = 0; for (const el of document.querySelectorAll('#main *')) {
                    if (el.parentElement.closest('.table-wrap')) continue;
                    right = Math.max(right, el.getBoundingClientRect().right); }
                return Math.round(right - width); }""")
            assert overflow <= 0, f"{name} is {overflow}px wider than the screen at {size['width']}px"
            if size == PHONE:  # the desktop ones are taken in the flow above, in their later states
                assert_accessible(page)
                screenshot(page, name)
