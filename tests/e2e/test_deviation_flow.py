"""A lex Sarah report from end to end in the browser (issue 4): Anna reports it, Maria receives,
investigates and concludes it as serious, Sara registers the anmälan to IVO and the investigation
sent, Maria decides an action and closes the case, and Anna reads the feedback under Mina rapporter.
Only the final assertions read the database. Screenshots of the main steps go to test-artifacts/."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.core.fsm import transition_log_for
from riskmgmt.deviations.models import Deviation, IvoNotification

from .helpers import assert_accessible, login, logout, screenshot

pytestmark = pytest.mark.e2e

TITLE = "Orosanmälan blev liggande i funktionsbrevlådan"
DESCRIPTION = (
    "En orosanmälan om ett barn kom in via funktionsbrevlådan på förmiddagen men registrerades "
    "inte. Den upptäcktes först vid eftermiddagens genomgång, sex timmar senare."
)
LOCATION = "Mottagningsenheten, anmälningsmottagningen"
IMMEDIATE = "Anmälan registrerades och skyddsbedömning gjordes direkt när den upptäcktes."
RECEIVED_MEASURES = "Funktionsbrevlådan bevakas nu av två personer varje dag tills vidare."
IVO_REFERENCE = "3.5.1-12345/2026"
ACTION_TITLE = "Automatisk vidarekoppling från funktionsbrevlådan till ärendesystemet"
FEEDBACK = (
    "Tack för din rapport. Vi har anmält händelsen till IVO och inför automatisk vidarekoppling "
    "från funktionsbrevlådan, så att ingen anmälan kan bli liggande igen."
)


def submit(page: Page, button) -> None:
    """Click a submit button and wait until the next page has loaded."""
    with page.expect_navigation():
        button.click()


def messages(page: Page):
    return page.locator("#messages")


def open_case_from_inbox(page: Page, reference: str) -> None:
    """Open Att hantera from the menu, search for the reference and follow the row's link."""
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Att hantera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Att hantera")
    page.get_by_label("Sök", exact=True).fill(reference)
    submit(page, page.get_by_role("button", name="Sök och filtrera"))
    expect(page.get_by_role("status").filter(has_text="rapport")).to_have_text("1 rapport")
    with page.expect_navigation():
        page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)


def case_badges(page: Page):
    return page.locator(".case-header__badges")


