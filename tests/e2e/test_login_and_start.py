"""The demo users log in through the real form, find their start page, and log out, with the
keyboard and axe-core checking the pages on the way. Screenshots go to test-artifacts/."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .helpers import DESKTOP, PHONE, assert_accessible, login, logout, screenshot

pytestmark = pytest.mark.e2e

# username → (full name, start-page cards shown, cards not shown)
PERSONAS = {
    "lena": ("Lena Holm", ["Mina åtgärder", "Dina roller", "Organisationen"], ["Dina enheter"]),
    "karin": ("Karin Berg", ["Mina åtgärder", "Dina roller", "Organisationen"], ["Dina enheter"]),
    "sara": (
        "Sara Lindqvist",
        ["Mina åtgärder", "Dina roller", "Dina enheter"],
        ["Organisationen"],
    ),
    "maria": ("Maria Ek", ["Mina åtgärder", "Dina roller", "Dina enheter"], ["Organisationen"]),
    "anna": ("Anna Nilsson", ["Mina åtgärder", "Dina roller"], ["Dina enheter", "Organisationen"]),
}


def card(page, title):
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


@pytest.mark.parametrize("username", list(PERSONAS))
def test_demo_user_logs_in_finds_their_start_page_and_logs_out(
    page, live_server, demo_data, username
):
    full_name, shown, hidden = PERSONAS[username]

    login(page, live_server, username)

    assert page.url == f"{live_server.url}{reverse('core:home')}"
    expect(page).to_have_title("Start – riskmgmt")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hej {full_name.split()[0]}!")
    expect(page.locator("header")).to_contain_text(full_name)
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Rapportera avvikelse")).to_be_visible()
    expect(
        page.get_by_role("main").get_by_role("link", name="Rapportera avvikelse")
    ).to_be_visible()
    for title in shown:
        expect(card(page, title)).to_be_visible()
    for title in hidden:
        expect(card(page, title)).to_have_count(0)

    # Keyboard: the first Tab lands on the skip link, which then moves focus to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till huvudinnehållet")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    assert_accessible(page)
    screenshot(page, f"start-{username}")
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")  # the skip link scrolled to the content
    expect(nav.get_by_role("link", name="Rapportera avvikelse")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, f"start-{username}")

    logout(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Du är utloggad")
    page.goto(f"{live_server.url}{reverse('core:home')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")


def test_login_page_is_accessible_and_shows_errors_in_swedish(page, live_server, demo_data):
    page.goto(f"{live_server.url}{reverse('login')}")

    expect(
        page.get_by_text("Systemet för avvikelser, lex Sarah, synpunkter och klagomål")
    ).to_be_visible()
    # The stylesheet is served: the skip link is off-screen until focused.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position")
        == "absolute"
    )
    assert_accessible(page)
    screenshot(page, "login")

    page.get_by_label("Användarnamn").fill("anna")
    page.get_by_label("Lösenord", exact=True).fill("fel-losenord")
    page.get_by_role("button", name="Logga in").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Det finns 1 fel att rätta")
    expect(summary).to_contain_text("Ange ett korrekt användarnamn och lösenord")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Användarnamn")).to_have_value("anna")
    assert_accessible(page)
    screenshot(page, "login-error")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "login-error")


def test_staff_member_finds_who_to_report_to(page, live_server, demo_data):
    login(page, live_server, "anna")

    page.goto(f"{live_server.url}{reverse('core:report-start')}")

    expect(page.get_by_role("heading", level=1)).to_have_text("Vem rapporterar jag till?")
    expect(page.get_by_role("main").get_by_role("link", name="Rapportera avvikelse")).to_have_attribute(
        "href", reverse("deviations:create"))
    expect(page.get_by_role("heading", name="Lex Sarah ska rapporteras genast")).to_be_visible()
    contacts = page.locator("section.card")
    expect(contacts.first).to_contain_text("Mottagningsenheten")
    text = contacts.first.inner_text()
    assert re.search(r"Maria Ek.*Sara Lindqvist", text, re.S)
    assert "Johan Larsson" not in text
    assert_accessible(page)
    screenshot(page, "report-start-anna")
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    screenshot(page, "report-start-anna")
    page.set_viewport_size(DESKTOP)
