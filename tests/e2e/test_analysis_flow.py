"""A händelseanalys from end to end in the browser: the section manager commissions it from a lex Sarah
report, a team member builds the timeline, a why-chain and an action, the lead hands in the report,
the commissioner decides and downloads the PDF. Screenshots of every state go to test-artifacts/."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from riskmgmt.actions import services as action_services
from riskmgmt.actions.selectors import action_list_for_source
from riskmgmt.analyses.models import EventAnalysis
from riskmgmt.deviations import services as deviation_services
from riskmgmt.organisation.models import Unit

from .helpers import DESKTOP, PHONE, assert_accessible, login, logout, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def lex_sarah(demo_data):
    users = get_user_model().objects
    deviation = deviation_services.deviation_file(
        actor=users.get(username="anna"), kind="lex_sarah", unit=Unit.objects.get(code="fam-mott"),
        title="Skyddsbedömning gjordes först efter helgen",
        description="En anmälan om oro för ett barn kom in fredag eftermiddag och lästes först på måndagen.",
    )
    deviation_services.deviation_receive(deviation=deviation, actor=users.get(username="maria"))
    return deviation


def at(days_ago: int, hour: int, minute: int = 0) -> str:
    moment = timezone.localtime() - datetime.timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M")


def section(page, anchor):
    return page.locator(f"section#{anchor}")


def test_commission_work_submit_decide_and_download(page, live_server, lex_sarah):
    # --- The section manager commissions the analysis from the deviation.
    login(page, live_server, "sara")
    page.goto(f"{live_server.url}{reverse('analyses:list')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Händelseanalyser")
    expect(page.get_by_role("link", name="Beställ händelseanalys")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "analysis-list-empty")

    page.goto(f"{live_server.url}{lex_sarah.get_absolute_url()}")
    with page.expect_navigation():
        page.get_by_role("link", name="Starta händelseanalys").click()
    assert page.url.endswith(f"{reverse('analyses:create')}?deviation={lex_sarah.pk}")
    expect(page.get_by_label("Rubrik")).to_have_value("Skyddsbedömning gjordes först efter helgen")
    expect(page.get_by_label("Enhet", exact=True)).to_have_value(str(lex_sarah.unit_id))
    expect(page.get_by_role("checkbox", name=lex_sarah.reference)).to_be_checked()
    expect(page.get_by_label("Uppdragsgivare")).to_have_value(
        str(get_user_model().objects.get(username="sara").pk))
    page.get_by_label("Uppdrag och avgränsning").fill(
        "Vad hände mellan anmälan fredag eftermiddag och skyddsbedömningen måndag, och varför? "
        "Analysen omfattar mottagningens rutiner för bevakning, inte handläggningen i övrigt.")
    page.get_by_label("Analysledare").select_option(label="Johan Larsson (Enhetschef)")
    for row, (name, profession) in enumerate([("Sofia Karlsson (Familjehemssekreterare)", ""),
                                              ("Lisa Andersson (Familjebehandlare)", "Familjebehandlare"),
                                              ("Erik Johansson (Socialsekreterare)", "Socialsekreterare")], start=1):
        page.get_by_label(f"Deltagare {row}", exact=True).select_option(label=name)
        page.get_by_label(f"Yrke eller roll (deltagare {row})").fill(profession)
    assert_accessible(page)
    screenshot(page, "analysis-commission-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Beställ analysen").click()

    analysis = EventAnalysis.objects.get(title="Skyddsbedömning gjordes först efter helgen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Skyddsbedömning gjordes först efter helgen")
    expect(page.locator(".messages")).to_contain_text(f"Händelseanalys {analysis.reference} är beställd")
    expect(page.locator(".ws-header__badges")).to_contain_text("Beställd")
    commission = page.locator(".ws-commission")
    expect(commission).to_contain_text("Johan Larsson")
    expect(commission).to_contain_text("Sofia Karlsson, Familjehemssekreterare")
    expect(commission.get_by_role("link", name=lex_sarah.reference)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "analysis-workspace-commissioned-sara")
    logout(page)

    # --- The lead starts it.
    login(page, live_server, "johan")
    page.goto(f"{live_server.url}{analysis.get_absolute_url()}")
    with page.expect_navigation():
        page.get_by_role("button", name="Starta analysen").click()
    expect(page.locator(".ws-header__badges")).to_contain_text("Pågår")
    logout(page)

    # --- A team member builds the timeline (htmx: the list updates in place).
    login(page, live_server, "sofia")
    page.goto(f"{live_server.url}{analysis.get_absolute_url()}")
    timeline = section(page, "tidslinje")
    for when, text, source in [
        (at(3, 15, 40), "Anmälan om oro kommer in till mottagningens funktionsbrevlåda.", "Ärendesystemets logg"),
        (at(0, 8, 10), "Skyddsbedömning görs när brevlådan öppnas på måndagen.", "Journalanteckning"),
        (at(3, 16, 5), "Mottagningen stänger; ingen bevakar brevlådan under helgen.", "Intervju"),
    ]:
        add = section(page, "tidslinje").locator("form.ws-add-form")
        add.get_by_label("Tidpunkt", exact=True).fill(when)
        add.get_by_label("Vad hände?").fill(text)
        add.get_by_label("Källa").fill(source)
        add.get_by_role("button", name="Lägg till i tidslinjen").click()
        expect(timeline.locator(".event-timeline__item", has_text=text)).to_be_visible()
    items = timeline.locator(".event-timeline__item")
    expect(items).to_have_count(3)
    # Ordered by time, not by entry: the Friday 16.05 entry sits between the other two.
    expect(items.nth(1)).to_contain_text("Mottagningen stänger")
    expect(page.locator("#readiness")).to_contain_text("Tidslinjen har minst en händelse")
    assert page.url.endswith(analysis.get_absolute_url())  # no reload

    # --- A two-level why-chain ending in a root cause with a cause area.
    causes = section(page, "orsaker")
    first = causes.locator("form.ws-add-form")
    first.get_by_label("Orsak", exact=True).fill("Anmälan lästes inte förrän på måndagen.")
    first.get_by_role("button", name="Lägg till orsak").click()
    node = causes.locator(".why-node", has_text="Anmälan lästes inte förrän på måndagen.")
    expect(node).to_be_visible()
    node.locator("summary", has_text="Varför?").click()
    why = node.locator("form.cause-form").first
    why.get_by_label("Orsak", exact=True).fill("Det finns ingen rutin för att bevaka funktionsbrevlådan efter "
                                               "kontorstid på fredagar.")
    expect(why.get_by_label("Procedurer, rutiner och riktlinjer")).to_be_hidden()
    why.get_by_label("Det här är en grundorsak").check()
    why.get_by_label("Procedurer, rutiner och riktlinjer").check()
    screenshot(page, "analysis-workspace-why-form-sofia")
    why.get_by_role("button", name="Lägg till orsak").click()
    root = causes.locator(".why-node--root")
    expect(root).to_contain_text("Grundorsak")
    expect(root).to_contain_text("Procedurer, rutiner och riktlinjer")
    expect(root).to_contain_text("Ingen åtgärd kopplad ännu.")
    assert_accessible(page)

    # --- An action against the root cause.
    root.locator("summary", has_text="Föreslå åtgärd mot grundorsaken").click()
    action_form = root.locator("form").filter(has=page.get_by_role("button", name="Föreslå åtgärden"))
    action_form.get_by_label("Åtgärd", exact=True).fill("Bevakning av funktionsbrevlådan till 17 på fredagar")
    action_form.get_by_label("Ansvarig").select_option(label="Maria Ek (Enhetschef)")
    action_form.get_by_label("Klart senast").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    action_form.get_by_label("Stark", exact=True).check()
    with page.expect_navigation():
        action_form.get_by_role("button", name="Föreslå åtgärden").click()
    expect(page.locator(".messages")).to_contain_text("kopplad till grundorsaken")
    expect(section(page, "orsaker").locator(".why-node--root")).to_contain_text(
        "Bevakning av funktionsbrevlådan till 17 på fredagar")
    expect(page.locator("#action-panel")).to_contain_text("Bevakning av funktionsbrevlådan till 17 på fredagar")
    assert_accessible(page)
    screenshot(page, "analysis-workspace-in-progress-sofia")
    logout(page)

    # --- The lead writes the summary and hands in the report.
    login(page, live_server, "johan")
    page.goto(f"{live_server.url}{analysis.get_absolute_url()}")
    expect(page.locator("#readiness .is-done")).to_have_count(3)
    report = section(page, "rapporttexter")
    report.get_by_label("Händelsen och dess konsekvenser").fill(
        "En anmälan om oro lästes först efter helgen. Barnet kunde ha varit utan skydd i nästan tre dygn.")
    report.get_by_label("Sammanfattning").fill(
        "Ingen bevakade funktionsbrevlådan efter kontorstid på fredagar. Vi föreslår bevakning till 17.")
    report.get_by_label("Sannolikhet att det händer igen").select_option("2")
    report.get_by_label("Konsekvens om det händer igen").select_option("4")
    report.get_by_role("button", name="Spara utkast").click()
    expect(report.locator(".ws-saved")).to_contain_text("Utkastet sparades")
    expect(page.locator("#readiness .is-done")).to_have_count(4)
    screenshot(page, "analysis-workspace-ready-johan")
    with page.expect_navigation():
        section(page, "rapporttexter").get_by_role("button", name="Lämna rapporten till uppdragsgivaren").click()
    expect(page.locator(".ws-header__badges")).to_contain_text("Rapport inlämnad")
    logout(page)

    # --- The commissioner decides.
    login(page, live_server, "sara")
    page.goto(f"{live_server.url}{analysis.get_absolute_url()}")
    decide = page.locator("form.ws-next__form--decide_actions")
    expect(decide).to_contain_text("Ingen bevakade funktionsbrevlådan")
    expect(decide).to_contain_text("1 stark")
    assert_accessible(page)
    screenshot(page, "analysis-workspace-submitted-sara")
    decide.get_by_label("Beslut och tidplan").fill("Åtgärden genomförs från nästa vecka. Uppföljning om tre månader.")
    with page.expect_navigation():
        decide.get_by_role("button", name="Besluta åtgärder").click()
    expect(page.locator(".ws-header__badges")).to_contain_text("Åtgärder beslutade")
    expect(page.locator(".ws-commission")).to_contain_text("Uppföljning om tre månader.")
    expect(page.locator("form.ws-next__form--record_follow_up")).to_contain_text(
        "Alla åtgärder är inte utvärderade än.")
    assert_accessible(page)
    screenshot(page, "analysis-workspace-decided-sara")
    analysis.refresh_from_db()
    assert analysis.status == "actions_decided"

    # --- The report as a PDF.
    response = page.request.get(f"{live_server.url}{reverse('analyses:report-pdf', args=[analysis.pk])}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # --- Follow-up is refused until the action's effect is evaluated, then recorded.
    follow_up = page.locator("form.ws-next__form--record_follow_up")
    follow_up.get_by_label("Personalen fick återkoppling").fill(timezone.localdate().isoformat())
    follow_up.get_by_label("Uppföljning").fill("Brevlådan bevakas nu till 17 varje fredag.")
    with page.expect_navigation():
        follow_up.get_by_role("button", name="Registrera uppföljning").click()
    refused = page.locator("form.ws-next__form--record_follow_up")
    expect(refused.get_by_role("alert")).to_contain_text(
        "Alla åtgärder måste vara utvärderade (eller avbrutna) innan uppföljningen.")
    expect(refused.get_by_label("Uppföljning")).to_have_value("Brevlådan bevakas nu till 17 varje fredag.")
    assert_accessible(page)
    screenshot(page, "analysis-workspace-follow-up-refused-sara")

    action = action_list_for_source(analysis).get()
    maria = get_user_model().objects.get(username="maria")
    action_services.action_complete(action=action, actor=maria, done_on=timezone.localdate())
    action_services.action_evaluate(action=action, actor=maria, effect="effective",
                                    comment="Inga anmälningar har legat kvar över helgen sedan dess.")
    page.goto(f"{live_server.url}{analysis.get_absolute_url()}")
    follow_up = page.locator("form.ws-next__form--record_follow_up")
    expect(follow_up).to_contain_text("Alla åtgärder är utvärderade.")
    follow_up.get_by_label("Personalen fick återkoppling").fill(timezone.localdate().isoformat())
    with page.expect_navigation():
        follow_up.get_by_role("button", name="Registrera uppföljning").click()
    expect(page.locator(".ws-header__badges")).to_contain_text("Uppföljd")
    expect(page.locator("#nasta-steg")).to_contain_text("Analysen är klar och uppföljd.")
    assert_accessible(page)
    screenshot(page, "analysis-workspace-followed-up-sara")

    page.goto(f"{live_server.url}{reverse('analyses:list')}?status=all")
    expect(page.get_by_role("link", name=analysis.reference)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "analysis-list")


def test_commission_errors_cancel_and_phone(page, live_server, lex_sarah):
    login(page, live_server, "sara")
    page.goto(f"{live_server.url}{reverse('analyses:create')}?deviation={lex_sarah.pk}")
    page.get_by_label("Deltagare 1", exact=True).select_option(label="Sofia Karlsson (Familjehemssekreterare)")
    page.get_by_label("Yrke eller roll (deltagare 2)").fill("Jurist")
    with page.expect_navigation():
        page.get_by_role("button", name="Beställ analysen").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Det finns 3 fel att rätta")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Yrke eller roll (deltagare 2)")).to_have_value("Jurist")
    assert_accessible(page)
    screenshot(page, "analysis-commission-form-errors")

    # Another unit: htmx swaps in that unit's deviations (the ticked one from Mottagningen goes).
    choices = page.locator("#deviation-choices")
    page.get_by_label("Enhet", exact=True).select_option(label="– Placeringsenheten")
    expect(choices).not_to_contain_text(lex_sarah.reference)
    page.get_by_label("Enhet", exact=True).select_option(label="– Mottagningsenheten")
    expect(choices.get_by_role("checkbox", name=lex_sarah.reference)).not_to_be_checked()
    choices.get_by_role("checkbox", name=lex_sarah.reference).check()

    page.get_by_label("Uppdrag och avgränsning").fill("Varför lästes anmälan först efter helgen?")
    page.get_by_label("Analysledare").select_option(label="Johan Larsson (Enhetschef)")
    page.get_by_label("Deltagare 2", exact=True).select_option(label="Lisa Andersson (Familjebehandlare)")
    with page.expect_navigation():
        page.get_by_role("button", name="Beställ analysen").click()
    expect(page.locator(".messages")).to_contain_text("är beställd")
    # Two people in the team: the commissioner is told that 3–5 is usual.
    expect(page.locator(".messages")).to_contain_text("Ett analysteam brukar ha 3–5 personer")

    page.locator("summary", has_text="Avbryt analysen").click()
    page.get_by_label("Varför avbryts analysen?").fill("Händelsen ingår i en större analys av helgbevakningen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Avbryt analysen").click()
    expect(page.locator(".ws-header__badges")).to_contain_text("Avbruten")
    expect(page.locator(".ws-commission")).to_contain_text("Händelsen ingår i en större analys")
    assert_accessible(page)
    screenshot(page, "analysis-workspace-cancelled-sara")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "analysis-workspace-cancelled-sara")
    page.goto(f"{live_server.url}{reverse('analyses:create')}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "analysis-commission-form")
    page.set_viewport_size(DESKTOP)