def test_lex_sarah_from_report_to_feedback(page: Page, live_server, demo_data):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    # --- 1. Anna reports a lex Sarah.
    login(page, live_server, "anna")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Rapportera avvikelse"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportera avvikelse")
    page.get_by_role("radio", name=re.compile(r"\(lex Sarah\)")).check()
    page.get_by_label("Rubrik").fill(TITLE)
    page.get_by_label("Vad har hänt?").fill(DESCRIPTION)
    page.get_by_label("Datum", exact=True).fill(yesterday.isoformat())
    page.get_by_label("Ungefärlig tid").fill("10:15")
    page.get_by_label("Var hände det?").fill(LOCATION)
    page.get_by_label("Vad har du eller någon annan redan gjort?").fill(IMMEDIATE)
    screenshot(page, "flow-1-report-form-anna")
    submit(page, page.get_by_role("button", name="Skicka rapporten"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Tack! Din rapport är skickad.")
    reference_text = page.locator(".receipt__reference")
    expect(reference_text).to_have_text(re.compile(rf"^AVV-{today.year}-\d{{4}}$"))
    reference = reference_text.inner_text().strip()
    expect(page).to_have_title(f"Rapporten är skickad – {reference} – riskmgmt")
    expect(page.locator(".receipt__meta")).to_contain_text("Lex Sarah-rapport · Mottagningsenheten")
    expect(page.locator(".receipt__steps")).to_contain_text("Maria Ek")
    assert_accessible(page)
    screenshot(page, "flow-1-receipt-anna")
    logout(page)

    # --- 2. Maria receives, investigates and concludes it as serious.
    login(page, live_server, "maria")
    open_case_from_inbox(page, reference)
    case_url = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(case_badges(page)).to_contain_text("Rapporterad")
    expect(page.locator("#omedelbara")).to_be_visible()
    next_step = page.locator("#nasta-steg")
    expect(next_step.get_by_role("heading", name="Ta emot")).to_be_visible()
    measures = next_step.get_by_label("Dina omedelbara åtgärder")
    expect(measures).to_have_value("")  # the reporter's own text stays; the manager adds hers
    measures.fill(RECEIVED_MEASURES)
    expect(next_step.get_by_label("Typ av rapport")).to_have_value("lex_sarah")
    assert_accessible(page)
    screenshot(page, "flow-2-reported-maria")
    submit(page, next_step.get_by_role("button", name="Ta emot", exact=True))
    expect(messages(page)).to_contain_text(f"{reference}: Ta emot – klart. Status: Mottagen.")
    expect(case_badges(page)).to_contain_text("Mottagen")
    expect(page.locator("section[aria-labelledby=omedelbara]")).to_contain_text(RECEIVED_MEASURES)
    expect(page.locator("section[aria-labelledby=omedelbara]")).to_contain_text(IMMEDIATE)

    next_step = page.locator("#nasta-steg")
    expect(next_step.get_by_label("Utredare")).to_have_value("")  # "Jag utreder själv"
    submit(page, next_step.get_by_role("button", name="Starta utredning", exact=True))
    expect(messages(page)).to_contain_text(
        f"{reference}: Starta utredning – klart. Status: Under utredning."
    )
    expect(case_badges(page)).to_contain_text("Under utredning")

    conclude = page.locator("form.transition-form--conclude")
    conclude.get_by_label("Vad som hänt").fill(
        "Anmälan kom in kl. 9.40 och registrerades inte. Den som bevakade brevlådan var på hembesök."
    )
    conclude.get_by_label("Konsekvenser för den enskilde").fill(
        "Barnet kunde ha varit utan skydd i sex timmar. Ingen skada uppstod."
    )
    conclude.get_by_label("Orsaker").fill(
        "Ingen ersättare var utsedd för bevakningen av funktionsbrevlådan vid hembesök."
    )
    serious = conclude.get_by_role("radio", name="Allvarligt missförhållande", exact=True)
    expect(serious).to_have_accessible_description(re.compile("Ska anmälas till IVO snarast"))
    serious.check()
    assert_accessible(page)
    screenshot(page, "flow-2-investigation-maria")
    submit(page, conclude.get_by_role("button", name="Avsluta utredningen"))
    expect(messages(page)).to_contain_text(
        f"{reference}: Avsluta utredningen – klart. Status: Utredd."
    )
    expect(case_badges(page)).to_contain_text("Utredd")
    expect(case_badges(page)).to_contain_text("Allvarligt missförhållande")
    warning = page.locator("section.ivo-alert")
    expect(warning.get_by_role("heading", level=2)).to_have_text(
        re.compile(r"Ska anmälas till IVO senast \d{4}-\d{2}-\d{2}")
    )
    expect(warning).to_contain_text("Bedömningen är ”Allvarligt missförhållande”.")
    expect(warning).to_contain_text("Anmälan registreras av den som har delegation att anmäla")
    # Maria may not close before IVO has the investigation, and is told why.
    expect(page.locator("#nasta-steg .next-step__blocked")).to_contain_text(
        "Ett allvarligt missförhållande kan inte avslutas förrän anmälan till IVO är gjord"
    )
    assert_accessible(page)
    screenshot(page, "flow-2-concluded-maria")
    logout(page)

    # --- 3. Sara follows her notice, registers the anmälan to IVO, then the investigation sent.
    login(page, live_server, "sara")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name=re.compile("^Notiser")
    ).click()
    with page.expect_navigation():
        page.get_by_role(
            "link", name=f"Allvarligt missförhållande bedömt: {reference}", exact=True
        ).click()
    assert page.url == case_url
    expect(page.locator("section.ivo-alert")).to_be_visible()
    page.locator("section.ivo-alert").get_by_role(
        "link", name="Registrera anmälan till IVO"
    ).click()
    ivo = page.locator("#ivo")
    expect(ivo.get_by_label("Anmäld till IVO")).to_have_value(today.isoformat())
    ivo.get_by_label("Anmäld till IVO").fill(today.isoformat())
    ivo.get_by_label("IVO:s diarienummer").fill(IVO_REFERENCE)
    assert_accessible(page)
    screenshot(page, "flow-3-ivo-form-sara")
    submit(page, ivo.get_by_role("button", name="Registrera anmälan till IVO"))
    expect(messages(page)).to_contain_text("Anmälan till IVO är registrerad.")
    expect(page.locator("section.ivo-alert")).to_have_count(0)
    ivo = page.locator("#ivo")
    expect(ivo).to_contain_text("Anmäld till IVO")
    expect(ivo).to_contain_text(IVO_REFERENCE)
    expect(ivo).to_contain_text("Utredningen ska vara hos IVO senast")

    expect(ivo.get_by_label("Utredningen skickad")).to_have_value(today.isoformat())
    submit(page, ivo.get_by_role("button", name="Utredningen skickad till IVO"))
    expect(messages(page)).to_contain_text("IVO-ärendet: Utredningen skickad.")
    ivo = page.locator("#ivo")
    expect(ivo.locator(".badge")).to_have_text("Utredningen skickad")
    expect(ivo).to_contain_text(re.compile(rf"Utredningen skickad\s*{today.isoformat()}"))
    screenshot(page, "flow-3-ivo-sent-sara")
    logout(page)

    # --- 4. Maria decides an action and closes the case with feedback.
    login(page, live_server, "maria")
    open_case_from_inbox(page, reference)
    assert page.url == case_url
    panel = page.locator("#action-panel")
    expect(panel).to_contain_text("Inga åtgärder ännu.")
    panel.locator("summary", has_text="Lägg till åtgärd").click()
    panel.get_by_label("Åtgärd", exact=True).fill(ACTION_TITLE)
    panel.get_by_label("Ansvarig").select_option(label="Maria Ek (Enhetschef)")
    due = today + datetime.timedelta(days=30)
    panel.get_by_label("Klart senast").fill(due.isoformat())
    panel.get_by_label("Stark", exact=True).check()
    screenshot(page, "flow-4-action-form-maria")
    with page.expect_response(
        lambda r: "/atgarder/ny/" in r.url and r.request.method == "POST"
    ) as response:
        panel.get_by_role("button", name="Spara åtgärd").click()
    assert response.value.ok
    row = page.locator("#action-panel").get_by_role("row").filter(has_text=ACTION_TITLE)
    expect(row).to_contain_text("Maria Ek")
    expect(row).to_contain_text(due.isoformat())
    expect(row).to_contain_text("Stark")
    expect(row).to_contain_text("Planerad")
    assert page.url == case_url  # swapped in place, no reload

    close = page.locator("form.transition-form--close")
    close.get_by_label("Återkoppling till rapportören").fill(FEEDBACK)
    expect(close.get_by_label("Återkoppling given")).to_have_value(today.isoformat())
    close.get_by_label("Återkoppling given").fill(today.isoformat())
    screenshot(page, "flow-4-close-form-maria")
    submit(page, close.get_by_role("button", name="Avsluta ärendet"))
    expect(messages(page)).to_contain_text(
        f"{reference}: Avsluta ärendet – klart. Status: Avslutad."
    )
    expect(case_badges(page)).to_contain_text("Avslutad")
    expect(page.locator("section[aria-labelledby=aterkoppling]")).to_contain_text(FEEDBACK)
    expect(page.locator("#nasta-steg")).to_contain_text(
        "Det finns inget mer att göra i ärendet just nu."
    )
    expect(page.locator("#handelser > .timeline > li > strong")).to_have_text(
        ["Skapad", "Ta emot", "Starta utredning", "Avsluta utredningen", "Avsluta ärendet"]
    )
    assert_accessible(page)
    screenshot(page, "flow-4-closed-maria")
    logout(page)

    # --- 5. Anna reads the feedback under Mina rapporter.
    login(page, live_server, "anna")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Mina rapporter"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina rapporter")
    report = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=TITLE, exact=True)
    )
    expect(report).to_have_count(1)
    expect(report).to_contain_text(reference)
    expect(report.locator(".badge")).to_have_text("Avslutad")
    expect(report).to_contain_text("Ärendet är avslutat.")
    expect(
        report.get_by_role("heading", name=re.compile("^Återkoppling från chefen"))
    ).to_be_visible()
    expect(report).to_contain_text(FEEDBACK)
    assert_accessible(page)
    screenshot(page, "flow-5-mine-anna")

    # --- The database agrees.
    deviation = Deviation.objects.get(reference=reference)
    assert deviation.status == Deviation.Status.CLOSED
    assert deviation.kind == Deviation.Kind.LEX_SARAH
    assert deviation.classification == Deviation.Classification.SERIOUS
    assert deviation.reporter == get_user_model().objects.get(username="anna")
    assert deviation.feedback == FEEDBACK
    assert deviation.feedback_given_on == today
    notification = IvoNotification.objects.get(deviation=deviation)
    assert notification.status == IvoNotification.Status.INVESTIGATION_SENT
    assert notification.ivo_reference == IVO_REFERENCE
    assert notification.sent_on == today
    assert notification.investigation_sent_on == today
    action = action_list_for_source(deviation).get()
    assert action.title == ACTION_TITLE
    assert action.strength == "strong"
    assert [t.name for t in transition_log_for(deviation)] == [
        "create",
        "receive",
        "start_investigation",
        "conclude",
        "close",
    ]
